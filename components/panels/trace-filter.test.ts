import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { SpanStatus, TraceSummarySchema } from "@/lib/gen/ipcplay/v1/playground_pb";
import { countText, crossedEdge, filterTraces, isFiltering, NO_FILTER } from "./trace-filter";

const trace = (traceId: string, status: SpanStatus, durationMs: number, nodeIds: string[]) =>
  create(TraceSummarySchema, { traceId, status, durationMs, nodeIds, rootNodeId: nodeIds[0], rootSeen: true });

const traces = [
  trace("a", SpanStatus.OK, 10, ["client", "gw", "be"]),
  trace("b", SpanStatus.ERROR, 50, ["client", "gw", "be"]),
  trace("c", SpanStatus.TIMEOUT, 900, ["client", "gw"]),
  trace("d", SpanStatus.OK, 300, ["client", "gw", "cache"]),
];
const ends = { "gw-be": { source: "gw", target: "be" }, "gw-cache": { source: "gw", target: "cache" } };

describe("filterTraces", () => {
  it("keeps the very list when nothing filters", () => {
    expect(filterTraces(traces, NO_FILTER, {}, ends)).toBe(traces);
    expect(isFiltering(NO_FILTER)).toBe(false);
  });

  it("filters by status", () => {
    const ids = (f: Partial<typeof NO_FILTER>) => filterTraces(traces, { ...NO_FILTER, ...f }, {}, ends).map((t) => t.traceId);
    expect(ids({ status: "ok" })).toEqual(["a", "d"]);
    expect(ids({ status: "error" })).toEqual(["b"]);
    expect(ids({ status: "timeout" })).toEqual(["c"]);
    expect(ids({ status: "failed" })).toEqual(["b", "c"]);
  });

  it("filters by service, minimum duration, and both", () => {
    const ids = (f: Partial<typeof NO_FILTER>) => filterTraces(traces, { ...NO_FILTER, ...f }, {}, ends).map((t) => t.traceId);
    expect(ids({ service: "be" })).toEqual(["a", "b"]);
    expect(ids({ minMs: 100 })).toEqual(["c", "d"]);
    expect(ids({ service: "gw", minMs: 40, status: "failed" })).toEqual(["b", "c"]);
  });

  it("filters by edge: by the spans in hand, else by the path", () => {
    const spans = { a: [{ edgeId: "client-gw" }, { edgeId: "gw-be" }], d: [{ edgeId: "client-gw" }] };
    const ids = filterTraces(traces, { ...NO_FILTER, edge: "gw-be" }, spans, ends).map((t) => t.traceId);
    // a by its spans; b by its path; d's spans say it never crossed gw-be.
    expect(ids).toEqual(["a", "b"]);
    expect(crossedEdge(traces[0], undefined, "unknown", undefined)).toBe(false);
  });

  it("counts", () => {
    expect(countText(3, 500, true)).toBe("3 of 500 traces");
    expect(countText(1, 1, false)).toBe("1 trace");
    expect(countText(1200, 1200, false)).toBe("1,200 traces");
  });
});
