/**
 * A fault in force, as plain data: what the orchestrator keeps per run and
 * what a host is told (server/ipc/host-messages.ts `faults`). Every field is
 * filled (defaults applied by validateFault), so a host never guesses.
 */
import { FaultKind } from "@/lib/gen/ipcplay/v1/topology_pb";

export interface FaultSpec {
  kind: FaultKind;
  /** Exactly one of nodeId or edgeId is set. */
  nodeId?: string;
  edgeId?: string;
  latencyMs: number;
  jitterMs: number;
  /** ERRORS: share of messages that fail; DUPLICATE: share delivered twice. */
  errorRate: number;
  /** ERRORS on a REST edge: HTTP status; on a Connect edge: gRPC code. 0 elsewhere. */
  statusCode: number;
  bandwidthKbps: number;
  durationMs: number;
  intervalMs: number;
}

/** Faults a REST/Connect edge's caller puts on the wire (through its loopback proxy). */
export const WIRE_KINDS: ReadonlySet<FaultKind> = new Set([
  FaultKind.LATENCY,
  FaultKind.BANDWIDTH,
  FaultKind.BLACKHOLE,
  FaultKind.RESET,
  FaultKind.PARTITION,
]);

/** The key a target's fault of one kind is kept under: a second inject of the same kind replaces the first. */
export function faultKey(fault: Pick<FaultSpec, "kind" | "nodeId" | "edgeId">): string {
  return `${fault.nodeId ? `node:${fault.nodeId}` : `edge:${fault.edgeId}`}|${fault.kind}`;
}

/** "LATENCY 300 ms ± 20 ms" — a fault in plain words, for the run log. */
export function describeFault(fault: FaultSpec): string {
  const name = FaultKind[fault.kind] ?? String(fault.kind);
  const parts = [name];
  if (fault.kind === FaultKind.LATENCY || fault.kind === FaultKind.SLOW_CONSUMER) {
    parts.push(`${fault.latencyMs} ms${fault.jitterMs ? ` ± ${fault.jitterMs} ms` : ""}`);
  }
  if (fault.kind === FaultKind.ERRORS || fault.kind === FaultKind.DUPLICATE) parts.push(`on ${Math.round(fault.errorRate * 1000) / 10}% of messages`);
  if (fault.statusCode) parts.push(`answered with ${fault.edgeId ? "status " : ""}${fault.statusCode}`);
  if (fault.kind === FaultKind.BANDWIDTH) parts.push(`${fault.bandwidthKbps} KB/s each way`);
  if (fault.kind === FaultKind.CRASH_LOOP) parts.push(`every ${fault.intervalMs} ms up`);
  if (fault.durationMs) parts.push(`for ${fault.durationMs} ms`);
  return parts.join(" ");
}
