/**
 * A topology's fault schedule (Topology.schedule): the rules an experiment
 * must keep to be run as drawn, and the order its steps happen in.
 *
 * What a fault's kind and parameters may be on its target is the same rule as
 * for InjectFault (validateFault, ./validate.ts); this file adds what only a
 * schedule has: times, and entries on one target and kind that would overlap.
 */
import { quote, type Problem } from "@/lib/run/problem";
import { clone } from "@bufbuild/protobuf";
import { FaultKind, ScheduledFaultSchema, type ScheduledFault, type Topology } from "@/lib/gen/ipcplay/v1/topology_pb";
import { LIMITS } from "@/lib/topology/limits";
import { validateFault, type FaultRequestFields } from "./validate";

/** Seconds a schedule may reach: a run never lives longer. */
const MAX_SCHEDULE_S = LIMITS.maxRunMs / 1000;

/** When an entry ends, in seconds after the run is up (Infinity: kept until the run stops). */
export function scheduledEnd(entry: ScheduledFault): number {
  return entry.durationS > 0 ? entry.atS + entry.durationS : Infinity;
}

/** The target an entry names, as one string ("node b", "edge gw-be"). */
export function scheduledTarget(entry: ScheduledFault): string {
  return entry.nodeId ? `node ${entry.nodeId}` : `edge ${entry.edgeId}`;
}

/**
 * Problems of the schedule as a whole and of each entry's time and target,
 * with paths like "schedule[2].atS". Parameters are checked by the fault rules.
 */
export function scheduleProblems(t: Topology): Problem[] {
  const problems: Problem[] = [];
  if (t.schedule.length > LIMITS.maxScheduledFaults) {
    problems.push({ path: "schedule", message: `has ${t.schedule.length} faults; at most ${LIMITS.maxScheduledFaults} are allowed` });
  }
  const nodeIds = new Set(t.nodes.map((node) => node.id));
  const edgeIds = new Set(t.edges.map((edge) => edge.id));
  t.schedule.forEach((entry, i) => {
    const path = `schedule[${i}]`;
    if (!Number.isFinite(entry.atS) || entry.atS < 0 || entry.atS > MAX_SCHEDULE_S) {
      problems.push({ path: `${path}.atS`, message: `must be within 0..${MAX_SCHEDULE_S} s after the run is up (a run lives at most that long)` });
    }
    if (!Number.isFinite(entry.durationS) || entry.durationS < 0 || entry.durationS > MAX_SCHEDULE_S) {
      problems.push({ path: `${path}.durationS`, message: `must be within 0..${MAX_SCHEDULE_S} s (0 = until the run stops)` });
    }
    if (Boolean(entry.nodeId) === Boolean(entry.edgeId)) {
      problems.push({ path: path, message: "name exactly one target: nodeId or edgeId" });
    } else if (entry.nodeId && !nodeIds.has(entry.nodeId)) {
      problems.push({ path: `${path}.nodeId`, message: `no node has id ${quote(entry.nodeId)}` });
    } else if (entry.edgeId && !edgeIds.has(entry.edgeId)) {
      problems.push({ path: `${path}.edgeId`, message: `no edge has id ${quote(entry.edgeId)}` });
    }
    if (entry.kind === FaultKind.UNSPECIFIED) problems.push({ path: `${path}.kind`, message: "choose a fault kind" });
    else if (Boolean(entry.nodeId) !== Boolean(entry.edgeId) && (nodeIds.has(entry.nodeId) || edgeIds.has(entry.edgeId))) {
      problems.push(...parameterProblems(t, entry, path));
    }
  });
  problems.push(...overlapProblems(t.schedule));
  return problems;
}

/** The InjectFault request an entry makes when its time comes: its target, kind and parameters, its duration as duration_ms. */
export function faultOfEntry(entry: ScheduledFault): FaultRequestFields & { kind: FaultKind } {
  return {
    nodeId: entry.nodeId,
    edgeId: entry.edgeId,
    kind: entry.kind,
    latencyMs: entry.latencyMs,
    errorRate: entry.errorRate,
    jitterMs: entry.jitterMs,
    statusCode: entry.statusCode,
    bandwidthKbps: entry.bandwidthKbps,
    intervalMs: entry.intervalMs,
    durationMs: Math.round(entry.durationS * 1000),
  };
}

/** InjectFault's own rules for the entry's kind and parameters, as problems at the field's path ("schedule[0].latencyMs"). */
function parameterProblems(t: Topology, entry: ScheduledFault, path: string): Problem[] {
  const check = validateFault(t, faultOfEntry(entry));
  if (check.ok) return [];
  // validateFault starts its sentence with the request's field ("latency_ms: …"); the schedule's field has the same name.
  const field = /^([a-z_]+): /.exec(check.message);
  const camel = field?.[1].replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
  return [{ path: camel ? `${path}.${camel}` : path, message: field ? check.message.slice(field[0].length) : check.message }];
}

/** Two entries with the same target and kind whose times overlap: the second would land on a fault already in force. */
function overlapProblems(schedule: readonly ScheduledFault[]): Problem[] {
  const problems: Problem[] = [];
  schedule.forEach((entry, i) => {
    for (let j = 0; j < i; j++) {
      const earlier = schedule[j];
      const sameSlot = earlier.kind === entry.kind && earlier.nodeId === entry.nodeId && earlier.edgeId === entry.edgeId;
      if (!sameSlot || entry.kind === FaultKind.UNSPECIFIED) continue;
      if (entry.atS < scheduledEnd(earlier) && earlier.atS < scheduledEnd(entry)) {
        problems.push({
          path: `schedule[${i}]`,
          message: `overlaps schedule[${j}]: both put ${FaultKind[entry.kind]} on ${scheduledTarget(entry)} ${overlapText(Math.max(entry.atS, earlier.atS), Math.min(scheduledEnd(entry), scheduledEnd(earlier)))}; move one or shorten the other`,
        });
        break;
      }
    }
  });
  return problems;
}

function overlapText(from: number, to: number): string {
  return to === Infinity ? `from ${from} s on` : `between ${from} s and ${to} s`;
}

/** One step of a running schedule: at `atMs` after the run is up, inject entry `index`. */
export interface ScheduleStep {
  atMs: number;
  index: number;
  entry: ScheduledFault;
}

/** The schedule's injections in time order (stable for equal times). */
export function scheduleSteps(schedule: readonly ScheduledFault[]): ScheduleStep[] {
  return schedule
    .map((entry, index) => ({ atMs: Math.round(entry.atS * 1000), index, entry }))
    .sort((a, b) => a.atMs - b.atMs || a.index - b.index);
}

/**
 * The schedule after the canvas renamed or deleted nodes and edges: renamed
 * targets follow (`renamed` maps old id → new id), entries whose target is no
 * longer in `remaining` go with it. Returns the same array when nothing changed.
 */
export function retargetSchedule(
  schedule: readonly ScheduledFault[],
  renamed: { nodes?: ReadonlyMap<string, string>; edges?: ReadonlyMap<string, string> },
  remaining: { nodeIds: ReadonlySet<string>; edgeIds: ReadonlySet<string> },
): ScheduledFault[] {
  let changed = false;
  const next: ScheduledFault[] = [];
  for (const entry of schedule) {
    const nodeId = entry.nodeId && (renamed.nodes?.get(entry.nodeId) ?? entry.nodeId);
    const edgeId = entry.edgeId && (renamed.edges?.get(entry.edgeId) ?? entry.edgeId);
    if ((nodeId && !remaining.nodeIds.has(nodeId)) || (edgeId && !remaining.edgeIds.has(edgeId))) {
      changed = true;
      continue;
    }
    if (nodeId === entry.nodeId && edgeId === entry.edgeId) {
      next.push(entry);
      continue;
    }
    changed = true;
    const moved = clone(ScheduledFaultSchema, entry);
    moved.nodeId = nodeId;
    moved.edgeId = edgeId;
    next.push(moved);
  }
  return changed ? next : (schedule as ScheduledFault[]);
}
