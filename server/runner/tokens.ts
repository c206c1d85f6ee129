/**
 * Run tokens in the shared registry: only their SHA-256 is stored, and a
 * token given is compared with it in constant time.
 */
import { createHash, timingSafeEqual } from "node:crypto";

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** True when `token` hashes to `storedHash` (hex SHA-256); constant time in the token's content. */
export function tokenMatchesHash(token: string, storedHash: string | null | undefined): boolean {
  if (!storedHash || !/^[0-9a-f]{64}$/.test(storedHash)) return false;
  const given = createHash("sha256").update(token, "utf8").digest();
  return timingSafeEqual(given, Buffer.from(storedHash, "hex"));
}
