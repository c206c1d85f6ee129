/**
 * A run that stopped goes into the history: its topology as it ran at the
 * end (live edits included), the summary StopRun returned, the faults of its
 * timeline, its metrics series and the spans of the traces the page held.
 *
 * The series are asked of the server once more (GetMetrics answers for a
 * stopped run): the browser's window misses any live point the socket dropped
 * (they travel as droppable events), which a kept run would show as a gap for
 * good. The window is the fallback when the server no longer has them.
 */
import type { ActiveFault, RunSummary } from "@/lib/gen/ipcplay/v1/playground_pb";
import { buildRunRecord, type SeriesRecord } from "@/lib/history/run-record";
import { controlClient, withToken } from "@/components/state/control-client";
import { useMetricsStore } from "@/components/metrics/metrics-store";
import { windowToColumns } from "@/components/metrics/metrics-window";
import { selectTopology, useDocumentStore } from "@/components/state/document-store";
import { useRunStore } from "@/components/state/run-store";
import { keepRun } from "./history-store";

/** The run's whole series from the server, or undefined when it cannot say. */
async function serverSeries(runId: string, token: string): Promise<SeriesRecord | undefined> {
  try {
    const m = (await controlClient().getMetrics({ runId, sinceUnixMs: 0 }, withToken(token))).metrics;
    if (!m) return undefined;
    return { timestampsUnixMs: [...m.timestampsUnixMs], series: m.series.map((s) => ({ subject: s.subject, id: s.id, metric: s.metric, values: [...s.values] })) };
  } catch (err) {
    console.info("the stopped run's series come from the page's window", err);
    return undefined;
  }
}

export async function keepStoppedRun(runId: string, token: string, summary: RunSummary, metricsLoaded: Promise<void>): Promise<void> {
  // Read before waiting: a Run pressed meanwhile must not lend this run its start time or faults.
  const { info } = useRunStore.getState();
  const topology = selectTopology(useDocumentStore.getState());
  const stoppedUnixMs = Date.now();
  const faults: ActiveFault[] = [...(info?.pastFaults ?? []), ...(info?.faults ?? [])];
  const startedUnixMs = info?.startedUnixMs || stoppedUnixMs - summary.durationMs;
  const fetched = await serverSeries(runId, token);
  await metricsLoaded;
  const metrics = useMetricsStore.getState();
  const run = useRunStore.getState();
  const series = fetched ?? (metrics.runId === runId ? windowToColumns(metrics.win) : { timestampsUnixMs: [], series: [] });
  const spansByTrace = run.runId === runId ? run.spansByTrace : {};
  const traces = run.runId === runId ? run.traces : [];
  await keepRun(buildRunRecord({ runId, topology, summary, startedUnixMs, stoppedUnixMs, faults, series, spansByTrace, traces }));
}
