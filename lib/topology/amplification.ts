/**
 * Fan-out amplification: the most deliveries one message can cause in a
 * topology, worst case, so the gate can refuse one that turns a message into
 * thousands (issue 11: 3 self-loops with fan-out ALL and hop limit 6 made 364
 * deliveries of one message; 63 of them with hop limit 64 would make 63^64).
 *
 * The model is the runtime's (server/host/message-flow.ts): a message at a
 * node that may still cross `h` edges is forwarded along its outgoing groups
 * — every group with fan-out ALL, one (the worst, here) with ROUND_ROBIN or
 * RANDOM — where a REST/Connect edge is one group, queue edges sharing a
 * channel are one group whose job one consumer takes, and pub/sub edges
 * sharing a topic are one group whose publish every subscriber gets. Each
 * crossing is a delivery. A message may start at any node (SendMessage
 * reaches services too), with the whole hop limit. Retries and queue attempts
 * are not counted: they are bounded by their own limits, and the runtime's
 * per-message cap stops what they add.
 */
import { FanOut, Transport, type Edge, type Topology } from "@/lib/gen/ipcplay/v1/topology_pb";
import type { Problem } from "@/lib/run/problem";
import { DEFAULTS, LIMITS } from "./limits";

export interface Amplification {
  /** The most deliveries one message can cause (may be Infinity past floating point). */
  deliveries: number;
  /** The node a message starting there causes them from. */
  from: string;
  /** A cycle reachable from it (node ids, the first repeated at the end), when there is one. */
  cycle?: string[];
}

/** One outgoing group of a node: the targets it delivers to, and whether one or all of them get a message. */
interface Group {
  targets: string[];
  /** A publish reaches every subscriber; a job or a call one target. */
  all: boolean;
}

/** The worst case over every node a message may start at. */
export function worstAmplification(t: Topology): Amplification {
  const hopLimit = t.hopLimit || DEFAULTS.hopLimit;
  const ids = new Set(t.nodes.map((node) => node.id));
  const groups = new Map<string, Group[]>(t.nodes.map((node) => [node.id, groupsOf(t.edges.filter((edge) => edge.source === node.id && ids.has(edge.target)))]));
  const fanOut = new Map(t.nodes.map((node) => [node.id, node.behavior?.fanOut ?? FanOut.UNSPECIFIED]));
  // deliveries[h] by node: what a message at the node causes when it may still cross h edges.
  let previous = new Map(t.nodes.map((node) => [node.id, 0]));
  for (let h = 1; h <= hopLimit; h++) {
    const next = new Map<string, number>();
    for (const node of t.nodes) {
      const costs = (groups.get(node.id) ?? []).map((group) => {
        const each = group.targets.map((target) => 1 + (previous.get(target) ?? 0));
        return group.all ? each.reduce((sum, cost) => sum + cost, 0) : Math.max(0, ...each);
      });
      const all = fanOut.get(node.id) === FanOut.ALL || fanOut.get(node.id) === FanOut.UNSPECIFIED;
      next.set(node.id, all ? costs.reduce((sum, cost) => sum + cost, 0) : Math.max(0, ...costs));
    }
    previous = next;
  }
  let worst: Amplification = { deliveries: 0, from: t.nodes[0]?.id ?? "" };
  for (const [nodeId, deliveries] of previous) if (deliveries > worst.deliveries) worst = { deliveries, from: nodeId };
  const cycle = cycleFrom(worst.from, groups);
  return cycle ? { ...worst, cycle } : worst;
}

/** The gate's problem when the worst case passes LIMITS.maxDeliveriesPerMessage; none otherwise. */
export function amplificationProblems(t: Topology, cap: number = LIMITS.maxDeliveriesPerMessage): Problem[] {
  const worst = worstAmplification(t);
  if (worst.deliveries <= cap) return [];
  const hopLimit = t.hopLimit || DEFAULTS.hopLimit;
  const amount = worst.deliveries > 1e9 ? `about ${worst.deliveries.toExponential(1)}` : Math.round(worst.deliveries).toLocaleString("en-US");
  const cause = worst.cycle
    ? `the cycle ${worst.cycle.join(" → ")} (${cycleEdges(t, worst.cycle)}) repeats it on every hop up to the hop limit of ${hopLimit}`
    : `fan-out ALL multiplies it on every hop up to the hop limit of ${hopLimit}`;
  // Pointed at where it is fixed: the fan-out of the cycle's first node (or of the node it starts at).
  const at = t.nodes.findIndex((node) => node.id === (worst.cycle?.[0] ?? worst.from));
  return [
    {
      path: at >= 0 ? `nodes[${at}].behavior.fanOut` : "hopLimit",
      message:
        `one message sent to "${worst.from}" can cause up to ${amount} deliveries, at most ${cap.toLocaleString("en-US")} are allowed: ${cause}; ` +
        `lower the hop limit, use ROUND_ROBIN or RANDOM fan-out there, or break the cycle`,
    },
  ];
}

function groupsOf(edges: readonly Edge[]): Group[] {
  const byKey = new Map<string, Group>();
  for (const edge of edges) {
    const channel = channelOf(edge);
    const key = channel === undefined ? `edge:${edge.id}` : `${edge.transport}:${channel}`;
    const group = byKey.get(key) ?? { targets: [], all: edge.transport === Transport.PUBSUB };
    group.targets.push(edge.target);
    byKey.set(key, group);
  }
  return [...byKey.values()];
}

/** As the runtime groups asynchronous edges (server/host/transports/channel-groups.ts). */
function channelOf(edge: Edge): string | undefined {
  if (edge.transport === Transport.QUEUE) return (edge.settings.case === "queue" ? edge.settings.value.channel : "") || edge.target;
  if (edge.transport === Transport.PUBSUB) return (edge.settings.case === "pubsub" ? edge.settings.value.channel : "") || DEFAULTS.pubsubChannel;
  return undefined;
}

/** A cycle reachable from `start` (depth first; the first edge back to a node on the path closes it). */
function cycleFrom(start: string, groups: ReadonlyMap<string, Group[]>): string[] | undefined {
  const path: string[] = [];
  const onPath = new Set<string>();
  const done = new Set<string>();
  const visit = (nodeId: string): string[] | undefined => {
    path.push(nodeId);
    onPath.add(nodeId);
    for (const target of new Set((groups.get(nodeId) ?? []).flatMap((group) => group.targets))) {
      if (onPath.has(target)) return [...path.slice(path.indexOf(target)), target];
      if (done.has(target)) continue;
      const found = visit(target);
      if (found) return found;
    }
    path.pop();
    onPath.delete(nodeId);
    done.add(nodeId);
    return undefined;
  };
  return visit(start);
}

/** The cycle's edges by id (a few, then how many more). */
function cycleEdges(t: Topology, cycle: readonly string[]): string {
  const ids: string[] = [];
  for (let index = 0; index + 1 < cycle.length; index++) {
    for (const edge of t.edges) if (edge.source === cycle[index] && edge.target === cycle[index + 1]) ids.push(edge.id);
  }
  const shown = ids.slice(0, 5).join(", ");
  return `edge${ids.length === 1 ? "" : "s"} ${shown}${ids.length > 5 ? ` and ${ids.length - 5} more` : ""}`;
}
