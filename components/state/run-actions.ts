/**
 * What the Run and Stop buttons do: call the control plane, join the run's
 * socket room, and keep the run store in step.
 */
import { Code, ConnectError } from "@connectrpc/connect";
import { RunState } from "@/lib/gen/ipcplay/v1/playground_pb";
import type { Topology } from "@/lib/gen/ipcplay/v1/topology_pb";
import { controlClient, problemsFromError, withToken } from "./control-client";
import { unwatchRun, watchRun } from "./run-socket";
import { type ProblemMap, useRunStore } from "./run-store";
import { problemTargets } from "@/lib/topology";
import { loadMetrics } from "@/components/metrics/metrics-store";
import { keepStoppedRun } from "@/components/history/keep-run";

const RUN_KEY = "ipcplay.run.v1";

/** The run this tab controls, kept across reloads (the token is shown only once). */
function rememberRun(run: { runId: string; token: string } | null): void {
  try {
    if (run) window.sessionStorage.setItem(RUN_KEY, JSON.stringify(run));
    else window.sessionStorage.removeItem(RUN_KEY);
  } catch (err) {
    console.warn("sessionStorage is not available; a reload will lose the run", err);
  }
}

/** After a reload, picks up the run this tab started if it is still going. */
export async function resumeRun(): Promise<void> {
  let saved: { runId?: unknown; token?: unknown } | null = null;
  try {
    saved = JSON.parse(window.sessionStorage.getItem(RUN_KEY) ?? "null");
  } catch {
    saved = null;
  }
  if (!saved || typeof saved.runId !== "string" || typeof saved.token !== "string") return;
  const { runId, token } = saved as { runId: string; token: string };
  try {
    const res = await controlClient().getRun({ runId }, withToken(token));
    const state = res.run?.state;
    if (state !== RunState.RUNNING && state !== RunState.STARTING) {
      rememberRun(null);
      return;
    }
    useRunStore.getState().beginStart();
    useRunStore.getState().started(runId, token, res.run);
    await watchRun(runId, token);
    void loadMetrics(runId, token);
  } catch (err) {
    // Gone (expired, server restarted): nothing to resume.
    console.info("the previous run is gone", ConnectError.from(err).rawMessage);
    rememberRun(null);
  }
}

export async function startRun(topology: Topology): Promise<void> {
  const store = useRunStore.getState();
  store.beginStart();
  try {
    const res = await controlClient().startRun({ topology, detach: true });
    useRunStore.getState().started(res.runId, res.token, res.run);
    rememberRun({ runId: res.runId, token: res.token });
    await watchRun(res.runId, res.token);
    void loadMetrics(res.runId, res.token);
  } catch (err) {
    const { problems, invalid, message } = problemsFromError(err);
    if (invalid) {
      const t = problemTargets(topology, problems);
      const map: ProblemMap = {
        nodes: Object.fromEntries(t.nodes),
        edges: Object.fromEntries(t.edges),
        document: t.document,
      };
      useRunStore.getState().failed(message, map);
    } else {
      useRunStore.getState().failed(`Could not start the run: ${message}`);
    }
  }
}

export async function stopRun(): Promise<void> {
  const { runId, token } = useRunStore.getState();
  if (!runId || !token) return;
  useRunStore.getState().beginStop();
  try {
    const res = await controlClient().stopRun({ runId }, withToken(token));
    useRunStore.getState().stopped(res.summary);
    // The point taken at the stop, which the socket may not have delivered before we left the room.
    const metricsLoaded = loadMetrics(runId, token);
    // Into the history once that last point is in (History tab, issue 10).
    if (res.summary) void keepStoppedRun(runId, token, res.summary, metricsLoaded);
  } catch (err) {
    const ce = ConnectError.from(err);
    // Already gone (expired, server restarted): it is stopped either way.
    if (ce.code === Code.NotFound) useRunStore.getState().stopped(undefined);
    else useRunStore.getState().failed(`Could not stop the run: ${ce.rawMessage}`);
  } finally {
    unwatchRun();
    rememberRun(null);
  }
}

/** Traces being fetched now: a second click on the same row does not ask again. */
const fetching = new Set<string>();

/**
 * Fetches a trace's spans when the streamed ones are missing or incomplete.
 * The waterfall shows what is in the browser meanwhile; the fetched spans are
 * merged into it (never replace spans that streamed in since).
 */
export async function loadTrace(traceId: string, expectedSpans: number): Promise<void> {
  const { runId, token, spansByTrace } = useRunStore.getState();
  const have = spansByTrace[traceId]?.length ?? 0;
  if (!runId || !token || (have > 0 && have >= expectedSpans) || fetching.has(traceId)) return;
  fetching.add(traceId);
  try {
    const res = await controlClient().getTrace({ runId, traceId }, withToken(token));
    if (useRunStore.getState().runId === runId) useRunStore.getState().setTraceSpans(traceId, res.spans);
  } catch (err) {
    console.warn("could not load the trace", err);
  } finally {
    fetching.delete(traceId);
  }
}
