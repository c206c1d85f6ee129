import { describe, expect, it } from "vitest";
import { hashToken, tokenMatchesHash } from "./tokens";

describe("run tokens in the shared registry", () => {
  it("stores only the SHA-256 and matches the token against it", () => {
    const hash = hashToken("secret-token");
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain("secret");
    expect(tokenMatchesHash("secret-token", hash)).toBe(true);
    expect(tokenMatchesHash("secret-tokem", hash)).toBe(false);
    expect(tokenMatchesHash("secret-token", null)).toBe(false);
    expect(tokenMatchesHash("secret-token", "abc")).toBe(false);
  });
});
