/**
 * What a running run does not have yet: the nodes and edges of the canvas
 * that differ from the topology the run last accepted (StartRun or a
 * successful UpdateRun). Positions do not count — moving a card changes
 * nothing that runs. Pure.
 */
import { clone, toJsonString } from "@bufbuild/protobuf";
import { EdgeSchema, NodeSchema, type Topology, TopologySchema } from "@/lib/gen/ipcplay/v1/topology_pb";

export interface LiveDiff {
  /** Nodes added or changed (by id). */
  nodes: string[];
  /** Edges added or changed (by id). */
  edges: string[];
  /** Ids gone from the canvas. */
  removedNodes: string[];
  removedEdges: string[];
  /** Document-level settings (hop limit) changed. */
  document: boolean;
}

function nodeKey(n: Topology["nodes"][number]): string {
  const c = clone(NodeSchema, n);
  c.position = undefined;
  return toJsonString(NodeSchema, c);
}

function edgeKey(e: Topology["edges"][number]): string {
  return toJsonString(EdgeSchema, e);
}

/** The part of a topology a running run cares about, as one string: equal strings = nothing to apply. */
export function runKey(t: Topology): string {
  const c = clone(TopologySchema, t);
  for (const n of c.nodes) n.position = undefined;
  c.name = "";
  c.description = "";
  return toJsonString(TopologySchema, c);
}

export function liveDiff(applied: Topology, now: Topology): LiveDiff {
  const beforeNodes = new Map(applied.nodes.map((n) => [n.id, nodeKey(n)]));
  const beforeEdges = new Map(applied.edges.map((e) => [e.id, edgeKey(e)]));
  const nodes = now.nodes.filter((n) => beforeNodes.get(n.id) !== nodeKey(n)).map((n) => n.id);
  const edges = now.edges.filter((e) => beforeEdges.get(e.id) !== edgeKey(e)).map((e) => e.id);
  const nowNodes = new Set(now.nodes.map((n) => n.id));
  const nowEdges = new Set(now.edges.map((e) => e.id));
  return {
    nodes,
    edges,
    removedNodes: applied.nodes.filter((n) => !nowNodes.has(n.id)).map((n) => n.id),
    removedEdges: applied.edges.filter((e) => !nowEdges.has(e.id)).map((e) => e.id),
    document: applied.hopLimit !== now.hopLimit,
  };
}

export function isEmptyDiff(d: LiveDiff): boolean {
  return !d.document && d.nodes.length + d.edges.length + d.removedNodes.length + d.removedEdges.length === 0;
}

/** "b: work time 2 ms → 50 ms · restarted c · started d" — what an UpdateRun did, one line. */
export function appliedSummary(r: { applied: readonly string[]; restarted: readonly string[]; started: readonly string[]; stopped: readonly string[] }): string {
  const parts = [...r.applied];
  if (r.restarted.length) parts.push(`restarted ${r.restarted.join(", ")}`);
  if (r.started.length) parts.push(`started ${r.started.join(", ")}`);
  if (r.stopped.length) parts.push(`stopped ${r.stopped.join(", ")}`);
  return parts.length ? parts.join(" · ") : "nothing that runs changed";
}
