import { describe, expect, it } from "vitest";
import { BUCKET_COUNT, bucketOf, bucketValue, LatencyHistogram, MIN_MS } from "./latency-histogram";

/** Exact nearest-rank percentile, the reference the histogram approximates. */
function exact(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1];
}

describe("latency histogram", () => {
  it("reports percentiles within 2.5 % of the exact ones over a wide range", () => {
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    // Log-uniform from 0.05 ms to 5 s: every octave of a real run's latencies.
    const values = Array.from({ length: 20_000 }, () => 0.05 * 10 ** (5 * random()));
    const histogram = new LatencyHistogram();
    for (const value of values) histogram.record(value);
    for (const p of [1, 50, 90, 95, 99, 99.9]) {
      const reference = exact(values, p);
      expect(Math.abs(histogram.percentile(p) - reference) / reference).toBeLessThan(0.025);
    }
    expect(histogram.total).toBe(values.length);
  });

  it("puts tiny and huge values in the end buckets instead of failing", () => {
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(-3)).toBe(0);
    expect(bucketOf(Number.NaN)).toBe(0);
    expect(bucketOf(1e12)).toBe(BUCKET_COUNT - 1);
    expect(bucketValue(0)).toBe(MIN_MS);
  });

  it("merges a shipped sparse delta exactly as if recorded here", () => {
    const host = new LatencyHistogram();
    for (const ms of [1, 1, 2, 40, 40, 40, 900]) host.record(ms);
    const server = new LatencyHistogram();
    server.merge(host.toSparse());
    server.merge(host);
    expect(server.total).toBe(14);
    expect(server.percentiles()).toEqual(host.percentiles());
    expect(host.toSparse().length).toBe(8); // four buckets, as pairs
  });

  it("ignores malformed sparse pairs rather than corrupting counts", () => {
    const histogram = new LatencyHistogram();
    histogram.merge([5, 2, -1, 3, BUCKET_COUNT, 1, 7.5, 1, 9, -4, 11]);
    expect(histogram.total).toBe(2);
    expect(histogram.percentile(100)).toBe(bucketValue(5));
  });

  it("is empty again after clear and reports 0 when empty", () => {
    const histogram = new LatencyHistogram();
    expect(histogram.percentile(50)).toBe(0);
    histogram.record(3);
    histogram.clear();
    expect(histogram.total).toBe(0);
    expect(histogram.toSparse()).toEqual([]);
  });
});
