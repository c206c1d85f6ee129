import { describe, expect, it } from "vitest";
import { shortCount } from "./short-count";

describe("shortCount", () => {
  it("keeps small counts exact and shortens big ones", () => {
    expect(shortCount(0)).toBe("0");
    expect(shortCount(9_999)).toBe("9,999");
    expect(shortCount(10_000)).toBe("10k");
    expect(shortCount(37_417)).toBe("37.4k");
    expect(shortCount(412_800)).toBe("413k");
    expect(shortCount(2_500_000)).toBe("2.5M");
  });
});
