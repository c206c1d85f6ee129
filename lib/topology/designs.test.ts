import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { NodeKind, Transport, TrafficSchema } from "@/lib/gen/ipcplay/v1/topology_pb";
import { createEdge, createNode, emptyTopology } from "./factory";
import { findDesigns, sameLoad } from "./designs";
import { findTemplate } from "./templates";

describe("findDesigns", () => {
  it("finds the two designs of the sync-vs-async template, fed by one client", () => {
    const t = findTemplate("sync-vs-async")!.topology;
    const designs = findDesigns(t);
    expect(designs.map((d) => d.name)).toEqual(["Sync API", "Async API"]);
    expect(designs[0].nodeIds.sort()).toEqual(["sync-api", "sync-worker"]);
    expect(designs[1].nodeIds.sort()).toEqual(["async-api", "async-worker"]);
    expect(designs[1].entryEdgeIds).toHaveLength(1);
    expect(designs[1].edgeIds).toHaveLength(2);
    expect(sameLoad(t, designs[0], designs[1])).toEqual({ same: true });
  });

  it("a chain is one design; a service no client reaches is none", () => {
    const t = findTemplate("rest-chain")!.topology;
    expect(findDesigns(t)).toHaveLength(1);
    const lonely = emptyTopology("t");
    lonely.nodes.push(createNode(NodeKind.SERVICE, "orphan", { x: 0, y: 0 }));
    expect(findDesigns(lonely)).toEqual([]);
  });

  it("two clients with different traffic are not the same load, and it says why", () => {
    const t = emptyTopology("t");
    t.nodes.push(createNode(NodeKind.CLIENT, "ca", { x: 0, y: 0 }), createNode(NodeKind.CLIENT, "cb", { x: 0, y: 200 }));
    t.nodes.push(createNode(NodeKind.SERVICE, "a", { x: 300, y: 0 }), createNode(NodeKind.SERVICE, "b", { x: 300, y: 200 }));
    t.edges.push(createEdge("ca-a", "ca", "a", Transport.REST), createEdge("cb-b", "cb", "b", Transport.REST));
    const [a, b] = findDesigns(t);
    expect(sameLoad(t, a, b)).toEqual({ same: true });
    t.nodes[1].traffic = create(TrafficSchema, { ...t.nodes[0].traffic!, ratePerSecond: (t.nodes[0].traffic?.ratePerSecond ?? 1) + 5 });
    const verdict = sameLoad(t, a, b);
    expect(verdict.same).toBe(false);
    expect(!verdict.same && verdict.why).toMatch(/send different traffic/);
  });
});
