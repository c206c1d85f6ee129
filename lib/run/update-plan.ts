/**
 * Which processes an UpdateRun starts, stops or starts again; every other node
 * of the run takes its new settings live, in the same process.
 *
 * A running host cannot change, without a new process:
 * - what it listens on: its listeners (an HTTP server knowing its edges, a
 *   BullMQ Worker, a subscription) are opened once, with the inbound edges of
 *   that moment. So a node that gains an inbound edge, or whose inbound edge
 *   now comes from elsewhere or over another transport/channel, starts again.
 *   A synchronous inbound edge that goes away needs nothing (nobody calls it
 *   any more); an asynchronous one does — its consumer would keep taking the
 *   channel's messages.
 * - its consumers' concurrency (a Worker's and a stream reader's are fixed at
 *   start), when it consumes a queue or topic.
 * - an asynchronous sender to a channel it already sends to: a producer numbers
 *   its jobs and publishes per process and channel (RunKeys.jobId, the
 *   published counters the server audits after a death), and a second sender
 *   would number from 1 again — BullMQ would take a repeated job id as a
 *   duplicate and drop the job. A sender to a channel new to the process is
 *   fine.
 * Everything else — behaviour, traffic, the settings of outgoing synchronous
 * edges, new or removed outgoing edges, queue job options — is applied live.
 */
import { Delivery, Transport, type Edge, type Topology } from "@/lib/gen/ipcplay/v1/topology_pb";
import { DEFAULTS } from "@/lib/topology/limits";
import { addedEdgeSentence, removedEdgeSentence, type TopologyDiff } from "./topology-diff";

export interface UpdatePlan {
  /** Nodes to start (new), in topology order. */
  start: string[];
  /** Nodes to stop and forget. */
  stop: string[];
  /** Nodes to start again, each with why. */
  restart: Map<string, string>;
  /** Nodes that stay in their process (their changed config, if any, is sent to it). */
  keep: string[];
}

/**
 * @param asyncGroupsUsed per node, the channel keys (`groupKeyOf`) its current
 *   process has had a sender for, since it started (see the module's comment).
 */
export function planUpdate(
  before: Topology,
  after: Topology,
  diff: TopologyDiff,
  asyncGroupsUsed: ReadonlyMap<string, ReadonlySet<string>> = new Map(),
): UpdatePlan {
  const removed = new Set(diff.removedNodes);
  const added = new Set(diff.addedNodes);
  const restart = new Map<string, string>();
  for (const node of after.nodes) {
    if (added.has(node.id)) continue;
    const reason = restartReason(node.id, before, after, diff, asyncGroupsUsed.get(node.id) ?? new Set());
    if (reason) restart.set(node.id, reason);
  }
  return {
    start: after.nodes.filter((node) => added.has(node.id)).map((node) => node.id),
    stop: before.nodes.filter((node) => removed.has(node.id)).map((node) => node.id),
    restart,
    keep: after.nodes.filter((node) => !added.has(node.id) && !restart.has(node.id)).map((node) => node.id),
  };
}

function restartReason(
  nodeId: string,
  before: Topology,
  after: Topology,
  diff: TopologyDiff,
  used: ReadonlySet<string>,
): string | undefined {
  const change = diff.changedNodes.find((candidate) => candidate.nodeId === nodeId);
  if (change?.fields.includes("kind")) return "its kind changed";

  const inboundBefore = new Map(before.edges.filter((edge) => edge.target === nodeId).map((edge) => [edge.id, edge]));
  const inboundAfter = after.edges.filter((edge) => edge.target === nodeId);
  for (const edge of inboundAfter) {
    const old = inboundBefore.get(edge.id);
    if (!old) return `it listens on a new edge, ${edge.id}`;
    if (listenSignature(old) !== listenSignature(edge)) return `its inbound edge ${edge.id} now arrives differently`;
  }
  const stillInbound = new Set(inboundAfter.map((edge) => edge.id));
  for (const edge of inboundBefore.values()) {
    if (!stillInbound.has(edge.id) && isAsync(edge)) return `it must stop consuming edge ${edge.id}'s ${channelOf(edge)}`;
  }
  if (change?.fields.includes("behavior.concurrency") && inboundAfter.some(isAsync)) {
    return "its queue and topic consumers take the concurrency when they start";
  }

  const groupsBefore = asyncGroups(before.edges.filter((edge) => edge.source === nodeId));
  const groupsAfter = asyncGroups(after.edges.filter((edge) => edge.source === nodeId));
  for (const [key, members] of groupsAfter) {
    const old = groupsBefore.get(key);
    if (old === members) continue;
    if (old !== undefined) return `its sender to ${key} changes its edges`;
    if (used.has(key)) return `it sent to ${key} before, and a new sender would number its messages from 1 again`;
  }
  return undefined;
}

/** What decides which listener an inbound edge reaches and how its messages are told apart. */
function listenSignature(edge: Edge): string {
  const delivery = edge.settings.case === "pubsub" ? edge.settings.value.delivery : Delivery.UNSPECIFIED;
  return `${edge.source}|${edge.transport}|${channelOf(edge) ?? ""}|${delivery}`;
}

function isAsync(edge: Edge): boolean {
  return edge.transport === Transport.QUEUE || edge.transport === Transport.PUBSUB;
}

/** A node's asynchronous outgoing edges by channel key → their ids and deliveries, as one comparable string. */
function asyncGroups(edges: readonly Edge[]): Map<string, string> {
  const groups = new Map<string, string[]>();
  for (const edge of edges) {
    if (!isAsync(edge)) continue;
    const key = groupKeyOf(edge)!;
    const delivery = edge.settings.case === "pubsub" ? edge.settings.value.delivery : 0;
    groups.set(key, [...(groups.get(key) ?? []), `${edge.id}/${delivery}`]);
  }
  return new Map([...groups].map(([key, members]) => [key, members.join(",")]));
}

/**
 * `<transport>:<channel>` of an asynchronous edge, as the hosts group them
 * (server/host/transports/channel-groups.ts groupKey, which lib/ cannot import).
 */
export function groupKeyOf(edge: Edge): string | undefined {
  const channel = channelOf(edge);
  return channel === undefined ? undefined : `${edge.transport}:${channel}`;
}

function channelOf(edge: Edge): string | undefined {
  if (edge.transport === Transport.QUEUE) return (edge.settings.case === "queue" ? edge.settings.value.channel : "") || edge.target;
  if (edge.transport === Transport.PUBSUB) return (edge.settings.case === "pubsub" ? edge.settings.value.channel : "") || DEFAULTS.pubsubChannel;
  return undefined;
}

/**
 * The diff's sentences that reach a process that stays (UpdateRun's `applied`):
 * run-wide settings, changes of kept nodes, and edges whose sender is a kept
 * node. Added and removed nodes are `started` / `stopped`; a restarted node's
 * changes arrive with its new process (`restarted`), not live.
 */
export function liveSentences(before: Topology, after: Topology, diff: TopologyDiff, plan: UpdatePlan): string[] {
  const kept = new Set(plan.keep);
  const sourceOf = new Map([...before.edges, ...after.edges].map((edge) => [edge.id, edge.source]));
  const edgeIsLive = (edgeId: string) => kept.has(sourceOf.get(edgeId) ?? "");
  const newEdges = new Map(after.edges.map((edge) => [edge.id, edge]));
  return [
    ...diff.runSentences,
    ...diff.changedNodes.filter((change) => kept.has(change.nodeId)).flatMap((change) => change.sentences),
    ...diff.removedEdges.filter(edgeIsLive).map(removedEdgeSentence),
    ...diff.addedEdges.filter(edgeIsLive).map((id) => addedEdgeSentence(newEdges.get(id)!)),
    ...diff.changedEdges.filter((change) => edgeIsLive(change.edgeId)).flatMap((change) => change.sentences),
  ];
}
