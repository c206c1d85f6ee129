/**
 * What the books (counter-book.ts) need to know of a topology's edges: who
 * counts a message's end, and which queue edges share a channel.
 */
import { Delivery, Transport, type Topology } from "@/lib/gen/ipcplay/v1/topology_pb";
import { channelOf, groupKey } from "@/server/host/transports/channel-groups";
import type { ChannelGroup, EdgeRole } from "./counter-book";

export function edgeRolesOf(topology: Topology): Map<string, EdgeRole> {
  return new Map(
    topology.edges.map((edge) => [
      edge.id,
      {
        source: edge.source,
        target: edge.target,
        sync: edge.transport === Transport.REST || edge.transport === Transport.CONNECT,
        atMostOnce:
          edge.transport === Transport.PUBSUB && !(edge.settings.case === "pubsub" && edge.settings.value.delivery === Delivery.DURABLE),
        ...(channelOf(edge) !== undefined
          ? { handOffKey: groupKey(edge), channel: channelOf(edge), queue: edge.transport === Transport.QUEUE }
          : {}),
      },
    ]),
  );
}

/** Queue channels with more than one edge; a producer's sends count once, on its first edge of the channel. */
export function sharedQueueChannelsOf(topology: Topology): ChannelGroup[] {
  const byChannel = new Map<string, string[]>();
  for (const edge of topology.edges) {
    if (edge.transport !== Transport.QUEUE) continue;
    const channel = channelOf(edge)!;
    byChannel.set(channel, [...(byChannel.get(channel) ?? []), edge.id]);
  }
  const sourceOf = new Map(topology.edges.map((edge) => [edge.id, edge.source]));
  return [...byChannel]
    .filter(([, edgeIds]) => edgeIds.length > 1)
    .map(([channel, edgeIds]) => {
      const firstOfSource = new Map<string, string>();
      for (const edgeId of edgeIds) if (!firstOfSource.has(sourceOf.get(edgeId)!)) firstOfSource.set(sourceOf.get(edgeId)!, edgeId);
      return { channel, edgeIds, senderEdgeIds: [...firstOfSource.values()] };
    });
}
