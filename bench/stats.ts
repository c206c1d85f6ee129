/** Percentile by nearest rank over a copy of `samples` (ms). */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export interface LatencySummary {
  n: number;
  p50: number;
  p99: number;
}

export function summarize(samples: readonly number[]): LatencySummary {
  return { n: samples.length, p50: percentile(samples, 50), p99: percentile(samples, 99) };
}
