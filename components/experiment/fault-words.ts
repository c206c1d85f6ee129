/**
 * The experiment strip's side of faults: a scheduled or happened fault's bar
 * label, its run-log words and its time words, and the construction of
 * schedule entries. Which kinds fit a target, their words, parameters and
 * defaults come from components/faults/fault-kinds.ts, shared with the
 * inspector and the canvas chips, so all of them say the same thing.
 */
import { create } from "@bufbuild/protobuf";
import { FaultKind, ScheduledFaultSchema, type ScheduledFault, type Topology } from "@/lib/gen/ipcplay/v1/topology_pb";
import { describeFault, type FaultSpec } from "@/lib/faults/spec";
import {
  bandwidthText,
  defaultParams,
  duplicateRate,
  type FaultParams,
  type FaultTarget,
  intervalSeconds,
  kindsFor,
  kindWord,
  latencyText,
  percentText,
  statusText,
  targetOf,
} from "@/components/faults/fault-kinds";
import { secondsText } from "./timeline-layout";

export type { FaultParams };

/**
 * A fault's bar label: the kind's word and its figures, "latency 300 ms",
 * "kill", "errors 90 %", "errors 50 % · 503", "poison 20 %".
 *
 * @example faultLabel({ kind: FaultKind.ERRORS, errorRate: 0.9, … }, { type: "node", client: false }) // "errors 90 %"
 */
export function faultLabel(f: FaultParams, target: FaultTarget | undefined): string {
  const word = kindWord(f.kind, target);
  switch (f.kind) {
    case FaultKind.LATENCY:
      return `${word} ${target?.type === "node" ? "+" : ""}${latencyText(f)}`;
    case FaultKind.SLOW_CONSUMER:
      return `${word} +${latencyText(f)}`;
    case FaultKind.ERRORS: {
      const status = statusText(f.statusCode, target);
      return `${word} ${percentText(f.errorRate)}${status ? ` · ${status}` : ""}`;
    }
    case FaultKind.DUPLICATE:
      return `${word} ${percentText(duplicateRate(f.errorRate))}`;
    case FaultKind.BANDWIDTH:
      return `${word} ${bandwidthText(f.bandwidthKbps)}`;
    case FaultKind.CRASH_LOOP:
      return `${word} every ${secondsText(intervalSeconds(f.intervalMs))}`;
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

/** A new entry on a target: the kind asked for or its first offered kind, that kind's defaults, 5 s in, for 10 s. */
export function newEntry(topology: Topology, ids: { nodeId?: string; edgeId?: string }, kind?: FaultKind): ScheduledFault {
  const target = targetOf(topology, ids);
  const chosen = kind ?? kindsFor(target)[0] ?? FaultKind.UNSPECIFIED;
  return create(ScheduledFaultSchema, { atS: 5, durationS: 10, ...ids, kind: chosen, ...defaultParams(chosen, target) });
}

/** The entry with another kind: the new kind's parameters at their defaults, the others cleared. */
export function withKind(entry: ScheduledFault, kind: FaultKind, target: FaultTarget | undefined): ScheduledFault {
  return create(ScheduledFaultSchema, {
    atS: entry.atS,
    durationS: entry.durationS,
    nodeId: entry.nodeId,
    edgeId: entry.edgeId,
    kind,
    ...defaultParams(kind, target),
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
