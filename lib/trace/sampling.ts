/**
 * Trace sampling, decided where a message starts (head sampling): every message
 * is counted and timed, but only a budget of traces per second is traced in full.
 * The decision rides in `traceparent`'s sampled flag, so every process of the
 * trace agrees and a trace is whole or absent. Failed and slow traces are kept
 * anyway (see SlowThresholds and the hosts' tail buffer), within a keep budget.
 *
 * Pure: time comes from an injectable clock.
 */
import { LatencyHistogram } from "@/lib/metrics/latency-histogram";

export type Clock = () => number;
const monotonicMs: Clock = () => performance.now();

/** How often the head sampler re-estimates the rate of new traces. */
export const SAMPLER_WINDOW_MS = 500;

/**
 * A token bucket: `perSecond` tokens a second, at most `capacity` saved up.
 * @example const bucket = new TokenBucket(10); if (bucket.take()) keep();
 */
export class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly perSecond: number,
    private readonly capacity = Math.max(1, perSecond),
    private readonly now: Clock = monotonicMs,
  ) {
    this.tokens = this.capacity;
    this.refilledAt = now();
  }

  /** Takes one token if there is one. */
  take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.refilledAt) / 1000) * this.perSecond);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/**
 * Samples 1 in N new traces, N = ⌈rate / budget⌉ re-estimated every
 * SAMPLER_WINDOW_MS from the rate of new traces, so a steady stream is sampled
 * evenly; a token bucket of one second's budget bounds bursts (a SendMessage of
 * 1,000 ships the first `budget` traces in full, then samples).
 */
export class HeadSampler {
  private oneInN: number;
  private sequence = 0;
  private windowStart: number;
  private windowCount = 0;
  private readonly tokens: TokenBucket;

  constructor(
    private readonly budgetPerSecond: number,
    options: { expectedRatePerSecond?: number; now?: Clock } = {},
  ) {
    const now = options.now ?? monotonicMs;
    this.now = now;
    this.windowStart = now();
    this.oneInN = oneIn(options.expectedRatePerSecond ?? 0, budgetPerSecond);
    this.tokens = new TokenBucket(budgetPerSecond, Math.max(1, budgetPerSecond), now);
  }

  private readonly now: Clock;

  /** Whether the trace starting now is traced in full. */
  decide(): boolean {
    if (!(this.budgetPerSecond > 0)) return false;
    const now = this.now();
    if (now - this.windowStart >= SAMPLER_WINDOW_MS) {
      const rate = (this.windowCount * 1000) / (now - this.windowStart);
      this.oneInN = oneIn(rate, this.budgetPerSecond);
      this.windowStart = now;
      this.windowCount = 0;
    }
    this.windowCount++;
    if (this.sequence++ % this.oneInN !== 0) return false;
    return this.tokens.take();
  }

  /** The current N of "1 in N". */
  get currentOneIn(): number {
    return this.oneInN;
  }
}

function oneIn(ratePerSecond: number, budgetPerSecond: number): number {
  if (!(budgetPerSecond > 0)) return Number.MAX_SAFE_INTEGER;
  return Math.max(1, Math.ceil(ratePerSecond / budgetPerSecond));
}

/** Thresholds roll this often: what "slow" means follows the run as it changes. */
export const SLOW_ROLL_MS = 2_000;
/** Nothing faster than this is called slow, however fast the rest is. */
export const MIN_SLOW_MS = 5;
/** A duration at or above this percentile of its kind in the last roll is slow. */
const SLOW_PERCENTILE = 99;

/**
 * Per kind of span (an edge's sends, a client's whole messages), the
 * durations of the last roll and the p99 they give: a duration at or above it
 * (and ≥ MIN_SLOW_MS) is slow. Before the first roll nothing is slow.
 */
export class SlowThresholds {
  private readonly kinds = new Map<string, { histogram: LatencyHistogram; thresholdMs: number }>();
  private rolledAt: number;

  constructor(private readonly now: Clock = monotonicMs) {
    this.rolledAt = now();
  }

  /** Records a duration of `kind` and says whether it is slow. */
  observe(kind: string, durationMs: number): boolean {
    const now = this.now();
    if (now - this.rolledAt >= SLOW_ROLL_MS) this.roll(now);
    let entry = this.kinds.get(kind);
    if (!entry) this.kinds.set(kind, (entry = { histogram: new LatencyHistogram(), thresholdMs: Infinity }));
    entry.histogram.record(durationMs);
    return durationMs >= MIN_SLOW_MS && durationMs >= entry.thresholdMs;
  }

  private roll(now: number): void {
    this.rolledAt = now;
    for (const entry of this.kinds.values()) {
      if (entry.histogram.total > 0) entry.thresholdMs = entry.histogram.percentile(SLOW_PERCENTILE);
      entry.histogram.clear();
    }
  }
}
