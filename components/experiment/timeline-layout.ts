/**
 * The experiment strip's geometry, pure: how long the time axis is, where its
 * ticks go, where a moment lands on it, and which bars share a row. Times are
 * seconds after the run was up (RunInfo.started_unix_ms); positions are
 * percentages of the track, so the strip needs no measured width except to
 * choose how many ticks fit.
 */
import type { ActiveFault } from "@/lib/gen/ipcplay/v1/playground_pb";
import type { ScheduledFault } from "@/lib/gen/ipcplay/v1/topology_pb";

/** The axis is never shorter than this: a minute of run reads well at any schedule. */
export const MIN_AXIS_S = 60;

/** Tick steps, in seconds, from the finest. */
const TICK_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800] as const;

/**
 * Seconds the axis shows: the end of the schedule's last finite entry, how
 * long the run has been up, what actually happened, and at least a minute.
 * Rounded up to a whole tick so the last label sits at the end.
 *
 * @example axisEnd([entry(5, 12)], 30) // 60
 */
export function axisEnd(schedule: readonly Pick<ScheduledFault, "atS" | "durationS">[], nowS: number | null, happenedEndS = 0): number {
  let end = MIN_AXIS_S;
  for (const entry of schedule) end = Math.max(end, entry.atS + entry.durationS, entry.atS);
  if (nowS !== null && Number.isFinite(nowS)) end = Math.max(end, nowS);
  if (Number.isFinite(happenedEndS)) end = Math.max(end, happenedEndS);
  const step = end <= 60 ? 10 : end <= 300 ? 30 : 60;
  return Math.ceil(end / step) * step;
}

/**
 * A tick step that keeps labels at least `minGapPx` apart on a track
 * `widthPx` wide showing `endS` seconds.
 *
 * @example tickStep(60, 800) // 5 (12 ticks, 66 px apart)
 */
export function tickStep(endS: number, widthPx: number, minGapPx = 56): number {
  const pxPerS = widthPx > 0 ? widthPx / endS : 0;
  for (const step of TICK_STEPS) if (step * pxPerS >= minGapPx) return step;
  return TICK_STEPS[TICK_STEPS.length - 1];
}

/** The ticks from 0 to `endS` inclusive, each with its label ("0 s", "45 s", "2 min", "2:30"). */
export function ticks(endS: number, step: number): { s: number; label: string }[] {
  const out: { s: number; label: string }[] = [];
  for (let s = 0; s <= endS + 1e-9; s += step) out.push({ s, label: secondsLabel(s) });
  return out;
}

/** "0 s", "45 s", "2 min", "2:30" — an axis label. */
export function secondsLabel(s: number): string {
  if (s < 60 || s % 1 !== 0) return `${Math.round(s * 10) / 10} s`;
  const min = Math.floor(s / 60);
  const rest = s % 60;
  return rest ? `${min}:${String(rest).padStart(2, "0")}` : `${min} min`;
}

/** "5 s", "1.5 s", "2 min 5 s": a duration or a moment in words. */
export function secondsText(s: number): string {
  const r = Math.round(s * 10) / 10;
  if (r < 60) return `${r} s`;
  const min = Math.floor(r / 60);
  const rest = Math.round((r - min * 60) * 10) / 10;
  return rest ? `${min} min ${rest} s` : `${min} min`;
}

/** Where second `s` lands on the track, in percent (clamped to it). */
export function xPercent(s: number, endS: number): number {
  if (!(endS > 0)) return 0;
  return Math.min(100, Math.max(0, (s / endS) * 100));
}

/** A bar's left edge and width in percent; a bar is never narrower than `minPercent` so a short fault stays visible. */
export function barBox(fromS: number, toS: number, endS: number, minPercent = 0.6): { left: number; width: number } {
  const left = xPercent(fromS, endS);
  const right = xPercent(Math.min(toS, endS), endS);
  return { left: Math.min(left, 100 - minPercent), width: Math.max(minPercent, right - left) };
}

/** One time span on a lane. */
export interface Span {
  fromS: number;
  /** Infinity: open-ended. */
  toS: number;
}

/**
 * Rows for spans that overlap in time: each span gets the first row whose last
 * span ended by its start. Returns the row of each span (in input order) and the
 * number of rows.
 *
 * @example packRows([{fromS:0,toS:10},{fromS:5,toS:8},{fromS:10,toS:12}]) // { rows: [0, 1, 0], count: 2 }
 */
export function packRows(spans: readonly Span[]): { rows: number[]; count: number } {
  const order = spans.map((_, i) => i).sort((a, b) => spans[a].fromS - spans[b].fromS || a - b);
  const rowEnds: number[] = [];
  const rows = new Array<number>(spans.length).fill(0);
  for (const i of order) {
    const span = spans[i];
    let row = rowEnds.findIndex((end) => end <= span.fromS);
    if (row < 0) row = rowEnds.length;
    rowEnds[row] = span.toS;
    rows[i] = row;
  }
  return { rows, count: rowEnds.length };
}

/** What a lane is about. */
export interface LaneTarget {
  nodeId?: string;
  edgeId?: string;
}

export function targetKey(t: LaneTarget): string {
  return t.nodeId ? `node:${t.nodeId}` : `edge:${t.edgeId ?? ""}`;
}

/** A fault that happened, on the run's own clock (seconds after it was up). */
export interface HappenedBar {
  fault: ActiveFault;
  fromS: number;
  /** When it ended, or (still in force) now; Infinity never — an open fault ends at `nowS`. */
  toS: number;
  /** Still in force at the last RunInfo. */
  active: boolean;
  scheduled: boolean;
}

/**
 * The faults a run reported (RunInfo.faults in force, past_faults ended),
 * placed on the run's clock. A fault still in force runs to `nowS`; so does one
 * reported with no end. Faults with no start time are left out.
 */
export function happenedBars(faults: readonly ActiveFault[], pastFaults: readonly ActiveFault[], startedUnixMs: number, nowS: number): HappenedBar[] {
  const out: HappenedBar[] = [];
  const place = (fault: ActiveFault, active: boolean) => {
    if (!fault.fault || !(fault.startedUnixMs > 0) || !(startedUnixMs > 0)) return;
    const fromS = Math.max(0, (fault.startedUnixMs - startedUnixMs) / 1000);
    // In force: its end (if it clears itself) is still ahead, so the bar grows with now.
    const endS = fault.endsUnixMs > 0 ? (fault.endsUnixMs - startedUnixMs) / 1000 : Infinity;
    const toS = active ? Math.max(fromS, Math.min(endS, nowS)) : Math.max(fromS, Number.isFinite(endS) ? endS : nowS);
    out.push({ fault, fromS, toS, active, scheduled: fault.scheduled });
  };
  for (const f of pastFaults) place(f, false);
  for (const f of faults) place(f, true);
  return out;
}

/** A lane's bars by kind of row: the plan (the document's schedule) and what happened. */
export interface Lane<P, H> {
  key: string;
  target: LaneTarget;
  planned: { item: P; row: number }[];
  plannedRows: number;
  happened: { item: H; row: number }[];
  happenedRows: number;
}

/**
 * One lane per faulted target, in the order targets first appear (the
 * schedule's first, then what happened elsewhere); overlapping bars in a lane
 * get rows of their own.
 */
export function buildLanes<P extends Span & LaneTarget, H extends Span & LaneTarget>(planned: readonly P[], happened: readonly H[]): Lane<P, H>[] {
  const lanes = new Map<string, { target: LaneTarget; planned: P[]; happened: H[] }>();
  const laneOf = (t: LaneTarget) => {
    const key = targetKey(t);
    let lane = lanes.get(key);
    if (!lane) {
      lane = { target: t.nodeId ? { nodeId: t.nodeId } : { edgeId: t.edgeId }, planned: [], happened: [] };
      lanes.set(key, lane);
    }
    return lane;
  };
  for (const p of planned) laneOf(p).planned.push(p);
  for (const h of happened) laneOf(h).happened.push(h);
  return [...lanes.entries()].map(([key, lane]) => {
    const p = packRows(lane.planned);
    const h = packRows(lane.happened);
    return {
      key,
      target: lane.target,
      planned: lane.planned.map((item, i) => ({ item, row: p.rows[i] })),
      plannedRows: p.count,
      happened: lane.happened.map((item, i) => ({ item, row: h.rows[i] })),
      happenedRows: h.count,
    };
  });
}

/**
 * When the run was up (its schedule's clock started), in unix ms.
 * RunInfo.started_unix_ms is when StartRun began, before the processes were
 * up; the schedule counts from the moment they were. The best witness is a
 * fault the schedule injected: it started `at_s` after the run was up (a few
 * ms of injection aside), so the earliest such match is the moment. Until one
 * fired, the moment the page saw the run running (a little late), else the start.
 */
export function runUpUnixMs(
  startedUnixMs: number,
  happened: readonly ActiveFault[],
  schedule: readonly Pick<ScheduledFault, "atS" | "nodeId" | "edgeId" | "kind">[],
  seenRunningUnixMs: number | null,
): number {
  let best = Infinity;
  for (const f of happened) {
    if (!f.scheduled || !f.fault || !(f.startedUnixMs > 0)) continue;
    for (const entry of schedule) {
      const same = entry.kind === f.fault.kind && (entry.nodeId ? entry.nodeId === f.fault.nodeId : entry.edgeId === f.fault.edgeId);
      const up = f.startedUnixMs - entry.atS * 1000;
      if (same && up >= startedUnixMs - 50) best = Math.min(best, up);
    }
  }
  if (Number.isFinite(best)) return Math.max(startedUnixMs, best);
  if (seenRunningUnixMs !== null && seenRunningUnixMs >= startedUnixMs) return seenRunningUnixMs;
  return startedUnixMs;
}
