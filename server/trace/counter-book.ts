/**
 * Adds up the hosts' cumulative per-edge counts. Each process reports its own
 * share since it started; when a process is replaced (a killed node started
 * again) its last report is folded into a base, so counts never go backwards.
 */
import type { EdgeCounts, EdgeGauges, SamplingCounts } from "@/server/ipc/host-messages";

type Totals = Omit<EdgeCounts, "edgeId">;

const ZERO: Totals = { sent: 0, delivered: 0, failed: 0, retries: 0, lost: 0, deadLettered: 0, shed: 0 };

export class CounterBook {
  /** nodeId → edgeId → that node's current process's latest report. */
  private readonly current = new Map<string, Map<string, Totals>>();
  /** edgeId → what replaced processes had counted. */
  private readonly retired = new Map<string, Totals>();
  /** edgeId → the latest levels read by any node. */
  private readonly gauges = new Map<string, EdgeGauges>();
  /** nodeId → that node's current process's head-sampling counts. */
  private readonly sampling = new Map<string, SamplingCounts>();
  private retiredSampling = { started: 0, sampled: 0 };

  report(nodeId: string, edges: readonly EdgeCounts[], sampling?: SamplingCounts): void {
    const byEdge = new Map<string, Totals>();
    for (const { edgeId, ...totals } of edges) byEdge.set(edgeId, totals);
    this.current.set(nodeId, byEdge);
    if (sampling) this.sampling.set(nodeId, sampling);
  }

  /** Traces started and sampled by every process of the run so far; oneIn is the largest current N. */
  samplingTotals(): SamplingCounts {
    const totals = { ...this.retiredSampling, oneIn: 1 };
    for (const counts of this.sampling.values()) {
      totals.started += counts.started;
      totals.sampled += counts.sampled;
      totals.oneIn = Math.max(totals.oneIn, counts.oneIn);
    }
    return totals;
  }

  /** Levels are not summed: the latest reading of an edge wins. */
  readGauges(readings: readonly EdgeGauges[]): void {
    for (const reading of readings) this.gauges.set(reading.edgeId, reading);
  }

  gaugesOf(edgeId: string): EdgeGauges | undefined {
    return this.gauges.get(edgeId);
  }

  /** The node's process is gone; keep what it counted. */
  retire(nodeId: string): void {
    for (const [edgeId, totals] of this.current.get(nodeId) ?? []) {
      this.retired.set(edgeId, add(this.retired.get(edgeId) ?? ZERO, totals));
    }
    this.current.delete(nodeId);
    const sampling = this.sampling.get(nodeId);
    if (sampling) {
      this.retiredSampling = {
        started: this.retiredSampling.started + sampling.started,
        sampled: this.retiredSampling.sampled + sampling.sampled,
      };
      this.sampling.delete(nodeId);
    }
  }

  totals(edgeId: string): Totals {
    let sum = this.retired.get(edgeId) ?? ZERO;
    for (const byEdge of this.current.values()) {
      const totals = byEdge.get(edgeId);
      if (totals) sum = add(sum, totals);
    }
    return sum;
  }
}

function add(a: Totals, b: Totals): Totals {
  return {
    sent: a.sent + b.sent,
    delivered: a.delivered + b.delivered,
    failed: a.failed + b.failed,
    retries: a.retries + b.retries,
    lost: a.lost + b.lost,
    deadLettered: a.deadLettered + b.deadLettered,
    shed: a.shed + b.shed,
  };
}
