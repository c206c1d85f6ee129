import { clone, create } from "@bufbuild/protobuf";
import { EdgeSchema, NodeSchema, PositionSchema, TopologySchema, type Edge, type Node, type Topology } from "@/lib/gen/ipcplay/v1/topology_pb";
import { uniqueEdgeId, uniqueNodeId } from "./factory";

/** What Copy keeps: some nodes and the edges that run between them. */
export interface NodeClip {
  nodes: Node[];
  edges: Edge[];
}

/**
 * The selected nodes and every edge whose two ends are both selected (an edge
 * to a node left behind would dangle once pasted). Copies, so later edits of
 * the canvas do not reach the clip.
 *
 * @example copyNodes(t, ["orders", "billing"]); // { nodes: [orders, billing], edges: [orders-billing] }
 */
export function copyNodes(topology: Topology, ids: Iterable<string>): NodeClip {
  const chosen = new Set(ids);
  return {
    nodes: topology.nodes.filter((n) => chosen.has(n.id)).map((n) => clone(NodeSchema, n)),
    edges: topology.edges.filter((e) => chosen.has(e.source) && chosen.has(e.target)).map((e) => clone(EdgeSchema, e)),
  };
}

/**
 * The clip's nodes and edges as they go into `topology`: every node gets a
 * fresh id made from its old one ("orders" → "orders-2"), every edge a fresh
 * id after its new ends, and positions move by `offset`. Labels and settings
 * are kept as they are — a pasted queue worker still reads the same channel,
 * which makes it one more competing consumer. Does not change its arguments.
 *
 * @example
 * const { nodes, edges } = pasteNodes(t, clip, { x: 40, y: 40 });
 * t.nodes.push(...nodes); t.edges.push(...edges);
 */
export function pasteNodes(topology: Topology, clip: NodeClip, offset: { x: number; y: number }): NodeClip {
  // Grows as the paste goes on, so two pasted nodes never get the same id.
  const taken = create(TopologySchema, { nodes: [...topology.nodes], edges: [...topology.edges] });
  const ids = new Map<string, string>();
  const nodes = clip.nodes.map((n) => {
    const node = clone(NodeSchema, n);
    node.id = uniqueNodeId(taken, n.id);
    node.position = create(PositionSchema, { x: (n.position?.x ?? 0) + offset.x, y: (n.position?.y ?? 0) + offset.y });
    ids.set(n.id, node.id);
    taken.nodes.push(node);
    return node;
  });
  const edges = clip.edges.flatMap((e) => {
    const source = ids.get(e.source);
    const target = ids.get(e.target);
    if (!source || !target) return [];
    const edge = clone(EdgeSchema, e);
    edge.source = source;
    edge.target = target;
    edge.id = uniqueEdgeId(taken, source, target);
    taken.edges.push(edge);
    return [edge];
  });
  return { nodes, edges };
}
