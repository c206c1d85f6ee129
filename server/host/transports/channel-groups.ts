/**
 * Channel groups: asynchronous edges that share a (transport, channel) are one
 * destination on the broker. Queue edges on one channel are one BullMQ queue
 * whose targets compete for each job; pub/sub edges on one topic are one topic
 * that every subscriber reads. So a node forwards ONCE per group — one job,
 * one publish — not once per edge. Synchronous edges (REST, CONNECT) are each
 * their own group of one.
 *
 * Counting (see MessageFlow): `sent` is counted on EVERY edge of the group —
 * each edge was offered the message — and `delivered` on the edge the consumer
 * took it from. So on competing queue consumers Σ delivered ≈ sent of one edge,
 * and on a topic each subscriber edge's delivered ≈ its sent.
 */
import { Transport, type Edge } from "@/lib/gen/ipcplay/v1/topology_pb";
import { DEFAULTS } from "@/lib/topology/limits";
import { traceparentOf, type OutboundMessage } from "./transport";

/** What a job or a topic message carries across the broker. */
export interface ChannelEnvelope {
  /** W3C trace context of the PRODUCER span: one trace id follows the message. */
  traceparent: string;
  hop: number;
  /** The producer's edges on this channel (all were offered the message). */
  edgeIds: string[];
  source: string;
  payload: string;
  /** When the producer handed it to the broker (Unix ms): the start of its wait. */
  sentAtUnixMs: number;
  /**
   * Queues: when the server last put the job back from the dead letters
   * (RedriveDeadLetters, server/runtime/dead-letters.ts): its wait starts again then.
   */
  redrivenAtUnixMs?: number;
  /**
   * Topics: the publishing process (HostConfig.incarnation) and the message's
   * number among its publishes on the topic, so a DURABLE subscriber can tell
   * entries cut from the stream before it read them.
   */
  from?: number;
  seq?: number;
  /** Topics: how many of the publishing process's publishes on the topic the broker had refused when this one was made. */
  refused?: number;
}

export function envelopeOf(message: OutboundMessage, edgeIds: string[], source: string): ChannelEnvelope {
  return {
    traceparent: traceparentOf(message),
    hop: message.hop,
    edgeIds,
    source,
    payload: message.payload,
    sentAtUnixMs: Date.now(),
  };
}

/** The queue channel or topic of an asynchronous edge; undefined for REST/CONNECT. */
export function channelOf(edge: Edge): string | undefined {
  if (edge.transport === Transport.QUEUE) {
    const settings = edge.settings.case === "queue" ? edge.settings.value : undefined;
    return settings?.channel || edge.target;
  }
  if (edge.transport === Transport.PUBSUB) {
    const settings = edge.settings.case === "pubsub" ? edge.settings.value : undefined;
    return settings?.channel || DEFAULTS.pubsubChannel;
  }
  return undefined;
}

/** Edges with the same key are sent to once: `<transport>:<channel>`, or the edge's own id. */
export function groupKey(edge: Edge): string {
  const channel = channelOf(edge);
  return channel === undefined ? `edge:${edge.id}` : `${edge.transport}:${channel}`;
}

/** Groups items by their edge's key, keeping the order of first appearance. */
export function groupByChannel<T>(items: readonly T[], edgeOf: (item: T) => Edge): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = groupKey(edgeOf(item));
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return [...groups.values()];
}

/** This node's outgoing edges in the same group as `edge` (itself included, in config order). */
export function outgoingGroupOf(edge: Edge, outgoing: readonly Edge[]): Edge[] {
  const key = groupKey(edge);
  const group = outgoing.filter((other) => groupKey(other) === key);
  return group.length > 0 ? group : [edge];
}

/**
 * The inbound edge a message arriving on `channel` counts as delivered on: the
 * one the producer named (its group's edge ids), else the one from the same
 * source, else any inbound edge of the channel (a producer that shares the
 * channel without an edge to this node: on a shared queue or topic it still
 * reaches this consumer).
 */
export function inboundEdgeFor(
  inbound: readonly Edge[],
  message: { edgeIds?: readonly string[]; source?: string },
): Edge | undefined {
  const named = new Set(message.edgeIds ?? []);
  return (
    inbound.find((edge) => named.has(edge.id)) ??
    inbound.find((edge) => edge.source === message.source) ??
    inbound[0]
  );
}

/** Unique-by-channel view of edges: channel → edges on it. */
export function edgesByChannel(edges: readonly Edge[]): Map<string, Edge[]> {
  const byChannel = new Map<string, Edge[]>();
  for (const edge of edges) {
    const channel = channelOf(edge);
    if (channel === undefined) continue;
    byChannel.set(channel, [...(byChannel.get(channel) ?? []), edge]);
  }
  return byChannel;
}

/**
 * How soon a host's broker connection tries again after it lost Redis: every
 * 100 ms more, at most a second apart, so it is back within a second of Redis
 * (ioredis's own back-off grows to 5 s, BullMQ's to 20 s).
 */
export function brokerRetryStrategy(times: number): number {
  return Math.min(times * 100, 1_000);
}

/** ioredis/BullMQ connection options from a `redis://[user:pass@]host:port[/db]` URL. */
export function redisOptionsFromUrl(url: string): { host: string; port: number; username?: string; password?: string; db?: number } {
  const parsed = new URL(url);
  const db = Number(parsed.pathname.replace(/^\//, "")) || 0;
  return {
    host: parsed.hostname || "127.0.0.1",
    port: Number(parsed.port) || 6379,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(db ? { db } : {}),
  };
}
