/**
 * The plan of a run: pure, from a topology that passed the gate to one
 * HostConfig per node. No ports here — every host listens on port 0 and reports
 * the real port in `ready`, so plans never race for ports.
 */
import { toJson } from "@bufbuild/protobuf";
import { EdgeSchema, NodeKind, NodeSchema, type Topology } from "@/lib/gen/ipcplay/v1/topology_pb";
import { DEFAULTS } from "@/lib/topology/limits";
import { trafficShares } from "@/lib/budget/run-budget";
import { runKeys } from "@/server/redis/keys";
import type { HostPlan } from "@/server/ipc/host-messages";

export interface RunPlan {
  runId: string;
  redisPrefix: string;
  /** In topology order. */
  hosts: Array<HostPlan>;
}

export interface PlanOptions {
  runId: string;
  redisUrl: string;
  /** The run's trace budgets, split among its hosts here. */
  traceBudgetPerSecond: number;
  keepBudgetPerSecond: number;
  maxWaitingPerService: number;
  /** What the hosts enforce of the run's budget (lib/budget); absent: nothing. */
  budget?: {
    messagesPerSecond: number;
    /** The run's pending bound, split among the clients' automatic traffic as the rate is. */
    maxPendingSends: number;
    sendsPerMessage: number;
    queueWaiting: number;
  };
}

export function planRun(topology: Topology, options: PlanOptions): RunPlan {
  const keys = runKeys(options.runId);
  const hopLimit = topology.hopLimit || DEFAULTS.hopLimit;
  // Clients start almost every trace, so they share the head budget; a service
  // starts one only on SendMessage or a plain request, and gets the same share.
  const clients = topology.nodes.filter((node) => node.kind === NodeKind.CLIENT).length;
  const sampling = {
    headPerSecond: Math.max(1, Math.floor(options.traceBudgetPerSecond / Math.max(1, clients))),
    keepPerSecond: Math.max(1, Math.floor(options.keepBudgetPerSecond / Math.max(1, topology.nodes.length))),
  };
  const budget = options.budget;
  const shares = budget
    ? trafficShares(new Map(topology.nodes.map((node) => [node.id, node.traffic?.ratePerSecond ?? 0])), budget.messagesPerSecond)
    : new Map<string, number>();
  const hosts = topology.nodes.map(
    (node): HostPlan => ({
      runId: options.runId,
      node: toJson(NodeSchema, node),
      inbound: topology.edges.filter((edge) => edge.target === node.id).map((edge) => toJson(EdgeSchema, edge)),
      outgoing: topology.edges.filter((edge) => edge.source === node.id).map((edge) => toJson(EdgeSchema, edge)),
      hopLimit,
      redisUrl: options.redisUrl,
      redisPrefix: keys.prefix,
      sampling,
      maxWaiting: options.maxWaitingPerService,
      ...(budget
        ? {
            budget: {
              trafficPerSecond: shares.get(node.id) ?? 0,
              trafficPending: Math.max(1, Math.floor(((shares.get(node.id) ?? 0) / budget.messagesPerSecond) * budget.maxPendingSends)),
              sendsPerMessage: budget.sendsPerMessage,
              queueWaiting: budget.queueWaiting,
            },
          }
        : {}),
    }),
  );
  return { runId: options.runId, redisPrefix: keys.prefix, hosts };
}
