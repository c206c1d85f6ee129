/**
 * TEMPORARY: lays out a trace's spans as waterfall rows until lib/trace/waterfall.ts
 * lands with the same signature.
 */
import type { Span } from "@/lib/gen/ipcplay/v1/playground_pb";

export interface WaterfallRow {
  span: Span;
  depth: number;
  offsetMs: number;
  durationMs: number;
  leftPct: number;
  widthPct: number;
}

export function layoutWaterfall(spans: readonly Span[]): WaterfallRow[] {
  if (spans.length === 0) return [];
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const children = new Map<string, Span[]>();
  const roots: Span[] = [];
  for (const s of spans) {
    if (s.parentSpanId && byId.has(s.parentSpanId)) {
      const list = children.get(s.parentSpanId) ?? [];
      list.push(s);
      children.set(s.parentSpanId, list);
    } else roots.push(s);
  }
  const t0 = Math.min(...spans.map((s) => s.startUnixMs));
  const t1 = Math.max(...spans.map((s) => s.startUnixMs + s.durationMs));
  const total = Math.max(t1 - t0, 0.001);
  const rows: WaterfallRow[] = [];
  const visit = (s: Span, depth: number) => {
    const offsetMs = s.startUnixMs - t0;
    rows.push({ span: s, depth, offsetMs, durationMs: s.durationMs, leftPct: (offsetMs / total) * 100, widthPct: (s.durationMs / total) * 100 });
    for (const c of (children.get(s.spanId) ?? []).sort((a, b) => a.startUnixMs - b.startUnixMs)) visit(c, depth + 1);
  };
  for (const r of roots.sort((a, b) => a.startUnixMs - b.startUnixMs)) visit(r, 0);
  return rows;
}
