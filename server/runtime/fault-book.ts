/**
 * The faults in force on one run: at most one per (target, kind), each with
 * when it started and when it clears itself. The orchestrator puts and takes
 * them; hosts are told, per host, the subset that acts on them (forHost).
 */
import { create } from "@bufbuild/protobuf";
import { ActiveFaultSchema, InjectFaultRequestSchema, type ActiveFault } from "@/lib/gen/ipcplay/v1/playground_pb";
import { FaultKind, type Topology } from "@/lib/gen/ipcplay/v1/topology_pb";
import { faultKey, type FaultSpec } from "@/lib/faults/spec";

export interface FaultEntry {
  fault: FaultSpec;
  startedAt: number;
  /** 0 = until ClearFault. */
  endsAt: number;
  /** The duration_ms timer. */
  timer?: NodeJS.Timeout;
  /** A CRASH_LOOP's loop: stop() ends it, `done` resolves when it has. */
  loop?: { stop: () => void; done: Promise<void> };
  /** Injected by the topology's schedule rather than by a call. */
  scheduled: boolean;
}

/** Ended faults kept for RunInfo.past_faults (the experiment's timeline). */
export const MAX_PAST_FAULTS = 200;

export interface FaultTarget {
  nodeId?: string;
  edgeId?: string;
}

export class FaultBook {
  private readonly entries = new Map<string, FaultEntry>();
  /** Ended ones, oldest first, their endsAt when they ended. */
  private readonly past: FaultEntry[] = [];

  /** @param topology the run's topology now (UpdateRun replaces it) */
  constructor(private readonly topology: () => Topology) {}

  /** Puts a fault in force, replacing one of the same kind on the same target (returned, its timer stopped). */
  put(fault: FaultSpec, now = Date.now(), options: { scheduled?: boolean } = {}): { entry: FaultEntry; replaced?: FaultEntry } {
    const key = faultKey(fault);
    const replaced = this.entries.get(key);
    if (replaced) {
      clearTimeout(replaced.timer);
      this.end(replaced, now);
    }
    const entry: FaultEntry = { fault, startedAt: now, endsAt: fault.durationMs ? now + fault.durationMs : 0, scheduled: options.scheduled ?? false };
    this.entries.set(key, entry);
    return { entry, ...(replaced ? { replaced } : {}) };
  }

  /** Takes the target's faults of `kind` (UNSPECIFIED = 0 or undefined: all of them) out of force; their timers stop. */
  take(target: FaultTarget, kind?: FaultKind, now = Date.now()): FaultEntry[] {
    const taken: FaultEntry[] = [];
    for (const [key, entry] of this.entries) {
      const onTarget = target.nodeId ? entry.fault.nodeId === target.nodeId : entry.fault.edgeId === target.edgeId;
      if (!onTarget || (kind && entry.fault.kind !== kind)) continue;
      clearTimeout(entry.timer);
      this.entries.delete(key);
      this.end(entry, now);
      taken.push(entry);
    }
    return taken;
  }

  /** Every entry, for a stop (they end with it). */
  takeAll(now = Date.now()): FaultEntry[] {
    const all = [...this.entries.values()];
    for (const entry of all) {
      clearTimeout(entry.timer);
      this.end(entry, now);
    }
    this.entries.clear();
    return all;
  }

  /** The targets of faults in force that `topology` no longer has. */
  orphansIn(topology: Topology): FaultTarget[] {
    const targets = new Map<string, FaultTarget>();
    for (const { fault } of this.entries.values()) {
      const gone = fault.nodeId ? !topology.nodes.some((node) => node.id === fault.nodeId) : !topology.edges.some((edge) => edge.id === fault.edgeId);
      if (gone) targets.set(fault.nodeId ? `node:${fault.nodeId}` : `edge:${fault.edgeId}`, fault.nodeId ? { nodeId: fault.nodeId } : { edgeId: fault.edgeId });
    }
    return [...targets.values()];
  }

  has(target: FaultTarget, kind: FaultKind): boolean {
    return this.entries.has(faultKey({ kind, ...target }));
  }

  /** The nodes whose hosts act on a fault: the node itself, or an edge's sender and receiver. */
  hostsOf(fault: Pick<FaultSpec, "nodeId" | "edgeId">): string[] {
    if (fault.nodeId) return [fault.nodeId];
    const edge = this.topology().edges.find((candidate) => candidate.id === fault.edgeId);
    return edge ? [...new Set([edge.source, edge.target])] : [];
  }

  /**
   * The faults a host acts on: its node's (but KILL, PAUSE and CRASH_LOOP,
   * which the orchestrator does to the process), and those of edges it sends or receives on.
   */
  forHost(nodeId: string): FaultSpec[] {
    return [...this.entries.values()]
      .map((entry) => entry.fault)
      .filter((fault) => (fault.nodeId ? fault.nodeId === nodeId && !PROCESS_KINDS.has(fault.kind) : this.hostsOf(fault).includes(nodeId)));
  }

  /** For RunInfo.faults, oldest first. */
  list(): ActiveFault[] {
    return [...this.entries.values()].sort((a, b) => a.startedAt - b.startedAt).map(activeFaultOf);
  }

  /** For RunInfo.past_faults: those that ended, oldest first, each with when it ended. */
  listPast(): ActiveFault[] {
    return this.past.map(activeFaultOf);
  }

  private end(entry: FaultEntry, now: number): void {
    this.past.push({ ...entry, endsAt: now, timer: undefined, loop: undefined });
    if (this.past.length > MAX_PAST_FAULTS) this.past.shift();
  }
}

function activeFaultOf(entry: FaultEntry): ActiveFault {
  return create(ActiveFaultSchema, {
    fault: create(InjectFaultRequestSchema, { ...entry.fault, nodeId: entry.fault.nodeId ?? "", edgeId: entry.fault.edgeId ?? "" }),
    startedUnixMs: entry.startedAt,
    endsUnixMs: entry.endsAt,
    scheduled: entry.scheduled,
  });
}

/** Node faults the orchestrator does to the process itself; hosts are not told. */
export const PROCESS_KINDS: ReadonlySet<FaultKind> = new Set([FaultKind.KILL, FaultKind.PAUSE, FaultKind.CRASH_LOOP]);
