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
  SpanKind,
  SpanStatus,
  type TraceSummary,
} from "@/lib/gen/ipcplay/v1/playground_pb";
import type { Problem } from "@/lib/run/problem";

export type RunPhase = "idle" | "starting" | "running" | "stopping" | "stopped" | "failed";

export const MAX_TRACES = 300;
export const MAX_LOG_LINES = 1000;

/** Messages seen on an edge so far; the edge animates the difference. */
export interface EdgeHits {
  ok: number;
  failed: number;
}

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
  selectedTraceId: string | null;
  selectedSpanId: string | null;
  logs: LogLine[];
  summary: RunSummary | null;
  edgeHits: Record<string, EdgeHits>;
  /** Problems the server reported for the last StartRun. */
  serverProblems: ProblemMap | null;
  error: string | null;

  beginStart(): void;
  started(runId: string, token: string, info: RunInfo | undefined): void;
  failed(message: string, problems?: ProblemMap): void;
  beginStop(): void;
  stopped(summary: RunSummary | undefined): void;
  applyEvent(event: RunEvent): void;
  applyRunInfo(info: RunInfo): void;
  setTraceSpans(traceId: string, spans: Span[]): void;
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
  selectedTraceId: null,
  selectedSpanId: null,
  logs: [],
  summary: null,
  edgeHits: {},
  serverProblems: null,
  error: null,
} satisfies Partial<RunStoreState>;

/** Whether a span marks a message leaving along its edge (one dot per message). */
function isSendSpan(s: Span): boolean {
  return s.kind === SpanKind.CLIENT || s.kind === SpanKind.PRODUCER || s.kind === SpanKind.UNSPECIFIED;
}

export const useRunStore = create<RunStoreState>()((set, get) => ({
  phase: "idle",
  ...fresh,

  beginStart: () => set({ ...fresh, phase: "starting" }),

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
        get().applyRunInfo(e.value);
        break;
      case "spans": {
        const { spans, traces } = e.value;
        set((s) => {
          const spansByTrace = { ...s.spansByTrace };
          const edgeHits = { ...s.edgeHits };
          for (const span of spans) {
            spansByTrace[span.traceId] = [...(spansByTrace[span.traceId] ?? []), span];
            if (span.edgeId && isSendSpan(span)) {
              const prev = edgeHits[span.edgeId] ?? { ok: 0, failed: 0 };
              edgeHits[span.edgeId] =
                span.status === SpanStatus.OK || span.status === SpanStatus.UNSPECIFIED
                  ? { ok: prev.ok + 1, failed: prev.failed }
                  : { ok: prev.ok, failed: prev.failed + 1 };
            }
          }
          let list = s.traces;
          if (traces.length) {
            const fresh = [...traces].sort((a, b) => b.startUnixMs - a.startUnixMs);
            const seen = new Set(fresh.map((t) => t.traceId));
            list = [...fresh, ...s.traces.filter((t) => !seen.has(t.traceId))].slice(0, MAX_TRACES);
          }
          // Keep the spans of listed traces (and of ones still in flight), drop the rest.
          const keep = new Set(list.map((t) => t.traceId));
          const ids = Object.keys(spansByTrace);
          if (ids.length > MAX_TRACES * 2) {
            for (const id of ids) if (!keep.has(id) && id !== s.selectedTraceId) delete spansByTrace[id];
          }
          return { spansByTrace, edgeHits, traces: list };
        });
        break;
      }
      case "log":
        set((s) => ({ logs: [...s.logs, e.value].slice(-MAX_LOG_LINES) }));
        break;
      case "summary":
        set({ summary: e.value });
        break;
      default:
        break;
    }
  },

  applyRunInfo(info) {
    const nodes: Record<string, NodeRuntime> = {};
    for (const n of info.nodes) nodes[n.nodeId] = n;
    const edgeCounters: Record<string, EdgeCounters> = {};
    for (const c of info.edges) edgeCounters[c.edgeId] = c;
    set((s) => {
      // A stop in progress is not undone by a late snapshot.
      let phase = PHASE_OF_STATE[info.state];
      if (s.phase === "stopping" && (phase === "running" || phase === "starting")) phase = "stopping";
      if (s.phase === "stopped" && phase !== "failed") phase = "stopped";
      const lines = statusLines(s.nodes, info.nodes);
      const logs = lines.length ? [...s.logs, ...lines].slice(-MAX_LOG_LINES) : s.logs;
      return { info, nodes, edgeCounters, phase, logs, error: info.error || s.error };
    });
  },

  setTraceSpans: (traceId, spans) => set((s) => ({ spansByTrace: { ...s.spansByTrace, [traceId]: spans } })),

  selectTrace: (traceId) => set({ selectedTraceId: traceId, selectedSpanId: null }),

  selectSpan: (spanId) => set({ selectedSpanId: spanId }),

  clearServerProblems: () => set({ serverProblems: null }),

  dismissError: () => set({ error: null }),
}));

/** True while processes exist (the document is locked for editing). */
export function isLive(phase: RunPhase): boolean {
  return phase === "starting" || phase === "running" || phase === "stopping";
}
