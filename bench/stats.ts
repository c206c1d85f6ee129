import { percentile as percentileOfSorted } from "@/lib/metrics/percentile";

/** Percentile by nearest rank over a sorted copy of `samples` (ms); NaN when there are none (printed as such). */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  return percentileOfSorted([...samples].sort((a, b) => a - b), p);
}

export interface LatencySummary {
  n: number;
  p50: number;
  p99: number;
}

export function summarize(samples: readonly number[]): LatencySummary {
  return { n: samples.length, p50: percentile(samples, 50), p99: percentile(samples, 99) };
}
