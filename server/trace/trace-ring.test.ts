import { describe, expect, it } from "vitest";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { SpanSchema, SpanStatus, type Span } from "@/lib/gen/ipcplay/v1/playground_pb";
import { LatencyHistogram } from "@/lib/metrics/latency-histogram";
import { TraceRing } from "./trace-ring";
import { causalOrder, summarizeTrace } from "@/lib/trace/summary";
import { EdgeLatencyBook, LATENCY_WINDOW_MS, SLOT_MS } from "./edge-latency";

const span = (fields: MessageInitShape<typeof SpanSchema>): Span => create(SpanSchema, { status: SpanStatus.OK, ...fields });

describe("TraceRing", () => {
  it("keeps the newest traces and drops the oldest first", () => {
    const ring = new TraceRing(2);
    ring.add([span({ traceId: "t1", spanId: "a" })]);
    ring.add([span({ traceId: "t2", spanId: "b" })]);
    ring.add([span({ traceId: "t1", spanId: "c" })]);
    ring.add([span({ traceId: "t3", spanId: "d" })]);
    expect(ring.newest(10)).toEqual(["t3", "t2"]);
    expect(ring.get("t1")).toEqual([]);
    expect(ring.size).toBe(2);
    expect(ring.evicted).toBe(1);
  });

  it("counts every trace it lets go, whether the trace or the span bound pushed it out", () => {
    const ring = new TraceRing(3, 10, 4);
    expect(ring.evicted).toBe(0);
    // Five one-span traces in a ring of three: t1 and t2 go.
    for (const id of ["t1", "t2", "t3", "t4", "t5"]) ring.add([span({ traceId: id, spanId: `${id}a` })]);
    expect(ring.evicted).toBe(2);
    expect(ring.dropped).toBe(0);
    // A three-span trace: the trace bound lets t3 go, then the four-span bound lets t4 go.
    ring.add(["a", "b", "c"].map((s) => span({ traceId: "t6", spanId: `t6${s}` })));
    expect(ring.newest(10)).toEqual(["t6", "t5"]);
    expect(ring.evicted).toBe(4);
    // Only t4's span, pushed out by the span bound, is a lost span as well.
    expect(ring.dropped).toBe(1);
  });

  it("caps spans per trace and counts what it dropped", () => {
    const ring = new TraceRing(5, 2);
    const touched = ring.add(["a", "b", "c"].map((spanId) => span({ traceId: "t", spanId })));
    expect(ring.get("t").map((s) => s.spanId)).toEqual(["a", "b"]);
    expect(ring.dropped).toBe(1);
    expect(touched).toEqual(new Set(["t"]));
  });
});

describe("trace summaries", () => {
  const trace = [
    span({ traceId: "t", spanId: "c", parentSpanId: "b", nodeId: "billing", startUnixMs: 1010, durationMs: 40, status: SpanStatus.TIMEOUT }),
    span({ traceId: "t", spanId: "a", nodeId: "client", startUnixMs: 1000, durationMs: 100 }),
    span({ traceId: "t", spanId: "b", parentSpanId: "a", nodeId: "orders", startUnixMs: 1000, durationMs: 60, status: SpanStatus.ERROR }),
  ];

  it("orders spans by start, parents first on ties", () => {
    expect(causalOrder(trace).map((s) => s.spanId)).toEqual(["a", "b", "c"]);
  });

  it("names the root node, the time taken, the worst status and the nodes in order", () => {
    expect(summarizeTrace(trace)).toMatchObject({
      traceId: "t",
      rootNodeId: "client",
      startUnixMs: 1000,
      durationMs: 100,
      spanCount: 3,
      status: SpanStatus.TIMEOUT,
      nodeIds: ["client", "orders", "billing"],
      rootSeen: true,
    });
  });

  it("says the root has not arrived while only a callee's spans are in", () => {
    const partial = trace.filter((s) => s.spanId !== "a");
    expect(summarizeTrace(partial)).toMatchObject({ rootSeen: false, nodeIds: ["orders", "billing"] });
  });
});

describe("edge latency", () => {
  const sparse = (ms: number, count: number) => {
    const histogram = new LatencyHistogram();
    histogram.record(ms, count);
    return histogram.toSparse();
  };

  it("gives window percentiles and a rate from the hosts' deltas", () => {
    const book = new EdgeLatencyBook();
    const now = 100_000;
    book.add("e", now - 2 * SLOT_MS, { send: sparse(10, 30) });
    book.add("e", now - SLOT_MS, { send: sparse(10, 60), wait: sparse(4, 5) });
    book.add("e", now - SLOT_MS + 10, { send: sparse(200, 10) });
    const stats = book.stats("e", now);
    // The last two whole slots: 60 + 10 + 30 = 100 sends in a second.
    expect(stats.ratePerSecond).toBe(100);
    expect(stats.p50Ms).toBeCloseTo(10, 0);
    expect(stats.p99Ms).toBeGreaterThan(190);
    expect(stats.waitP50Ms).toBeCloseTo(4, 0);
    expect(book.stats("unknown", now)).toMatchObject({ ratePerSecond: 0, p50Ms: 0 });
  });

  it("forgets deltas past the window but keeps them for the whole-run percentiles", () => {
    const book = new EdgeLatencyBook();
    book.add("e", 1_000, { send: sparse(50, 10) });
    expect(book.stats("e", 1_000 + LATENCY_WINDOW_MS + SLOT_MS).p50Ms).toBe(0);
    expect(book.runStats("e").p50Ms).toBeCloseTo(50, -1);
  });
});
