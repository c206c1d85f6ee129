import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { SpanSchema, type Span } from "@/lib/gen/ipcplay/v1/playground_pb";
import { layoutWaterfall, traceBounds } from "./waterfall";

const T0 = 1_700_000_000_000;

function span(spanId: string, parentSpanId: string, start: number, duration: number): Span {
  return create(SpanSchema, { traceId: "t", spanId, parentSpanId, startUnixMs: T0 + start, durationMs: duration });
}

/** The rows as "id@depth", the order and nesting at a glance. */
function shape(spans: Span[]): string[] {
  return layoutWaterfall(spans).map((r) => `${r.span.spanId}@${r.depth}`);
}

describe("traceBounds", () => {
  it("runs from the earliest start to the latest end", () => {
    expect(traceBounds([span("a", "", 10, 5), span("b", "a", 0, 3), span("c", "a", 12, 20)])).toEqual({
      startMs: T0,
      endMs: T0 + 32,
      durationMs: 32,
    });
  });

  it("is all zero for no spans", () => {
    expect(traceBounds([])).toEqual({ startMs: 0, endMs: 0, durationMs: 0 });
  });
});

describe("layoutWaterfall", () => {
  it("puts parents above children and orders siblings by start, whatever the input order", () => {
    const spans = [
      span("db", "orders", 40, 10),
      span("billing", "gateway", 60, 30),
      span("orders", "gateway", 20, 35),
      span("gateway", "client", 5, 90),
      span("client", "", 0, 100),
    ];
    expect(shape(spans)).toEqual(["client@0", "gateway@1", "orders@2", "db@3", "billing@2"]);
  });

  it("makes orphans roots, ordered by start with the real root", () => {
    const spans = [span("late-orphan", "gone", 50, 10), span("root", "", 10, 100), span("child", "root", 20, 5), span("early-orphan", "missing", 0, 5)];
    expect(shape(spans)).toEqual(["early-orphan@0", "root@0", "child@1", "late-orphan@0"]);
  });

  it("places bars in percent of the trace", () => {
    const rows = layoutWaterfall([span("root", "", 0, 200), span("child", "root", 50, 100)]);
    expect(rows[1]).toMatchObject({ offsetMs: 50, durationMs: 100, leftPct: 25, widthPct: 50 });
    expect(rows[0]).toMatchObject({ offsetMs: 0, leftPct: 0, widthPct: 100 });
  });

  it("gives zero-width bars when the trace takes no time, and treats negative durations as 0", () => {
    expect(layoutWaterfall([span("a", "", 0, 0)])[0]).toMatchObject({ leftPct: 0, widthPct: 0 });
    const rows = layoutWaterfall([span("a", "", 0, 10), span("b", "a", 5, -3)]);
    expect(rows[1]).toMatchObject({ durationMs: 0, widthPct: 0, leftPct: 50 });
  });

  it("shows spans whose parent links form a cycle once each", () => {
    const spans = [span("root", "", 0, 10), span("x", "y", 3, 1), span("y", "x", 2, 1), span("self", "self", 4, 1)];
    expect(shape(spans)).toEqual(["root@0", "self@0", "y@0", "x@1"]);
  });

  it("returns nothing for no spans", () => {
    expect(layoutWaterfall([])).toEqual([]);
  });
});
