/**
 * Every Redis key, BullMQ queue and channel of a run is named here, under the
 * run's prefix `ipcplay:<runId>:` (bullmq's queue-keys.ts style). Nothing else
 * in the codebase spells a Redis name, so `deleteRunKeys` can trust the prefix
 * to find everything a run ever wrote.
 */
import type { Redis } from "ioredis";

/** Root of every name the playground writes to Redis. */
export const KEY_ROOT = "ipcplay";

/** How many keys one SCAN step asks for; a hint to Redis, not a cap. */
const SCAN_BATCH = 500;

export interface RunKeys {
  /** `ipcplay:<runId>:` — every key of the run starts with this. */
  readonly prefix: string;
  /**
   * BullMQ's own `prefix` option: bullmq appends `:<queue>:<suffix>`, so its keys
   * land under `prefix` too.
   */
  readonly bullmqPrefix: string;
  /** BullMQ queue name of a QUEUE channel (queue names may not contain ":"). */
  queueName(channel: string): string;
  /** Redis Pub/Sub channel of an AT_MOST_ONCE topic. */
  pubsubChannel(topic: string): string;
  /** Redis Stream of a DURABLE topic. */
  stream(topic: string): string;
  /** Consumer group of one subscriber node on a DURABLE topic's stream. */
  consumerGroup(subscriberNodeId: string): string;
  /**
   * BullMQ job id of a producer process's `seq`-th job on a channel: unique in
   * the run, so the server can ask whether a dead producer's last jobs landed.
   */
  jobId(incarnation: number, seq: number): string;
  /** The Redis hash of a job (BullMQ's `<prefix>:<queue>:<jobId>`). */
  jobKey(channel: string, jobId: string): string;
  /**
   * The newest of a producer process's publishes on a group that the broker ran, SET by the publish
   * script as `<number>:<refused before it>` (the producer's publish count `seq`, and how many of its
   * publishes the broker had refused by then): the broker ran `number − refused` of them.
   */
  publishedTop(incarnation: number, edgeId: string): string;
  /** Of those, published while this AT_MOST_ONCE edge had no subscriber. */
  noSubscriber(incarnation: number, edgeId: string): string;
  /** BullMQ's count of a queue's jobs that completed / failed for good (Worker `metrics`: a hash, field "count"). */
  queueMetric(channel: string, target: "completed" | "failed"): string;
  /** A DURABLE subscriber edge's ends, counted with each XACK (a hash: outcome → count). */
  streamEnded(edgeId: string): string;
  /** A DURABLE subscriber edge's highest message number read, per publishing process (a hash). */
  streamSeen(edgeId: string): string;
  /**
   * Set when the run starts reading its brokers' counts and kept: its absence later means Redis lost
   * its data (a restart without persistence, a flush) under the live run (broker-counts.ts).
   */
  readonly brokerMarker: string;
  /** BullMQ's keys of a queue's jobs not yet ended, by state: lists (wait, active, paused) and sorted sets (delayed, prioritized, waiting-children). */
  queueHeldKeys(channel: string): { lists: string[]; sets: string[] };
  /** SCAN pattern that matches every key of the run. */
  readonly pattern: string;
}

/**
 * Names of one run.
 * @example runKeys("r-1a2b3c4d").stream("events") === "ipcplay:r-1a2b3c4d:stream:events"
 */
export function runKeys(runId: string): RunKeys {
  const bullmqPrefix = `${KEY_ROOT}:${runId}`;
  const prefix = `${bullmqPrefix}:`;
  const queueName = (channel: string) => `queue-${channel}`;
  return {
    prefix,
    bullmqPrefix,
    queueName,
    pubsubChannel: (topic) => `${prefix}topic:${topic}`,
    stream: (topic) => `${prefix}stream:${topic}`,
    consumerGroup: (subscriberNodeId) => `group-${subscriberNodeId}`,
    // Not all digits: BullMQ refuses integer-like custom ids.
    jobId: (incarnation, seq) => `i${incarnation}-${seq}`,
    jobKey: (channel, jobId) => `${bullmqPrefix}:${queueName(channel)}:${jobId}`,
    publishedTop: (incarnation, edgeId) => `${prefix}published-top:${incarnation}:${edgeId}`,
    noSubscriber: (incarnation, edgeId) => `${prefix}nosub:${incarnation}:${edgeId}`,
    queueMetric: (channel, target) => `${bullmqPrefix}:${queueName(channel)}:metrics:${target}`,
    streamEnded: (edgeId) => `${prefix}ended:${edgeId}`,
    streamSeen: (edgeId) => `${prefix}seen:${edgeId}`,
    brokerMarker: `${prefix}broker`,
    queueHeldKeys: (channel) => {
      const queue = `${bullmqPrefix}:${queueName(channel)}`;
      return { lists: ["wait", "active", "paused"].map((state) => `${queue}:${state}`), sets: ["delayed", "prioritized", "waiting-children"].map((state) => `${queue}:${state}`) };
    },
    pattern: `${escapeGlob(prefix)}*`,
  };
}

/**
 * Removes every key under `prefix` (SCAN + UNLINK, so a big run does not block
 * Redis). Pub/Sub channels hold no keys and vanish with their subscribers.
 * Returns how many keys were removed.
 */
export async function deleteRunKeys(redis: Redis, prefix: string): Promise<number> {
  if (!prefix.startsWith(`${KEY_ROOT}:`) || prefix.length <= KEY_ROOT.length + 1) {
    // A guard against wiping foreign data with an empty or foreign prefix.
    throw new Error(`refusing to delete keys outside "${KEY_ROOT}:<runId>:" (got "${prefix}")`);
  }
  let cursor = "0";
  let removed = 0;
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${escapeGlob(prefix)}*`, "COUNT", SCAN_BATCH);
    cursor = next;
    if (keys.length > 0) removed += await redis.unlink(...keys);
  } while (cursor !== "0");
  return removed;
}

/** Escapes Redis glob metacharacters so a prefix matches only itself. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}
