/**
 * The faults in force on this host, as the parent last told it (the whole set
 * each time, see the `faults` ParentMessage). Transports and the message flow
 * ask it per message; the parts that must change state when a fault starts or
 * ends (wire proxies, cut consumers) register an applier, and the parent's
 * `faults-applied` answer waits for them.
 */
import { FaultKind } from "@/lib/gen/ipcplay/v1/topology_pb";
import { chance, delayMs, type Random } from "@/lib/faults/jitter";
import type { FaultSpec } from "@/lib/faults/spec";

/** Called with the new set; resolves once the change acts on traffic. */
export type FaultApplier = (faults: HostFaults) => Promise<void> | void;

export class HostFaults {
  private faults: readonly FaultSpec[] = [];
  private readonly appliers: FaultApplier[] = [];
  /** Applications run one after another, so a quick inject-then-clear ends cleared. */
  private applying: Promise<void> = Promise.resolve();

  constructor(
    private readonly nodeId: string,
    readonly random: Random = Math.random,
    /** Where an applier's failure goes (a Redis hiccup must not end the host, nor stop later sets). */
    private readonly report: (error: Error) => void = () => {},
  ) {}

  get all(): readonly FaultSpec[] {
    return this.faults;
  }

  /** Replaces the set; resolves once every applier has acted on it. */
  set(faults: readonly FaultSpec[]): Promise<void> {
    this.applying = this.applying.then(async () => {
      this.faults = faults;
      for (const apply of this.appliers) {
        try {
          await apply(this);
        } catch (error) {
          this.report(error as Error);
        }
      }
    });
    return this.applying;
  }

  onChange(apply: FaultApplier): void {
    this.appliers.push(apply);
  }

  /** The fault of `kind` on the edge, if one is in force. */
  edge(edgeId: string, kind: FaultKind): FaultSpec | undefined {
    return this.faults.find((fault) => fault.edgeId === edgeId && fault.kind === kind);
  }

  /** The fault of `kind` on this host's node, if one is in force. */
  node(kind: FaultKind): FaultSpec | undefined {
    return this.faults.find((fault) => fault.nodeId === this.nodeId && fault.kind === kind);
  }

  /** A LATENCY/SLOW_CONSUMER fault's delay for one message (latency ± jitter); 0 without the fault. */
  delayOf(fault: FaultSpec | undefined): number {
    return fault ? delayMs(fault.latencyMs, fault.jitterMs, this.random) : 0;
  }

  /** True when an ERRORS/DUPLICATE fault picks this message. */
  picks(fault: FaultSpec | undefined): boolean {
    return fault !== undefined && chance(fault.errorRate, this.random);
  }

  /** True while the consumer of a queue or pub/sub edge is cut from its broker (DISCONNECT or PARTITION). */
  consumerCut(edgeId: string): boolean {
    return this.edge(edgeId, FaultKind.DISCONNECT) !== undefined || this.edge(edgeId, FaultKind.PARTITION) !== undefined;
  }
}

export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
