/**
 * Every message this process sends, takes, refuses or loses, counted exactly —
 * whatever the trace sampling — with a latency histogram per edge. The host
 * reports every COUNTERS_REPORT_MS: counts cumulative since the process
 * started (a lost report costs nothing), latencies as the delta since the last
 * report (histograms add up, so the parent merges them).
 */
import { LatencyHistogram } from "@/lib/metrics/latency-histogram";
import type { EdgeCounts, EdgeLatencyDelta, NodeCounts } from "@/server/ipc/host-messages";

export const COUNTERS_REPORT_MS = 500;

export type CountName = Exclude<keyof EdgeCounts, "edgeId">;

interface EdgeLatency {
  send: LatencyHistogram;
  wait: LatencyHistogram;
}

export class HostCounters {
  private readonly edges = new Map<string, EdgeCounts>();
  private readonly latency = new Map<string, EdgeLatency>();
  private handled = 0;
  private inFlight = 0;
  private dropped = 0;
  /** (time, handled) at the previous snapshots, to compute a ~1 s rate. */
  private readonly history: Array<{ at: number; handled: number }> = [];

  add(edgeId: string, name: CountName, amount = 1): void {
    let counts = this.edges.get(edgeId);
    if (!counts) {
      counts = { edgeId, sent: 0, delivered: 0, failed: 0, retries: 0, lost: 0, deadLettered: 0, shed: 0 };
      this.edges.set(edgeId, counts);
    }
    counts[name] += amount;
  }

  /** A send along the edge took `ms` (the source's CLIENT/PRODUCER span). */
  recordSend(edgeId: string, ms: number): void {
    this.latencyOf(edgeId).send.record(ms);
  }

  /** An asynchronous message waited `ms` from hand-off to the consumer starting on it. */
  recordWait(edgeId: string, ms: number): void {
    this.latencyOf(edgeId).wait.record(ms);
  }

  /** A client skipped a message: too many of its messages were still in flight. */
  drop(): void {
    this.dropped++;
  }

  get messagesInFlight(): number {
    return this.inFlight;
  }

  /** Marks one message in work; call the returned function when it is done. */
  begin(): () => void {
    this.inFlight++;
    return () => {
      this.inFlight--;
      this.handled++;
    };
  }

  /** Counts (cumulative) and latencies since the last snapshot (which this clears). */
  snapshot(waiting: number, now = performance.now()): { edges: EdgeCounts[]; latency: EdgeLatencyDelta[]; node: NodeCounts } {
    this.history.push({ at: now, handled: this.handled });
    // Keep the oldest sample that is still within about a second.
    while (this.history.length > 2 && now - this.history[1].at >= 1000) this.history.shift();
    const oldest = this.history[0];
    const elapsedS = (now - oldest.at) / 1000;
    const ratePerSecond = elapsedS > 0 ? (this.handled - oldest.handled) / elapsedS : 0;
    const latency: EdgeLatencyDelta[] = [];
    for (const [edgeId, { send, wait }] of this.latency) {
      if (send.total === 0 && wait.total === 0) continue;
      latency.push({ edgeId, ...(send.total ? { send: send.toSparse() } : {}), ...(wait.total ? { wait: wait.toSparse() } : {}) });
      send.clear();
      wait.clear();
    }
    return {
      edges: [...this.edges.values()].map((counts) => ({ ...counts })),
      latency,
      node: { handled: this.handled, inFlight: this.inFlight, waiting, dropped: this.dropped, ratePerSecond },
    };
  }

  private latencyOf(edgeId: string): EdgeLatency {
    let entry = this.latency.get(edgeId);
    if (!entry) this.latency.set(edgeId, (entry = { send: new LatencyHistogram(), wait: new LatencyHistogram() }));
    return entry;
  }
}
