/**
 * A host's config decoded once: the node and its edges as typed protobuf
 * messages, so no transport parses JSON again (the config crosses IPC as JSON).
 */
import { fromJson } from "@bufbuild/protobuf";
import { EdgeSchema, NodeSchema, type Edge, type Node } from "@/lib/gen/ipcplay/v1/topology_pb";
import { DEFAULTS } from "@/lib/topology/limits";
import type { HostBudget, HostConfig, SamplingBudget } from "@/server/ipc/host-messages";

export interface NodeSetup {
  runId: string;
  node: Node;
  /** Edges whose target is this node. */
  inbound: readonly Edge[];
  /** Edges whose source is this node, in topology order. */
  outgoing: readonly Edge[];
  hopLimit: number;
  /** Messages worked on at once (the node's behaviour, or the default). */
  concurrency: number;
  redisUrl: string;
  redisPrefix: string;
  sampling: SamplingBudget;
  /** Messages let wait for a concurrency slot before the next ones are shed: the service's bulkhead, else the run's limit. */
  maxWaiting: number;
  /** Messages accepted per second (token bucket, one second's burst); 0 = no limit. */
  rateLimitPerSecond: number;
  /** This process among the run's (HostConfig.incarnation). */
  incarnation: number;
  /** Its part of the run's budget; absent: none. */
  budget?: HostBudget;
}

export function decodeHostConfig(config: HostConfig): NodeSetup {
  const node = fromJson(NodeSchema, config.node);
  return {
    runId: config.runId,
    node,
    inbound: config.inbound.map((json) => fromJson(EdgeSchema, json)),
    outgoing: config.outgoing.map((json) => fromJson(EdgeSchema, json)),
    hopLimit: config.hopLimit,
    concurrency: node.behavior?.concurrency || DEFAULTS.concurrency,
    redisUrl: config.redisUrl,
    redisPrefix: config.redisPrefix,
    sampling: config.sampling,
    incarnation: config.incarnation,
    maxWaiting: node.behavior?.maxWaiting || config.maxWaiting,
    rateLimitPerSecond: node.behavior?.rateLimitPerSecond ?? 0,
    ...(config.budget ? { budget: config.budget } : {}),
  };
}
