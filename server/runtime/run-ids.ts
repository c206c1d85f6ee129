/** Run ids and tokens: short ids for humans, long random tokens for control. */
import { randomBytes, timingSafeEqual } from "node:crypto";

const RUN_ID_DIGITS = 8;
const TOKEN_BYTES = 24;

/** `r-` and 8 base-36 digits, e.g. "r-k3x9q0zt". */
export function newRunId(): string {
  const digits = [...randomBytes(RUN_ID_DIGITS)].map((byte) => (byte % 36).toString(36)).join("");
  return `r-${digits}`;
}

/** 24 random bytes, base64url: 32 characters. */
export function newRunToken(): string {
  return randomBytes(TOKEN_BYTES).toString("base64url");
}

/** Constant-time comparison, so response time does not leak how much of a guess was right. */
export function tokensMatch(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
