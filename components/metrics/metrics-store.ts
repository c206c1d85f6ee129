/**
 * The run's metrics over time in the browser: fetched with GetMetrics when a
 * run starts or is resumed, then grown by the live `metrics` RunEvent (the run
 * store hands it here). React hears of new points at most every
 * METRICS_FLUSH_MS, so charts redraw about twice a second at most. A new run
 * empties it; after Stop the last run's series stay for viewing.
 */
import { create } from "zustand";
import type { Metrics } from "@/lib/gen/ipcplay/v1/playground_pb";
import { controlClient, withToken } from "@/components/state/control-client";
import { useLiveEditStore } from "@/components/state/live-edit";
import { appendColumns, type ColumnsLike, emptyWindow, type MetricsWindow } from "./metrics-window";

export const METRICS_FLUSH_MS = 500;

export interface MetricsState {
  runId: string | null;
  /** The columns; mutated in place, `version` tells when. */
  win: MetricsWindow;
  version: number;
  /** GetMetrics is on its way. */
  loading: boolean;
  /** When live edits (UpdateRun) were applied, Unix ms. */
  editTimes: number[];
  /** A replay's time, Unix ms: the charts draw it as a line (null: no replay). */
  cursorUnixMs: number | null;
}

export const useMetricsStore = create<MetricsState>()(() => ({
  runId: null,
  win: emptyWindow(),
  version: 0,
  loading: false,
  editTimes: [],
  cursorUnixMs: null,
}));

/** Live points waiting for the next flush (held outside the store: queueing notifies no one). */
let pending: ColumnsLike[] = [];
let timer: ReturnType<typeof setTimeout> | null = null;

function flush(): void {
  timer = null;
  // While GetMetrics is on its way the points wait: it applies them after its answer.
  if (useMetricsStore.getState().loading) return;
  const { win } = useMetricsStore.getState();
  let changed = false;
  for (const m of pending) changed = appendColumns(win, m) || changed;
  pending = [];
  if (changed) useMetricsStore.setState({ version: win.version });
}

/** A live point (RunEvent.metrics); it reaches React with the next flush. */
export function queueMetricsPoint(m: ColumnsLike): void {
  pending.push(m);
  if (timer === null) timer = setTimeout(flush, METRICS_FLUSH_MS);
}

/** Forgets the previous run's series: a new run is starting. */
export function resetMetrics(runId: string | null = null): void {
  watchEdits();
  if (timer !== null) clearTimeout(timer);
  timer = null;
  pending = [];
  useMetricsStore.setState({ runId, win: emptyWindow(), version: 0, loading: false, editTimes: [], cursorUnixMs: null });
}

/**
 * Fetches what the run kept so far, then lets the live points (queued
 * meanwhile) follow: overlapping points are skipped by time.
 */
export async function loadMetrics(runId: string, token: string): Promise<void> {
  if (useMetricsStore.getState().runId !== runId) resetMetrics(runId);
  useMetricsStore.setState({ loading: true });
  try {
    const res = await controlClient().getMetrics({ runId, sinceUnixMs: 0 }, withToken(token));
    if (useMetricsStore.getState().runId !== runId) return;
    const m: Metrics | undefined = res.metrics;
    // The answer goes first; points that streamed in meanwhile are newer or skipped.
    const queued = pending;
    pending = [];
    const { win } = useMetricsStore.getState();
    if (m) appendColumns(win, m);
    for (const q of queued) appendColumns(win, q);
    useMetricsStore.setState({ version: win.version, loading: false });
  } catch (err) {
    console.warn("could not load the run's metrics", err);
    if (useMetricsStore.getState().runId === runId) useMetricsStore.setState({ loading: false });
  }
}

/**
 * A live edit applied is a mark on the time axis. Subscribed on first use, not
 * at import: live-edit.ts and the run store import each other's modules.
 */
let editsWatched = false;
function watchEdits(): void {
  if (editsWatched) return;
  editsWatched = true;
  useLiveEditStore.subscribe((s, prev) => {
    if (s.status === "applied" && (prev.status !== "applied" || s.at !== prev.at) && useMetricsStore.getState().runId) {
      useMetricsStore.setState((m) => ({ editTimes: [...m.editTimes, s.at] }));
    }
  });
}
