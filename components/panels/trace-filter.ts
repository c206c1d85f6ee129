/**
 * Trace search: which traces of the list a filter keeps. Pure, so the list,
 * the canvas's "its traces" and the tests agree.
 */
import { SpanStatus, type Span, type TraceSummary } from "@/lib/gen/ipcplay/v1/playground_pb";

export type StatusFilter = "" | "ok" | "error" | "timeout" | "unavailable" | "failed";

export interface TraceFilter {
  /** A node id every kept trace went through; "" for any. */
  service: string;
  /** An edge every kept trace crossed; "" for any. */
  edge: string;
  status: StatusFilter;
  /** Kept traces took at least this long (ms); 0 for any. */
  minMs: number;
}

export const NO_FILTER: TraceFilter = { service: "", edge: "", status: "", minMs: 0 };

export const STATUS_CHOICES: readonly { value: StatusFilter; label: string }[] = [
  { value: "", label: "status" },
  { value: "ok", label: "ok" },
  { value: "failed", label: "any failure" },
  { value: "error", label: "error" },
  { value: "timeout", label: "timeout" },
  { value: "unavailable", label: "unavailable" },
];

export function isFiltering(f: TraceFilter): boolean {
  return f.service !== "" || f.edge !== "" || f.status !== "" || f.minMs > 0;
}

function statusMatches(status: SpanStatus, want: StatusFilter): boolean {
  switch (want) {
    case "":
      return true;
    case "ok":
      return status === SpanStatus.OK;
    case "error":
      return status === SpanStatus.ERROR;
    case "timeout":
      return status === SpanStatus.TIMEOUT;
    case "unavailable":
      return status === SpanStatus.UNAVAILABLE;
    case "failed":
      return status !== SpanStatus.OK && status !== SpanStatus.UNSPECIFIED;
  }
}

/** An edge's ends, to match a trace whose spans are not in hand by its path. */
export interface EdgeEnds {
  source: string;
  target: string;
}

/**
 * Did the trace cross the edge? By its spans when the browser holds them
 * (each span names its edge); else by its path, where the edge's source is
 * followed by its target.
 */
export function crossedEdge(trace: TraceSummary, spans: readonly Pick<Span, "edgeId">[] | undefined, edgeId: string, ends: EdgeEnds | undefined): boolean {
  if (spans && spans.length > 0) return spans.some((s) => s.edgeId === edgeId);
  if (!ends) return false;
  const path = trace.nodeIds;
  for (let i = 0; i + 1 < path.length; i++) if (path[i] === ends.source && path[i + 1] === ends.target) return true;
  return false;
}

/**
 * The traces the filter keeps, in their order. Returns `traces` itself when
 * nothing filters, so the virtualised list keeps its rows.
 *
 * @example filterTraces(traces, { ...NO_FILTER, status: "error" }, spansByTrace, ends)
 */
export function filterTraces(
  traces: TraceSummary[],
  f: TraceFilter,
  spansByTrace: Readonly<Record<string, readonly Pick<Span, "edgeId">[]>>,
  edgeEnds: Readonly<Record<string, EdgeEnds>>,
): TraceSummary[] {
  if (!isFiltering(f)) return traces;
  return traces.filter(
    (t) =>
      statusMatches(t.status, f.status) &&
      t.durationMs >= f.minMs &&
      (f.service === "" || t.rootNodeId === f.service || t.nodeIds.includes(f.service)) &&
      (f.edge === "" || crossedEdge(t, spansByTrace[t.traceId], f.edge, edgeEnds[f.edge])),
  );
}

/** "12 of 500 traces", "500 traces". */
export function countText(shown: number, total: number, filtering: boolean): string {
  const noun = total === 1 ? "trace" : "traces";
  return filtering ? `${shown.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} ${noun}` : `${total.toLocaleString("en-US")} ${noun}`;
}
