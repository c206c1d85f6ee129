import { describe, expect, it } from "vitest";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { SpanSchema, SpanStatus, type Span } from "@/lib/gen/ipcplay/v1/playground_pb";
import { TraceRing } from "./trace-ring";
import { causalOrder, summarizeTrace } from "./trace-summary";
import { EdgeLatencyWindow, LATENCY_WINDOW_MS, percentile, RUN_RESERVOIR_SIZE } from "./edge-latency";

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
  it("takes nearest-rank percentiles", () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(values, 50), percentile(values, 95), percentile(values, 99)]).toEqual([50, 95, 99]);
    expect(percentile([], 50)).toBe(0);
    expect(percentile([7], 99)).toBe(7);
  });

  it("counts the last second for the rate and forgets samples past the window", () => {
    const window = new EdgeLatencyWindow();
    const now = 100_000;
    window.add("e", now - LATENCY_WINDOW_MS - 1, 1000);
    window.add("e", now - 5000, 30);
    for (let i = 0; i < 4; i++) window.add("e", now - 100 * i, 10);
    expect(window.stats("e", now)).toEqual({ ratePerSecond: 4, p50Ms: 10, p95Ms: 30, p99Ms: 30 });
    expect(window.stats("unknown", now)).toEqual({ ratePerSecond: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0 });
  });

  it("keeps whole-run percentiles after the window has moved on", () => {
    const window = new EdgeLatencyWindow();
    for (let i = 1; i <= 100; i++) window.add("e", 1_000 + i, i);
    expect(window.stats("e", 1_000_000).p50Ms).toBe(0);
    expect(window.runStats("e")).toEqual({ p50Ms: 50, p95Ms: 95, p99Ms: 99 });
  });

  it("samples every send alike once the run reservoir is full", () => {
    let seed = 1;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const window = new EdgeLatencyWindow(random);
    // Three equal thirds of 1, 2 and 3 ms. Keeping only the first sends would
    // give p95 = 1; keeping only the last, p50 = 3; a fair sample gives 2 and 3.
    const sends = RUN_RESERVOIR_SIZE * 3;
    for (let i = 0; i < sends; i++) window.add("e", i, 1 + Math.floor((3 * i) / sends));
    expect(window.runStats("e")).toMatchObject({ p50Ms: 2, p95Ms: 3 });
  });
});
