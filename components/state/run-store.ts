/**
 * Live state of the current run: processes, counters, traces, log. Separate
 * from the saved document (document-store.ts); fed by run-socket.ts and by the
 * control-plane replies in run-actions.ts.
 */
import { create as createMessage } from "@bufbuild/protobuf";
import { create } from "zustand";
import {
  type EdgeCounters,
  type LogLine,
  LogLineSchema,
  NodeStatus,
  type NodeRuntime,
  type RunEvent,
  type RunInfo,
  RunState,
  type RunSummary,
  type Span,
  type TraceSampling,
  type TraceSummary,
} from "@/lib/gen/ipcplay/v1/playground_pb";
import type { Problem } from "@/lib/run/problem";
import { queueMetricsPoint, resetMetrics } from "@/components/metrics/metrics-store";
import { summarizeTrace } from "@/lib/trace/summary";
import { mergeBatches, putTraceSpans, type SpanBatchLike, type TraceWindow } from "./trace-window";

export type RunPhase = "idle" | "starting" | "running" | "stopping" | "stopped" | "failed";

/** Traces the list keeps; older ones leave it (the server still has them). */
export const MAX_TRACES = 500;
/** Spans kept in the browser across all traces: a bound on memory at any rate. */
export const MAX_SPANS = 20_000;
export const MAX_LOG_LINES = 1000;
/**
 * Socket events are applied in batches this often: a store update re-renders
 * whatever reads it, and span batches can arrive far faster than a person reads.
 */
export const FLUSH_MS = 250;
/** Canvas numbers (edge counters, node rates) change at most this often. */
export const RUN_INFO_GAP_MS = 500;

/** Problems the server found, already mapped to node and edge ids. */
export interface ProblemMap {
  nodes: Record<string, Problem[]>;
  edges: Record<string, Problem[]>;
  document: Problem[];
}

export interface RunStoreState {
  phase: RunPhase;
  runId: string | null;
  token: string | null;
  info: RunInfo | null;
  nodes: Record<string, NodeRuntime>;
  edgeCounters: Record<string, EdgeCounters>;
  traces: TraceSummary[];
  spansByTrace: Record<string, Span[]>;
  /** Spans held in spansByTrace. */
  spanTotal: number;
  /** Traces that left the list since the run began (it keeps MAX_TRACES). */
  tracesLeft: number;
  /** How the server samples traces; null until it says. */
  sampling: TraceSampling | null;
  selectedTraceId: string | null;
  selectedSpanId: string | null;
  logs: LogLine[];
  summary: RunSummary | null;
  /** Problems the server reported for the last StartRun. */
  serverProblems: ProblemMap | null;
  error: string | null;

  beginStart(): void;
  started(runId: string, token: string, info: RunInfo | undefined): void;
  failed(message: string, problems?: ProblemMap): void;
  beginStop(): void;
  stopped(summary: RunSummary | undefined): void;
  /** Queues a socket event; it reaches the store with the next flush. */
  applyEvent(event: RunEvent): void;
  /** Applies the queued events now, in one store update. */
  flush(): void;
  applyRunInfo(info: RunInfo): void;
  setTraceSpans(traceId: string, spans: Span[]): void;
  /**
   * Shows traces recorded elsewhere (an imported OTLP file) in the trace list and
   * waterfall, with no run: newest trace first, within MAX_TRACES and MAX_SPANS;
   * the first one opened. Returns how many traces are shown.
   */
  showImportedTraces(spans: readonly Span[]): number;
  selectTrace(traceId: string | null): void;
  selectSpan(spanId: string | null): void;
  clearServerProblems(): void;
  dismissError(): void;
}

const PHASE_OF_STATE: Record<RunState, RunPhase> = {
  [RunState.UNSPECIFIED]: "starting",
  [RunState.STARTING]: "starting",
  [RunState.RUNNING]: "running",
  [RunState.STOPPING]: "stopping",
  [RunState.STOPPED]: "stopped",
  [RunState.FAILED]: "failed",
};

const STATUS_WORD: Partial<Record<NodeStatus, { text: string; level: string }>> = {
  [NodeStatus.UP]: { text: "is up", level: "info" },
  [NodeStatus.DOWN]: { text: "is down", level: "error" },
  [NodeStatus.RESTARTING]: { text: "is restarting", level: "warn" },
  [NodeStatus.PAUSED]: { text: "is paused", level: "warn" },
  [NodeStatus.STOPPED]: { text: "stopped", level: "info" },
};

/** Log lines the browser writes itself: a node's process changing state. */
function statusLines(prev: Record<string, NodeRuntime>, next: readonly NodeRuntime[]): LogLine[] {
  const lines: LogLine[] = [];
  for (const n of next) {
    if (prev[n.nodeId]?.status === n.status) continue;
    const word = STATUS_WORD[n.status];
    if (!word) continue;
    const detail = n.status === NodeStatus.UP && n.pid ? ` (pid ${n.pid})` : n.error ? `: ${n.error}` : "";
    lines.push(createMessage(LogLineSchema, { unixMs: Date.now(), nodeId: n.nodeId, level: word.level, message: `${n.nodeId} ${word.text}${detail}` }));
  }
  return lines;
}

const fresh = {
  runId: null,
  token: null,
  info: null,
  nodes: {},
  edgeCounters: {},
  traces: [],
  spansByTrace: {},
  spanTotal: 0,
  tracesLeft: 0,
  sampling: null,
  selectedTraceId: null,
  selectedSpanId: null,
  logs: [],
  summary: null,
  serverProblems: null,
  error: null,
} satisfies Partial<RunStoreState>;

/**
 * Socket events waiting for the next flush. Outside the store on purpose:
 * queueing an event must not notify a single subscriber.
 */
interface Pending {
  batches: SpanBatchLike[];
  spans: number;
  info: RunInfo | null;
  logs: LogLine[];
}

const emptyPending = (): Pending => ({ batches: [], spans: 0, info: null, logs: [] });
let pending = emptyPending();
let flushTimer: ReturnType<typeof setTimeout> | null = null;
let lastInfoAt = 0;

function schedule(delayMs = FLUSH_MS): void {
  if (flushTimer === null) flushTimer = setTimeout(() => useRunStore.getState().flush(), delayMs);
}

function resetPending(): void {
  if (flushTimer !== null) clearTimeout(flushTimer);
  flushTimer = null;
  pending = emptyPending();
  lastInfoAt = 0;
}

/** The store fields a RunInfo sets, given the state it lands on. */
function runInfoPatch(s: RunStoreState, info: RunInfo, logs: LogLine[]): Partial<RunStoreState> {
  const nodes: Record<string, NodeRuntime> = {};
  for (const n of info.nodes) nodes[n.nodeId] = n;
  const edgeCounters: Record<string, EdgeCounters> = {};
  for (const c of info.edges) edgeCounters[c.edgeId] = c;
  // A stop in progress is not undone by a late snapshot.
  let phase = PHASE_OF_STATE[info.state];
  if (s.phase === "stopping" && (phase === "running" || phase === "starting")) phase = "stopping";
  if (s.phase === "stopped" && phase !== "failed") phase = "stopped";
  const lines = statusLines(s.nodes, info.nodes);
  return {
    info,
    nodes,
    edgeCounters,
    phase,
    sampling: info.sampling ?? s.sampling,
    logs: lines.length ? [...logs, ...lines].slice(-MAX_LOG_LINES) : logs,
    error: info.error || s.error,
  };
}

export const useRunStore = create<RunStoreState>()((set, get) => ({
  phase: "idle",
  ...fresh,

  beginStart: () => {
    resetPending();
    resetMetrics();
    set({ ...fresh, phase: "starting" });
  },

  started(runId, token, info) {
    set({ runId, token });
    if (info) get().applyRunInfo(info);
  },

  failed: (message, problems) => set({ phase: problems ? "idle" : "failed", error: problems ? null : message, serverProblems: problems ?? null }),

  beginStop: () => set({ phase: "stopping" }),

  stopped(summary) {
    set((s) => ({ phase: "stopped", summary: summary ?? s.summary }));
  },

  applyEvent(event) {
    const e = event.event;
    switch (e.case) {
      case "run":
        pending.info = e.value;
        schedule();
        break;
      case "spans":
        pending.batches.push(e.value);
        pending.spans += e.value.spans.length;
        // A stalled tab must not pile up spans it will evict anyway: keep the
        // summaries, shed the oldest batches' spans.
        for (let i = 0; pending.spans > MAX_SPANS && i < pending.batches.length; i++) {
          pending.spans -= pending.batches[i].spans.length;
          pending.batches[i] = { spans: [], traces: pending.batches[i].traces };
        }
        schedule();
        break;
      case "log":
        pending.logs.push(e.value);
        if (pending.logs.length > MAX_LOG_LINES) pending.logs.splice(0, pending.logs.length - MAX_LOG_LINES);
        schedule();
        break;
      case "metrics":
        // Its own store and its own pace (components/metrics/metrics-store.ts).
        queueMetricsPoint(e.value);
        break;
      case "summary":
        get().flush();
        set({ summary: e.value });
        break;
      default:
        break;
    }
  },

  flush() {
    if (flushTimer !== null) clearTimeout(flushTimer);
    flushTimer = null;
    const { batches, logs: newLogs } = pending;
    let info = pending.info;
    const now = Date.now();
    // RunInfo usually comes once a second; if it comes faster, the canvas still
    // changes at most every RUN_INFO_GAP_MS and shows the newest one.
    const early = info !== null && now - lastInfoAt < RUN_INFO_GAP_MS;
    pending = { ...emptyPending(), info: early ? info : null };
    if (early) info = null;
    if (info) lastInfoAt = now;
    if (batches.length || newLogs.length || info) {
      set((s) => {
        const before: TraceWindow = { traces: s.traces, spansByTrace: s.spansByTrace, spanTotal: s.spanTotal, leftList: s.tracesLeft };
        const win = mergeBatches(before, batches, { maxTraces: MAX_TRACES, maxSpans: MAX_SPANS }, s.selectedTraceId);
        const logs = newLogs.length ? [...s.logs, ...newLogs].slice(-MAX_LOG_LINES) : s.logs;
        return {
          traces: win.traces,
          spansByTrace: win.spansByTrace,
          spanTotal: win.spanTotal,
          tracesLeft: win.leftList,
          logs,
          ...(info ? runInfoPatch(s, info, logs) : {}),
        };
      });
    }
    if (early) schedule(Math.min(FLUSH_MS, Math.max(0, RUN_INFO_GAP_MS - (now - lastInfoAt))));
  },

  applyRunInfo(info) {
    lastInfoAt = Date.now();
    set((s) => runInfoPatch(s, info, s.logs));
  },

  setTraceSpans: (traceId, spans) =>
    set((s) => {
      const win = putTraceSpans({ traces: s.traces, spansByTrace: s.spansByTrace, spanTotal: s.spanTotal, leftList: s.tracesLeft }, traceId, spans);
      return { spansByTrace: win.spansByTrace, spanTotal: win.spanTotal };
    }),

  showImportedTraces(spans) {
    resetPending();
    resetMetrics();
    const byTrace = new Map<string, Span[]>();
    for (const span of spans) {
      const list = byTrace.get(span.traceId);
      if (list) list.push(span);
      else byTrace.set(span.traceId, [span]);
    }
    const summaries = [...byTrace.values()].map((list) => summarizeTrace(list)).sort((a, b) => b.startUnixMs - a.startUnixMs);
    const traces: TraceSummary[] = [];
    const spansByTrace: Record<string, Span[]> = {};
    let spanTotal = 0;
    for (const summary of summaries) {
      const list = byTrace.get(summary.traceId)!;
      if (traces.length >= MAX_TRACES || (traces.length > 0 && spanTotal + list.length > MAX_SPANS)) break;
      traces.push(summary);
      spansByTrace[summary.traceId] = list;
      spanTotal += list.length;
    }
    set({ ...fresh, phase: "idle", traces, spansByTrace, spanTotal, tracesLeft: summaries.length - traces.length, selectedTraceId: traces[0]?.traceId ?? null });
    return traces.length;
  },

  selectTrace: (traceId) => set({ selectedTraceId: traceId, selectedSpanId: null }),

  selectSpan: (spanId) => set({ selectedSpanId: spanId }),

  clearServerProblems: () => set({ serverProblems: null }),

  dismissError: () => set({ error: null }),
}));

/** True while processes are being started or stopped: the document waits (while running, edits go out with UpdateRun). */
export function isEditLocked(phase: RunPhase): boolean {
  return phase === "starting" || phase === "stopping";
}

/** True while processes exist. */
export function isLive(phase: RunPhase): boolean {
  return phase === "starting" || phase === "running" || phase === "stopping";
}
