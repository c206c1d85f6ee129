import { afterEach, describe, expect, it, vi } from "vitest";
import { Distribution, FanOut, TrafficPattern, type Traffic, type WorkTime } from "@/lib/gen/ipcplay/v1/topology_pb";
import { ConcurrencyLimiter, createFanOut, sampleWorkMs, shouldFail } from "./behavior";
import { messagesDue, poissonGapMs, startTraffic } from "./traffic";

const work = (fields: Partial<WorkTime>) => ({ distribution: Distribution.FIXED, meanMs: 0, minMs: 0, maxMs: 0, stddevMs: 0, ...fields }) as WorkTime;
const fixed = (value: number) => () => value;

describe("work time", () => {
  it("samples each distribution and never goes negative", () => {
    expect(sampleWorkMs(work({ meanMs: 40 }))).toBe(40);
    expect(sampleWorkMs(work({ distribution: Distribution.UNIFORM, minMs: 10, maxMs: 30 }), fixed(0.5))).toBe(20);
    expect(sampleWorkMs(work({ distribution: Distribution.EXPONENTIAL, meanMs: 10 }), fixed(1 - Math.exp(-1)))).toBeCloseTo(10);
    expect(sampleWorkMs(work({ distribution: Distribution.NORMAL, meanMs: 5, stddevMs: 100 }), fixed(0.999))).toBeGreaterThanOrEqual(0);
    expect(sampleWorkMs(undefined)).toBe(0);
  });

  it("has the configured mean over many samples", () => {
    const samples = Array.from({ length: 20_000 }, () => sampleWorkMs(work({ distribution: Distribution.NORMAL, meanMs: 50, stddevMs: 5 })));
    expect(samples.reduce((a, b) => a + b, 0) / samples.length).toBeCloseTo(50, 0);
  });
});

describe("errors", () => {
  it("fails with the error rate", () => {
    expect(shouldFail(0, fixed(0))).toBe(false);
    expect(shouldFail(0.3, fixed(0.29))).toBe(true);
    expect(shouldFail(0.3, fixed(0.3))).toBe(false);
  });
});

describe("ConcurrencyLimiter", () => {
  it("lets `limit` holders in and queues the rest in order", async () => {
    const limiter = new ConcurrencyLimiter(2);
    const order: string[] = [];
    const first = await limiter.acquire();
    const second = await limiter.acquire();
    const third = limiter.acquire().then((release) => (order.push("third"), release));
    const fourth = limiter.acquire().then((release) => (order.push("fourth"), release));
    expect([limiter.inUse, limiter.queued]).toEqual([2, 2]);
    first();
    first(); // releasing twice must not free two slots
    (await third)();
    second();
    (await fourth)();
    expect(order).toEqual(["third", "fourth"]);
    expect([limiter.inUse, limiter.queued]).toEqual([0, 0]);
  });

  it("is full only when every slot is taken and the waiting line is at its bound", async () => {
    const limiter = new ConcurrencyLimiter(1, 2);
    const held = await limiter.acquire();
    expect(limiter.full).toBe(false);
    const waiters = [limiter.acquire(), limiter.acquire()];
    expect(limiter.full).toBe(true);
    held();
    expect(limiter.full).toBe(false); // one waiter took the slot: the line has room again
    for (const waiter of waiters) (await waiter)();
  });

  it("resizes without dropping waiters: a larger limit lets them in, a smaller one holds them until holders leave", async () => {
    const limiter = new ConcurrencyLimiter(1);
    const held = await limiter.acquire();
    const waiters = [limiter.acquire(), limiter.acquire(), limiter.acquire()];
    limiter.resize(3);
    expect([limiter.inUse, limiter.queued]).toEqual([3, 1]);
    const [a, b] = await Promise.all(waiters.slice(0, 2));
    limiter.resize(1);
    held();
    a();
    // Two left the three holders; one is still working, at the new limit of 1: the waiter still waits.
    expect([limiter.inUse, limiter.queued]).toEqual([1, 1]);
    b();
    (await waiters[2])();
    expect([limiter.inUse, limiter.queued]).toEqual([0, 0]);
  });
});

describe("fan-out", () => {
  it("picks all, one in turn, or one at random", () => {
    expect(createFanOut(FanOut.ALL)(["a", "b"])).toEqual(["a", "b"]);
    const roundRobin = createFanOut(FanOut.ROUND_ROBIN);
    expect([1, 2, 3].map(() => roundRobin(["a", "b"])[0])).toEqual(["a", "b", "a"]);
    expect(createFanOut(FanOut.RANDOM, fixed(0.99))(["a", "b", "c"])).toEqual(["c"]);
    expect(createFanOut(FanOut.RANDOM)([])).toEqual([]);
  });
});

describe("traffic schedule", () => {
  const traffic = (fields: Partial<Traffic>) =>
    ({ ratePerSecond: 10, pattern: TrafficPattern.CONSTANT, payloadBytes: 0, burstSize: 10, rampSeconds: 10, ...fields }) as Traffic;

  it("spaces constant traffic evenly", () => {
    expect(messagesDue(traffic({}), 0)).toBe(0);
    expect(messagesDue(traffic({}), 1.05)).toBe(10);
    expect(messagesDue(traffic({ ratePerSecond: 0 }), 5)).toBe(0);
  });

  it("sends bursts at the start of each period, keeping the average rate", () => {
    const burst = traffic({ pattern: TrafficPattern.BURST, burstSize: 5 });
    expect([0, 0.49, 0.5, 10].map((t) => messagesDue(burst, t))).toEqual([5, 5, 10, 105]);
  });

  it("ramps up linearly and then holds the rate", () => {
    const ramp = traffic({ pattern: TrafficPattern.RAMP, ratePerSecond: 20, rampSeconds: 10 });
    expect(messagesDue(ramp, 5)).toBe(25);
    expect(messagesDue(ramp, 10)).toBe(100);
    expect(messagesDue(ramp, 11)).toBe(120);
  });

  describe("Poisson", () => {
    afterEach(() => vi.useRealTimers());

    it("draws exponential gaps whose mean is 1 / rate and whose spread is as large as the mean", () => {
      let seed = 1;
      // A fixed linear congruential sequence: the test does not depend on luck.
      const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
      const gaps = Array.from({ length: 20_000 }, () => poissonGapMs(50, random));
      const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
      const sd = Math.sqrt(gaps.reduce((a, b) => a + (b - mean) ** 2, 0) / gaps.length);
      expect(mean).toBeGreaterThan(19);
      expect(mean).toBeLessThan(21);
      // Exponential: the standard deviation equals the mean (evenly spaced traffic would have none).
      expect(sd / mean).toBeGreaterThan(0.9);
      expect(sd / mean).toBeLessThan(1.1);
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(0);
    });

    it("sends at random times at the average rate", () => {
      vi.useFakeTimers();
      let seed = 7;
      const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
      const sends: number[] = [];
      const stop = startTraffic(traffic({ pattern: TrafficPattern.POISSON, ratePerSecond: 100 }), (n) => sends.push(n), random);
      vi.advanceTimersByTime(60_000);
      stop();
      const total = sends.reduce((a, b) => a + b, 0);
      expect(total).toBeGreaterThan(5_700);
      expect(total).toBeLessThan(6_300);
      vi.advanceTimersByTime(1_000);
      expect(sends.reduce((a, b) => a + b, 0)).toBe(total);
    });
  });
});
