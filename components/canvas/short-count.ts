/**
 * Counts short enough for an edge's pill between two nodes: a busy run's
 * "37,417 sent · 1,203 failed" would run under the node cards.
 *
 * @example shortCount(9_999) // "9,999"; shortCount(37_417) // "37.4k"; shortCount(2_500_000) // "2.5M"
 */
export function shortCount(n: number): string {
  const v = Math.round(n);
  if (v < 10_000) return v.toLocaleString("en-US");
  if (v < 1_000_000) return `${trim((v / 1000).toFixed(v < 100_000 ? 1 : 0))}k`;
  return `${trim((v / 1_000_000).toFixed(1))}M`;
}

const trim = (s: string) => s.replace(/\.0$/, "");
