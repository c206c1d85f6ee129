import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { SpanSchema, TraceSummarySchema } from "@/lib/gen/ipcplay/v1/playground_pb";
import { EMPTY_WINDOW, mergeBatches, mergeSpans, putTraceSpans } from "./trace-window";

const span = (traceId: string, spanId: string) => create(SpanSchema, { traceId, spanId });
const trace = (traceId: string, startUnixMs: number, spanCount = 1) => create(TraceSummarySchema, { traceId, startUnixMs, spanCount });
const limits = { maxTraces: 3, maxSpans: 10 };

describe("mergeBatches", () => {
  it("merges several batches in one pass, newest start first", () => {
    const w = mergeBatches(
      EMPTY_WINDOW,
      [
        { spans: [span("a", "1")], traces: [trace("a", 10)] },
        { spans: [span("b", "2"), span("a", "3")], traces: [trace("b", 20), trace("a", 10, 2)] },
      ],
      limits,
      null,
    );
    expect(w.traces.map((t) => t.traceId)).toEqual(["b", "a"]);
    expect(w.traces[1].spanCount).toBe(2);
    expect(w.spansByTrace.a.map((s) => s.spanId)).toEqual(["1", "3"]);
    expect(w.spanTotal).toBe(3);
  });

  it("keeps a completed trace in its place rather than moving it to the top", () => {
    let w = mergeBatches(EMPTY_WINDOW, [{ spans: [], traces: [trace("old", 1), trace("new", 2)] }], limits, null);
    w = mergeBatches(w, [{ spans: [], traces: [trace("old", 1, 5)] }], limits, null);
    expect(w.traces.map((t) => t.traceId)).toEqual(["new", "old"]);
  });

  it("bounds the list and counts the traces that left it", () => {
    const w = mergeBatches(EMPTY_WINDOW, [{ spans: [], traces: [1, 2, 3, 4, 5].map((n) => trace(`t${n}`, n)) }], limits, null);
    expect(w.traces.map((t) => t.traceId)).toEqual(["t5", "t4", "t3"]);
    expect(w.leftList).toBe(2);
  });

  it("evicts spans past the limit: unlisted traces first, then the oldest, never the pinned one", () => {
    const spans = (id: string, n: number) => Array.from({ length: n }, (_, i) => span(id, `${id}${i}`));
    let w = mergeBatches(EMPTY_WINDOW, [{ spans: [...spans("gone", 3), ...spans("pin", 3)], traces: [] }], limits, null);
    w = mergeBatches(w, [{ spans: [...spans("x", 3), ...spans("y", 3)], traces: [trace("pin", 1), trace("x", 2), trace("y", 3)] }], limits, "pin");
    expect(w.spansByTrace.gone).toBeUndefined();
    expect(w.spansByTrace.pin).toHaveLength(3);
    expect(w.spanTotal).toBeLessThanOrEqual(8);
    expect(w.spanTotal).toBe(Object.values(w.spansByTrace).reduce((n, s) => n + s.length, 0));
  });

  it("returns the same window when nothing came", () => {
    expect(mergeBatches(EMPTY_WINDOW, [], limits, null)).toBe(EMPTY_WINDOW);
  });
});

describe("mergeSpans and putTraceSpans", () => {
  it("skips spans already held and keeps the same array when nothing is new", () => {
    const have = [span("a", "1")];
    expect(mergeSpans(have, [span("a", "1")])).toBe(have);
    expect(mergeSpans(have, [span("a", "1"), span("a", "2")]).map((s) => s.spanId)).toEqual(["1", "2"]);
  });

  it("adds a fetched trace to what streamed and keeps the total right", () => {
    const w = mergeBatches(EMPTY_WINDOW, [{ spans: [span("a", "1")], traces: [trace("a", 1, 3)] }], limits, null);
    const next = putTraceSpans(w, "a", [span("a", "1"), span("a", "2"), span("a", "3")]);
    expect(next.spansByTrace.a).toHaveLength(3);
    expect(next.spanTotal).toBe(3);
  });
});
