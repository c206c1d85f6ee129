/**
 * A latency histogram with log-linear buckets (HdrHistogram's idea, small):
 * every power of two from MIN_MS up is split into SUB_BUCKETS equal ratios, so
 * any recorded value is reported within ±2.2 % (half a bucket of 2^(1/16)).
 * Recording is one log2 and an array increment — cheap enough to count every
 * message in the hosts — and histograms merge by adding counts, so hosts ship
 * small deltas and the server adds them up per edge and per time slot.
 *
 * Pure: no I/O, no clock.
 */

/** Values at or below this (10 µs) fall in bucket 0. */
export const MIN_MS = 0.01;
/** Buckets per doubling: 2^(1/16) ≈ 4.4 % wide. */
export const SUB_BUCKETS = 16;
/** Doublings covered above MIN_MS: 0.01 ms · 2^24 ≈ 168 s, past every timeout the gate allows. */
const OCTAVES = 24;
export const BUCKET_COUNT = OCTAVES * SUB_BUCKETS + 1;

/**
 * The bucket a value falls in; values past the top land in the last bucket.
 * @example bucketOf(0.005) === 0; bucketOf(1) === bucketOf(1.02)
 */
export function bucketOf(ms: number): number {
  if (!(ms > MIN_MS)) return 0;
  const index = Math.ceil(Math.log2(ms / MIN_MS) * SUB_BUCKETS);
  return index < BUCKET_COUNT ? index : BUCKET_COUNT - 1;
}

/** The value a bucket stands for: the geometric middle of its range (bucket 0: MIN_MS). */
export function bucketValue(index: number): number {
  if (index <= 0) return MIN_MS;
  return MIN_MS * 2 ** ((index - 0.5) / SUB_BUCKETS);
}

/**
 * Sparse form for shipping: [bucket, count, bucket, count, …], buckets ascending.
 * A host's half-second delta is usually a handful of pairs.
 */
export type SparseCounts = number[];

export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKET_COUNT);
  private recorded = 0;

  /** Values recorded (or merged in). */
  get total(): number {
    return this.recorded;
  }

  record(ms: number, count = 1): void {
    this.counts[bucketOf(ms)] += count;
    this.recorded += count;
  }

  /** Adds another histogram's counts, or a sparse delta's. */
  merge(other: LatencyHistogram | SparseCounts): void {
    if (other instanceof LatencyHistogram) {
      if (other.recorded === 0) return;
      for (let i = 0; i < BUCKET_COUNT; i++) this.counts[i] += other.counts[i];
      this.recorded += other.recorded;
      return;
    }
    for (let i = 0; i + 1 < other.length; i += 2) {
      const bucket = other[i];
      const count = other[i + 1];
      if (!Number.isInteger(bucket) || bucket < 0 || bucket >= BUCKET_COUNT || !(count > 0)) continue;
      this.counts[bucket] += count;
      this.recorded += count;
    }
  }

  /**
   * Nearest-rank percentile (0 < p ≤ 100), as its bucket's middle value; 0 when empty.
   * @example h.record(10); h.record(20); h.percentile(50) ≈ 10
   */
  percentile(p: number): number {
    if (this.recorded === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.recorded));
    let seen = 0;
    for (let i = 0; i < BUCKET_COUNT; i++) {
      seen += this.counts[i];
      if (seen >= rank) return bucketValue(i);
    }
    return bucketValue(BUCKET_COUNT - 1);
  }

  /** p50, p95, p99 in one pass's worth of calls. */
  percentiles(): { p50Ms: number; p95Ms: number; p99Ms: number } {
    return { p50Ms: this.percentile(50), p95Ms: this.percentile(95), p99Ms: this.percentile(99) };
  }

  toSparse(): SparseCounts {
    const sparse: SparseCounts = [];
    if (this.recorded === 0) return sparse;
    for (let i = 0; i < BUCKET_COUNT; i++) if (this.counts[i] > 0) sparse.push(i, this.counts[i]);
    return sparse;
  }

  clear(): void {
    if (this.recorded === 0) return;
    this.counts.fill(0);
    this.recorded = 0;
  }
}
