import { describe, expect, it } from "vitest";
import { TokenBucket } from "./token-bucket";

function bucket(rate: number) {
  const clock = { now: 0 };
  return { clock, subject: new TokenBucket(rate, () => clock.now) };
}

function takes(subject: TokenBucket, tries: number): number {
  let taken = 0;
  for (let i = 0; i < tries; i++) if (subject.take()) taken++;
  return taken;
}

describe("TokenBucket", () => {
  it("starts full: a burst of one second's worth goes through, the rest is refused", () => {
    const { subject } = bucket(10);
    expect(takes(subject, 25)).toBe(10);
  });

  it("refills at the rate", () => {
    const { subject, clock } = bucket(10);
    takes(subject, 10);
    clock.now += 100;
    expect(takes(subject, 5)).toBe(1);
    clock.now += 450;
    expect(takes(subject, 10)).toBe(4);
  });

  it("holds at most one second's worth however long it idles", () => {
    const { subject, clock } = bucket(5);
    clock.now += 60_000;
    expect(takes(subject, 20)).toBe(5);
  });

  it("keeps the long-run rate", () => {
    const { subject, clock } = bucket(50);
    takes(subject, 50);
    let taken = 0;
    for (let ms = 0; ms < 10_000; ms += 7) {
      clock.now += 7;
      taken += takes(subject, 3);
    }
    expect(taken).toBeGreaterThanOrEqual(498);
    expect(taken).toBeLessThanOrEqual(500);
  });

  it("holds at least one token for a rate below one a second", () => {
    const { subject, clock } = bucket(0.5);
    expect(takes(subject, 3)).toBe(1);
    clock.now += 1000;
    expect(subject.take()).toBe(false);
    clock.now += 1000;
    expect(subject.take()).toBe(true);
  });

  it("adds nothing when the clock goes back", () => {
    const { subject, clock } = bucket(1);
    subject.take();
    clock.now -= 5000;
    expect(subject.take()).toBe(false);
  });

  it.each([0, -1, Number.POSITIVE_INFINITY, Number.NaN])("refuses rate %d", (rate) => {
    expect(() => new TokenBucket(rate, () => 0)).toThrow(RangeError);
  });
});
