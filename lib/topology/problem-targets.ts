import type { Problem } from "@/lib/run/problem";
import type { Topology } from "@/lib/gen/ipcplay/v1/topology_pb";

/** Problems sorted by what the canvas should mark. */
export interface ProblemTargets {
  /** By node id. */
  nodes: Map<string, Problem[]>;
  /** By edge id. */
  edges: Map<string, Problem[]>;
  /** About the whole document, or about an item whose index is out of range. */
  document: Problem[];
}

const ITEM_PATH = /^(nodes|edges)\[(\d+)\](?:[.[]|$)/;

/**
 * Maps problems to the nodes and edges they are about, by the index at the
 * start of their path (`nodes[2].behavior.errorRate` → the id of nodes[2]),
 * so the canvas can mark the offending items and the inspector list their problems.
 *
 * Items are keyed by id; when two items share an id (itself a problem), both
 * collect under that id, which still marks the right place on the canvas.
 *
 * @example
 * problemTargets(t, [{ path: "edges[1].target", message: "…" }]).edges.get("client-orders");
 */
export function problemTargets(topology: Topology, problems: readonly Problem[]): ProblemTargets {
  const targets: ProblemTargets = { nodes: new Map(), edges: new Map(), document: [] };
  for (const problem of problems) {
    const match = ITEM_PATH.exec(problem.path);
    const list = match?.[1] as "nodes" | "edges" | undefined;
    const item = match && list ? topology[list][Number(match[2])] : undefined;
    if (!list || !item) {
      targets.document.push(problem);
      continue;
    }
    const byId = targets[list];
    const existing = byId.get(item.id);
    if (existing) existing.push(problem);
    else byId.set(item.id, [problem]);
  }
  return targets;
}
