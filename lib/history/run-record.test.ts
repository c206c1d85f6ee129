import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { ActiveFaultSchema, EdgeCountersSchema, EndToEndSchema, InjectFaultRequestSchema, OutcomeCountSchema, RunSummarySchema, type Span, SpanSchema } from "@/lib/gen/ipcplay/v1/playground_pb";
import { FaultKind } from "@/lib/gen/ipcplay/v1/topology_pb";
import { findTemplate } from "@/lib/topology/templates";
import { compareRows, deltaText, sideStats } from "./compare";
import { buildRunRecord, designTimes, openRecord, RUN_RECORD_FORMAT, runsFromFileText, runsToFileText } from "./run-record";

const topology = findTemplate("sync-vs-async")!.topology;
const edgeId = (source: string, target: string) => topology.edges.find((e) => e.source === source && e.target === target)!.id;
const SYNC_ENTRY = edgeId("client", "sync-api");
const ASYNC_ENTRY = edgeId("client", "async-api");
const SYNC_INNER = edgeId("sync-api", "sync-worker");
const ASYNC_INNER = edgeId("async-api", "async-worker");

function span(traceId: string, nodeId: string, edgeId: string, start: number, duration: number): Span {
  return create(SpanSchema, { traceId, spanId: `${traceId}-${nodeId}-${start}`, nodeId, edgeId, startUnixMs: start, durationMs: duration });
}

/** One message: the client's two calls, the sync path waiting on its worker, the async path queueing for later. */
function trace(id: string, t0: number, asyncWaitMs: number) {
  return [
    span(id, "client", SYNC_ENTRY, t0, 320),
    span(id, "sync-api", SYNC_ENTRY, t0 + 1, 318),
    span(id, "sync-worker", SYNC_INNER, t0 + 5, 300),
    span(id, "client", ASYNC_ENTRY, t0, 12),
    span(id, "async-api", ASYNC_ENTRY, t0 + 1, 10),
    span(id, "async-worker", ASYNC_INNER, t0 + 10 + asyncWaitMs, 300),
  ];
}

const summary = create(RunSummarySchema, {
  runId: "r1",
  durationMs: 10_000,
  edges: [
    create(EdgeCountersSchema, { edgeId: SYNC_ENTRY, sent: 30, delivered: 20, failed: 10, p50Ms: 320, p95Ms: 1000, p99Ms: 1000, failedBy: [create(OutcomeCountSchema, { outcome: "timed out", count: 10 })] }),
    create(EdgeCountersSchema, { edgeId: SYNC_INNER, sent: 30, delivered: 20, failed: 10, failedBy: [create(OutcomeCountSchema, { outcome: "caller died", count: 10 })] }),
    create(EdgeCountersSchema, { edgeId: ASYNC_ENTRY, sent: 30, delivered: 30, p50Ms: 12, p95Ms: 20, p99Ms: 25 }),
    create(EdgeCountersSchema, { edgeId: ASYNC_INNER, sent: 30, delivered: 30 }),
  ],
  endToEnd: create(EndToEndSchema, { traces: 30, p50Ms: 330, p95Ms: 900, p99Ms: 1000, maxMs: 1000 }),
});

function record() {
  const spansByTrace: Record<string, Span[]> = {};
  for (let i = 0; i < 10; i++) spansByTrace[`t${i}`] = trace(`t${i}`, 1_000_000 + i * 1000, i * 100);
  return buildRunRecord({
    runId: "r1",
    topology,
    summary,
    startedUnixMs: 1_000_000,
    stoppedUnixMs: 1_010_000,
    faults: [create(ActiveFaultSchema, { fault: create(InjectFaultRequestSchema, { nodeId: "sync-worker", kind: FaultKind.KILL }), startedUnixMs: 1_003_000, endsUnixMs: 1_006_000 })],
    series: {
      timestampsUnixMs: [1_001_000, 1_002_000, 1_003_000],
      series: [
        { subject: "edge", id: ASYNC_ENTRY, metric: "delivered", values: [3, 3, 4] },
        { subject: "edge", id: SYNC_ENTRY, metric: "delivered", values: [3, 1, 0] },
        { subject: "queue", id: "async-worker", metric: "waiting", values: [0, 5, 9] },
      ],
    },
    spansByTrace,
  });
}

describe("run records", () => {
  it("keep, per design, the time until its work on each message was done", () => {
    const r = record();
    expect(r.format).toBe(RUN_RECORD_FORMAT);
    expect(r.designs.map((d) => d.name)).toEqual(["Sync API", "Async API"]);
    const [sync, async] = r.designs;
    // Sync: the client's call (320 ms) is the whole of it. Async: 10 ms to queue, a wait of 0–900 ms, 300 ms of work.
    expect(sync.endToEnd).toMatchObject({ traces: 10, p50Ms: 320, maxMs: 320 });
    expect(async.endToEnd.traces).toBe(10);
    expect(async.endToEnd.p50Ms).toBe(10 + 400 + 300);
    expect(async.endToEnd.maxMs).toBe(10 + 900 + 300);
  });

  it("a trace that never entered a design is not counted for it", () => {
    const onlySync = { a: trace("a", 0, 0).filter((s) => s.nodeId.startsWith("sync") || s.edgeId === SYNC_ENTRY) };
    expect(designTimes(onlySync, new Set(["async-api", "async-worker"]), new Set([ASYNC_ENTRY])).traces).toBe(0);
  });

  it("round-trip through a file; a bad file names each bad run and keeps the good ones", () => {
    const r = record();
    const back = runsFromFileText(runsToFileText([r]));
    expect(back.problems).toEqual([]);
    expect(back.runs).toEqual([JSON.parse(JSON.stringify(r))]);
    expect(openRecord(back.runs[0]).faults[0].fault?.kind).toBe(FaultKind.KILL);

    const broken = JSON.parse(runsToFileText([r, r, r]));
    broken.runs[1].series.series[0].values = [1];
    broken.runs[2].topology = { nodes: "no" };
    const result = runsFromFileText(JSON.stringify(broken));
    expect(result.runs).toHaveLength(1);
    expect(result.problems).toHaveLength(2);
    expect(result.problems[0]).toMatch(/^runs\[1\]\.series\.series\[0\]: expected subject, id, metric and 3 values/);
    expect(result.problems[1]).toMatch(/^runs\[2\]\.topology: /);
    expect(runsFromFileText("{").problems[0]).toMatch(/^not JSON/);
    expect(runsFromFileText('{"format":"x"}').problems[0]).toMatch(/^not a runs file/);
  });
});

describe("comparing two designs of one run", () => {
  it("sets the sync and the async design side by side: the client's call, the work done, errors by outcome, queue depth", () => {
    const opened = openRecord(record());
    const [syncSide, asyncSide] = opened.record.designs.map((design) => sideStats({ opened, design }));
    expect(syncSide.label).toBe("Sync vs async · Sync API");
    expect(syncSide).toMatchObject({ sent: 30, delivered: 20, failed: 10, lost: 0, durationS: 10 });
    // Throughput is over the seconds measured (three points here), not the wall time with start-up.
    expect(syncSide.measuredS).toBe(3);
    expect(syncSide.throughputPerS).toBeCloseTo(20 / 3);
    expect(asyncSide.throughputPerS).toBe(10);
    expect(syncSide.clientLatency).toEqual({ p50Ms: 320, p95Ms: 1000, p99Ms: 1000 });
    expect(asyncSide.clientLatency).toEqual({ p50Ms: 12, p95Ms: 20, p99Ms: 25 });
    expect(syncSide.outcomes).toEqual([
      { outcome: "timed out", failed: 10, lost: 0 },
      { outcome: "caller died", failed: 10, lost: 0 },
    ]);
    expect(asyncSide.outcomes).toEqual([]);
    expect(syncSide.series.seconds).toEqual([0, 1, 2]);
    expect(asyncSide.series.delivered).toEqual([3, 3, 4]);
    // The template's queue ("async-worker") is the async design's.
    expect(syncSide.series.queueWaiting).toEqual([0, 0, 0]);
    expect(asyncSide.series.queueWaiting).toEqual([0, 5, 9]);

    const rows = compareRows(syncSide, asyncSide);
    const row = (key: string) => rows.find((r) => r.key === key)!;
    expect(deltaText(row("client-p50"))).toEqual({ text: "26.7× less", tone: "better" });
    expect(deltaText(row("throughput"))).toEqual({ text: "+50%", tone: "better" });
    expect(deltaText(row("e2e-p50")).tone).toBe("worse");
    expect(row("outcome:timed out")).toMatchObject({ a: 10, b: 0 });
    expect(deltaText(row("lost"))).toEqual({ text: "", tone: "same" });
    // Down to nothing reads as such, never as "Infinity× less".
    expect(deltaText(row("failed"))).toEqual({ text: "none", tone: "better" });
    // More sent is a longer run, not a better design: shown, not coloured.
    expect(deltaText(row("delivered"))).toEqual({ text: "+50%", tone: "same" });
  });

  it("a whole run is one side: every client edge is an entry and the summary's end-to-end is its", () => {
    const opened = openRecord(record());
    const whole = sideStats({ opened });
    expect(whole.sent).toBe(60);
    expect(whole.endToEnd.p95Ms).toBe(900);
  });
});
