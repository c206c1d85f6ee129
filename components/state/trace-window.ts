/**
 * The browser's bounded window onto a run's traces: the trace list and the
 * spans behind it. Pure (no React, no socket) so the run store can merge many
 * span batches in one go and stay within fixed memory at any message rate.
 */
import type { Span, TraceSummary } from "@/lib/gen/ipcplay/v1/playground_pb";

export interface TraceWindow {
  /** Newest start first; at most `maxTraces`. */
  traces: TraceSummary[];
  /** Spans per trace id; about `maxSpans` in all. */
  spansByTrace: Record<string, Span[]>;
  /** Spans held in `spansByTrace`. */
  spanTotal: number;
  /** Traces that have left the list (older ones, pushed out by newer). */
  leftList: number;
}

export interface TraceWindowLimits {
  maxTraces: number;
  maxSpans: number;
}

/** What a span batch carries, without the protobuf message wrapper. */
export interface SpanBatchLike {
  spans: readonly Span[];
  traces: readonly TraceSummary[];
}

export const EMPTY_WINDOW: TraceWindow = { traces: [], spansByTrace: {}, spanTotal: 0, leftList: 0 };

/**
 * Appends `incoming` to `existing`, skipping spans already there (a trace
 * fetched with GetTrace also arrives on the stream). Returns `existing` itself
 * when nothing is new, so selectors see no change.
 */
export function mergeSpans(existing: readonly Span[] | undefined, incoming: readonly Span[]): Span[] {
  if (!existing || existing.length === 0) return dedupe(incoming);
  const seen = new Set(existing.map((s) => s.spanId));
  const added = incoming.filter((s) => {
    if (seen.has(s.spanId)) return false;
    seen.add(s.spanId);
    return true;
  });
  return added.length ? [...existing, ...added] : (existing as Span[]);
}

function dedupe(spans: readonly Span[]): Span[] {
  const seen = new Set<string>();
  return spans.filter((s) => !seen.has(s.spanId) && (seen.add(s.spanId), true));
}

/**
 * Merges any number of span batches into the window in one pass: touched
 * summaries replace their older selves, the list stays ordered by start time
 * (so a trace that completes keeps its place instead of jumping to the top),
 * the oldest traces leave past `maxTraces`, and spans are evicted — traces
 * no longer listed first, then the oldest listed ones — past `maxSpans`.
 * `pinned` (the trace open in the waterfall) keeps its spans whatever happens.
 */
export function mergeBatches(
  win: TraceWindow,
  batches: readonly SpanBatchLike[],
  limits: TraceWindowLimits,
  pinned: string | null,
): TraceWindow {
  if (batches.length === 0) return win;
  const newSpans = new Map<string, Span[]>();
  const touched = new Map<string, TraceSummary>();
  for (const b of batches) {
    for (const s of b.spans) {
      const list = newSpans.get(s.traceId);
      if (list) list.push(s);
      else newSpans.set(s.traceId, [s]);
    }
    for (const t of b.traces) touched.set(t.traceId, t);
  }

  let traces = win.traces;
  let leftList = win.leftList;
  if (touched.size) {
    const merged = win.traces.map((t) => {
      const next = touched.get(t.traceId);
      if (next) touched.delete(t.traceId);
      return next ?? t;
    });
    for (const t of touched.values()) merged.push(t);
    // Stable sort: equal starts keep their arrival order.
    merged.sort((a, b) => b.startUnixMs - a.startUnixMs);
    if (merged.length > limits.maxTraces) {
      leftList += merged.length - limits.maxTraces;
      merged.length = limits.maxTraces;
    }
    traces = merged;
  }

  let spansByTrace = win.spansByTrace;
  let spanTotal = win.spanTotal;
  if (newSpans.size) {
    spansByTrace = { ...win.spansByTrace };
    for (const [id, spans] of newSpans) {
      const before = spansByTrace[id];
      const after = mergeSpans(before, spans);
      spanTotal += after.length - (before?.length ?? 0);
      spansByTrace[id] = after;
    }
  }

  if (spanTotal > limits.maxSpans) {
    if (spansByTrace === win.spansByTrace) spansByTrace = { ...win.spansByTrace };
    spanTotal = evict(spansByTrace, spanTotal, traces, limits, pinned);
  }
  return { traces, spansByTrace, spanTotal, leftList };
}

/**
 * Frees spans down to 80% of the limit, so eviction runs now and then rather
 * than on every batch. Mutates `spansByTrace` (a fresh copy) and returns the
 * new total.
 */
function evict(
  spansByTrace: Record<string, Span[]>,
  total: number,
  traces: readonly TraceSummary[],
  limits: TraceWindowLimits,
  pinned: string | null,
): number {
  const target = Math.floor(limits.maxSpans * 0.8);
  const listed = new Set(traces.map((t) => t.traceId));
  const drop = (id: string) => {
    if (id === pinned || !(id in spansByTrace)) return;
    total -= spansByTrace[id].length;
    delete spansByTrace[id];
  };
  // Unlisted traces first, in insertion order (oldest first).
  for (const id of Object.keys(spansByTrace)) {
    if (total <= target) return total;
    if (!listed.has(id)) drop(id);
  }
  // Then the oldest listed traces; a click on one of them fetches it again.
  for (let i = traces.length - 1; i >= 0 && total > target; i--) drop(traces[i].traceId);
  return total;
}

/** Replaces (merges) the spans of one trace, e.g. from GetTrace, keeping the total right. */
export function putTraceSpans(win: TraceWindow, traceId: string, spans: readonly Span[]): TraceWindow {
  const before = win.spansByTrace[traceId];
  const after = mergeSpans(before, spans);
  if (after === before) return win;
  return {
    ...win,
    spansByTrace: { ...win.spansByTrace, [traceId]: after },
    spanTotal: win.spanTotal + after.length - (before?.length ?? 0),
  };
}
