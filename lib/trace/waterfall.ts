import type { Span } from "@/lib/gen/ipcplay/v1/playground_pb";

/** The time a set of spans covers, in Unix milliseconds. */
export interface TraceBounds {
  startMs: number;
  endMs: number;
  durationMs: number;
}

/** One bar of the waterfall. */
export interface WaterfallRow {
  span: Span;
  /** 0 for a root; a child is one deeper than its parent. */
  depth: number;
  /** From the trace's start to the span's. */
  offsetMs: number;
  durationMs: number;
  /** Where the bar starts and how wide it is, in percent of the trace's duration. */
  leftPct: number;
  widthPct: number;
}

/** Spans end at start + duration; a negative duration (clock trouble) counts as 0. */
function spanEnd(span: Span): number {
  return span.startUnixMs + Math.max(0, span.durationMs);
}

/**
 * From the earliest start to the latest end among spans; all zero when there are none.
 *
 * @example traceBounds(spans).durationMs // the whole trace, end to end
 */
export function traceBounds(spans: readonly Span[]): TraceBounds {
  if (spans.length === 0) return { startMs: 0, endMs: 0, durationMs: 0 };
  let startMs = Infinity;
  let endMs = -Infinity;
  for (const span of spans) {
    startMs = Math.min(startMs, span.startUnixMs);
    endMs = Math.max(endMs, spanEnd(span));
  }
  return { startMs, endMs, durationMs: endMs - startMs };
}

const byStart = (a: Span, b: Span) => a.startUnixMs - b.startUnixMs;

/**
 * Lays the spans of one trace out as waterfall rows: depth-first, each parent
 * directly above its children, siblings and roots in order of start time.
 * A span whose parent is not among the spans (still in flight, or dropped by
 * the ring) becomes a root rather than vanishing. Parent links that form a
 * cycle cannot come from real tracing, but are still shown once each.
 *
 * Bars are placed in percent of the trace's duration; when the trace takes no
 * time at all every bar has width 0, so give bars a minimum width when drawing.
 *
 * @example
 * for (const row of layoutWaterfall(spans))
 *   <Bar style={{ marginLeft: `${row.depth}em`, left: `${row.leftPct}%`, width: `${row.widthPct}%` }} />
 */
export function layoutWaterfall(spans: readonly Span[]): WaterfallRow[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string, Span[]>();
  const roots: Span[] = [];
  for (const span of spans) {
    const hasParent = span.parentSpanId !== "" && span.parentSpanId !== span.spanId && ids.has(span.parentSpanId);
    if (!hasParent) {
      roots.push(span);
      continue;
    }
    const siblings = children.get(span.parentSpanId);
    if (siblings) siblings.push(span);
    else children.set(span.parentSpanId, [span]);
  }
  for (const siblings of children.values()) siblings.sort(byStart);

  const bounds = traceBounds(spans);
  const rows: WaterfallRow[] = [];
  const placed = new Set<Span>();
  const place = (root: Span) => {
    // Iterative depth-first walk: the stack holds what is still to place, next on top.
    const stack: { span: Span; depth: number }[] = [{ span: root, depth: 0 }];
    while (stack.length > 0) {
      const { span, depth } = stack.pop()!;
      if (placed.has(span)) continue;
      placed.add(span);
      rows.push(row(span, depth, bounds));
      const kids = children.get(span.spanId) ?? [];
      for (let i = kids.length - 1; i >= 0; i--) stack.push({ span: kids[i], depth: depth + 1 });
    }
  };
  for (const root of [...roots].sort(byStart)) place(root);
  // Only spans on a parent cycle are left; show each cycle from its earliest span.
  for (const span of [...spans].sort(byStart)) if (!placed.has(span)) place(span);
  return rows;
}

function row(span: Span, depth: number, bounds: TraceBounds): WaterfallRow {
  const offsetMs = span.startUnixMs - bounds.startMs;
  const durationMs = Math.max(0, span.durationMs);
  const total = bounds.durationMs;
  return {
    span,
    depth,
    offsetMs,
    durationMs,
    leftPct: total > 0 ? (offsetMs / total) * 100 : 0,
    widthPct: total > 0 ? (durationMs / total) * 100 : 0,
  };
}
