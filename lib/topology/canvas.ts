import { clone, create } from "@bufbuild/protobuf";
// Type-only: erased at build time, so lib/ stays free of React at runtime.
import type { Edge as FlowEdge, Node as FlowNode } from "@xyflow/react";
import {
  EdgeSchema,
  NodeKind,
  NodeSchema,
  PositionSchema,
  ScheduledFaultSchema,
  TopologySchema,
  type Edge,
  type Node,
  type Topology,
} from "@/lib/gen/ipcplay/v1/topology_pb";

/** The custom node components the canvas registers, one per kind. */
export type CanvasNodeType = "service" | "client";

/** The node document rides in `data`; React Flow owns `id` and `position`. */
export type CanvasNodeData = { node: Node };
export type CanvasEdgeData = { edge: Edge };

/** A React Flow node carrying one topology node. Extra React Flow props are allowed. */
export type CanvasNode = FlowNode<CanvasNodeData, CanvasNodeType>;
/** A React Flow edge carrying one topology edge. Extra React Flow props are allowed. */
export type CanvasEdge = FlowEdge<CanvasEdgeData, "transport">;

/** The document fields that are not nodes or edges. */
/** The document's parts that are not nodes or edges, the fault schedule among them. */
export type TopologyMeta = Pick<Topology, "name" | "description" | "hopLimit" | "version" | "schedule">;

/** The canvas draws an unspecified kind (an invalid file) as a service; the problem marks it. */
function canvasNodeType(kind: NodeKind): CanvasNodeType {
  return kind === NodeKind.CLIENT ? "client" : "service";
}

/**
 * Nodes and edges for React Flow. Each carries a copy of its topology item in
 * `data`, so editing the canvas never changes the topology passed in.
 *
 * @example
 * const { nodes, edges } = topologyToCanvas(template.topology);
 * <ReactFlow nodes={nodes} edges={edges} nodeTypes={nodeTypes} edgeTypes={edgeTypes} />
 */
export function topologyToCanvas(t: Topology): { nodes: CanvasNode[]; edges: CanvasEdge[] } {
  return {
    nodes: t.nodes.map((node) => ({
      id: node.id,
      type: canvasNodeType(node.kind),
      position: { x: node.position?.x ?? 0, y: node.position?.y ?? 0 },
      data: { node: clone(NodeSchema, node) },
    })),
    edges: t.edges.map((edge) => ({
      id: edge.id,
      source: edge.source,
      target: edge.target,
      type: "transport" as const,
      data: { edge: clone(EdgeSchema, edge) },
    })),
  };
}

/** The React Flow props canvasToTopology reads; everything else (selected, measured…) is ignored. */
export type CanvasNodeInput = Pick<CanvasNode, "id" | "position"> & { data: CanvasNodeData };
export type CanvasEdgeInput = Pick<CanvasEdge, "id" | "source" | "target"> & { data?: CanvasEdgeData };

/**
 * The topology a canvas shows. What React Flow manages wins over the copy in
 * `data` — a node's id and position (dragging), an edge's id, source and target
 * (reconnecting) — and everything else comes from `data`. The result shares no
 * objects with the canvas. It is not validated: pass it through the gate
 * (`parseTopology(toJson(...))` or `acceptTopology`) before running it.
 */
export function canvasToTopology(
  meta: TopologyMeta,
  nodes: readonly CanvasNodeInput[],
  edges: readonly CanvasEdgeInput[],
): Topology {
  return create(TopologySchema, {
    name: meta.name,
    description: meta.description,
    hopLimit: meta.hopLimit,
    version: meta.version,
    schedule: meta.schedule.map((entry) => clone(ScheduledFaultSchema, entry)),
    nodes: nodes.map((canvasNode) => {
      const node = clone(NodeSchema, canvasNode.data.node);
      node.id = canvasNode.id;
      node.position = create(PositionSchema, { x: canvasNode.position.x, y: canvasNode.position.y });
      return node;
    }),
    edges: edges.map((canvasEdge) => {
      // An edge React Flow just drew may not carry data yet; the gate fills its settings.
      const edge = canvasEdge.data ? clone(EdgeSchema, canvasEdge.data.edge) : create(EdgeSchema);
      edge.id = canvasEdge.id;
      edge.source = canvasEdge.source;
      edge.target = canvasEdge.target;
      return edge;
    }),
  });
}

/** The meta part of a topology, for holding beside the canvas's nodes and edges. */
export function topologyMeta(t: Topology): TopologyMeta {
  return { name: t.name, description: t.description, hopLimit: t.hopLimit, version: t.version, schedule: t.schedule };
}
