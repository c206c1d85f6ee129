import { clone, create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { NodeKind, TopologySchema, Transport } from "@/lib/gen/ipcplay/v1/topology_pb";
import { appliedSummary, isEmptyDiff, liveDiff, runKey } from "./live-diff";

const base = create(TopologySchema, {
  name: "t",
  hopLimit: 8,
  nodes: [
    { id: "a", kind: NodeKind.CLIENT, position: { x: 0, y: 0 }, traffic: { ratePerSecond: 1 } },
    { id: "b", kind: NodeKind.SERVICE, position: { x: 300, y: 0 }, behavior: { concurrency: 4 } },
  ],
  edges: [{ id: "a-b", source: "a", target: "b", transport: Transport.REST, settings: { case: "rest", value: { timeoutMs: 1000 } } }],
});

describe("liveDiff", () => {
  it("ignores moves and names", () => {
    const moved = clone(TopologySchema, base);
    moved.nodes[1].position = { $typeName: "ipcplay.v1.Position", x: 1, y: 2 };
    moved.name = "renamed";
    expect(isEmptyDiff(liveDiff(base, moved))).toBe(true);
    expect(runKey(moved)).toBe(runKey(base));
  });
  it("names what changed, came and went", () => {
    const now = clone(TopologySchema, base);
    now.nodes[1].behavior!.concurrency = 8;
    now.edges = [];
    now.nodes.push(create(TopologySchema, { nodes: [{ id: "c", kind: NodeKind.SERVICE }] }).nodes[0]);
    const d = liveDiff(base, now);
    expect(d).toEqual({ nodes: ["b", "c"], edges: [], removedNodes: [], removedEdges: ["a-b"], document: false });
    expect(isEmptyDiff(d)).toBe(false);
    expect(runKey(now)).not.toBe(runKey(base));
  });
});

describe("appliedSummary", () => {
  it("lists what an update did", () => {
    expect(appliedSummary({ applied: ["b: work time 2 ms → 50 ms"], restarted: ["c"], started: [], stopped: ["d"] })).toBe(
      "b: work time 2 ms → 50 ms · restarted c · stopped d",
    );
    expect(appliedSummary({ applied: [], restarted: [], started: [], stopped: [] })).toBe("nothing that runs changed");
  });
});
