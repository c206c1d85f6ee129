/**
 * The designs in one topology, for "Compare" (issue 10): a topology that holds
 * two ways of doing one job — sync and async, with and without a retry budget
 * — has its services in separate groups that only a client joins. Each group
 * (a connected component of the services, clients left out) is a design; the
 * edges from clients into it are its entries, so what a client sees of a
 * design is what its entries carry.
 *
 * Both designs answer the same load when one client feeds both (each message
 * takes every edge) or when their clients' traffic is the same; `sameLoad`
 * says which, or why not.
 *
 * Pure: no I/O.
 */
import { equals } from "@bufbuild/protobuf";
import { type Edge, NodeKind, type Topology, TrafficSchema } from "@/lib/gen/ipcplay/v1/topology_pb";

export interface Design {
  /** "Sync API", or "API + Worker" for a design with two entry services. */
  name: string;
  /** Its services. */
  nodeIds: string[];
  /** Edges from a client into it. */
  entryEdgeIds: string[];
  /** Every edge whose target is one of its services (entries included). */
  edgeIds: string[];
  /** The clients that feed it. */
  clientIds: string[];
}

export function findDesigns(topology: Topology): Design[] {
  const isClient = new Set(topology.nodes.filter((n) => n.kind === NodeKind.CLIENT).map((n) => n.id));
  const services = topology.nodes.filter((n) => !isClient.has(n.id));
  // Union-find over the services, joined by the edges between services.
  const parent = new Map(services.map((n) => [n.id, n.id]));
  const root = (id: string): string => {
    let r = id;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(id, r);
    return r;
  };
  for (const e of topology.edges) {
    if (parent.has(e.source) && parent.has(e.target)) parent.set(root(e.source), root(e.target));
  }
  const groups = new Map<string, string[]>();
  for (const n of services) groups.set(root(n.id), [...(groups.get(root(n.id)) ?? []), n.id]);

  const labelOf = new Map(topology.nodes.map((n) => [n.id, n.label || n.id]));
  const designs: Design[] = [];
  for (const nodeIds of groups.values()) {
    const members = new Set(nodeIds);
    const entries = topology.edges.filter((e) => isClient.has(e.source) && members.has(e.target));
    // A group no client reaches takes no load: not a design to compare.
    if (entries.length === 0) continue;
    const entryNodes = [...new Set(entries.map((e) => e.target))];
    designs.push({
      name: entryNodes.map((id) => labelOf.get(id)!).join(" + "),
      nodeIds,
      entryEdgeIds: entries.map((e) => e.id),
      edgeIds: topology.edges.filter((e) => members.has(e.target)).map((e) => e.id),
      clientIds: [...new Set(entries.map((e) => e.source))],
    });
  }
  // In the order the document lists their first entry edge: the canvas's top-to-bottom for templates.
  const firstEntry = (d: Design) => topology.edges.findIndex((e: Edge) => e.id === d.entryEdgeIds[0]);
  return designs.sort((a, b) => firstEntry(a) - firstEntry(b));
}

/** Whether two designs are fed the same load, and if not, why (for the Compare button's hint). */
export function sameLoad(topology: Topology, a: Design, b: Design): { same: true } | { same: false; why: string } {
  const clientsA = a.clientIds.join(",");
  if (clientsA === b.clientIds.join(",")) return { same: true };
  if (a.clientIds.length !== 1 || b.clientIds.length !== 1) {
    return { same: false, why: "each design must be fed by the same client, or by one client each with the same traffic" };
  }
  const traffic = (id: string) => topology.nodes.find((n) => n.id === id)?.traffic;
  const [ta, tb] = [traffic(a.clientIds[0]), traffic(b.clientIds[0])];
  if (ta && tb && equals(TrafficSchema, ta, tb)) return { same: true };
  const label = (id: string) => topology.nodes.find((n) => n.id === id)?.label || id;
  return { same: false, why: `${label(a.clientIds[0])} and ${label(b.clientIds[0])} send different traffic: give them the same rate, pattern and payload` };
}
