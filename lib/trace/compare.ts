/**
 * Two traces side by side (Jaeger's trace compare, with the durations it does
 * not show): which span of trace A is "the same" as which span of trace B, and
 * how much longer or shorter B's took. Pure: the browser's compare view and
 * the tests share it.
 */
import type { Span, SpanKind } from "@/lib/gen/ipcplay/v1/playground_pb";
import { layoutWaterfall, traceBounds } from "./waterfall";

/** B is "slower" when its span took more than this share longer than A's… */
export const SLOWER_SHARE = 0.2;
/**
 * …and at least this many milliseconds longer: a 0.2 ms hop against a 0.3 ms
 * one is +50 % but only timer noise, and would light up every row.
 */
export const SLOWER_FLOOR_MS = 1;

type CompareSpan = Pick<Span, "spanId" | "parentSpanId" | "nodeId" | "name" | "kind" | "startUnixMs" | "durationMs">;

/** One line of the durations table: the n-th span of one service, kind and name, in each trace. */
export interface SpanMatch {
  /** `service\u0000kind\u0000name\u0000n`, unique in the table. */
  key: string;
  service: string;
  name: string;
  /**
   * The span's kind: a service's "POST /" as the server that answered and its
   * "POST /" as the client of the next hop are two spans, not the 1st and 2nd of one.
   */
  kind: SpanKind;
  /** 0 for the first span of this service, kind and name in waterfall order, 1 for the second… */
  occurrence: number;
  /** The span in trace A, or null when only B has it (and the other way round). */
  a: CompareSpan | null;
  b: CompareSpan | null;
  /** B's duration minus A's (ms); null unless both traces have the span. */
  deltaMs: number | null;
  /** B's duration over A's; null unless both have it and A's took time. */
  ratio: number | null;
  /** B took more than SLOWER_SHARE longer (and SLOWER_FLOOR_MS more) than A. */
  slower: boolean;
}

export interface TraceComparison {
  rows: SpanMatch[];
  /** End to end, first span's start to last span's end. */
  totalA: number;
  totalB: number;
  totalDeltaMs: number;
  totalSlower: boolean;
  /** The longer of the two: both waterfalls are drawn on this one scale. */
  scaleMs: number;
}

/** B slower than A by more than the share and the floor. Both in ms. */
export function isSlower(aMs: number, bMs: number): boolean {
  return bMs - aMs >= SLOWER_FLOOR_MS && bMs > aMs * (1 + SLOWER_SHARE);
}

function keyOf(service: string, kind: SpanKind, name: string, n: number): string {
  return `${service}\u0000${kind}\u0000${name}\u0000${n}`;
}

/** The spans in waterfall order (parents above children, siblings by start), each with its occurrence key. */
function keyed(spans: readonly CompareSpan[]): { key: string; span: CompareSpan; occurrence: number }[] {
  const seen = new Map<string, number>();
  return layoutWaterfall(spans as Span[]).map(({ span }) => {
    const base = keyOf(span.nodeId, span.kind, span.name, 0);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return { key: keyOf(span.nodeId, span.kind, span.name, n), span, occurrence: n };
  });
}

/**
 * Matches the spans of two traces by service, span kind, name and order (the
 * first "orders · POST /orders" server span of A with the first of B, the
 * second with the second…), and compares their durations. Rows follow A's waterfall; spans
 * only B has come after them, in B's order. A retry that happened in one trace
 * only is such a one-sided row rather than shifting every later match.
 *
 * @example compareTraces(spansA, spansB).rows.filter((r) => r.slower)
 */
export function compareTraces(a: readonly CompareSpan[], b: readonly CompareSpan[]): TraceComparison {
  const inA = keyed(a);
  const inB = keyed(b);
  const bByKey = new Map(inB.map((x) => [x.key, x.span]));
  const rows: SpanMatch[] = [];
  const used = new Set<string>();
  const make = (key: string, service: string, name: string, kind: SpanKind, occurrence: number, sa: CompareSpan | null, sb: CompareSpan | null): SpanMatch => {
    const da = sa ? Math.max(0, sa.durationMs) : null;
    const db = sb ? Math.max(0, sb.durationMs) : null;
    const both = da !== null && db !== null;
    return {
      key,
      service,
      name,
      kind,
      occurrence,
      a: sa,
      b: sb,
      deltaMs: both ? db - da : null,
      ratio: both && da > 0 ? db / da : null,
      slower: both && isSlower(da, db),
    };
  };
  for (const x of inA) {
    const sb = bByKey.get(x.key) ?? null;
    if (sb) used.add(x.key);
    rows.push(make(x.key, x.span.nodeId, x.span.name, x.span.kind, x.occurrence, x.span, sb));
  }
  for (const x of inB) if (!used.has(x.key)) rows.push(make(x.key, x.span.nodeId, x.span.name, x.span.kind, x.occurrence, null, x.span));
  const totalA = traceBounds(a as Span[]).durationMs;
  const totalB = traceBounds(b as Span[]).durationMs;
  return { rows, totalA, totalB, totalDeltaMs: totalB - totalA, totalSlower: isSlower(totalA, totalB), scaleMs: Math.max(totalA, totalB) };
}

/** "+12.5 ms (+40 %)", "−3 ms (−10 %)", "±0 ms"; A's zero duration leaves the share out. */
export function deltaText(match: Pick<SpanMatch, "deltaMs" | "ratio">, formatMs: (ms: number) => string): string {
  if (match.deltaMs === null) return "–";
  const d = match.deltaMs;
  const sign = d > 0 ? "+" : d < 0 ? "−" : "±";
  const ms = `${sign}${formatMs(Math.abs(d))}`;
  if (match.ratio === null || d === 0) return ms;
  const pct = Math.round((match.ratio - 1) * 100);
  return `${ms} (${pct > 0 ? "+" : pct < 0 ? "−" : "±"}${Math.abs(pct)} %)`;
}
