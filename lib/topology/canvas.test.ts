import { create, equals } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { Delivery, FaultKind, NodeKind, ScheduledFaultSchema, TopologySchema, Transport, type Topology } from "@/lib/gen/ipcplay/v1/topology_pb";
import { canvasToTopology, topologyMeta, topologyToCanvas, type CanvasNode } from "./canvas";
import { createEdge, createNode, emptyTopology } from "./factory";

/** client → api over every transport, with non-default values to catch lost fields. */
function allTransports(): Topology {
  const t = emptyTopology("All four");
  t.description = "Every transport once.";
  t.hopLimit = 5;
  t.nodes.push(
    createNode(NodeKind.CLIENT, "client", { x: 0, y: 0 }),
    createNode(NodeKind.SERVICE, "api", { x: 240, y: 0 }),
    createNode(NodeKind.SERVICE, "worker", { x: 480, y: -70.5 }),
    createNode(NodeKind.SERVICE, "audit", { x: 480, y: 70 }),
  );
  t.nodes[1].label = "API";
  t.nodes[1].behavior!.errorRate = 0.25;
  t.edges.push(
    createEdge("client-api", "client", "api", Transport.REST),
    createEdge("api-worker", "api", "worker", Transport.CONNECT),
    createEdge("api-worker-queue", "api", "worker", Transport.QUEUE),
    createEdge("api-audit", "api", "audit", Transport.PUBSUB),
  );
  const pubsub = t.edges[3].settings;
  if (pubsub.case === "pubsub") pubsub.value.delivery = Delivery.DURABLE;
  // An experiment rides in the document too (a share link carries it).
  t.schedule.push(create(ScheduledFaultSchema, { atS: 10, durationS: 20, edgeId: "client-api", kind: FaultKind.LATENCY, latencyMs: 300, jitterMs: 50 }));
  return t;
}

describe("canvas ⇄ topology", () => {
  it("round-trips a topology with all four transports", () => {
    const original = allTransports();
    const { nodes, edges } = topologyToCanvas(original);
    const back = canvasToTopology(topologyMeta(original), nodes, edges);
    expect(equals(TopologySchema, original, back)).toBe(true);
  });

  it("gives React Flow the id, type, position and edge ends it needs", () => {
    const { nodes, edges } = topologyToCanvas(allTransports());
    expect(nodes.map((n) => [n.id, n.type])).toEqual([
      ["client", "client"],
      ["api", "service"],
      ["worker", "service"],
      ["audit", "service"],
    ]);
    expect(nodes[2].position).toEqual({ x: 480, y: -70.5 });
    expect(edges[1]).toMatchObject({ id: "api-worker", source: "api", target: "worker", type: "transport" });
  });

  it("lets the canvas's position, ids and edge ends win and ignores React Flow's extra props", () => {
    const original = allTransports();
    const { nodes, edges } = topologyToCanvas(original);
    const dragged: CanvasNode = { ...nodes[1], position: { x: 300, y: 42 }, selected: true, measured: { width: 180, height: 64 }, width: 180 };
    const reconnected = { ...edges[0], target: "worker", selected: true, animated: true };
    const back = canvasToTopology(topologyMeta(original), [nodes[0], dragged, ...nodes.slice(2)], [reconnected, ...edges.slice(1)]);
    expect(back.nodes[1].position).toMatchObject({ x: 300, y: 42 });
    expect(back.edges[0].target).toBe("worker");
    expect(back.nodes[1].label).toBe("API");
    expect(Object.keys(back.nodes[1])).not.toContain("selected");
  });

  it("shares no objects between the topology and the canvas", () => {
    const original = allTransports();
    const { nodes } = topologyToCanvas(original);
    nodes[1].data.node.label = "changed on the canvas";
    expect(original.nodes[1].label).toBe("API");
    const back = canvasToTopology(topologyMeta(original), nodes, []);
    back.nodes[1].label = "changed in the result";
    expect(nodes[1].data.node.label).toBe("changed on the canvas");
  });

  it("accepts an edge React Flow drew without data yet", () => {
    const back = canvasToTopology(topologyMeta(emptyTopology()), [], [{ id: "a-b", source: "a", target: "b" }]);
    expect(back.edges[0]).toMatchObject({ id: "a-b", source: "a", target: "b", transport: Transport.UNSPECIFIED });
  });
});
