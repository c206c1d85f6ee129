import { describe, expect, it } from "vitest";
import { HeadSampler, MIN_SLOW_MS, SAMPLER_WINDOW_MS, SLOW_ROLL_MS, SlowThresholds, TokenBucket } from "./sampling";
import { TailBuffer } from "./tail-buffer";

function fakeClock(start = 0) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

/** Runs `perSecond` decisions a second, evenly, for `seconds`; returns how many were sampled. */
function drive(sampler: HeadSampler, clock: ReturnType<typeof fakeClock>, perSecond: number, seconds: number): number {
  let sampled = 0;
  const gap = 1000 / perSecond;
  for (let i = 0; i < perSecond * seconds; i++) {
    if (sampler.decide()) sampled++;
    clock.advance(gap);
  }
  return sampled;
}

describe("head sampler", () => {
  it("samples every trace while the rate is within the budget", () => {
    const clock = fakeClock();
    const sampler = new HeadSampler(100, { now: clock.now });
    expect(drive(sampler, clock, 50, 4)).toBe(200);
    expect(sampler.currentOneIn).toBe(1);
  });

  it("samples about budget per second, evenly 1 in N, at a rate far past it", () => {
    const clock = fakeClock();
    const sampler = new HeadSampler(100, { expectedRatePerSecond: 800, now: clock.now });
    const sampled = drive(sampler, clock, 800, 5);
    expect(sampler.currentOneIn).toBe(8);
    expect(sampled).toBeGreaterThanOrEqual(480);
    expect(sampled).toBeLessThanOrEqual(520);
  });

  it("follows a rate that changes: N grows within a window and shrinks back", () => {
    const clock = fakeClock();
    const sampler = new HeadSampler(100, { now: clock.now });
    drive(sampler, clock, 1000, 2);
    expect(sampler.currentOneIn).toBe(10);
    drive(sampler, clock, 20, 2);
    expect(sampler.currentOneIn).toBe(1);
  });

  it("bounds a burst by one second of budget", () => {
    const clock = fakeClock();
    const sampler = new HeadSampler(100, { now: clock.now });
    let sampled = 0;
    for (let i = 0; i < 1000; i++) if (sampler.decide()) sampled++;
    expect(sampled).toBe(100);
    clock.advance(SAMPLER_WINDOW_MS);
    // 1,000 in half a second is 2,000/s: now 1 in 20.
    let next = 0;
    for (let i = 0; i < 40; i++) if (sampler.decide()) next++;
    expect(sampler.currentOneIn).toBe(20);
    expect(next).toBe(2);
  });

  it("samples nothing with a zero budget", () => {
    const clock = fakeClock();
    expect(drive(new HeadSampler(0, { now: clock.now }), clock, 10, 1)).toBe(0);
  });
});

describe("token bucket", () => {
  it("refills at its rate up to its capacity", () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(10, 2, clock.now);
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, false]);
    clock.advance(100);
    expect([bucket.take(), bucket.take()]).toEqual([true, false]);
    clock.advance(10_000);
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, false]);
  });
});

describe("slow thresholds", () => {
  it("calls a duration slow once it reaches the last roll's p99", () => {
    const clock = fakeClock();
    const slow = new SlowThresholds(clock.now);
    for (let i = 1; i <= 100; i++) expect(slow.observe("edge", i)).toBe(false); // no threshold yet
    clock.advance(SLOW_ROLL_MS);
    expect(slow.observe("edge", 50)).toBe(false);
    expect(slow.observe("edge", 120)).toBe(true);
    expect(slow.observe("other", 120)).toBe(false); // kinds are apart
  });

  it("never calls a fast duration slow, whatever the threshold", () => {
    const clock = fakeClock();
    const slow = new SlowThresholds(clock.now);
    for (let i = 0; i < 100; i++) slow.observe("edge", 0.2);
    clock.advance(SLOW_ROLL_MS);
    expect(slow.observe("edge", MIN_SLOW_MS / 2)).toBe(false);
  });
});

describe("tail buffer", () => {
  const limits = { holdMs: 1000, maxHeldSpans: 5, keptTtlMs: 2000 };

  it("releases a trace's held spans when it is kept, and keeps it for a while", () => {
    const buffer = new TailBuffer<string>(limits);
    buffer.hold("t1", "a", 0);
    buffer.hold("t2", "x", 0);
    buffer.hold("t1", "b", 10);
    expect(buffer.keep("t1", 20)).toEqual(["a", "b"]);
    expect(buffer.isKept("t1", 1000)).toBe(true);
    expect(buffer.isKept("t1", 2100)).toBe(false);
    expect(buffer.isKept("t2", 20)).toBe(false);
    expect(buffer.size).toBe(1);
  });

  it("forgets the oldest traces past its age and count bounds", () => {
    const buffer = new TailBuffer<number>(limits);
    buffer.hold("old", 1, 0);
    buffer.hold("new", 2, 1500); // "old" is past holdMs now
    expect(buffer.keep("old", 1500)).toEqual([]);
    for (let i = 0; i < 6; i++) buffer.hold(`t${i}`, i, 1600);
    expect(buffer.size).toBeLessThanOrEqual(5);
    expect(buffer.keep("new", 1600)).toEqual([]); // the oldest went first
    expect(buffer.keep("t5", 1600)).toEqual([5]);
  });
});
