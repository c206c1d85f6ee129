import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { SpanKind, SpanSchema, type Span } from "@/lib/gen/ipcplay/v1/playground_pb";
import { compareTraces, deltaText, isSlower } from "./compare";

const T0 = 1_700_000_000_000;

function span(spanId: string, parentSpanId: string, nodeId: string, name: string, start: number, duration: number, kind = SpanKind.SERVER): Span {
  return create(SpanSchema, { traceId: "t", spanId, parentSpanId, nodeId, name, kind, startUnixMs: T0 + start, durationMs: duration });
}

const ms = (v: number) => `${v} ms`;

describe("compareTraces", () => {
  it("matches spans by service, name and order, whatever their ids, and compares durations", () => {
    const a = [span("a1", "", "client", "send", 0, 100), span("a2", "a1", "orders", "POST /orders", 10, 50), span("a3", "a2", "billing", "charge", 20, 20)];
    const b = [span("b1", "", "client", "send", 0, 130), span("b2", "b1", "orders", "POST /orders", 12, 55), span("b3", "b2", "billing", "charge", 25, 40)];
    const c = compareTraces(a, b);
    expect(c.rows.map((r) => [r.service, r.name, r.a?.spanId, r.b?.spanId, r.deltaMs, r.slower])).toEqual([
      ["client", "send", "a1", "b1", 30, true],
      ["orders", "POST /orders", "a2", "b2", 5, false],
      ["billing", "charge", "a3", "b3", 20, true],
    ]);
    expect(c.rows[2].ratio).toBe(2);
    expect(c).toMatchObject({ totalA: 100, totalB: 130, totalDeltaMs: 30, totalSlower: true, scaleMs: 130 });
  });

  it("pairs the n-th span of a service and name with the n-th of the other trace, in waterfall order", () => {
    // Two calls from gw to be: the first with the first, the second with the second (by start, not by id).
    const a = [span("r", "", "gw", "in", 0, 100), span("x2", "r", "be", "get", 50, 10), span("x1", "r", "be", "get", 10, 30)];
    const b = [span("r", "", "gw", "in", 0, 100), span("y1", "r", "be", "get", 5, 31), span("y2", "r", "be", "get", 60, 20)];
    const rows = compareTraces(a, b).rows;
    expect(rows.map((r) => [r.occurrence, r.a?.spanId, r.b?.spanId, r.slower])).toEqual([
      [0, "r", "r", false],
      [0, "x1", "y1", false],
      [1, "x2", "y2", true],
    ]);
  });

  it("tells a service's server span from its client span of the same name", () => {
    // gateway answers POST / and calls orders with POST /: two spans, each matched with its own kind.
    const a = [span("s", "", "gateway", "POST /", 0, 100), span("c", "s", "gateway", "POST /", 10, 80, SpanKind.CLIENT)];
    const b = [span("s2", "", "gateway", "POST /", 0, 100), span("c2", "s2", "gateway", "POST /", 10, 90, SpanKind.CLIENT)];
    const rows = compareTraces(a, b).rows;
    expect(rows.map((r) => [r.kind, r.occurrence, r.a?.spanId, r.b?.spanId])).toEqual([
      [SpanKind.SERVER, 0, "s", "s2"],
      [SpanKind.CLIENT, 0, "c", "c2"],
    ]);
  });

  it("keeps a span one trace has and the other lacks (a retry) as a one-sided row, without shifting the rest", () => {
    const a = [span("a1", "", "gw", "in", 0, 40), span("a2", "a1", "be", "get", 5, 10), span("a3", "a1", "db", "query", 20, 5)];
    const b = [
      span("b1", "", "gw", "in", 0, 90),
      span("b2", "b1", "be", "get", 5, 10),
      span("b4", "b1", "be", "get", 20, 30), // the retry
      span("b3", "b1", "db", "query", 60, 5),
    ];
    const rows = compareTraces(a, b).rows;
    expect(rows.map((r) => [r.service, r.occurrence, r.a?.spanId ?? null, r.b?.spanId ?? null, r.deltaMs])).toEqual([
      ["gw", 0, "a1", "b1", 50],
      ["be", 0, "a2", "b2", 0],
      ["db", 0, "a3", "b3", 0],
      ["be", 1, null, "b4", null],
    ]);
    expect(rows[3].slower).toBe(false);
    expect(new Set(rows.map((r) => r.key)).size).toBe(rows.length);
  });

  it("lists spans only A has with no B and no delta", () => {
    const rows = compareTraces([span("a", "", "gw", "in", 0, 5), span("c", "a", "be", "get", 1, 2)], [span("b", "", "gw", "in", 0, 5)]).rows;
    expect(rows[1]).toMatchObject({ service: "be", b: null, deltaMs: null, ratio: null, slower: false });
  });

  it("compares a trace with nothing: every row one-sided, scale of the other", () => {
    const c = compareTraces([span("a", "", "gw", "in", 0, 5)], []);
    expect(c).toMatchObject({ totalA: 5, totalB: 0, scaleMs: 5, totalSlower: false });
    expect(c.rows).toHaveLength(1);
  });
});

describe("isSlower", () => {
  it("needs more than 20 % longer", () => {
    expect(isSlower(100, 120)).toBe(false);
    expect(isSlower(100, 120.5)).toBe(true);
    expect(isSlower(100, 80)).toBe(false);
  });

  it("ignores sub-millisecond noise however large the share", () => {
    expect(isSlower(0.2, 0.3)).toBe(false);
    expect(isSlower(0, 0.9)).toBe(false);
    expect(isSlower(0, 1)).toBe(true);
  });
});

describe("deltaText", () => {
  it("signs the difference and the share", () => {
    expect(deltaText({ deltaMs: 20, ratio: 1.4 }, ms)).toBe("+20 ms (+40 %)");
    expect(deltaText({ deltaMs: -5, ratio: 0.9 }, ms)).toBe("−5 ms (−10 %)");
    expect(deltaText({ deltaMs: 0, ratio: 1 }, ms)).toBe("±0 ms");
    expect(deltaText({ deltaMs: 3, ratio: null }, ms)).toBe("+3 ms");
    expect(deltaText({ deltaMs: null, ratio: null }, ms)).toBe("–");
  });
});
