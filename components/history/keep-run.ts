/**
 * A run that stopped goes into the history: its topology as it ran at the
 * end (live edits included), the summary StopRun returned, the faults of its
 * timeline, the metrics series the browser holds (loaded again after the stop,
 * so the last point is in) and the spans of the traces it held.
 */
import type { ActiveFault, RunSummary } from "@/lib/gen/ipcplay/v1/playground_pb";
import { buildRunRecord } from "@/lib/history/run-record";
import { useMetricsStore } from "@/components/metrics/metrics-store";
import { windowToColumns } from "@/components/metrics/metrics-window";
import { selectTopology, useDocumentStore } from "@/components/state/document-store";
import { useRunStore } from "@/components/state/run-store";
import { keepRun } from "./history-store";

export async function keepStoppedRun(runId: string, summary: RunSummary, metricsLoaded: Promise<void>): Promise<void> {
  // Read before waiting: a Run pressed meanwhile must not lend this run its start time or faults.
  const { info } = useRunStore.getState();
  const topology = selectTopology(useDocumentStore.getState());
  const stoppedUnixMs = Date.now();
  const faults: ActiveFault[] = [...(info?.pastFaults ?? []), ...(info?.faults ?? [])];
  const startedUnixMs = info?.startedUnixMs || stoppedUnixMs - summary.durationMs;
  await metricsLoaded;
  const metrics = useMetricsStore.getState();
  const run = useRunStore.getState();
  const series = metrics.runId === runId ? windowToColumns(metrics.win) : { timestampsUnixMs: [], series: [] };
  const spansByTrace = run.runId === runId ? run.spansByTrace : {};
  await keepRun(buildRunRecord({ runId, topology, summary, startedUnixMs, stoppedUnixMs, faults, series, spansByTrace }));
}
