/**
 * Random pieces of faults, with the randomness injected so tests are exact.
 */

/** A source of uniform numbers in [0, 1), like Math.random. */
export type Random = () => number;

/**
 * latency ± jitter, uniform, never negative.
 * @example delayMs(300, 0) === 300; delayMs(300, 50, () => 0) === 250
 */
export function delayMs(latencyMs: number, jitterMs: number, random: Random = Math.random): number {
  if (jitterMs <= 0) return Math.max(0, latencyMs);
  return Math.max(0, latencyMs - jitterMs + random() * 2 * jitterMs);
}

/** True with probability `rate` (0..1). */
export function chance(rate: number, random: Random = Math.random): boolean {
  return rate >= 1 || (rate > 0 && random() < rate);
}

/**
 * The same answer for the same id every time: a queue job that is poison is
 * poison on every attempt (FNV-1a of the id, as a share of 2^32).
 */
export function stableChance(rate: number, id: string): boolean {
  if (rate >= 1) return true;
  if (rate <= 0) return false;
  let hash = 0x811c9dc5;
  for (let index = 0; index < id.length; index++) {
    hash ^= id.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash / 2 ** 32 < rate;
}

/**
 * When the next chunk of `bytes` may leave a link of `kbps` kilobytes per
 * second that is busy until `busyUntil` (ms): a token-bucket-free pacing that
 * keeps the average at the rate.
 */
export function paceUntil(busyUntil: number, now: number, bytes: number, kbps: number): number {
  return Math.max(busyUntil, now) + (bytes / (kbps * 1024)) * 1000;
}
