/**
 * What this process counts: every message's outcome per edge, exactly —
 * whatever the trace sampling — written through to its count file (see
 * server/ipc/count-file.ts: the parent reads it, also after a SIGKILL), and a
 * latency histogram per edge, reported every COUNTERS_REPORT_MS as the delta
 * since the last report (histograms add up, so the parent merges them).
 */
import { LatencyHistogram } from "@/lib/metrics/latency-histogram";
import type { CountKey } from "@/lib/metrics/outcomes";
import type { CountFileWriter } from "@/server/ipc/count-file";
import type { EdgeLatencyDelta, NodeCounts, OriginCounts, QueueingTotals } from "@/server/ipc/host-messages";

export const COUNTERS_REPORT_MS = 500;

interface EdgeLatency {
  send: LatencyHistogram;
  wait: LatencyHistogram;
  work: LatencyHistogram;
}

export class HostCounters {
  private readonly latency = new Map<string, EdgeLatency>();
  private handled = 0;
  private inFlight = 0;
  private dropped = 0;
  /** Messages started here, for the run's budget (see OriginCounts). */
  private readonly origins: OriginCounts = { onDemand: 0, onDemandBytes: 0, automatic: 0, pending: 0, pendingBytes: 0 };
  /** (time, handled) at the previous snapshots, to compute a ~1 s rate. */
  private readonly history: Array<{ at: number; handled: number }> = [];
  /** Cumulative sums for the queueing model (lib/metrics/queueing-model.ts), on this process's monotonic clock. */
  private readonly queueing = { arrived: 0, timeInServiceMs: 0, inServiceArea: 0, slots: 0, slotMs: 0, waitMs: 0 };
  private areaAt: number;

  /**
   * @param file where the counts go; without one (tests of the flow alone) they are not kept.
   * @param clock the monotonic clock of the queueing sums, ms (tests pass their own).
   */
  constructor(
    private readonly file?: CountFileWriter,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.areaAt = clock();
  }

  /** Slots for edges counted from now on (a live update); see CountFileWriter.extend. */
  extendEdges(edgeIds: readonly string[]): void {
    this.file?.extend(edgeIds);
  }

  /** Counts one outcome (or send, retry, hand-off) of a message on an edge. */
  add(edgeId: string, key: CountKey, amount = 1): void {
    this.file?.add(edgeId, key, amount);
  }

  /** A send along the edge took `ms` (the source's CLIENT/PRODUCER span). */
  recordSend(edgeId: string, ms: number): void {
    this.latencyOf(edgeId).send.record(ms);
  }

  /** An asynchronous message waited `ms` from hand-off to the consumer starting on it. */
  recordWait(edgeId: string, ms: number): void {
    this.latencyOf(edgeId).wait.record(ms);
  }

  /** The target worked on a message from the edge for `ms` (its SERVER/CONSUMER span, waits and downstream calls included). */
  recordWork(edgeId: string, ms: number): void {
    this.latencyOf(edgeId).work.record(ms);
  }

  /** A client skipped a message: too many of its messages were still in flight. */
  drop(): void {
    this.dropped++;
  }

  /**
   * `count` messages of `bytes` payload bytes each start here (SendMessage's, or
   * the automatic traffic's); call the returned function as each one ends.
   */
  beginOrigins(count: number, bytes: number, source: "on demand" | "automatic"): () => void {
    if (source === "on demand") {
      this.origins.onDemand += count;
      this.origins.onDemandBytes += count * bytes;
    } else {
      this.origins.automatic += count;
    }
    this.origins.pending += count;
    this.origins.pendingBytes += count * bytes;
    return () => {
      this.origins.pending--;
      this.origins.pendingBytes -= bytes;
    };
  }

  /** Messages started here and not ended yet (OriginCounts.pending). */
  get originsPending(): number {
    return this.origins.pending;
  }

  get messagesInFlight(): number {
    return this.inFlight;
  }

  /** Marks one message in work; call the returned function when it is done. */
  begin(): () => void {
    const start = this.accrue();
    this.inFlight++;
    this.queueing.arrived++;
    return () => {
      const end = this.accrue();
      this.inFlight--;
      this.handled++;
      this.queueing.timeInServiceMs += end - start;
    };
  }

  /** A message waited `waitMs` for a concurrency slot and then held it `slotMs`. */
  recordSlot(waitMs: number, slotMs: number): void {
    this.queueing.slots++;
    this.queueing.waitMs += waitMs;
    this.queueing.slotMs += slotMs;
  }

  /** Adds in flight × the time since the last change to the area under in flight (L's integral); returns now. */
  private accrue(now = this.clock()): number {
    if (now > this.areaAt) {
      this.queueing.inServiceArea += this.inFlight * (now - this.areaAt);
      this.areaAt = now;
    }
    return now;
  }

  /** The queueing model's cumulative sums now. */
  queueingTotals(concurrency: number, now = this.clock()): QueueingTotals {
    this.accrue(now);
    return { atMs: now, completed: this.handled, concurrency, ...this.queueing };
  }

  /** Counts (cumulative) and latencies since the last snapshot (which this clears). */
  snapshot(waiting: number, now = performance.now(), concurrency = 0): { latency: EdgeLatencyDelta[]; node: NodeCounts } {
    this.history.push({ at: now, handled: this.handled });
    // Keep the oldest sample that is still within about a second.
    while (this.history.length > 2 && now - this.history[1].at >= 1000) this.history.shift();
    const oldest = this.history[0];
    const elapsedS = (now - oldest.at) / 1000;
    const ratePerSecond = elapsedS > 0 ? (this.handled - oldest.handled) / elapsedS : 0;
    const latency: EdgeLatencyDelta[] = [];
    for (const [edgeId, histograms] of this.latency) {
      const delta: EdgeLatencyDelta = { edgeId };
      for (const name of ["send", "wait", "work"] as const) {
        if (histograms[name].total === 0) continue;
        delta[name] = histograms[name].toSparse();
        histograms[name].clear();
      }
      if (delta.send || delta.wait || delta.work) latency.push(delta);
    }
    return {
      latency,
      node: { handled: this.handled, inFlight: this.inFlight, waiting, dropped: this.dropped, ratePerSecond, queueing: this.queueingTotals(concurrency, now), origins: { ...this.origins } },
    };
  }

  private latencyOf(edgeId: string): EdgeLatency {
    let entry = this.latency.get(edgeId);
    if (!entry) this.latency.set(edgeId, (entry = { send: new LatencyHistogram(), wait: new LatencyHistogram(), work: new LatencyHistogram() }));
    return entry;
  }
}
