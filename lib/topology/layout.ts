import dagre from "@dagrejs/dagre";
import type { Topology } from "@/lib/gen/ipcplay/v1/topology_pb";

/** Sizes and gaps for {@link autoLayout}, in canvas pixels. */
export interface LayoutOptions {
  /** The drawn size of a node card. */
  nodeWidth: number;
  nodeHeight: number;
  /** Horizontal gap between columns (ranks): room for an edge's label. */
  rankGap: number;
  /** Vertical gap between nodes of one column. */
  nodeGap: number;
  /** Positions are rounded to this grid (1 for none). */
  grid: number;
}

/** The canvas's node card (216 × 92) with room for a transport label between columns. */
export const DEFAULT_LAYOUT: LayoutOptions = { nodeWidth: 216, nodeHeight: 92, rankGap: 120, nodeGap: 48, grid: 20 };

/**
 * Top-left positions that lay the topology out left to right: clients first,
 * each edge pointing right where the graph allows (cycles are broken by
 * dagre), nodes of a column stacked without overlap. Pure: the topology is
 * not changed, and the same topology always gives the same positions.
 * The layout keeps the old top-left corner, so the drawing does not jump away.
 *
 * @example
 * const at = autoLayout(topology);
 * at.get("orders"); // { x: 340, y: 0 }
 */
export function autoLayout(topology: Topology, options: Partial<LayoutOptions> = {}): Map<string, { x: number; y: number }> {
  const o = { ...DEFAULT_LAYOUT, ...options };
  const out = new Map<string, { x: number; y: number }>();
  if (topology.nodes.length === 0) return out;

  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: "LR", ranksep: o.rankGap, nodesep: o.nodeGap, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of topology.nodes) g.setNode(node.id, { width: o.nodeWidth, height: o.nodeHeight });
  const ids = new Set(topology.nodes.map((n) => n.id));
  for (const edge of topology.edges) {
    // An edge to a missing node (an invalid document) is left for the problem marks.
    if (ids.has(edge.source) && ids.has(edge.target) && edge.source !== edge.target) {
      g.setEdge(edge.source, edge.target, {}, edge.id);
    }
  }
  dagre.layout(g);

  // dagre gives centres; the canvas wants top-left corners, anchored where the drawing was.
  const minX = Math.min(...topology.nodes.map((n) => n.position?.x ?? 0));
  const minY = Math.min(...topology.nodes.map((n) => n.position?.y ?? 0));
  const laid = topology.nodes.map((n) => {
    const { x, y } = g.node(n.id);
    return { id: n.id, x: x - o.nodeWidth / 2, y: y - o.nodeHeight / 2 };
  });
  const left = Math.min(...laid.map((p) => p.x));
  const top = Math.min(...laid.map((p) => p.y));
  const snap = (v: number) => Math.round(v / o.grid) * o.grid;
  for (const p of laid) out.set(p.id, { x: snap(minX + p.x - left), y: snap(minY + p.y - top) });
  return out;
}
