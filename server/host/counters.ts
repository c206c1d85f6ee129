/**
 * This process's share of the per-edge counts and its own load, cumulative
 * since it started. The host reports a snapshot every COUNTERS_REPORT_MS.
 */
import type { EdgeCounts, NodeCounts } from "@/server/ipc/host-messages";

export const COUNTERS_REPORT_MS = 500;

type CountName = Exclude<keyof EdgeCounts, "edgeId">;

export class HostCounters {
  private readonly edges = new Map<string, EdgeCounts>();
  private handled = 0;
  private inFlight = 0;
  /** (time, handled) at the previous snapshots, to compute a ~1 s rate. */
  private readonly history: Array<{ at: number; handled: number }> = [];

  add(edgeId: string, name: CountName, amount = 1): void {
    let counts = this.edges.get(edgeId);
    if (!counts) {
      counts = { edgeId, sent: 0, delivered: 0, failed: 0, retries: 0, lost: 0, deadLettered: 0 };
      this.edges.set(edgeId, counts);
    }
    counts[name] += amount;
  }

  /** Marks one message in work; call the returned function when it is done. */
  begin(): () => void {
    this.inFlight++;
    return () => {
      this.inFlight--;
      this.handled++;
    };
  }

  snapshot(now = performance.now()): { edges: EdgeCounts[]; node: NodeCounts } {
    this.history.push({ at: now, handled: this.handled });
    // Keep the oldest sample that is still within about a second.
    while (this.history.length > 2 && now - this.history[1].at >= 1000) this.history.shift();
    const oldest = this.history[0];
    const elapsedS = (now - oldest.at) / 1000;
    const ratePerSecond = elapsedS > 0 ? (this.handled - oldest.handled) / elapsedS : 0;
    return {
      edges: [...this.edges.values()].map((counts) => ({ ...counts })),
      node: { handled: this.handled, inFlight: this.inFlight, ratePerSecond },
    };
  }
}
