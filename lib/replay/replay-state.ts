/**
 * Replay of a recorded run (issue 12, part 4): what the playground shows at a
 * time t of a RunRecord, worked out from the record alone — no server.
 *
 * - Edge numbers: the series' per-second counts added up to t (so at the end
 *   they equal the summary's books exactly), the levels (rate, p50/p95/p99,
 *   in flight, queued) of the last point at or before t.
 * - Node numbers: the node series' levels at t; a node is down or paused
 *   while a kill or pause fault is in force on it.
 * - Faults in force at t, and the ones already over.
 * - The traces started by t, newest first, with their spans.
 *
 * Pure: no I/O, no clock.
 */
import { clone, create, fromJson, type JsonValue } from "@bufbuild/protobuf";
import {
  type ActiveFault,
  type EdgeCounters,
  EdgeCountersSchema,
  type NodeRuntime,
  NodeRuntimeSchema,
  NodeStatus,
  OutcomeCountSchema,
  type RunSummary,
  RunSummarySchema,
  type Span,
  SpanSchema,
  type TraceSummary,
  TraceSummarySchema,
} from "@/lib/gen/ipcplay/v1/playground_pb";
import { FaultKind, type Topology } from "@/lib/gen/ipcplay/v1/topology_pb";
import { openRecord, type RunRecord } from "@/lib/history/run-record";

/** A record made ready to replay: decoded once, indexed by subject. */
export interface Replay {
  record: RunRecord;
  topology: Topology;
  summary: RunSummary;
  faults: ActiveFault[];
  /** Seconds from the start to the stop: the scrubber's length. */
  durationS: number;
  /** Point times as seconds since the start, ascending. */
  pointS: number[];
  /** series[subject][id][metric] = values, one per point. */
  series: Record<string, Record<string, Record<string, number[]>>>;
  /** Traces oldest first, with the seconds since the start they began at. */
  traces: { summary: TraceSummary; startS: number }[];
  spansByTrace: Record<string, Span[]>;
}

/** What the UI shows at one time of a replay. */
export interface ReplayFrame {
  /** Seconds since the start, clamped to [0, durationS]. */
  t: number;
  /** True at the end: the numbers are the summary's. */
  atEnd: boolean;
  edgeCounters: Record<string, EdgeCounters>;
  nodes: Record<string, NodeRuntime>;
  /** The summary as it stood at t (its books at t, its duration t). */
  summary: RunSummary;
  /** Faults in force at t. */
  faults: ActiveFault[];
  /** Faults that started and ended by t. */
  pastFaults: ActiveFault[];
  /** Traces begun by t, newest first. */
  traces: TraceSummary[];
  /** How many traces began by t. */
  traceCount: number;
}

const COUNTS = ["sent", "delivered", "failed", "lost", "retries", "attempts"] as const;

export function prepareReplay(record: RunRecord): Replay {
  const opened = openRecord(record);
  const start = record.startedUnixMs;
  const durationS = Math.max(0, (record.stoppedUnixMs - start) / 1000, opened.summary.durationMs / 1000);
  const series: Replay["series"] = {};
  for (const s of record.series.series) {
    ((series[s.subject] ??= {})[s.id] ??= {})[s.metric] = s.values;
  }
  const spansByTrace: Record<string, Span[]> = {};
  for (const raw of record.spans ?? []) {
    const span = fromJson(SpanSchema, raw as JsonValue, { ignoreUnknownFields: true });
    (spansByTrace[span.traceId] ??= []).push(span);
  }
  const traces = (record.traces ?? [])
    .map((raw) => fromJson(TraceSummarySchema, raw as JsonValue, { ignoreUnknownFields: true }))
    .map((summary) => ({ summary, startS: (summary.startUnixMs - start) / 1000 }))
    .sort((a, b) => a.startS - b.startS);
  return {
    record,
    topology: opened.topology,
    summary: opened.summary,
    faults: opened.faults,
    durationS,
    pointS: record.series.timestampsUnixMs.map((ms) => (ms - start) / 1000),
    series,
    traces,
    spansByTrace,
  };
}

/** How many points are at or before t (binary search; points ascend). */
export function pointsBy(pointS: readonly number[], t: number): number {
  let lo = 0;
  let hi = pointS.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (pointS[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function sumTo(values: readonly number[] | undefined, n: number): number {
  if (!values) return 0;
  let total = 0;
  for (let i = 0; i < n && i < values.length; i++) total += values[i];
  return total;
}

function levelAt(values: readonly number[] | undefined, n: number): number {
  return values && n > 0 ? (values[n - 1] ?? 0) : 0;
}

function faultStart(f: ActiveFault): number {
  return f.startedUnixMs;
}

/** A fault is in force from its start until its end (0: until the stop). */
function inForce(f: ActiveFault, atUnixMs: number, stopUnixMs: number): boolean {
  const end = f.endsUnixMs > 0 ? f.endsUnixMs : stopUnixMs;
  return faultStart(f) <= atUnixMs && atUnixMs < end;
}

export function replayAt(r: Replay, tIn: number): ReplayFrame {
  const t = Math.min(r.durationS, Math.max(0, Number.isFinite(tIn) ? tIn : 0));
  const atEnd = t >= r.durationS;
  const n = pointsBy(r.pointS, t);
  const atUnixMs = r.record.startedUnixMs + t * 1000;

  const edgeCounters: Record<string, EdgeCounters> = {};
  const summaryEdges = new Map(r.summary.edges.map((e) => [e.edgeId, e]));
  const edgeIds = new Set([...r.topology.edges.map((e) => e.id), ...summaryEdges.keys()]);
  for (const id of edgeIds) {
    const own = r.series.edge?.[id] ?? {};
    const last = summaryEdges.get(id);
    if (atEnd && last) {
      edgeCounters[id] = clone(EdgeCountersSchema, last);
      continue;
    }
    const c = create(EdgeCountersSchema, { edgeId: id, subscribers: last?.subscribers ?? 0, sharedWith: last?.sharedWith ?? [] });
    for (const key of COUNTS) c[key] = sumTo(own[key], n);
    c.ratePerSecond = levelAt(own.sent, n);
    c.p50Ms = levelAt(own.p50_ms, n);
    c.p95Ms = levelAt(own.p95_ms, n);
    c.p99Ms = levelAt(own.p99_ms, n);
    c.inFlight = levelAt(own.in_flight, n);
    c.queued = levelAt(own.queued, n);
    for (const [metric, values] of Object.entries(own)) {
      const m = /^(failed|lost):(.+)$/.exec(metric);
      if (!m) continue;
      const count = sumTo(values, n);
      if (count > 0) (m[1] === "failed" ? c.failedBy : c.lostBy).push(create(OutcomeCountSchema, { outcome: m[2], count }));
    }
    edgeCounters[id] = c;
  }

  const faults = r.faults.filter((f) => inForce(f, atUnixMs, r.record.stoppedUnixMs + 1));
  const pastFaults = r.faults.filter((f) => f.endsUnixMs > 0 && f.endsUnixMs <= atUnixMs);

  const nodes: Record<string, NodeRuntime> = {};
  for (const node of r.topology.nodes) {
    const own = r.series.node?.[node.id] ?? {};
    const on = faults.filter((f) => f.fault?.nodeId === node.id).map((f) => f.fault?.kind);
    const status = on.includes(FaultKind.KILL) || on.includes(FaultKind.CRASH_LOOP) ? NodeStatus.DOWN : on.includes(FaultKind.PAUSE) ? NodeStatus.PAUSED : NodeStatus.UP;
    nodes[node.id] = create(NodeRuntimeSchema, {
      nodeId: node.id,
      status,
      ratePerSecond: levelAt(own.handled_per_s, n),
      inFlight: levelAt(own.in_flight, n),
      waiting: levelAt(own.waiting, n),
      usage: { cpuPercent: levelAt(own.cpu_percent, n), rssBytes: levelAt(own.rss_bytes, n) },
    });
  }

  const begun = atEnd ? r.traces.length : tracesBy(r, t);
  const traces: TraceSummary[] = [];
  for (let i = begun - 1; i >= 0; i--) traces.push(r.traces[i].summary);

  const summary = clone(RunSummarySchema, r.summary);
  if (!atEnd) {
    summary.edges = [...edgeIds].map((id) => edgeCounters[id]);
    summary.durationMs = t * 1000;
    summary.traces = begun;
  }
  return { t, atEnd, edgeCounters, nodes, summary, faults, pastFaults, traces, traceCount: begun };
}

/** How many traces began by t. */
export function tracesBy(r: Replay, t: number): number {
  let lo = 0;
  let hi = r.traces.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (r.traces[mid].startS <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
