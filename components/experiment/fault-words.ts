/**
 * A scheduled or happened fault in plain words for the experiment strip, which
 * kinds fit a target, and a new entry's defaults. Which kinds fit is asked of
 * the gate itself (validateFault), so the picker can never offer a kind the
 * topology would refuse.
 */
import { create } from "@bufbuild/protobuf";
import { FaultKind, ScheduledFaultSchema, type ScheduledFault, Transport, type Topology } from "@/lib/gen/ipcplay/v1/topology_pb";
import { describeFault, type FaultSpec } from "@/lib/faults/spec";
import { DEFAULT_CRASH_LOOP_INTERVAL_MS, DEFAULT_GRPC_FAULT_CODE, DEFAULT_HTTP_FAULT_STATUS, validateFault } from "@/lib/faults/validate";
import { secondsText } from "./timeline-layout";

/** The parameter fields a fault may carry (ScheduledFault's and InjectFaultRequest's share these names). */
export type FaultParams = Pick<ScheduledFault, "kind" | "latencyMs" | "jitterMs" | "errorRate" | "statusCode" | "bandwidthKbps" | "intervalMs">;

/** Every kind, in the order the picker lists them. */
const ALL_KINDS: readonly FaultKind[] = [
  FaultKind.KILL,
  FaultKind.PAUSE,
  FaultKind.CRASH_LOOP,
  FaultKind.LATENCY,
  FaultKind.ERRORS,
  FaultKind.BLACKHOLE,
  FaultKind.RESET,
  FaultKind.PARTITION,
  FaultKind.BANDWIDTH,
  FaultKind.DISCONNECT,
  FaultKind.SLOW_CONSUMER,
  FaultKind.DUPLICATE,
];

/** A kind's name in plain words: "kill", "black hole", "slow consumer". */
export function kindWord(kind: FaultKind, target?: { nodeId?: string; edgeId?: string }, transport?: Transport): string {
  switch (kind) {
    case FaultKind.KILL:
      return "kill";
    case FaultKind.PAUSE:
      return "pause";
    case FaultKind.CRASH_LOOP:
      return "crash loop";
    case FaultKind.LATENCY:
      return target?.nodeId ? "slow down" : "latency";
    case FaultKind.ERRORS:
      return transport === Transport.QUEUE || transport === Transport.PUBSUB ? "poison" : "errors";
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
      return "duplicates";
    default:
      return "fault";
  }
}

/** The parameters a kind takes, in the order the form shows them. */
export type ParamName = "latencyMs" | "jitterMs" | "errorRate" | "statusCode" | "bandwidthKbps" | "intervalMs";

export function paramsOf(kind: FaultKind, transport?: Transport): ParamName[] {
  switch (kind) {
    case FaultKind.LATENCY:
    case FaultKind.SLOW_CONSUMER:
      return ["latencyMs", "jitterMs"];
    case FaultKind.ERRORS:
      return transport === Transport.REST || transport === Transport.CONNECT ? ["errorRate", "statusCode"] : ["errorRate"];
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

/** Starting values: 300 ms, 50% (all duplicates), the transport's default status, 64 KB/s, every 3 s. */
export function defaultParams(kind: FaultKind, transport?: Transport): Omit<FaultParams, "kind"> {
  const p = { latencyMs: 0, jitterMs: 0, errorRate: 0, statusCode: 0, bandwidthKbps: 0, intervalMs: 0 };
  for (const name of paramsOf(kind, transport)) {
    if (name === "latencyMs") p.latencyMs = 300;
    if (name === "errorRate") p.errorRate = kind === FaultKind.DUPLICATE ? 1 : 0.5;
    if (name === "statusCode") p.statusCode = transport === Transport.CONNECT ? DEFAULT_GRPC_FAULT_CODE : DEFAULT_HTTP_FAULT_STATUS;
    if (name === "bandwidthKbps") p.bandwidthKbps = 64;
    if (name === "intervalMs") p.intervalMs = DEFAULT_CRASH_LOOP_INTERVAL_MS;
  }
  return p;
}

/**
 * The kinds the gate accepts on a target, asked of validateFault with each
 * kind's defaults: a kind fits unless the refusal is about the kind itself.
 */
export function kindsFor(topology: Topology, target: { nodeId?: string; edgeId?: string }): FaultKind[] {
  const transport = target.edgeId ? topology.edges.find((e) => e.id === target.edgeId)?.transport : undefined;
  return ALL_KINDS.filter((kind) => {
    const check = validateFault(topology, { ...target, kind, ...defaultParams(kind, transport) });
    return check.ok || !check.message.startsWith("kind:");
  });
}

const pct = (rate: number) => `${Math.round(rate * 1000) / 10}%`;

/**
 * A fault's bar label: "latency 300 ms", "kill", "errors 90%", "errors 50% · 503".
 *
 * @example faultLabel({ kind: FaultKind.ERRORS, errorRate: 0.9, … }, { nodeId: "db" }) // "errors 90%"
 */
export function faultLabel(f: FaultParams, target: { nodeId?: string; edgeId?: string }, transport?: Transport): string {
  const word = kindWord(f.kind, target, transport);
  const spread = f.jitterMs ? `${f.latencyMs} ± ${f.jitterMs} ms` : `${f.latencyMs} ms`;
  switch (f.kind) {
    case FaultKind.LATENCY:
      return `${word} ${target.nodeId ? "+" : ""}${spread}`;
    case FaultKind.SLOW_CONSUMER:
      return `${word} +${spread}`;
    case FaultKind.ERRORS:
      return `${word} ${pct(f.errorRate)}${f.statusCode ? ` · ${f.statusCode}` : ""}`;
    case FaultKind.DUPLICATE:
      return `${word} ${pct(f.errorRate || 1)}`;
    case FaultKind.BANDWIDTH:
      return `${word} ${f.bandwidthKbps} KB/s`;
    case FaultKind.CRASH_LOOP:
      return `${word} every ${secondsText((f.intervalMs || DEFAULT_CRASH_LOOP_INTERVAL_MS) / 1000)}`;
    default:
      return word;
  }
}

/** The run log's words for a fault's kind and parameters ("LATENCY 1000 ms ± 20 ms"), from lib/faults/spec.ts. */
export function faultParamsText(f: FaultParams, target: { nodeId?: string; edgeId?: string }): string {
  const spec: FaultSpec = {
    kind: f.kind,
    ...(target.nodeId ? { nodeId: target.nodeId } : { edgeId: target.edgeId }),
    latencyMs: f.latencyMs,
    jitterMs: f.jitterMs,
    errorRate: f.errorRate,
    statusCode: f.statusCode,
    bandwidthKbps: f.bandwidthKbps,
    durationMs: 0,
    intervalMs: f.intervalMs,
  };
  return describeFault(spec);
}

/** "starts at 5 s, lasts 12 s (until 17 s)" / "starts at 5 s, until the run stops". */
export function whenText(atS: number, durationS: number): string {
  return durationS > 0 ? `starts at ${secondsText(atS)}, lasts ${secondsText(durationS)} (until ${secondsText(atS + durationS)})` : `starts at ${secondsText(atS)}, until the run stops`;
}

/** A new entry on a target: its first fitting kind, that kind's defaults, 5 s in, for 10 s. */
export function newEntry(topology: Topology, target: { nodeId?: string; edgeId?: string }, kind?: FaultKind): ScheduledFault {
  const transport = target.edgeId ? topology.edges.find((e) => e.id === target.edgeId)?.transport : undefined;
  const chosen = kind ?? kindsFor(topology, target)[0] ?? FaultKind.UNSPECIFIED;
  return create(ScheduledFaultSchema, { atS: 5, durationS: 10, ...target, kind: chosen, ...defaultParams(chosen, transport) });
}

/** The entry with another kind: the new kind's parameters at their defaults, the others cleared. */
export function withKind(entry: ScheduledFault, kind: FaultKind, transport?: Transport): ScheduledFault {
  return create(ScheduledFaultSchema, {
    atS: entry.atS,
    durationS: entry.durationS,
    nodeId: entry.nodeId,
    edgeId: entry.edgeId,
    kind,
    ...defaultParams(kind, transport),
  });
}

/** The problems of one entry, at its index, by the field after `schedule[i]` ("atS", "latencyMs", "" for the entry). */
export function entryProblems(problems: readonly { path: string; message: string }[], index: number): { field: string; message: string }[] {
  const prefix = `schedule[${index}]`;
  return problems
    .filter((p) => p.path === prefix || p.path.startsWith(`${prefix}.`))
    .map((p) => ({ field: p.path.slice(prefix.length + 1), message: entryWords(p.message) }));
}

/** The gate names entries by path ("overlaps schedule[1]"); the strip calls them "fault 2". */
export function entryWords(message: string): string {
  return message.replace(/schedule\[(\d+)\]/g, (_, i: string) => `fault ${Number(i) + 1}`);
}
