/** Summaries and ordering of spans: pure functions over Span messages (the trace hub, and traces opened from a file). */
import { create } from "@bufbuild/protobuf";
import { SpanStatus, TraceSummarySchema, type Span, type TraceSummary } from "@/lib/gen/ipcplay/v1/playground_pb";
import { worseStatus } from "@/lib/trace/status";

/** Spans by start time, parents before children when they start together. */
export function causalOrder(spans: readonly Span[]): Span[] {
  const ids = new Set(spans.map((span) => span.spanId));
  const depth = new Map<string, number>();
  const byId = new Map(spans.map((span) => [span.spanId, span]));
  const depthOf = (span: Span, seen = new Set<string>()): number => {
    const known = depth.get(span.spanId);
    if (known !== undefined) return known;
    const parent = ids.has(span.parentSpanId) && !seen.has(span.spanId) ? byId.get(span.parentSpanId) : undefined;
    const value = parent ? depthOf(parent, seen.add(span.spanId)) + 1 : 0;
    depth.set(span.spanId, value);
    return value;
  };
  return [...spans].sort((a, b) => a.startUnixMs - b.startUnixMs || depthOf(a) - depthOf(b));
}

/** Root node, time span, size, worst status and nodes (first appearance) of one trace. */
export function summarizeTrace(spans: readonly Span[]): TraceSummary {
  const ordered = causalOrder(spans);
  const ids = new Set(spans.map((span) => span.spanId));
  const root = ordered.find((span) => !ids.has(span.parentSpanId)) ?? ordered[0];
  let start = Infinity;
  let end = -Infinity;
  let status = SpanStatus.UNSPECIFIED;
  const nodeIds: string[] = [];
  for (const span of ordered) {
    start = Math.min(start, span.startUnixMs);
    end = Math.max(end, span.startUnixMs + span.durationMs);
    status = worseStatus(status, span.status);
    if (!nodeIds.includes(span.nodeId)) nodeIds.push(span.nodeId);
  }
  return create(TraceSummarySchema, {
    traceId: root?.traceId ?? "",
    rootNodeId: root?.nodeId ?? "",
    startUnixMs: spans.length ? start : 0,
    durationMs: spans.length ? end - start : 0,
    spanCount: spans.length,
    status,
    nodeIds,
    rootSeen: spans.some((span) => span.parentSpanId === ""),
  });
}
