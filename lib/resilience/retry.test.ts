import { describe, expect, it } from "vitest";
import { backoffMs, MAX_BACKOFF_MS, MIN_RETRY_CONCURRENCY, RetryBudget, retryFitsDeadline } from "./retry";

describe("backoffMs", () => {
  it("doubles from the base: base × 2^(n-1)", () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(100, n, false))).toEqual([100, 200, 400, 800, 1600]);
  });

  it("is 0 (retry at once) with a base of 0", () => {
    expect(backoffMs(0, 3, true, () => 0.9)).toBe(0);
  });

  it("with full jitter is random() × the exponential wait", () => {
    expect(backoffMs(100, 3, true, () => 0)).toBe(0);
    expect(backoffMs(100, 3, true, () => 0.5)).toBe(200);
    expect(backoffMs(100, 3, true, () => 0.999)).toBeCloseTo(399.6);
  });

  it("never waits longer than MAX_BACKOFF_MS", () => {
    expect(backoffMs(60_000, 5, false)).toBe(MAX_BACKOFF_MS);
    expect(backoffMs(60_000, 5, true, () => 0.5)).toBe(MAX_BACKOFF_MS / 2);
  });
});

describe("retryFitsDeadline", () => {
  it("always fits without a deadline", () => {
    expect(retryFitsDeadline(10_000, undefined, 0)).toBe(true);
  });

  it("fits only when the retry would start before the deadline", () => {
    expect(retryFitsDeadline(99, 1100, 1000)).toBe(true);
    expect(retryFitsDeadline(100, 1100, 1000)).toBe(false);
    expect(retryFitsDeadline(0, 1000, 1000)).toBe(false);
  });
});

describe("RetryBudget", () => {
  it("allows at least MIN_RETRY_CONCURRENCY concurrent retries", () => {
    const budget = new RetryBudget(20);
    budget.beginRequest();
    expect(budget.allowed).toBe(MIN_RETRY_CONCURRENCY);
    const granted = [budget.tryRetry(), budget.tryRetry(), budget.tryRetry()];
    expect(granted.every(Boolean)).toBe(true);
    expect(budget.tryRetry()).toBeUndefined();
  });

  it("allows percent of the active requests once that is more than the minimum", () => {
    const budget = new RetryBudget(20);
    for (let i = 0; i < 50; i++) budget.beginRequest();
    expect(budget.allowed).toBe(10);
    const granted = Array.from({ length: 12 }, () => budget.tryRetry());
    expect(granted.filter(Boolean)).toHaveLength(10);
    expect(budget.retries).toBe(10);
  });

  it("frees a retry when its attempt ends, once", () => {
    const budget = new RetryBudget(20);
    budget.beginRequest();
    const grants = [budget.tryRetry()!, budget.tryRetry()!, budget.tryRetry()!];
    expect(budget.tryRetry()).toBeUndefined();
    grants[0]();
    grants[0]();
    expect(budget.retries).toBe(2);
    expect(budget.tryRetry()).toBeDefined();
    expect(budget.tryRetry()).toBeUndefined();
  });

  it("shrinks as requests end", () => {
    const budget = new RetryBudget(50);
    const ends = Array.from({ length: 20 }, () => budget.beginRequest());
    expect(budget.allowed).toBe(10);
    for (const end of ends.slice(0, 14)) end();
    ends[0]();
    expect(budget.requests).toBe(6);
    expect(budget.allowed).toBe(MIN_RETRY_CONCURRENCY);
  });

  it("with percent 0 allows every retry", () => {
    const budget = new RetryBudget(0);
    budget.beginRequest();
    const granted = Array.from({ length: 100 }, () => budget.tryRetry());
    expect(granted.every(Boolean)).toBe(true);
  });

  it("with percent 100 allows as many retries as requests", () => {
    const budget = new RetryBudget(100);
    for (let i = 0; i < 8; i++) budget.beginRequest();
    expect(budget.allowed).toBe(8);
  });

  it.each([-1, 101, Number.NaN])("refuses percent %d", (percent) => {
    expect(() => new RetryBudget(percent)).toThrow(RangeError);
  });
});
