/**
 * A stopped run, kept for later (issue 10, "run history and comparison"): its
 * topology, its summary (the books and the whole-run latencies), its faults,
 * its metrics series and, per design of its topology, the end-to-end times of
 * the traces the browser held. Plain JSON (the protobuf parts in their JSON
 * form), so the same object is stored in IndexedDB and written to a file.
 *
 * Pure: no I/O, no clock.
 */
import { fromJson, type JsonValue, toJson } from "@bufbuild/protobuf";
import { type ActiveFault, ActiveFaultSchema, type RunSummary, RunSummarySchema, type Span, SpanSchema, type TraceSummary, TraceSummarySchema } from "@/lib/gen/ipcplay/v1/playground_pb";
import { type Topology, TopologySchema } from "@/lib/gen/ipcplay/v1/topology_pb";
import { findDesigns } from "@/lib/topology/designs";
import { parseTopology } from "@/lib/topology/parse";
import { percentile } from "@/lib/metrics/percentile";

export const RUN_RECORD_FORMAT = "ipcplay-run/1";
/**
 * Spans a record keeps for replay (whole traces, the newest first): the
 * history keeps up to 50 runs, and a page may hold 20,000 spans.
 */
export const MAX_RECORD_SPANS = 5000;
/** A file of runs (one or many) is refused unread past this size. */
export const MAX_RUNS_FILE_BYTES = 64 * 1024 * 1024;

export interface TimeStats {
  /** How many traces the figures are over. */
  traces: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface DesignRecord {
  name: string;
  nodeIds: string[];
  entryEdgeIds: string[];
  edgeIds: string[];
  /** From a message leaving its client to the last work of this design on it, over the traces the browser held. */
  endToEnd: TimeStats;
}

export interface SeriesRecord {
  timestampsUnixMs: number[];
  series: Array<{ subject: string; id: string; metric: string; values: number[] }>;
}

export interface RunRecord {
  format: typeof RUN_RECORD_FORMAT;
  runId: string;
  /** The topology's name at the stop. */
  name: string;
  startedUnixMs: number;
  stoppedUnixMs: number;
  topology: JsonValue;
  summary: JsonValue;
  /** Faults that were in force during the run (past and, at the stop, present). */
  faults: JsonValue[];
  series: SeriesRecord;
  designs: DesignRecord[];
  /**
   * The traces the page held at the stop (TraceSummary JSON) and their spans
   * (Span JSON), for replay (lib/replay). Absent in records kept before replay.
   */
  traces?: JsonValue[];
  spans?: JsonValue[];
}

/** The decoded parts of a record, for reading its numbers. */
export interface OpenedRecord {
  record: RunRecord;
  topology: Topology;
  summary: RunSummary;
  faults: ActiveFault[];
}

export interface RecordInput {
  runId: string;
  topology: Topology;
  summary: RunSummary;
  startedUnixMs: number;
  stoppedUnixMs: number;
  faults: readonly ActiveFault[];
  series: SeriesRecord;
  /** Spans of the traces the browser held, by trace. */
  spansByTrace: Readonly<Record<string, readonly Span[]>>;
  /** The trace list the page held (for replay). */
  traces?: readonly TraceSummary[];
}

export function buildRunRecord(input: RecordInput): RunRecord {
  return {
    format: RUN_RECORD_FORMAT,
    runId: input.runId,
    name: input.topology.name || "Untitled",
    startedUnixMs: input.startedUnixMs,
    stoppedUnixMs: input.stoppedUnixMs,
    topology: toJson(TopologySchema, input.topology),
    summary: toJson(RunSummarySchema, input.summary),
    faults: input.faults.map((f) => toJson(ActiveFaultSchema, f)),
    series: input.series,
    designs: findDesigns(input.topology).map((d) => ({
      name: d.name,
      nodeIds: d.nodeIds,
      entryEdgeIds: d.entryEdgeIds,
      edgeIds: d.edgeIds,
      endToEnd: designTimes(input.spansByTrace, new Set(d.nodeIds), new Set(d.entryEdgeIds)),
    })),
    ...replayTraces(input.traces ?? [], input.spansByTrace),
  };
}

/**
 * The traces a replay shows and their spans: only traces whose spans the page
 * held (a replay cannot fetch the rest), the newest first up to
 * MAX_RECORD_SPANS spans, every trace whole.
 */
export function replayTraces(traces: readonly TraceSummary[], spansByTrace: Readonly<Record<string, readonly Span[]>>, maxSpans = MAX_RECORD_SPANS): Pick<RunRecord, "traces" | "spans"> {
  const kept: JsonValue[] = [];
  const spans: JsonValue[] = [];
  for (const t of [...traces].sort((a, b) => b.startUnixMs - a.startUnixMs)) {
    const own = spansByTrace[t.traceId];
    if (!own?.length || spans.length + own.length > maxSpans) continue;
    kept.push(toJson(TraceSummarySchema, t));
    for (const s of own) spans.push(toJson(SpanSchema, s));
  }
  return { traces: kept, spans };
}

/**
 * Per trace, the time from the first span of the design's part of it (the
 * client's call into the design) to the end of its last span there: what the
 * design took to finish its work on the message, queue waits included.
 */
export function designTimes(spansByTrace: Readonly<Record<string, readonly Span[]>>, nodeIds: ReadonlySet<string>, entryEdgeIds: ReadonlySet<string>): TimeStats {
  const times: number[] = [];
  for (const spans of Object.values(spansByTrace)) {
    let start = Infinity;
    let end = -Infinity;
    let entered = false;
    for (const s of spans) {
      const inDesign = nodeIds.has(s.nodeId) || entryEdgeIds.has(s.edgeId);
      if (!inDesign) continue;
      entered ||= entryEdgeIds.has(s.edgeId);
      start = Math.min(start, s.startUnixMs);
      end = Math.max(end, s.startUnixMs + s.durationMs);
    }
    if (entered && end >= start) times.push(end - start);
  }
  times.sort((a, b) => a - b);
  return {
    traces: times.length,
    p50Ms: percentile(times, 50),
    p95Ms: percentile(times, 95),
    p99Ms: percentile(times, 99),
    maxMs: times.length ? times[times.length - 1] : 0,
  };
}

export function openRecord(record: RunRecord): OpenedRecord {
  return {
    record,
    topology: fromJson(TopologySchema, record.topology, { ignoreUnknownFields: true }),
    summary: fromJson(RunSummarySchema, record.summary, { ignoreUnknownFields: true }),
    faults: record.faults.map((f) => fromJson(ActiveFaultSchema, f, { ignoreUnknownFields: true })),
  };
}

/** The file of one or more runs (History → Export). */
export function runsToFileText(records: readonly RunRecord[]): string {
  return `${JSON.stringify({ format: RUN_RECORD_FORMAT, runs: records })}\n`;
}

export interface RunsFileResult {
  runs: RunRecord[];
  /** Each thing wrong, with where ("runs[2].series: …"). */
  problems: string[];
}

/**
 * Reads a runs file: every run that is whole is taken; each one that is not is
 * named with what is wrong. Topologies go through the one gate (parse).
 */
export function runsFromFileText(text: string): RunsFileResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { runs: [], problems: [`not JSON: ${(error as Error).message}`] };
  }
  const file = json as { format?: unknown; runs?: unknown };
  if (typeof json !== "object" || json === null || file.format !== RUN_RECORD_FORMAT || !Array.isArray(file.runs)) {
    return { runs: [], problems: [`not a runs file: expected {"format": "${RUN_RECORD_FORMAT}", "runs": […]}`] };
  }
  const runs: RunRecord[] = [];
  const problems: string[] = [];
  file.runs.forEach((raw, i) => {
    const problem = recordProblem(raw);
    if (problem) problems.push(`runs[${i}]${problem}`);
    else runs.push(raw as RunRecord);
  });
  return { runs, problems };
}

/** What is wrong with one run of a file, as "<path>: <what>", or undefined. */
function recordProblem(raw: unknown): string | undefined {
  if (typeof raw !== "object" || raw === null) return ": not an object";
  const r = raw as Partial<Record<keyof RunRecord, unknown>>;
  if (r.format !== RUN_RECORD_FORMAT) return `.format: expected "${RUN_RECORD_FORMAT}"`;
  for (const key of ["runId", "name"] as const) if (typeof r[key] !== "string") return `.${key}: expected a string`;
  for (const key of ["startedUnixMs", "stoppedUnixMs"] as const) if (typeof r[key] !== "number" || !Number.isFinite(r[key])) return `.${key}: expected a number`;
  const parsed = parseTopology(r.topology);
  if (!parsed.topology) return `.topology: ${parsed.problems.map((p) => `${p.path || "(root)"} ${p.message}`).join("; ")}`;
  try {
    fromJson(RunSummarySchema, r.summary as JsonValue, { ignoreUnknownFields: true });
    if (!Array.isArray(r.faults)) return ".faults: expected a list";
    r.faults.forEach((f) => fromJson(ActiveFaultSchema, f as JsonValue, { ignoreUnknownFields: true }));
  } catch (error) {
    return `.summary or .faults: ${(error as Error).message}`;
  }
  const series = r.series as SeriesRecord | undefined;
  if (!series || !Array.isArray(series.timestampsUnixMs) || !Array.isArray(series.series)) return ".series: expected {timestampsUnixMs, series}";
  const n = series.timestampsUnixMs.length;
  const bad = series.series.findIndex((s) => typeof s?.subject !== "string" || typeof s.id !== "string" || typeof s.metric !== "string" || !Array.isArray(s.values) || s.values.length !== n);
  if (bad >= 0) return `.series.series[${bad}]: expected subject, id, metric and ${n} values`;
  if (!Array.isArray(r.designs)) return ".designs: expected a list";
  if (r.traces !== undefined && !Array.isArray(r.traces)) return ".traces: expected a list";
  if (r.spans !== undefined && !Array.isArray(r.spans)) return ".spans: expected a list";
  return undefined;
}
