/**
 * Per-edge latency and rate, from the hosts' histogram deltas (every message
 * counted, whatever the trace sampling): a window of recent slots for the live
 * view and a whole-run histogram for the summary. Pure: time is passed in.
 */
import { LatencyHistogram, type SparseCounts } from "@/lib/metrics/latency-histogram";

/** Live percentiles cover about the last this many ms. */
export const LATENCY_WINDOW_MS = 10_000;
/** The rate counts the sends of about the last this many ms. */
export const RATE_WINDOW_MS = 1_000;
/** Width of one slot of the window; deltas arrive every ~500 ms. */
export const SLOT_MS = 500;

export interface EdgeLatencyStats {
  ratePerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  waitP50Ms: number;
  waitP95Ms: number;
  waitP99Ms: number;
  workP50Ms: number;
  workP95Ms: number;
  workP99Ms: number;
}

interface Slot {
  /** Start of the slot, ms (a multiple of SLOT_MS). */
  at: number;
  send: LatencyHistogram;
  wait: LatencyHistogram;
  work: LatencyHistogram;
}

interface EdgeSeries {
  slots: Slot[];
  wholeRunSend: LatencyHistogram;
  wholeRunWait: LatencyHistogram;
  wholeRunWork: LatencyHistogram;
  /** Sends timed since the last takeSecond (the metrics' point of that second). */
  sinceTake: LatencyHistogram;
}

const EMPTY: EdgeLatencyStats = { ratePerSecond: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, waitP50Ms: 0, waitP95Ms: 0, waitP99Ms: 0, workP50Ms: 0, workP95Ms: 0, workP99Ms: 0 };

export class EdgeLatencyBook {
  private readonly edges = new Map<string, EdgeSeries>();

  /** Adds a host's delta for one edge, received at `nowMs`. */
  add(edgeId: string, nowMs: number, delta: { send?: SparseCounts; wait?: SparseCounts; work?: SparseCounts }): void {
    const series = this.seriesOf(edgeId);
    const slot = this.slotAt(series, nowMs);
    if (delta.send) {
      slot.send.merge(delta.send);
      series.wholeRunSend.merge(delta.send);
      series.sinceTake.merge(delta.send);
    }
    if (delta.wait) {
      slot.wait.merge(delta.wait);
      series.wholeRunWait.merge(delta.wait);
    }
    if (delta.work) {
      slot.work.merge(delta.work);
      series.wholeRunWork.merge(delta.work);
    }
  }

  /** Percentiles of the last LATENCY_WINDOW_MS and sends per second of the last RATE_WINDOW_MS. */
  stats(edgeId: string, nowMs: number): EdgeLatencyStats {
    const series = this.edges.get(edgeId);
    if (!series) return EMPTY;
    this.forget(series, nowMs);
    const send = new LatencyHistogram();
    const wait = new LatencyHistogram();
    const work = new LatencyHistogram();
    let recentSends = 0;
    for (const slot of series.slots) {
      send.merge(slot.send);
      wait.merge(slot.wait);
      work.merge(slot.work);
      // Whole slots of the last RATE_WINDOW_MS: each host's delta covers the
      // half second before it arrived, so two whole slots hold about a second.
      const end = slot.at + SLOT_MS;
      if (end <= nowMs && end > nowMs - RATE_WINDOW_MS) recentSends += slot.send.total;
    }
    const sendPercentiles = send.percentiles();
    const waitPercentiles = wait.percentiles();
    const workPercentiles = work.percentiles();
    return {
      ratePerSecond: recentSends / (RATE_WINDOW_MS / 1000),
      ...sendPercentiles,
      waitP50Ms: waitPercentiles.p50Ms,
      waitP95Ms: waitPercentiles.p95Ms,
      waitP99Ms: waitPercentiles.p99Ms,
      workP50Ms: workPercentiles.p50Ms,
      workP95Ms: workPercentiles.p95Ms,
      workP99Ms: workPercentiles.p99Ms,
    };
  }

  /** p50/p95/p99 of the sends timed since the last call (one a second: lib/metrics/series.ts), and starts over. */
  takeSecond(edgeId: string): { p50Ms: number; p95Ms: number; p99Ms: number } {
    const series = this.edges.get(edgeId);
    if (!series) return { p50Ms: 0, p95Ms: 0, p99Ms: 0 };
    const percentiles = series.sinceTake.percentiles();
    series.sinceTake.clear();
    return percentiles;
  }

  /** Percentiles over every message of the run (for the summary at Stop). */
  runStats(edgeId: string): Omit<EdgeLatencyStats, "ratePerSecond"> {
    const series = this.edges.get(edgeId);
    if (!series) return EMPTY;
    const send = series.wholeRunSend.percentiles();
    const wait = series.wholeRunWait.percentiles();
    const work = series.wholeRunWork.percentiles();
    return {
      ...send,
      waitP50Ms: wait.p50Ms,
      waitP95Ms: wait.p95Ms,
      waitP99Ms: wait.p99Ms,
      workP50Ms: work.p50Ms,
      workP95Ms: work.p95Ms,
      workP99Ms: work.p99Ms,
    };
  }

  private seriesOf(edgeId: string): EdgeSeries {
    let series = this.edges.get(edgeId);
    if (!series) {
      series = { slots: [], wholeRunSend: new LatencyHistogram(), wholeRunWait: new LatencyHistogram(), wholeRunWork: new LatencyHistogram(), sinceTake: new LatencyHistogram() };
      this.edges.set(edgeId, series);
    }
    return series;
  }

  private slotAt(series: EdgeSeries, nowMs: number): Slot {
    const at = nowMs - (nowMs % SLOT_MS);
    const last = series.slots[series.slots.length - 1];
    if (last && last.at === at) return last;
    const slot: Slot = { at, send: new LatencyHistogram(), wait: new LatencyHistogram(), work: new LatencyHistogram() };
    series.slots.push(slot);
    this.forget(series, nowMs);
    return slot;
  }

  private forget(series: EdgeSeries, nowMs: number): void {
    while (series.slots.length > 0 && series.slots[0].at + SLOT_MS <= nowMs - LATENCY_WINDOW_MS) series.slots.shift();
  }
}
