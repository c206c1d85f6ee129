/** Wall-clock milliseconds with sub-millisecond fractions, comparable across the run's processes (one machine). */
export function nowUnixMs(): number {
  return performance.timeOrigin + performance.now();
}
