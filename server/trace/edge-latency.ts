/**
 * Per-edge rate and latency percentiles from CLIENT/PRODUCER spans, over a
 * sliding window. Pure: time is passed in.
 */

/** Percentiles look at the sends of the last this many ms. */
export const LATENCY_WINDOW_MS = 10_000;
/** The rate counts the sends of the last this many ms. */
export const RATE_WINDOW_MS = 1_000;
/** Samples kept per edge; at the rate cap this is more than the window holds. */
const MAX_SAMPLES_PER_EDGE = 20_000;
/**
 * Whole-run percentiles read a uniform sample of every send (reservoir
 * sampling): exact up to this many sends per edge, an unbiased sample after.
 */
export const RUN_RESERVOIR_SIZE = 10_000;

export interface EdgeLatencyStats {
  ratePerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

interface Sample {
  /** When the send ended, ms. */
  at: number;
  durationMs: number;
}

/**
 * The nearest-rank percentile of values sorted ascending; 0 for no values.
 * @example percentile([10, 20, 30, 40], 50) === 20
 */
export function percentile(sortedAscending: readonly number[], p: number): number {
  if (sortedAscending.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sortedAscending.length);
  return sortedAscending[Math.min(sortedAscending.length, Math.max(1, rank)) - 1];
}

interface Reservoir {
  seen: number;
  kept: number[];
}

export class EdgeLatencyWindow {
  private readonly samples = new Map<string, Sample[]>();
  private readonly wholeRun = new Map<string, Reservoir>();

  /** `random` is injectable so tests of the reservoir are repeatable. */
  constructor(private readonly random: () => number = Math.random) {}

  add(edgeId: string, endedAtMs: number, durationMs: number): void {
    let list = this.samples.get(edgeId);
    if (!list) this.samples.set(edgeId, (list = []));
    list.push({ at: endedAtMs, durationMs });
    if (list.length > MAX_SAMPLES_PER_EDGE) list.splice(0, list.length - MAX_SAMPLES_PER_EDGE);

    let reservoir = this.wholeRun.get(edgeId);
    if (!reservoir) this.wholeRun.set(edgeId, (reservoir = { seen: 0, kept: [] }));
    reservoir.seen++;
    if (reservoir.kept.length < RUN_RESERVOIR_SIZE) reservoir.kept.push(durationMs);
    else {
      const slot = Math.floor(this.random() * reservoir.seen);
      if (slot < RUN_RESERVOIR_SIZE) reservoir.kept[slot] = durationMs;
    }
  }

  /** Percentiles over every send of the run so far (for the summary at Stop). */
  runStats(edgeId: string): Omit<EdgeLatencyStats, "ratePerSecond"> {
    const durations = [...(this.wholeRun.get(edgeId)?.kept ?? [])].sort((a, b) => a - b);
    return { p50Ms: percentile(durations, 50), p95Ms: percentile(durations, 95), p99Ms: percentile(durations, 99) };
  }

  stats(edgeId: string, nowMs: number): EdgeLatencyStats {
    const list = this.samples.get(edgeId) ?? [];
    const firstKept = list.findIndex((sample) => sample.at >= nowMs - LATENCY_WINDOW_MS);
    if (firstKept === -1) list.length = 0;
    else if (firstKept > 0) list.splice(0, firstKept);
    const durations = list.map((sample) => sample.durationMs).sort((a, b) => a - b);
    const recent = list.filter((sample) => sample.at >= nowMs - RATE_WINDOW_MS).length;
    return {
      ratePerSecond: recent / (RATE_WINDOW_MS / 1000),
      p50Ms: percentile(durations, 50),
      p95Ms: percentile(durations, 95),
      p99Ms: percentile(durations, 99),
    };
  }
}
