/**
 * The history list (issue 10, "run history and comparison"): one row a kept
 * run, newest first, bounded to MAX_KEPT_RUNS; what an import adds to it; and
 * two sides' series laid on one axis of seconds since each run's start, so a
 * chart can overlay runs that happened at different times.
 *
 * Pure: no I/O, no clock.
 */
import { sideStats } from "./compare";
import { openRecord, type RunRecord } from "./run-record";

/**
 * Runs kept in the browser. Each holds up to 30 minutes of 1 s series for
 * every edge, queue and service, a few MB for a long run of a large topology:
 * fifty is a session's worth of experiments without filling the origin's quota.
 */
export const MAX_KEPT_RUNS = 50;

export interface HistoryRow {
  runId: string;
  name: string;
  startedUnixMs: number;
  stoppedUnixMs: number;
  durationMs: number;
  /** What the clients sent into the topology, and what came of it (the entry edges). */
  sent: number;
  delivered: number;
  failed: number;
  lost: number;
  /** The client's call, the slowest entry edge's. */
  p50Ms: number;
  p95Ms: number;
  /** Names of the designs the topology holds (two or more can be compared within the run). */
  designs: string[];
}

/** The list's row for one record. */
export function historyRow(record: RunRecord): HistoryRow {
  const stats = sideStats({ opened: openRecord(record) });
  return {
    runId: record.runId,
    name: record.name,
    startedUnixMs: record.startedUnixMs,
    stoppedUnixMs: record.stoppedUnixMs,
    durationMs: Math.round(stats.durationS * 1000),
    sent: stats.sent,
    delivered: stats.delivered,
    failed: stats.failed,
    lost: stats.lost,
    p50Ms: stats.clientLatency.p50Ms,
    p95Ms: stats.clientLatency.p95Ms,
    designs: record.designs.map((d) => d.name),
  };
}

/** Newest stop first; a tie (an import of runs stopped in the same ms) by run id, so the order is stable. */
export function newestFirst<T extends { stoppedUnixMs: number; runId: string }>(runs: readonly T[]): T[] {
  return [...runs].sort((a, b) => b.stoppedUnixMs - a.stoppedUnixMs || a.runId.localeCompare(b.runId));
}

/**
 * Which runs to drop so that at most `cap` are kept: the oldest stops go.
 * Returns their ids (empty when within the cap).
 */
export function runsPastCap(runs: readonly { stoppedUnixMs: number; runId: string }[], cap = MAX_KEPT_RUNS): string[] {
  return newestFirst(runs)
    .slice(Math.max(0, cap))
    .map((r) => r.runId);
}

export interface ImportPlan {
  /** Runs to store: new ones only, newest first. */
  add: RunRecord[];
  /** Already kept (same run id): left as they are. */
  duplicates: number;
  /** New, but older than every run the cap keeps: not stored. */
  pastCap: number;
}

/**
 * What an imported file adds to the kept runs: a run already kept (by id) is
 * not added twice, and the history stays within `cap` — an import cannot push
 * out newer runs with older ones.
 */
export function planImport(kept: readonly { stoppedUnixMs: number; runId: string }[], imported: readonly RunRecord[], cap = MAX_KEPT_RUNS): ImportPlan {
  const have = new Set(kept.map((r) => r.runId));
  const seen = new Set<string>();
  const fresh: RunRecord[] = [];
  let duplicates = 0;
  for (const r of imported) {
    if (have.has(r.runId) || seen.has(r.runId)) duplicates++;
    else {
      seen.add(r.runId);
      fresh.push(r);
    }
  }
  const dropped = new Set(runsPastCap([...kept, ...fresh], cap));
  const add = newestFirst(fresh.filter((r) => !dropped.has(r.runId)));
  return { add, duplicates, pastCap: fresh.length - add.length };
}

export interface Overlay {
  /** Whole seconds since the start, every second from 0 to the longer side's last. */
  seconds: number[];
  /** One column per side, null where that side has no point (it ended sooner, or a gap). */
  columns: Array<Array<number | null>>;
}

/**
 * Lays several sides' series on one axis of whole seconds since their own
 * start, so a run of 20 s and one of 35 s share the chart's first 20 s and
 * the longer one goes on alone (null: uPlot leaves a gap, never a false 0).
 */
export function overlay(sides: ReadonlyArray<{ seconds: readonly number[]; values: readonly number[] }>): Overlay {
  const last = Math.max(-1, ...sides.flatMap((s) => (s.seconds.length ? [Math.round(s.seconds[s.seconds.length - 1])] : [])));
  const seconds = Array.from({ length: last + 1 }, (_, i) => i);
  const columns = sides.map((s) => {
    const col: Array<number | null> = seconds.map(() => null);
    s.seconds.forEach((t, i) => {
      const at = Math.round(t);
      if (at >= 0 && at <= last) col[at] = s.values[i] ?? null;
    });
    return col;
  });
  return { seconds, columns };
}
