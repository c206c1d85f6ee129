/**
 * What every place that shows a fault says about it, in one table: which kinds
 * a target is offered (the gate's own rule, lib/faults/validate.ts kindFits),
 * the word for a kind on a target ("slow down" for a node's LATENCY, "poison"
 * for ERRORS on a queue), the parameters it takes with their words and
 * defaults, its tone, and how its figures read. The inspector's form and chips
 * (fault-spec.ts) and the experiment strip (components/experiment/fault-words.ts)
 * build on these, so they say the same thing for the same fault. The meaning of
 * every kind per target is FaultKind in proto/ipcplay/v1/topology.proto.
 */
import type { InjectFaultRequest } from "@/lib/gen/ipcplay/v1/playground_pb";
import { FaultKind, NodeKind, Transport, type Topology } from "@/lib/gen/ipcplay/v1/topology_pb";
import { DEFAULT_CRASH_LOOP_INTERVAL_MS, DEFAULT_GRPC_FAULT_CODE, DEFAULT_HTTP_FAULT_STATUS, type FaultTarget, kindFits } from "@/lib/faults/validate";

export type { FaultTarget };

/** A fault's kind and parameters (InjectFaultRequest's, ScheduledFault's and ActiveFault.fault's share these names). */
export type FaultParams = Pick<InjectFaultRequest, "kind" | "latencyMs" | "jitterMs" | "errorRate" | "statusCode" | "bandwidthKbps" | "intervalMs">;

/** The parameters a kind may take, by their request field names. */
export type ParamName = "latencyMs" | "jitterMs" | "errorRate" | "statusCode" | "bandwidthKbps" | "intervalMs";

export const DEFAULT_FAULT_LATENCY_MS = 300;
/** ERRORS: half the messages; DUPLICATE defaults to all of them. */
export const DEFAULT_FAULT_ERROR_RATE = 0.5;
export const DEFAULT_FAULT_BANDWIDTH_KBPS = 64;

const isSync = (t: Transport) => t === Transport.REST || t === Transport.CONNECT;
const isBroker = (target: FaultTarget | undefined) => target?.type === "edge" && !isSync(target.transport);
const isSyncEdge = (target: FaultTarget | undefined) => target?.type === "edge" && isSync(target.transport);

/** The kinds offered on each sort of target, in the order the pickers list them. */
const ORDER = {
  node: [FaultKind.KILL, FaultKind.PAUSE, FaultKind.LATENCY, FaultKind.ERRORS, FaultKind.CRASH_LOOP],
  sync: [FaultKind.LATENCY, FaultKind.ERRORS, FaultKind.BLACKHOLE, FaultKind.BANDWIDTH, FaultKind.RESET, FaultKind.PARTITION],
  broker: [FaultKind.DISCONNECT, FaultKind.SLOW_CONSUMER, FaultKind.ERRORS, FaultKind.DUPLICATE, FaultKind.LATENCY],
} as const;

/**
 * The kind a kind is another name for on this target: PARTITION on a queue or
 * pub/sub edge is DISCONNECT (topology.proto). The gate takes it; the pickers
 * offer DISCONNECT only, so the same fault is not listed twice.
 */
export function sameAs(kind: FaultKind, target: FaultTarget): FaultKind | undefined {
  return kind === FaultKind.PARTITION && isBroker(target) ? FaultKind.DISCONNECT : undefined;
}

/** Does the gate take this kind on this target (offered or not)? */
export function fits(kind: FaultKind, target: FaultTarget | undefined): boolean {
  return target !== undefined && kindFits(kind, target);
}

/**
 * The kinds offered on a target, in picker order: those the gate takes, less
 * another name for one of them.
 *
 * @example kindsFor({ type: "edge", transport: Transport.QUEUE }).map((k) => kindWord(k, …))
 * // ["disconnect", "slow consumer", "poison", "duplicate", "broker latency"]
 */
export function kindsFor(target: FaultTarget | undefined): FaultKind[] {
  if (!target) return [];
  const order = target.type === "node" ? ORDER.node : isSync(target.transport) ? ORDER.sync : ORDER.broker;
  return order.filter((kind) => kindFits(kind, target) && sameAs(kind, target) === undefined);
}

/** A node's or an edge's target description, from the topology; undefined for an edge it does not have. */
export function targetOf(topology: Pick<Topology, "nodes" | "edges">, ids: { nodeId?: string; edgeId?: string }): FaultTarget | undefined {
  if (ids.nodeId) return { type: "node", client: topology.nodes.find((n) => n.id === ids.nodeId)?.kind === NodeKind.CLIENT };
  const edge = ids.edgeId ? topology.edges.find((e) => e.id === ids.edgeId) : undefined;
  return edge ? { type: "edge", transport: edge.transport } : undefined;
}

/**
 * A kind's name on a target, lower case: "kill", "slow down", "poison",
 * "black hole", "broker latency".
 */
export function kindWord(kind: FaultKind, target: FaultTarget | undefined): string {
  switch (kind) {
    case FaultKind.KILL:
      return "kill";
    case FaultKind.PAUSE:
      return "pause";
    case FaultKind.CRASH_LOOP:
      return "crash loop";
    case FaultKind.LATENCY:
      return target?.type === "node" ? "slow down" : isBroker(target) ? "broker latency" : "latency";
    case FaultKind.ERRORS:
      return isBroker(target) ? "poison" : "errors";
    case FaultKind.BLACKHOLE:
      return "black hole";
    case FaultKind.RESET:
      return "reset";
    case FaultKind.PARTITION:
      return "partition";
    case FaultKind.BANDWIDTH:
      return "bandwidth";
    case FaultKind.DISCONNECT:
      return "disconnect";
    case FaultKind.SLOW_CONSUMER:
      return "slow consumer";
    case FaultKind.DUPLICATE:
      return "duplicate";
    default:
      return "fault";
  }
}

/** The same word with a capital, for a button or an option: "Slow down", "Black hole". */
export function kindLabel(kind: FaultKind, target: FaultTarget | undefined): string {
  return capital(kindWord(kind, target));
}

export function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Faults that stop traffic are red; those that degrade it, amber. */
export function faultTone(kind: FaultKind): "red" | "amber" {
  switch (kind) {
    case FaultKind.PAUSE:
    case FaultKind.LATENCY:
    case FaultKind.BANDWIDTH:
    case FaultKind.SLOW_CONSUMER:
    case FaultKind.DUPLICATE:
      return "amber";
    default:
      return "red";
  }
}

/** The parameters a kind takes on a target, in the order a form shows them. */
export function paramsOf(kind: FaultKind, target: FaultTarget | undefined): ParamName[] {
  switch (kind) {
    case FaultKind.LATENCY:
    case FaultKind.SLOW_CONSUMER:
      return ["latencyMs", "jitterMs"];
    case FaultKind.ERRORS:
      // Only a REST or Connect edge answers with a status.
      return isSyncEdge(target) ? ["errorRate", "statusCode"] : ["errorRate"];
    case FaultKind.DUPLICATE:
      return ["errorRate"];
    case FaultKind.BANDWIDTH:
      return ["bandwidthKbps"];
    case FaultKind.CRASH_LOOP:
      return ["intervalMs"];
    default:
      return [];
  }
}

/**
 * A kind's starting parameters on a target, in request units; those it does
 * not take are 0: 300 ms, 50 % (every message for DUPLICATE), 503 on REST and
 * UNAVAILABLE on Connect, 64 KB/s, up 3 s between kills.
 */
export function defaultParams(kind: FaultKind, target: FaultTarget | undefined): Omit<FaultParams, "kind"> {
  const p = { latencyMs: 0, jitterMs: 0, errorRate: 0, statusCode: 0, bandwidthKbps: 0, intervalMs: 0 };
  for (const name of paramsOf(kind, target)) {
    if (name === "latencyMs") p.latencyMs = DEFAULT_FAULT_LATENCY_MS;
    if (name === "errorRate") p.errorRate = kind === FaultKind.DUPLICATE ? 1 : DEFAULT_FAULT_ERROR_RATE;
    if (name === "statusCode") p.statusCode = defaultStatus(target);
    if (name === "bandwidthKbps") p.bandwidthKbps = DEFAULT_FAULT_BANDWIDTH_KBPS;
    if (name === "intervalMs") p.intervalMs = DEFAULT_CRASH_LOOP_INTERVAL_MS;
  }
  return p;
}

const isConnect = (target: FaultTarget | undefined) => target?.type === "edge" && target.transport === Transport.CONNECT;

/** The status an ERRORS fault answers with when none is given: the gate's. */
function defaultStatus(target: FaultTarget | undefined): number {
  return isConnect(target) ? DEFAULT_GRPC_FAULT_CODE : DEFAULT_HTTP_FAULT_STATUS;
}

/** A parameter's field label for a kind on a target: "Added time", "Poisoned", "gRPC code". */
export function paramWord(param: ParamName, kind: FaultKind, target: FaultTarget | undefined): string {
  switch (param) {
    case "latencyMs":
      return "Added time";
    case "jitterMs":
      return "Jitter ±";
    case "errorRate":
      return kind === FaultKind.DUPLICATE ? "Duplicated" : isBroker(target) ? "Poisoned" : "Failing";
    case "statusCode":
      return isConnect(target) ? "gRPC code" : "HTTP status";
    case "bandwidthKbps":
      return "At most";
    case "intervalMs":
      return "Up between kills";
  }
}

/** The unit a form shows a parameter in (error rates as percent, crash-loop intervals in seconds). */
export const PARAM_UNIT: Record<ParamName, string> = {
  latencyMs: "ms",
  jitterMs: "ms",
  errorRate: "%",
  statusCode: "",
  bandwidthKbps: "KB/s",
  intervalMs: "s",
};

/** gRPC status codes 1..16 by their canonical names. */
export const GRPC_CODES: readonly string[] = [
  "",
  "canceled",
  "unknown",
  "invalid_argument",
  "deadline_exceeded",
  "not_found",
  "already_exists",
  "permission_denied",
  "resource_exhausted",
  "failed_precondition",
  "aborted",
  "out_of_range",
  "unimplemented",
  "internal",
  "unavailable",
  "data_loss",
  "unauthenticated",
];

export function grpcCodeName(code: number): string {
  return GRPC_CODES[code] || `code ${code}`;
}

/** "50 %", "12.5 %". */
export function percentText(rate: number): string {
  return `${Math.round((rate || 0) * 1000) / 10} %`;
}

/** "300 ms", "300 ms ± 50 ms". */
export function latencyText(f: Pick<FaultParams, "latencyMs" | "jitterMs">): string {
  return f.jitterMs > 0 ? `${f.latencyMs} ms ± ${f.jitterMs} ms` : `${f.latencyMs} ms`;
}

/** "64 KB/s". */
export function bandwidthText(kbps: number): string {
  return `${kbps} KB/s`;
}

/** What an ERRORS fault answers with on a target: "503" on REST, "unavailable" on Connect, nothing elsewhere. */
export function statusText(statusCode: number, target: FaultTarget | undefined): string {
  if (!isSyncEdge(target)) return "";
  const code = statusCode || defaultStatus(target);
  return isConnect(target) ? grpcCodeName(code) : String(code);
}

/** The share a DUPLICATE fault duplicates: 0 means every message, as the gate fills it. */
export function duplicateRate(errorRate: number): number {
  return errorRate || 1;
}

/** A crash loop's time up between kills, in seconds (the gate's default when unset). */
export function intervalSeconds(intervalMs: number): number {
  return (intervalMs || DEFAULT_CRASH_LOOP_INTERVAL_MS) / 1000;
}
