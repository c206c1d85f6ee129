import { describe, expect, it } from "vitest";
import { chance, delayMs, paceUntil, stableChance } from "./jitter";

describe("fault randomness", () => {
  it("spreads latency uniformly over latency ± jitter, never below 0", () => {
    expect(delayMs(300, 0, () => 0.9)).toBe(300);
    expect(delayMs(300, 50, () => 0)).toBe(250);
    expect(delayMs(300, 50, () => 0.5)).toBe(300);
    expect(delayMs(300, 50, () => 0.999999)).toBeCloseTo(350, 3);
    expect(delayMs(10, 10, () => 0)).toBe(0);
  });

  it("fires with the given share", () => {
    expect(chance(0, () => 0)).toBe(false);
    expect(chance(1, () => 0.99)).toBe(true);
    expect(chance(0.5, () => 0.49)).toBe(true);
    expect(chance(0.5, () => 0.5)).toBe(false);
  });

  it("gives one id the same answer every time and about the share over many ids", () => {
    expect(stableChance(0.3, "job-7")).toBe(stableChance(0.3, "job-7"));
    const hits = Array.from({ length: 10_000 }, (_, index) => stableChance(0.3, `r1:job:${index}`)).filter(Boolean).length;
    expect(hits).toBeGreaterThan(2_700);
    expect(hits).toBeLessThan(3_300);
    expect(stableChance(1, "x")).toBe(true);
    expect(stableChance(0, "x")).toBe(false);
  });

  it("paces bytes at the rate: 1 KB at 1 KB/s takes a second after the link is free", () => {
    expect(paceUntil(0, 100, 1024, 1)).toBe(1100);
    expect(paceUntil(2000, 100, 512, 1)).toBe(2500);
  });
});
