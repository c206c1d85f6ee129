import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { EdgeCountersSchema, RunSummarySchema } from "@/lib/gen/ipcplay/v1/playground_pb";
import { findTemplate } from "@/lib/topology/templates";
import { historyRow, MAX_KEPT_RUNS, newestFirst, overlay, planImport, runsPastCap } from "./history-list";
import { buildRunRecord, type RunRecord } from "./run-record";

const topology = findTemplate("sync-vs-async")!.topology;
const edgeId = (source: string, target: string) => topology.edges.find((e) => e.source === source && e.target === target)!.id;

function run(runId: string, stoppedUnixMs: number): RunRecord {
  return buildRunRecord({
    runId,
    topology,
    summary: create(RunSummarySchema, {
      runId,
      durationMs: 10_000,
      edges: [
        create(EdgeCountersSchema, { edgeId: edgeId("client", "sync-api"), sent: 30, delivered: 25, failed: 5, p50Ms: 320, p95Ms: 1000 }),
        create(EdgeCountersSchema, { edgeId: edgeId("client", "async-api"), sent: 30, delivered: 29, lost: 1, p50Ms: 12, p95Ms: 20 }),
        // Not an entry: the list counts what the clients sent, not every hop.
        create(EdgeCountersSchema, { edgeId: edgeId("sync-api", "sync-worker"), sent: 30, delivered: 25, failed: 5, p50Ms: 300, p95Ms: 5000 }),
      ],
    }),
    startedUnixMs: stoppedUnixMs - 10_000,
    stoppedUnixMs,
    faults: [],
    series: { timestampsUnixMs: [], series: [] },
    spansByTrace: {},
  });
}

describe("the history list", () => {
  it("a row counts what the clients sent and the slowest entry's latency, and names the designs", () => {
    expect(historyRow(run("r1", 50_000))).toEqual({
      runId: "r1",
      name: "Sync vs async",
      startedUnixMs: 40_000,
      stoppedUnixMs: 50_000,
      durationMs: 10_000,
      sent: 60,
      delivered: 54,
      failed: 5,
      lost: 1,
      p50Ms: 320,
      p95Ms: 1000,
      designs: ["Sync API", "Async API"],
    });
  });

  it("is newest first and keeps at most the cap: the oldest stops go", () => {
    const runs = [run("b", 2), run("a", 3), run("c", 1)];
    expect(newestFirst(runs).map((r) => r.runId)).toEqual(["a", "b", "c"]);
    expect(runsPastCap(runs, 2)).toEqual(["c"]);
    expect(runsPastCap(runs, 3)).toEqual([]);
    const many = Array.from({ length: MAX_KEPT_RUNS + 3 }, (_, i) => ({ runId: `r${i}`, stoppedUnixMs: i }));
    expect(runsPastCap(many)).toEqual(["r2", "r1", "r0"]);
  });

  it("an import adds only runs not kept yet, and never pushes newer runs out with older ones", () => {
    const kept = [run("a", 100), run("b", 200)];
    const plan = planImport(kept, [run("b", 200), run("new", 300), run("old", 50), run("new", 300)], 3);
    expect(plan.add.map((r) => r.runId)).toEqual(["new"]);
    expect(plan.duplicates).toBe(2);
    // With room for three, "old" (stopped before every kept run) would be the one dropped: it is not stored.
    expect(plan.pastCap).toBe(1);
    expect(planImport([], [run("x", 1), run("y", 2)]).add.map((r) => r.runId)).toEqual(["y", "x"]);
  });
});

describe("overlay on seconds since the start", () => {
  it("puts both sides on whole seconds; the shorter one ends in gaps, not zeros", () => {
    const o = overlay([
      { seconds: [0, 1, 2], values: [5, 6, 7] },
      { seconds: [0, 1.002, 2, 3.4, 4], values: [1, 2, 3, 4, 0] },
    ]);
    expect(o.seconds).toEqual([0, 1, 2, 3, 4]);
    expect(o.columns[0]).toEqual([5, 6, 7, null, null]);
    expect(o.columns[1]).toEqual([1, 2, 3, 4, 0]);
  });

  it("no points: an empty axis", () => {
    expect(overlay([{ seconds: [], values: [] }])).toEqual({ seconds: [], columns: [[]] });
  });
});
