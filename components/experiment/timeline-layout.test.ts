import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { ActiveFaultSchema } from "@/lib/gen/ipcplay/v1/playground_pb";
import { FaultKind, NodeKind, Transport } from "@/lib/gen/ipcplay/v1/topology_pb";
import { TEMPLATES } from "@/lib/topology/templates";
import { createEdge, createNode, emptyTopology } from "@/lib/topology";
import { kindsFor, targetOf } from "@/components/faults/fault-kinds";
import { entryProblems, faultLabel, faultParamsText, newEntry, whenText, withKind } from "./fault-words";
import { axisEnd, barBox, buildLanes, happenedBars, packRows, runUpUnixMs, secondsLabel, tickStep, ticks, xPercent } from "./timeline-layout";

describe("time axis", () => {
  it("shows at least a minute, and reaches the schedule's end and now, rounded to a whole tick", () => {
    expect(axisEnd([], null)).toBe(60);
    expect(axisEnd([{ atS: 5, durationS: 12 }], null)).toBe(60);
    expect(axisEnd([{ atS: 50, durationS: 20 }], null)).toBe(90);
    expect(axisEnd([{ atS: 5, durationS: 0 }], 61)).toBe(90);
    expect(axisEnd([], 400)).toBe(420);
    expect(axisEnd([], 10, 75)).toBe(90);
  });

  it("chooses a tick step that keeps labels apart on the width it has", () => {
    expect(tickStep(60, 800)).toBe(5);
    expect(tickStep(60, 400)).toBe(10);
    expect(tickStep(60, 200)).toBe(30);
    expect(tickStep(600, 1000)).toBe(60);
    expect(tickStep(60, 0)).toBe(1800);
    const t = ticks(60, 10);
    expect(t.map((x) => x.s)).toEqual([0, 10, 20, 30, 40, 50, 60]);
    expect(t[6].label).toBe("1 min");
    expect(secondsLabel(150)).toBe("2:30");
    expect(secondsLabel(45)).toBe("45 s");
  });

  it("maps seconds to percent of the track, clamped, and keeps short bars visible", () => {
    expect(xPercent(15, 60)).toBe(25);
    expect(xPercent(-1, 60)).toBe(0);
    expect(xPercent(90, 60)).toBe(100);
    expect(barBox(5, 17, 60)).toEqual({ left: (5 / 60) * 100, width: (12 / 60) * 100 });
    expect(barBox(5, Infinity, 60).width).toBeCloseTo(100 - (5 / 60) * 100);
    expect(barBox(10, 10, 60).width).toBe(0.6);
    expect(barBox(60, 60, 60).left).toBeCloseTo(99.4);
  });
});

describe("lanes", () => {
  it("packs overlapping spans into rows, reusing a row once it is free", () => {
    expect(packRows([{ fromS: 0, toS: 10 }, { fromS: 5, toS: 8 }, { fromS: 10, toS: 12 }])).toEqual({ rows: [0, 1, 0], count: 2 });
    expect(packRows([{ fromS: 0, toS: Infinity }, { fromS: 30, toS: 40 }])).toEqual({ rows: [0, 1], count: 2 });
    expect(packRows([])).toEqual({ rows: [], count: 0 });
  });

  it("gives each target one lane, schedule first, with plan and happened rows apart", () => {
    const planned = [
      { nodeId: "db-a", fromS: 5, toS: 20 },
      { nodeId: "db-b", fromS: 5, toS: 20 },
      { nodeId: "db-a", fromS: 10, toS: 12 },
    ];
    const happened = [
      { edgeId: "a-b", fromS: 1, toS: 3 },
      { nodeId: "db-a", fromS: 5, toS: 20 },
    ];
    const lanes = buildLanes(planned, happened);
    expect(lanes.map((l) => l.key)).toEqual(["node:db-a", "node:db-b", "edge:a-b"]);
    expect(lanes[0].plannedRows).toBe(2);
    expect(lanes[0].planned.map((p) => p.row)).toEqual([0, 1]);
    expect(lanes[0].happenedRows).toBe(1);
    expect(lanes[2]).toMatchObject({ target: { edgeId: "a-b" }, plannedRows: 0, happenedRows: 1 });
  });

  it("places what happened on the run's clock: ended faults where they ended, faults in force up to now", () => {
    const started = 1_000_000;
    const past = create(ActiveFaultSchema, {
      fault: { nodeId: "b", kind: FaultKind.KILL },
      startedUnixMs: started + 1000,
      endsUnixMs: started + 3000,
      scheduled: true,
    });
    const active = create(ActiveFaultSchema, { fault: { edgeId: "a-b", kind: FaultKind.LATENCY, latencyMs: 300 }, startedUnixMs: started + 4000, endsUnixMs: started + 60_000 });
    const openEnded = create(ActiveFaultSchema, { fault: { nodeId: "c", kind: FaultKind.PAUSE }, startedUnixMs: started + 2000 });
    const noStart = create(ActiveFaultSchema, { fault: { nodeId: "c", kind: FaultKind.KILL } });
    const bars = happenedBars([active, openEnded, noStart], [past], started, 10);
    expect(bars.map((b) => [b.fromS, b.toS, b.active, b.scheduled])).toEqual([
      [1, 3, false, true],
      [4, 10, true, false],
      [2, 10, true, false],
    ]);
  });
});

describe("when the run was up", () => {
  const started = 1_000_000;
  const schedule = [
    { atS: 5, nodeId: "pricing", edgeId: "", kind: FaultKind.LATENCY },
    { atS: 2, nodeId: "shop", edgeId: "", kind: FaultKind.KILL },
  ];
  it("reads it off a fault the schedule injected, at_s after the run was up", () => {
    const injected = create(ActiveFaultSchema, { fault: { nodeId: "pricing", kind: FaultKind.LATENCY }, startedUnixMs: started + 6200, scheduled: true });
    const byHand = create(ActiveFaultSchema, { fault: { nodeId: "shop", kind: FaultKind.KILL }, startedUnixMs: started + 2100 });
    expect(runUpUnixMs(started, [injected, byHand], schedule, started + 1500)).toBe(started + 1200);
  });
  it("takes the moment the page saw it running until then, else the start", () => {
    expect(runUpUnixMs(started, [], schedule, started + 1500)).toBe(started + 1500);
    expect(runUpUnixMs(started, [], schedule, null)).toBe(started);
  });
});

describe("fault words", () => {
  const t = emptyTopology("t");
  t.nodes = [createNode(NodeKind.CLIENT, "client", { x: 0, y: 0 }), createNode(NodeKind.SERVICE, "svc", { x: 0, y: 0 }), createNode(NodeKind.SERVICE, "w", { x: 0, y: 0 })];
  t.edges = [createEdge("client-svc", "client", "svc", Transport.REST), createEdge("svc-w", "svc", "w", Transport.QUEUE)];

  const on = (ids: { nodeId?: string; edgeId?: string }) => kindsFor(targetOf(t, ids));

  it("offers the kinds the gate accepts on the target, in the inspector's order", () => {
    expect(on({ nodeId: "svc" })).toEqual([FaultKind.KILL, FaultKind.PAUSE, FaultKind.LATENCY, FaultKind.ERRORS, FaultKind.CRASH_LOOP]);
    expect(on({ nodeId: "client" })).toEqual([FaultKind.KILL, FaultKind.PAUSE, FaultKind.CRASH_LOOP]);
    expect(on({ edgeId: "client-svc" })).toEqual([
      FaultKind.LATENCY,
      FaultKind.ERRORS,
      FaultKind.BLACKHOLE,
      FaultKind.BANDWIDTH,
      FaultKind.RESET,
      FaultKind.PARTITION,
    ]);
    // PARTITION on a queue is DISCONNECT by another name: the gate takes it, the picker lists it once.
    expect(on({ edgeId: "svc-w" })).toEqual([FaultKind.DISCONNECT, FaultKind.SLOW_CONSUMER, FaultKind.ERRORS, FaultKind.DUPLICATE, FaultKind.LATENCY]);
    expect(on({ edgeId: "gone" })).toEqual([]);
  });

  it("makes new entries the gate accepts as they are, for every kind on every target", async () => {
    const { scheduleProblems } = await import("@/lib/faults/schedule");
    for (const ids of [{ nodeId: "svc" }, { nodeId: "client" }, { edgeId: "client-svc" }, { edgeId: "svc-w" }]) {
      expect(newEntry(t, ids).kind).toBe(on(ids)[0]);
      for (const kind of [...on(ids), ...(ids.edgeId === "svc-w" ? [FaultKind.PARTITION] : [])]) {
        const copy = { ...t, schedule: [withKind(newEntry(t, ids), kind, targetOf(t, ids))] };
        expect(scheduleProblems(copy), `${JSON.stringify(ids)} ${FaultKind[kind]}`).toEqual([]);
      }
    }
  });

  it("labels a fault in plain words, and describes it as the run log does", () => {
    const base = { latencyMs: 0, jitterMs: 0, errorRate: 0, statusCode: 0, bandwidthKbps: 0, intervalMs: 0 };
    const service = { type: "node", client: false } as const;
    const rest = { type: "edge", transport: Transport.REST } as const;
    const connect = { type: "edge", transport: Transport.CONNECT } as const;
    const queue = { type: "edge", transport: Transport.QUEUE } as const;
    expect(faultLabel({ ...base, kind: FaultKind.KILL }, service)).toBe("kill");
    expect(faultLabel({ ...base, kind: FaultKind.LATENCY, latencyMs: 300 }, rest)).toBe("latency 300 ms");
    expect(faultLabel({ ...base, kind: FaultKind.LATENCY, latencyMs: 300, jitterMs: 50 }, rest)).toBe("latency 300 ms ± 50 ms");
    expect(faultLabel({ ...base, kind: FaultKind.LATENCY, latencyMs: 1000 }, service)).toBe("slow down +1000 ms");
    expect(faultLabel({ ...base, kind: FaultKind.LATENCY, latencyMs: 300 }, queue)).toBe("broker latency 300 ms");
    expect(faultLabel({ ...base, kind: FaultKind.ERRORS, errorRate: 0.9 }, service)).toBe("errors 90 %");
    expect(faultLabel({ ...base, kind: FaultKind.ERRORS, errorRate: 0.5, statusCode: 503 }, rest)).toBe("errors 50 % · 503");
    expect(faultLabel({ ...base, kind: FaultKind.ERRORS, errorRate: 0.5 }, connect)).toBe("errors 50 % · unavailable");
    expect(faultLabel({ ...base, kind: FaultKind.ERRORS, errorRate: 0.2 }, queue)).toBe("poison 20 %");
    expect(faultLabel({ ...base, kind: FaultKind.DUPLICATE }, queue)).toBe("duplicate 100 %");
    expect(faultLabel({ ...base, kind: FaultKind.BANDWIDTH, bandwidthKbps: 64 }, rest)).toBe("bandwidth 64 KB/s");
    expect(faultLabel({ ...base, kind: FaultKind.CRASH_LOOP, intervalMs: 3000 }, service)).toBe("crash loop every 3 s");
    expect(faultParamsText({ ...base, kind: FaultKind.LATENCY, latencyMs: 300, jitterMs: 20 }, { edgeId: "a-b" })).toBe("LATENCY 300 ms ± 20 ms");
    expect(whenText(5, 12)).toBe("starts at 5 s, lasts 12 s (until 17 s)");
    expect(whenText(5, 0)).toBe("starts at 5 s, until the run stops");
  });

  it("reads every shipped template's schedule", () => {
    for (const template of TEMPLATES) {
      for (const entry of template.topology.schedule) {
        expect(faultLabel(entry, targetOf(template.topology, entry))).not.toBe("fault");
      }
    }
  });
});

describe("entry problems", () => {
  it("picks one entry's problems by path and names other entries as a person counts them", () => {
    const problems = [
      { path: "schedule[0].latencyMs", message: "LATENCY needs 1..60000 ms, got 0." },
      { path: "schedule[1]", message: "overlaps schedule[0]: both put KILL on node b between 20 s and 30 s" },
      { path: "schedule[10].atS", message: "x" },
      { path: "nodes[1].id", message: "y" },
    ];
    expect(entryProblems(problems, 0)).toEqual([{ field: "latencyMs", message: "LATENCY needs 1..60000 ms, got 0." }]);
    expect(entryProblems(problems, 1)).toEqual([{ field: "", message: "overlaps fault 1: both put KILL on node b between 20 s and 30 s" }]);
    expect(entryProblems(problems, 2)).toEqual([]);
  });
});
