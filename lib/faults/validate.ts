/**
 * Is a fault request sound for this topology? Which kinds fit which target
 * (a node, or an edge of a given transport) and the ranges of playground.proto's
 * InjectFaultRequest comments; fills the defaults. Pure: whether a node is up
 * now is the runtime's question.
 */
import type { InjectFaultRequest } from "@/lib/gen/ipcplay/v1/playground_pb";
import { FaultKind, NodeKind, Transport, type Topology } from "@/lib/gen/ipcplay/v1/topology_pb";
import type { FaultSpec } from "./spec";
import { quote } from "@/lib/run/problem";

export type FaultRequestFields = Partial<Omit<InjectFaultRequest, "$typeName" | "$unknown" | "runId">>;

export type FaultCheck =
  | { ok: true; fault: FaultSpec }
  | { ok: false; code: "invalid_argument" | "not_found"; message: string };

export const MAX_FAULT_LATENCY_MS = 60_000;
export const DEFAULT_HTTP_FAULT_STATUS = 503;
/** gRPC UNAVAILABLE. */
export const DEFAULT_GRPC_FAULT_CODE = 14;
export const DEFAULT_CRASH_LOOP_INTERVAL_MS = 3_000;
export const MIN_CRASH_LOOP_INTERVAL_MS = 500;
/** 1 GB/s: past it a bandwidth limit limits nothing on loopback. */
export const MAX_BANDWIDTH_KBPS = 1_000_000;

const NODE_KINDS = new Set([FaultKind.KILL, FaultKind.PAUSE, FaultKind.LATENCY, FaultKind.ERRORS, FaultKind.CRASH_LOOP]);
const SYNC_EDGE_KINDS = new Set([FaultKind.LATENCY, FaultKind.ERRORS, FaultKind.PARTITION, FaultKind.BLACKHOLE, FaultKind.BANDWIDTH, FaultKind.RESET]);
const ASYNC_EDGE_KINDS = new Set([
  FaultKind.LATENCY,
  FaultKind.ERRORS,
  FaultKind.PARTITION,
  FaultKind.SLOW_CONSUMER,
  FaultKind.DISCONNECT,
  FaultKind.DUPLICATE,
]);

const TRANSPORT_NAMES: Partial<Record<Transport, string>> = {
  [Transport.REST]: "a REST edge",
  [Transport.CONNECT]: "a Connect edge",
  [Transport.QUEUE]: "a queue edge",
  [Transport.PUBSUB]: "a pub/sub edge",
};

/** What a kind is for, for the sentence that refuses it. */
function targetsOf(kind: FaultKind): string {
  const forNodes = NODE_KINDS.has(kind);
  const forSync = SYNC_EDGE_KINDS.has(kind);
  const forAsync = ASYNC_EDGE_KINDS.has(kind);
  const targets = [forNodes ? "nodes" : "", forSync ? "REST and Connect edges" : "", forAsync ? "queue and pub/sub edges" : ""].filter(Boolean);
  return targets.join(", ");
}

/** What a fault acts on, as far as which kinds fit: a node (a client or a service) or an edge of a transport. */
export type FaultTarget = { type: "node"; client: boolean } | { type: "edge"; transport: Transport };

/**
 * Does the gate take this kind on this target? The one rule validateFault
 * applies, for the pickers that offer kinds to ask too.
 *
 * @example kindFits(FaultKind.BLACKHOLE, { type: "edge", transport: Transport.QUEUE }) // false
 */
export function kindFits(kind: FaultKind, target: FaultTarget): boolean {
  if (target.type === "node") {
    // A client only sends: there is no work to slow down or fail.
    return NODE_KINDS.has(kind) && !(target.client && (kind === FaultKind.LATENCY || kind === FaultKind.ERRORS));
  }
  const sync = target.transport === Transport.REST || target.transport === Transport.CONNECT;
  return sync ? SYNC_EDGE_KINDS.has(kind) : ASYNC_EDGE_KINDS.has(kind);
}

function invalid(message: string): FaultCheck {
  return { ok: false, code: "invalid_argument", message };
}

/**
 * @example validateFault(topology, { edgeId: "a-b", kind: FaultKind.LATENCY, latencyMs: 300 })
 *   → { ok: true, fault: { kind: LATENCY, edgeId: "a-b", latencyMs: 300, jitterMs: 0, … } }
 */
export function validateFault(topology: Topology, request: FaultRequestFields): FaultCheck {
  const kind = request.kind ?? FaultKind.UNSPECIFIED;
  const nodeId = request.nodeId ?? "";
  const edgeId = request.edgeId ?? "";
  if (nodeId && edgeId) return invalid("node_id, edge_id: a fault has one target; give node_id or edge_id, not both.");
  if (!nodeId && !edgeId) return invalid("node_id, edge_id: give the node or the edge the fault acts on.");
  const name = FaultKind[kind];
  if (kind === FaultKind.UNSPECIFIED || name === undefined) return invalid(`kind: give the kind of fault (KILL, PAUSE, LATENCY, ERRORS, …), got ${kind}.`);

  let transport: Transport | undefined;
  if (nodeId) {
    const node = topology.nodes.find((candidate) => candidate.id === nodeId);
    if (!node) return { ok: false, code: "not_found", message: `node_id: the run has no node ${quote(nodeId)}.` };
    if (!kindFits(kind, { type: "node", client: node.kind === NodeKind.CLIENT })) {
      if (!NODE_KINDS.has(kind)) return invalid(`kind: ${name} is for ${targetsOf(kind)}; node ${nodeId} is a node (give edge_id).`);
      return invalid(`kind: ${name} on a node acts on a service's work; node ${nodeId} is a client (put it on one of its edges).`);
    }
  } else {
    const edge = topology.edges.find((candidate) => candidate.id === edgeId);
    if (!edge) return { ok: false, code: "not_found", message: `edge_id: the run has no edge ${quote(edgeId)}.` };
    transport = edge.transport;
    if (!kindFits(kind, { type: "edge", transport })) return invalid(`kind: ${name} is for ${targetsOf(kind)}; edge ${edgeId} is ${TRANSPORT_NAMES[transport] ?? "an edge"}.`);
  }

  const fault: FaultSpec = {
    kind,
    ...(nodeId ? { nodeId } : { edgeId }),
    latencyMs: 0,
    jitterMs: 0,
    errorRate: 0,
    statusCode: 0,
    bandwidthKbps: 0,
    durationMs: request.durationMs ?? 0,
    intervalMs: 0,
  };
  if (!Number.isInteger(fault.durationMs) || fault.durationMs < 0) return invalid(`duration_ms: a whole number of ms ≥ 0, got ${fault.durationMs}.`);

  switch (kind) {
    case FaultKind.LATENCY:
    case FaultKind.SLOW_CONSUMER: {
      const latencyMs = request.latencyMs ?? 0;
      const jitterMs = request.jitterMs ?? 0;
      if (!Number.isInteger(latencyMs) || latencyMs < 1 || latencyMs > MAX_FAULT_LATENCY_MS) {
        return invalid(`latency_ms: ${name} needs 1..${MAX_FAULT_LATENCY_MS} ms, got ${latencyMs}.`);
      }
      if (!Number.isInteger(jitterMs) || jitterMs < 0 || jitterMs > latencyMs) return invalid(`jitter_ms: 0..latency_ms (${latencyMs}), got ${jitterMs}.`);
      fault.latencyMs = latencyMs;
      fault.jitterMs = jitterMs;
      break;
    }
    case FaultKind.ERRORS: {
      const errorRate = request.errorRate ?? 0;
      if (!(errorRate > 0 && errorRate <= 1)) return invalid(`error_rate: ERRORS needs a share of messages in (0, 1], got ${errorRate}.`);
      fault.errorRate = errorRate;
      const statusCode = request.statusCode ?? 0;
      if (transport === Transport.REST) {
        if (statusCode !== 0 && (statusCode < 400 || statusCode > 599)) return invalid(`status_code: an HTTP error status 400..599 on a REST edge, got ${statusCode}.`);
        fault.statusCode = statusCode || DEFAULT_HTTP_FAULT_STATUS;
      } else if (transport === Transport.CONNECT) {
        if (statusCode !== 0 && (statusCode < 1 || statusCode > 16)) return invalid(`status_code: a gRPC error code 1..16 on a Connect edge, got ${statusCode}.`);
        fault.statusCode = statusCode || DEFAULT_GRPC_FAULT_CODE;
      } else if (statusCode !== 0) {
        return invalid(`status_code: only ERRORS on REST and Connect edges answer with a status; ${nodeId ? `node ${nodeId}` : `edge ${edgeId}`} does not.`);
      }
      break;
    }
    case FaultKind.DUPLICATE: {
      const errorRate = request.errorRate ?? 0;
      if (!(errorRate >= 0 && errorRate <= 1)) return invalid(`error_rate: DUPLICATE takes a share of messages in 0..1 (0 = all), got ${errorRate}.`);
      fault.errorRate = errorRate || 1;
      break;
    }
    case FaultKind.BANDWIDTH: {
      const kbps = request.bandwidthKbps ?? 0;
      if (!Number.isInteger(kbps) || kbps < 1 || kbps > MAX_BANDWIDTH_KBPS) return invalid(`bandwidth_kbps: BANDWIDTH needs 1..${MAX_BANDWIDTH_KBPS} KB/s, got ${kbps}.`);
      fault.bandwidthKbps = kbps;
      break;
    }
    case FaultKind.CRASH_LOOP: {
      const intervalMs = request.intervalMs || DEFAULT_CRASH_LOOP_INTERVAL_MS;
      if (!Number.isInteger(intervalMs) || intervalMs < MIN_CRASH_LOOP_INTERVAL_MS) {
        return invalid(`interval_ms: CRASH_LOOP keeps the node up at least ${MIN_CRASH_LOOP_INTERVAL_MS} ms between kills, got ${intervalMs}.`);
      }
      fault.intervalMs = intervalMs;
      break;
    }
    default:
      break;
  }
  return { ok: true, fault };
}

/** The kinds a ClearFault may name for this target (UNSPECIFIED = all); undefined when `kind` fits. */
export function checkClearKind(kind: FaultKind | undefined): string | undefined {
  if (kind === undefined || kind === FaultKind.UNSPECIFIED) return undefined;
  return FaultKind[kind] === undefined ? `kind: no such fault kind ${kind}.` : undefined;
}
