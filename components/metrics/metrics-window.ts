/**
 * The browser's copy of a run's metrics over time (README "Metrics over
 * time"): one shared time column and one value column per series, at 1 s
 * resolution, bounded to the newest WINDOW_MS. Fed once with GetMetrics and
 * then with each live `RunEvent.metrics` point, which carries only the series
 * not zero in that second: a series absent from a point is 0 in it (counts and
 * levels alike, as the proto says).
 *
 * The columns are mutated in place (charts hand them to uPlot as they are);
 * `version` grows on every change so a store can tell a chart to redraw.
 */

/** The newest 30 minutes, as the server keeps. */
export const WINDOW_MS = 30 * 60 * 1000;

export type Subject = "edge" | "queue" | "node";

export interface SeriesLike {
  subject: string;
  id: string;
  metric: string;
  values: readonly number[];
}

export interface ColumnsLike {
  timestampsUnixMs: readonly number[];
  series: readonly SeriesLike[];
}

export interface MetricsWindow {
  /** Point times, Unix ms, growing. */
  times: number[];
  /** Per series key (seriesKey), one value per time. */
  columns: Map<string, number[]>;
  version: number;
}

export function emptyWindow(): MetricsWindow {
  return { times: [], columns: new Map(), version: 0 };
}

export function seriesKey(subject: Subject | string, id: string, metric: string): string {
  return `${subject}\u0000${id}\u0000${metric}`;
}

/**
 * Appends the points of `m` newer than the window's newest (older or repeated
 * ones are skipped, so a GetMetrics answer that overlaps the live stream does
 * no harm), filling absent series with 0, then drops points older than
 * `windowMs` before the newest. Returns true when anything changed.
 */
export function appendColumns(win: MetricsWindow, m: ColumnsLike, windowMs = WINDOW_MS): boolean {
  const last = win.times.length ? win.times[win.times.length - 1] : -Infinity;
  const take: number[] = [];
  for (let i = 0; i < m.timestampsUnixMs.length; i++) {
    const t = m.timestampsUnixMs[i];
    if (t > last && (take.length === 0 || t > m.timestampsUnixMs[take[take.length - 1]])) take.push(i);
  }
  if (take.length === 0) return false;
  const before = win.times.length;
  const seen = new Set<string>();
  for (const s of m.series) {
    const key = seriesKey(s.subject, s.id, s.metric);
    seen.add(key);
    let col = win.columns.get(key);
    if (!col) {
      col = new Array<number>(before).fill(0);
      win.columns.set(key, col);
    }
    for (const i of take) col.push(s.values[i] ?? 0);
  }
  for (const [key, col] of win.columns) {
    if (!seen.has(key)) for (let k = 0; k < take.length; k++) col.push(0);
  }
  for (const i of take) win.times.push(m.timestampsUnixMs[i]);
  trimWindow(win, windowMs);
  win.version++;
  return true;
}

/** Drops the points older than `windowMs` before the newest one. */
export function trimWindow(win: MetricsWindow, windowMs = WINDOW_MS): void {
  const n = win.times.length;
  if (n === 0) return;
  const from = win.times[n - 1] - windowMs;
  let drop = 0;
  while (drop < n && win.times[drop] <= from) drop++;
  if (drop === 0) return;
  win.times.splice(0, drop);
  for (const col of win.columns.values()) col.splice(0, drop);
}

/** A series' values, one per time; zeros for a series never seen (never non-zero). */
export function valuesOf(win: MetricsWindow, subject: Subject, id: string, metric: string): number[] {
  return win.columns.get(seriesKey(subject, id, metric)) ?? new Array<number>(win.times.length).fill(0);
}

/** The metric names a subject has, e.g. its "failed:<outcome>" series. */
export function metricsOf(win: MetricsWindow, subject: Subject, id: string): string[] {
  const prefix = `${subject}\u0000${id}\u0000`;
  const out: string[] = [];
  for (const key of win.columns.keys()) if (key.startsWith(prefix)) out.push(key.slice(prefix.length));
  return out.sort();
}

/** The newest value of a series (0 when there is none). */
export function lastValue(win: MetricsWindow, subject: Subject, id: string, metric: string): number {
  const col = win.columns.get(seriesKey(subject, id, metric));
  return col && col.length ? col[col.length - 1] : 0;
}

/** The index of the first point within the newest `spanMs`. */
export function sparkFrom(times: readonly number[], spanMs: number): number {
  if (times.length === 0) return 0;
  const from = times[times.length - 1] - spanMs;
  let i = times.length - 1;
  while (i > 0 && times[i - 1] > from) i--;
  return i;
}

/**
 * The window as plain columns (a copy: the window's own are mutated in place),
 * the shape GetMetrics answers with — what a kept run stores (lib/history).
 */
export function windowToColumns(win: MetricsWindow): { timestampsUnixMs: number[]; series: Array<{ subject: string; id: string; metric: string; values: number[] }> } {
  const series = [...win.columns].map(([key, values]) => {
    const [subject, id, metric] = key.split("\u0000");
    return { subject, id, metric, values: [...values] };
  });
  return { timestampsUnixMs: [...win.times], series };
}
