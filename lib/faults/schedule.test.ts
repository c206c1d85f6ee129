import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { FaultKind, NodeKind, ScheduledFaultSchema, Transport } from "@/lib/gen/ipcplay/v1/topology_pb";
import { createEdge, createNode, emptyTopology } from "@/lib/topology/factory";
import { retargetSchedule, scheduleProblems, scheduleSteps } from "./schedule";

function topology(schedule: MessageInitShape<typeof ScheduledFaultSchema>[]) {
  const t = emptyTopology("experiment");
  t.nodes.push(createNode(NodeKind.CLIENT, "client", { x: 0, y: 0 }), createNode(NodeKind.SERVICE, "b", { x: 200, y: 0 }));
  t.edges.push(createEdge("client-b", "client", "b", Transport.REST));
  t.schedule = schedule.map((entry) => create(ScheduledFaultSchema, entry));
  return t;
}

describe("scheduleProblems", () => {
  it("accepts entries on existing targets that do not overlap", () => {
    const t = topology([
      { atS: 10, durationS: 20, edgeId: "client-b", kind: FaultKind.LATENCY, latencyMs: 300 },
      { atS: 30, durationS: 5, edgeId: "client-b", kind: FaultKind.LATENCY, latencyMs: 100 },
      { atS: 15, durationS: 0, nodeId: "b", kind: FaultKind.PAUSE },
    ]);
    expect(scheduleProblems(t)).toEqual([]);
  });

  it("names every bad time and target with its path", () => {
    const t = topology([
      { atS: -1, durationS: 5, nodeId: "b", kind: FaultKind.PAUSE },
      { atS: 1, durationS: 99_999, edgeId: "nope", kind: FaultKind.LATENCY },
      { atS: 1, nodeId: "b", edgeId: "client-b", kind: FaultKind.ERRORS },
      { atS: 1, nodeId: "ghost", kind: FaultKind.UNSPECIFIED },
    ]);
    expect(scheduleProblems(t).map((p) => p.path)).toEqual([
      "schedule[0].atS",
      "schedule[1].durationS",
      "schedule[1].edgeId",
      "schedule[2]",
      "schedule[3].nodeId",
      "schedule[3].kind",
    ]);
  });

  it("refuses a schedule that overlaps itself on one target and kind, saying when", () => {
    const t = topology([
      { atS: 10, durationS: 20, edgeId: "client-b", kind: FaultKind.LATENCY, latencyMs: 300 },
      { atS: 25, durationS: 10, edgeId: "client-b", kind: FaultKind.LATENCY, latencyMs: 100 },
      { atS: 5, durationS: 0, nodeId: "b", kind: FaultKind.PAUSE },
      { atS: 50, durationS: 0, nodeId: "b", kind: FaultKind.PAUSE },
    ]);
    expect(scheduleProblems(t)).toEqual([
      { path: "schedule[1]", message: expect.stringContaining("overlaps schedule[0]: both put LATENCY on edge client-b between 25 s and 30 s") },
      { path: "schedule[3]", message: expect.stringContaining("overlaps schedule[2]: both put PAUSE on node b from 50 s on") },
    ]);
  });

  it("checks each entry's kind and parameters by InjectFault's rules, at the field's path", () => {
    const t = topology([
      { atS: 1, durationS: 5, edgeId: "client-b", kind: FaultKind.LATENCY },
      { atS: 1, durationS: 5, edgeId: "client-b", kind: FaultKind.DUPLICATE },
      { atS: 1, durationS: 5, nodeId: "b", kind: FaultKind.ERRORS, errorRate: 0.5 },
      { atS: 9, durationS: 5, edgeId: "client-b", kind: FaultKind.ERRORS, errorRate: 0.5, statusCode: 200 },
    ]);
    expect(scheduleProblems(t)).toEqual([
      { path: "schedule[0].latencyMs", message: "LATENCY needs 1..60000 ms, got 0." },
      { path: "schedule[1].kind", message: "DUPLICATE is for queue and pub/sub edges; edge client-b is a REST edge." },
      { path: "schedule[3].statusCode", message: "an HTTP error status 400..599 on a REST edge, got 200." },
    ]);
  });

  it("lets different kinds on one target overlap", () => {
    const t = topology([
      { atS: 0, durationS: 10, edgeId: "client-b", kind: FaultKind.LATENCY, latencyMs: 300 },
      { atS: 0, durationS: 10, edgeId: "client-b", kind: FaultKind.ERRORS, errorRate: 0.5 },
    ]);
    expect(scheduleProblems(t)).toEqual([]);
  });

  it("caps the number of entries", () => {
    const many = Array.from({ length: 33 }, (_, i) => ({ atS: i * 2, durationS: 1, nodeId: "b", kind: FaultKind.PAUSE }));
    expect(scheduleProblems(topology(many))[0]).toEqual({ path: "schedule", message: "has 33 faults; at most 32 are allowed" });
  });
});

describe("scheduleSteps", () => {
  it("orders injections by time, keeping the document's order for equal times", () => {
    const t = topology([
      { atS: 2, nodeId: "b", kind: FaultKind.PAUSE },
      { atS: 0.5, edgeId: "client-b", kind: FaultKind.LATENCY },
      { atS: 2, edgeId: "client-b", kind: FaultKind.ERRORS },
    ]);
    expect(scheduleSteps(t.schedule).map((step) => [step.atMs, step.index])).toEqual([
      [500, 1],
      [2000, 0],
      [2000, 2],
    ]);
  });
});

describe("retargetSchedule", () => {
  const t = topology([
    { atS: 1, nodeId: "b", kind: FaultKind.PAUSE },
    { atS: 2, edgeId: "client-b", kind: FaultKind.LATENCY, latencyMs: 300 },
  ]);

  it("follows renamed nodes and edges", () => {
    const moved = retargetSchedule(t.schedule, { nodes: new Map([["b", "billing"]]), edges: new Map([["client-b", "client-billing"]]) }, {
      nodeIds: new Set(["client", "billing"]),
      edgeIds: new Set(["client-billing"]),
    });
    expect(moved.map((entry) => [entry.nodeId, entry.edgeId, entry.latencyMs])).toEqual([
      ["billing", "", 0],
      ["", "client-billing", 300],
    ]);
    expect(t.schedule[0].nodeId).toBe("b");
  });

  it("drops entries whose target was deleted, and returns the same array when nothing changed", () => {
    expect(retargetSchedule(t.schedule, {}, { nodeIds: new Set(["client", "b"]), edgeIds: new Set() }).map((e) => e.nodeId)).toEqual(["b"]);
    expect(retargetSchedule(t.schedule, {}, { nodeIds: new Set(["client", "b"]), edgeIds: new Set(["client-b"]) })).toBe(t.schedule);
  });
});
