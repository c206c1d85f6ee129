/**
 * Replay mode (issue 12, part 4): a recorded run shown in the playground with
 * no server. The replay borrows the stores the canvas, the charts and the
 * trace list already read — the document store gets the recorded topology,
 * the run store the numbers and traces at the scrubber's time, the metrics
 * store the recorded series — and gives them back untouched on close. While
 * it is open the page is offline (components/state/offline.ts): no Connect
 * call, no socket.
 */
import { create as createMessage } from "@bufbuild/protobuf";
import { create } from "zustand";
import { RunInfoSchema, RunState } from "@/lib/gen/ipcplay/v1/playground_pb";
import type { RunRecord } from "@/lib/history/run-record";
import { prepareReplay, type Replay, replayAt } from "@/lib/replay/replay-state";
import { type DocEdge, suspendDocumentWrites, useDocumentStore } from "@/components/state/document-store";
import { useMetricsStore } from "@/components/metrics/metrics-store";
import { appendColumns, emptyWindow } from "@/components/metrics/metrics-window";
import { setOffline } from "@/components/state/offline";
import { isLive, useRunStore } from "@/components/state/run-store";
import { pauseSocket, resumeSocket } from "@/components/state/run-socket";
import { useUiStore } from "@/components/state/ui-store";
import { topologyToCanvas } from "@/lib/topology";

export const SPEEDS = [0.5, 1, 2, 5, 10] as const;

export interface ReplayState {
  replay: Replay | null;
  /** Seconds since the run's start. */
  t: number;
  playing: boolean;
  speed: number;
  /** The /replay page: nothing to go back to. */
  standalone: boolean;
}

export const useReplayStore = create<ReplayState>()(() => ({ replay: null, t: 0, playing: false, speed: 1, standalone: false }));

/** What the replay borrowed, given back on close. */
let saved: {
  doc: Pick<ReturnType<typeof useDocumentStore.getState>, "meta" | "nodes" | "edges" | "history" | "hydrated">;
  run: ReturnType<typeof useRunStore.getState>;
  metrics: ReturnType<typeof useMetricsStore.getState>;
} | null = null;

/** Opens a recorded run. False (and a notice) when it cannot be opened now. */
export function openReplay(record: RunRecord, options: { standalone?: boolean } = {}): boolean {
  // The replay page stays itself whatever opens the next run there.
  const standalone = options.standalone || useReplayStore.getState().standalone;
  const notify = useUiStore.getState().notify;
  if (!standalone && isLive(useRunStore.getState().phase)) {
    notify({ tone: "warn", text: "Stop the run first: a replay shows a recorded run in place of the live one.", testId: "notice-replay" });
    return false;
  }
  let replay: Replay;
  try {
    replay = prepareReplay(record);
  } catch (err) {
    notify({ tone: "error", text: `This recorded run could not be opened: ${err instanceof Error ? err.message : String(err)}`, testId: "notice-replay" });
    return false;
  }
  if (!useReplayStore.getState().replay) {
    const d = useDocumentStore.getState();
    saved = {
      doc: { meta: d.meta, nodes: d.nodes, edges: d.edges, history: d.history, hydrated: d.hydrated },
      run: useRunStore.getState(),
      metrics: useMetricsStore.getState(),
    };
  }
  setOffline(true);
  pauseSocket();
  suspendDocumentWrites(true);
  const t = replay.topology;
  const { nodes, edges } = topologyToCanvas(t);
  useDocumentStore.setState({
    meta: { name: t.name, description: t.description, hopLimit: t.hopLimit, version: t.version || 1, schedule: t.schedule },
    nodes,
    edges: edges as DocEdge[],
    hydrated: true,
  });
  const win = emptyWindow();
  appendColumns(win, record.series, Number.POSITIVE_INFINITY);
  useMetricsStore.setState({ runId: `replay:${record.runId}`, win, version: win.version + 1, loading: false, editTimes: [] });
  useRunStore.setState({
    phase: "stopped",
    runId: `replay:${record.runId}`,
    token: null,
    spansByTrace: replay.spansByTrace,
    spanTotal: Object.values(replay.spansByTrace).reduce((n, s) => n + s.length, 0),
    tracesLeft: 0,
    sampling: replay.summary.sampling ?? null,
    selectedTraceId: null,
    selectedSpanId: null,
    logs: [],
    serverProblems: null,
    error: null,
  });
  useReplayStore.setState({ replay, t: 0, playing: false, speed: 1, standalone });
  showAt(0);
  useUiStore.getState().requestFit();
  return true;
}

/** Moves the replay to t seconds (clamped) and shows the run as it stood then. */
export function seek(t: number): void {
  const { replay } = useReplayStore.getState();
  if (!replay) return;
  const clamped = Math.min(replay.durationS, Math.max(0, t));
  useReplayStore.setState({ t: clamped, ...(clamped >= replay.durationS ? { playing: false } : {}) });
  showAt(clamped);
}

function showAt(t: number): void {
  const { replay } = useReplayStore.getState();
  if (!replay) return;
  const f = replayAt(replay, t);
  useRunStore.setState({
    info: createMessage(RunInfoSchema, {
      runId: replay.record.runId,
      state: RunState.STOPPED,
      nodes: Object.values(f.nodes),
      edges: Object.values(f.edgeCounters),
      startedUnixMs: replay.record.startedUnixMs,
      traces: f.traceCount,
      sampling: replay.summary.sampling,
      faults: f.faults,
      pastFaults: f.pastFaults,
    }),
    nodes: f.nodes,
    edgeCounters: f.edgeCounters,
    traces: f.traces,
    summary: f.summary,
  });
  useMetricsStore.setState({ cursorUnixMs: replay.record.startedUnixMs + f.t * 1000 });
}

export function setPlaying(playing: boolean): void {
  const s = useReplayStore.getState();
  if (!s.replay) return;
  // Play at the end starts again from the start.
  if (playing && s.t >= s.replay.durationS) seek(0);
  useReplayStore.setState({ playing });
}

export function setSpeed(speed: number): void {
  useReplayStore.setState({ speed });
}

/** Back to the editor: the person's canvas, run and charts as they were. */
export function closeReplay(): void {
  if (!useReplayStore.getState().replay) return;
  useReplayStore.setState({ replay: null, playing: false, t: 0 });
  if (saved) {
    useDocumentStore.setState(saved.doc);
    useRunStore.setState(saved.run, true);
    useMetricsStore.setState(saved.metrics, true);
    saved = null;
  }
  suspendDocumentWrites(false);
  setOffline(false);
  resumeSocket();
  useUiStore.getState().requestFit();
}
