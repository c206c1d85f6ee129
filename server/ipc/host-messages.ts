/**
 * Every message between the orchestrator (parent) and a service host (child),
 * as one discriminated union per direction (bullmq's child-command.ts style).
 * They travel over the fork IPC channel as JSON, so they hold only plain data:
 * topology parts in their protobuf JSON form, spans as plain records.
 */
import type { JsonValue } from "@bufbuild/protobuf";
import type { Span } from "@/lib/gen/ipcplay/v1/playground_pb";
import type { QueueingReading } from "@/lib/metrics/queueing-model";
import type { BreakerState } from "@/lib/resilience/circuit-breaker";
import type { FaultSpec } from "@/lib/faults/spec";

/** Loopback ports a node's process listens on; 0 = none. */
export interface NodePorts {
  httpPort: number;
  connectPort: number;
}

export interface NodeAddress extends NodePorts {
  nodeId: string;
}

/** Everything a host needs to become one node of one run. */
export interface HostConfig {
  runId: string;
  /** The node, as protobuf JSON (`toJson(NodeSchema, node)`). */
  node: JsonValue;
  /** Edges whose target is this node, as protobuf JSON. */
  inbound: JsonValue[];
  /** Edges whose source is this node, as protobuf JSON. */
  outgoing: JsonValue[];
  /** Edges a message may cross; forwarding past it records HOP_LIMIT. */
  hopLimit: number;
  redisUrl: string;
  /** `ipcplay:<runId>:`; see server/redis/keys.ts. */
  redisPrefix: string;
  /** This host's share of the run's trace budgets (see lib/trace/sampling.ts). */
  sampling: SamplingBudget;
  /** Messages the service lets wait for a concurrency slot; past it, it sheds (LIMITS.maxWaitingPerService). */
  maxWaiting: number;
  /** This host's part of the run's budget (lib/budget); absent: none (a host tried alone). */
  budget?: HostBudget;
  /**
   * The file this process counts its messages in (server/ipc/count-file.ts),
   * created by the parent; slots for countedEdgeIds(outgoing, inbound).
   */
  countsFile: string;
  /** This process among the run's processes (1, 2, …): tags what it hands to brokers, see RunKeys.jobId. */
  incarnation: number;
}

/** A node's config as planned, before a process is started for it (each process gets its own count file and number). */
export type HostPlan = Omit<HostConfig, "countsFile" | "incarnation">;

/** What a host enforces of its run's budget, before a message leaves (each excess message is counted by name). */
export interface HostBudget {
  /** Messages per second its automatic traffic may start (its share of the run's rate); past it, "over budget". 0 = no traffic share. */
  trafficPerSecond: number;
  /** Messages started here and not ended past which its automatic traffic is shed, "over budget" (its share of the run's pending bound). */
  trafficPending: number;
  /** Sends one message (one trace) may make from this service; past it, "fan-out capped". */
  sendsPerMessage: number;
  /** Jobs waiting on a queue edge's queue past which the next ones are refused, "queue full". */
  queueWaiting: number;
}

export interface SamplingBudget {
  /** New traces per second this host, as a root, ships in full (head sampling). */
  headPerSecond: number;
  /** Unsampled traces per second this host may keep because a span failed or was slow. */
  keepPerSecond: number;
}

/**
 * A Span (playground.proto) as plain data: the same fields without protobuf-es's
 * `$typeName`, so it crosses IPC as JSON; the parent turns it back with `create`.
 */
export type SpanRecord = Omit<Span, "$typeName" | "$unknown" | "links"> & {
  /** Span links (a CONSUMER span's link to its message's PRODUCER span); made when the span ships. */
  links?: SpanLinkRecord[];
};

export interface SpanLinkRecord {
  traceId: string;
  spanId: string;
  attributes: Record<string, string>;
}

/**
 * Latencies of one edge recorded since the host's previous report, as sparse
 * histogram counts (lib/metrics/latency-histogram.ts): `send` by the source
 * (the CLIENT/PRODUCER span's duration), `wait` by an asynchronous edge's
 * target (hand-off → consumer start). Deltas, so the parent adds them up.
 */
export interface EdgeLatencyDelta {
  edgeId: string;
  send?: number[];
  wait?: number[];
  /** The target's time on a message of the edge (its SERVER/CONSUMER span). */
  work?: number[];
}

/** This host's head sampling, cumulative since it started. */
export interface SamplingCounts {
  /** Traces this host started (it was their root). */
  started: number;
  /** Of those, sampled (shipped in full). */
  sampled: number;
  /** The sampler's current N of "1 in N" (1 when this host starts no traces). */
  oneIn: number;
}

/**
 * Levels of an edge that are read, not counted (the last report wins): queue
 * depth for QUEUE edges, subscriber count for PUBSUB edges, a circuit
 * breaker's state for synchronous edges that have one. Reported by the
 * edge's sender (see Sender.gauges in server/host/transports/transport.ts).
 */
export interface EdgeGauges {
  edgeId: string;
  queue?: { waiting: number; active: number; delayed: number; deadLetters: number; oldestWaitingMs: number };
  subscribers?: number;
  /** DURABLE pub/sub edges: entries its subscriber's group has not read yet. */
  streamLag?: number;
  /** Synchronous edges with a circuit breaker: its state in the caller (one breaker per edge per caller process). */
  breaker?: BreakerState;
}

export interface NodeCounts {
  /** Messages this node has worked on (cumulative). */
  handled: number;
  inFlight: number;
  /** Messages waiting for a concurrency slot now. */
  waiting: number;
  /** Messages a client did not start because too many of its messages were in flight (cumulative). */
  dropped: number;
  /** Messages handled over about the last second, per second. */
  ratePerSecond: number;
  /** Cumulative sums for the queueing model; absent from older reports. */
  queueing?: QueueingTotals;
  /** Messages started here (by SendMessage or automatic traffic), for the run's budget. */
  origins?: OriginCounts;
}

/** Messages started at a node, as the run's budget needs them (lib/budget/run-budget.ts). */
export interface OriginCounts {
  /** Messages SendMessage handed this process, and their payload bytes (cumulative). */
  onDemand: number;
  onDemandBytes: number;
  /** Messages its automatic traffic started (cumulative; shed ones not included). */
  automatic: number;
  /** Messages started here and not ended yet, and their payload bytes. */
  pending: number;
  pendingBytes: number;
}

/**
 * Cumulative since the process started (the proto's QueueingCounts): a window's
 * λ, μ, L and W are differences of two readings. The fields are documented
 * where they are read, lib/metrics/queueing-model.ts.
 */
export type QueueingTotals = QueueingReading;

export type LogLevel = "info" | "warn" | "error";

export type ParentMessage =
  /** First message: become this node. The host answers `ready` or `fatal`. */
  | { type: "init"; config: HostConfig }
  /** Where every node listens; sent once all are up and again when one restarts. */
  | { type: "addresses"; addresses: NodeAddress[] }
  /** Start the node's automatic traffic (clients with rate > 0). */
  | { type: "start-traffic" }
  /** Originate `traceIds.length` messages here, one per trace id (SendMessage). */
  | { type: "send"; traceIds: string[]; payload?: string }
  /** Another host kept these traces: ship what you hold of them, and their later spans. */
  | { type: "keep-traces"; traceIds: string[] }
  /**
   * UpdateRun: become this node from now on, in this process (server/host/live-update.ts).
   * `countedEdgeIds`: the count file's whole slot list, grown by the parent for new edges.
   */
  | { type: "update"; config: HostPlan; countedEdgeIds: string[] }
  /**
   * The whole set of faults in force on this host now — its node's, and those
   * of the edges it sends or receives on — replacing the previous set
   * (idempotent). Answered with `faults-applied` of the same version once they act.
   */
  | { type: "faults"; version: number; faults: FaultSpec[] }
  /** Close listeners and connections, flush spans and counters, exit 0. */
  | { type: "shutdown" };

export type ChildMessage =
  | { type: "ready"; pid: number; ports: NodePorts }
  | { type: "spans"; spans: SpanRecord[] }
  | {
      type: "counters";
      latency: EdgeLatencyDelta[];
      gauges: EdgeGauges[];
      node: NodeCounts;
      sampling: SamplingCounts;
    }
  /** The host applied an `update` (the parent answers UpdateRun once its hosts did). */
  | { type: "updated" }
  /** This host kept these unsampled traces; the parent tells the run's other hosts. */
  | { type: "keep-traces"; traceIds: string[] }
  | { type: "log"; level: LogLevel; message: string }
  /** The `faults` message of this version acts on traffic now (proxies listening, consumers cut). */
  | { type: "faults-applied"; version: number }
  /** The host cannot go on and is about to exit non-zero. */
  | { type: "fatal"; message: string };

const CHILD_MESSAGE_TYPES = new Set<ChildMessage["type"]>(["ready", "spans", "counters", "updated", "keep-traces", "log", "faults-applied", "fatal"]);
const PARENT_MESSAGE_TYPES = new Set<ParentMessage["type"]>(["init", "addresses", "start-traffic", "send", "keep-traces", "update", "faults", "shutdown"]);

/** Narrows whatever arrived over IPC; the other side is our own code, so the type tag suffices. */
export function isChildMessage(value: unknown): value is ChildMessage {
  return hasType(value) && CHILD_MESSAGE_TYPES.has(value.type as ChildMessage["type"]);
}

export function isParentMessage(value: unknown): value is ParentMessage {
  return hasType(value) && PARENT_MESSAGE_TYPES.has(value.type as ParentMessage["type"]);
}

function hasType(value: unknown): value is { type: unknown } {
  return typeof value === "object" && value !== null && "type" in value;
}
