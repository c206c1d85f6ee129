import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { ActiveFaultSchema, EdgeCountersSchema, InjectFaultRequestSchema, NodeStatus, RunSummarySchema, type Span, SpanSchema, TraceSummarySchema } from "@/lib/gen/ipcplay/v1/playground_pb";
import { FaultKind } from "@/lib/gen/ipcplay/v1/topology_pb";
import { buildRunRecord, runsFromFileText, runsToFileText } from "@/lib/history/run-record";
import { findTemplate } from "@/lib/topology/templates";
import { pointsBy, prepareReplay, replayAt } from "./replay-state";

const topology = findTemplate("sync-vs-async")!.topology;
const EDGE = topology.edges[0].id;
const T0 = 1_000_000;

function span(traceId: string, start: number): Span {
  return create(SpanSchema, { traceId, spanId: `${traceId}-s`, nodeId: topology.nodes[0].id, edgeId: EDGE, startUnixMs: start, durationMs: 50 });
}

function record() {
  const spansByTrace: Record<string, Span[]> = { a: [span("a", T0 + 500)], b: [span("b", T0 + 2500)], c: [span("c", T0 + 3500)] };
  const traces = Object.keys(spansByTrace).map((id) => create(TraceSummarySchema, { traceId: id, startUnixMs: spansByTrace[id][0].startUnixMs, durationMs: 50, spanCount: 1 }));
  return buildRunRecord({
    runId: "r1",
    topology,
    summary: create(RunSummarySchema, { runId: "r1", durationMs: 4000, traces: 3, edges: [create(EdgeCountersSchema, { edgeId: EDGE, sent: 9, delivered: 7, failed: 2, p95Ms: 40, subscribers: 0 })] }),
    startedUnixMs: T0,
    stoppedUnixMs: T0 + 4000,
    faults: [create(ActiveFaultSchema, { fault: create(InjectFaultRequestSchema, { nodeId: topology.nodes[1].id, kind: FaultKind.KILL }), startedUnixMs: T0 + 1500, endsUnixMs: T0 + 2500 })],
    series: {
      timestampsUnixMs: [T0 + 1000, T0 + 2000, T0 + 3000, T0 + 4000],
      series: [
        { subject: "edge", id: EDGE, metric: "sent", values: [2, 3, 0, 4] },
        { subject: "edge", id: EDGE, metric: "delivered", values: [2, 1, 0, 4] },
        { subject: "edge", id: EDGE, metric: "failed", values: [0, 2, 0, 0] },
        { subject: "edge", id: EDGE, metric: "failed:timed out", values: [0, 2, 0, 0] },
        { subject: "edge", id: EDGE, metric: "p95_ms", values: [10, 30, 0, 40] },
        { subject: "node", id: topology.nodes[1].id, metric: "handled_per_s", values: [2, 1, 0, 4] },
      ],
    },
    spansByTrace,
    traces,
  });
}

describe("replay", () => {
  it("finds the points at or before a time", () => {
    expect(pointsBy([1, 2, 3], 0)).toBe(0);
    expect(pointsBy([1, 2, 3], 2)).toBe(2);
    expect(pointsBy([1, 2, 3], 9)).toBe(3);
  });

  it("shows nothing at the start", () => {
    const f = replayAt(prepareReplay(record()), 0);
    expect(f.edgeCounters[EDGE]).toMatchObject({ sent: 0, delivered: 0, failed: 0, p95Ms: 0 });
    expect(f.traces).toEqual([]);
    expect(f.faults).toEqual([]);
    expect(f.atEnd).toBe(false);
  });

  it("adds the counts up to t and reads the levels at t", () => {
    const f = replayAt(prepareReplay(record()), 2.2);
    expect(f.edgeCounters[EDGE]).toMatchObject({ sent: 5, delivered: 3, failed: 2, ratePerSecond: 3, p95Ms: 30 });
    expect(f.edgeCounters[EDGE].failedBy.map((o) => [o.outcome, o.count])).toEqual([["timed out", 2]]);
    expect(f.summary.durationMs).toBe(2200);
    expect(f.summary.edges[0].sent).toBe(5);
    expect(f.nodes[topology.nodes[1].id].ratePerSecond).toBe(1);
  });

  it("has the faults in force at t, and the node a kill took down", () => {
    const r = prepareReplay(record());
    const during = replayAt(r, 2);
    expect(during.faults).toHaveLength(1);
    expect(during.nodes[topology.nodes[1].id].status).toBe(NodeStatus.DOWN);
    const after = replayAt(r, 3);
    expect(after.faults).toHaveLength(0);
    expect(after.pastFaults).toHaveLength(1);
    expect(after.nodes[topology.nodes[1].id].status).toBe(NodeStatus.UP);
  });

  it("lists the traces begun by t, newest first, with their spans kept", () => {
    const r = prepareReplay(record());
    expect(replayAt(r, 3).traces.map((t) => t.traceId)).toEqual(["b", "a"]);
    expect(r.spansByTrace.b).toHaveLength(1);
  });

  it("ends on the summary's numbers, and clamps past the end", () => {
    const f = replayAt(prepareReplay(record()), 99);
    expect(f.t).toBe(4);
    expect(f.atEnd).toBe(true);
    expect(f.edgeCounters[EDGE]).toMatchObject({ sent: 9, delivered: 7, failed: 2, p95Ms: 40 });
    expect(f.summary.durationMs).toBe(4000);
    expect(f.traceCount).toBe(3);
  });

  it("survives the runs file, and replays a record kept before replay (no traces)", () => {
    const back = runsFromFileText(runsToFileText([record()]));
    expect(back.problems).toEqual([]);
    expect(prepareReplay(back.runs[0]).traces).toHaveLength(3);
    const old = { ...record(), traces: undefined, spans: undefined };
    expect(replayAt(prepareReplay(old), 4).traces).toEqual([]);
  });
});

describe("the traces a record keeps for replay", () => {
  it("are whole traces the page held, the newest first, within the span budget", async () => {
    const { replayTraces } = await import("@/lib/history/run-record");
    const spans = (id: string, n: number) => Array.from({ length: n }, (_, i) => create(SpanSchema, { traceId: id, spanId: `${id}${i}` }));
    const traces = ["old", "mid", "new", "gone"].map((id, i) => create(TraceSummarySchema, { traceId: id, startUnixMs: i }));
    const kept = replayTraces(traces, { old: spans("old", 2), mid: spans("mid", 3), new: spans("new", 2) }, 4);
    expect(kept.traces!.map((t) => (t as { traceId: string }).traceId)).toEqual(["new", "old"]);
    expect(kept.spans).toHaveLength(4);
  });
});
