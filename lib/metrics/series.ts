/**
 * A run's metrics over time, one point a second, in a bounded ring (issue 10):
 * per edge the messages of that second by outcome, attempts and retries, its
 * in-flight and queued levels and the p50/p95/p99 of that second's latencies;
 * per queue (a queue channel, shared or not) its waiting / active / delayed /
 * dead-letter levels and messages in and out; per node its handled rate,
 * waiting work, in flight, and its process's CPU and RSS.
 *
 * Counts are fed cumulative (the books' counts at the reading) and kept as
 * deltas, so the points of a series add up to the count at the last reading,
 * exactly, whatever the gaps between readings. Levels are kept as read.
 *
 * Columnar: one time column and one Float32Array per series, all of the same
 * length, grown by doubling up to `capacity` points (1,800 = 30 minutes), then
 * the oldest point goes. Float32 holds every per-second count exactly (below
 * 2^24) and levels to 7 digits.
 *
 * Memory, measured (node --expose-gc, process.memoryUsage after gc; the same
 * figure is asserted in series.test.ts, "the largest topology"): 24 nodes,
 * 64 queue edges (each its own queue) with two failed and one lost outcome
 * each, a full ring of 1,800 points: 1,528 series, 11,016,000 bytes of typed
 * arrays (1,528 × 1,800 × 4 + 1,800 × 8) and about 0.8 MB of heap (series
 * names and objects): about 12 MB. The bound per run, with every one of the
 * 14 outcomes on every edge: 2,232 series, 16.1 MB. A REST edge without
 * failures is 11 series: 79 kB for 30 minutes. A short run takes less: the
 * columns grow by doubling from 64 points.
 *
 * Pure: no I/O, no clock (times are passed in).
 */

/** 30 minutes of 1 s points. */
export const SERIES_CAPACITY = 1_800;
const INITIAL_POINTS = 64;
/** Points (seconds) of in/out rates a time-to-drain estimate looks at. */
const DRAIN_WINDOW = 10;

export type SeriesSubject = "edge" | "queue" | "node";

/** An edge's books at one reading (cumulative counts) with its levels now and the latencies of the last second. */
export interface EdgeReading {
  id: string;
  sent: number;
  delivered: number;
  failed: number;
  lost: number;
  retries: number;
  attempts: number;
  failedBy: ReadonlyArray<{ outcome: string; count: number }>;
  lostBy: ReadonlyArray<{ outcome: string; count: number }>;
  inFlight: number;
  queued: number;
  /** Of the messages timed since the last reading; absent or zero when none. */
  latency?: { p50Ms: number; p95Ms: number; p99Ms: number };
}

/** A queue channel: its broker's levels now and its books (cumulative). */
export interface QueueReading {
  /** The channel's name. */
  id: string;
  waiting: number;
  active: number;
  delayed: number;
  deadLetters: number;
  /** How long its oldest waiting job has waited (ms), read from the broker; 0 when none waits. */
  oldestWaitingMs: number;
  /** Messages sent into it (cumulative). */
  sent: number;
  /** Messages that ended, however: delivered + failed + lost (cumulative). */
  ended: number;
}

export interface NodeReading {
  id: string;
  handledPerSecond: number;
  waiting: number;
  inFlight: number;
  cpuPercent: number;
  rssBytes: number;
}

export interface Reading {
  atMs: number;
  edges: readonly EdgeReading[];
  queues: readonly QueueReading[];
  nodes: readonly NodeReading[];
}

export interface SeriesValues {
  subject: SeriesSubject;
  id: string;
  /** "sent", "failed:timed out", "p99_ms", "waiting", … (see README: Metrics over time). */
  metric: string;
  values: number[];
}

/** The points after a time, columnar: values[i] of every series was taken at timestampsUnixMs[i]. */
export interface SeriesWindow {
  timestampsUnixMs: number[];
  series: SeriesValues[];
}

/** The newest point: only the series not zero in it (absent = 0 in that second). */
export interface SeriesPoint {
  atMs: number;
  series: Array<{ subject: SeriesSubject; id: string; metric: string; value: number }>;
}

interface Column {
  subject: SeriesSubject;
  id: string;
  metric: string;
  /** Counts: the cumulative value last read (points hold deltas of it). */
  cumulative: boolean;
  last: number;
  values: Float32Array;
}

function columnKey(subject: SeriesSubject, id: string, metric: string): string {
  return `${subject}\u0000${id}\u0000${metric}`;
}

export class MetricsSeries {
  private times: Float64Array;
  private readonly columns = new Map<string, Column>();
  /** Index of the oldest point, and how many there are. */
  private start = 0;
  private count = 0;

  constructor(private readonly capacity = SERIES_CAPACITY) {
    this.times = new Float64Array(Math.min(INITIAL_POINTS, capacity));
  }

  get length(): number {
    return this.count;
  }

  /** Time of the newest point (0 when none). */
  get lastAtMs(): number {
    return this.count === 0 ? 0 : this.times[this.slot(this.count - 1)];
  }

  /**
   * Takes one point from a reading. Its time is the reading's second; a
   * reading within the second of the last point goes to the next second, so
   * times only grow and a point, once read, never changes.
   */
  take(reading: Reading): SeriesPoint {
    const second = Math.floor(reading.atMs / 1000) * 1000;
    const atMs = this.count > 0 && second <= this.lastAtMs ? this.lastAtMs + 1000 : second;
    const index = this.push(atMs);
    const point: SeriesPoint = { atMs, series: [] };
    const put = (subject: SeriesSubject, id: string, metric: string, value: number, cumulative: boolean) => {
      const column = this.column(subject, id, metric, cumulative);
      const stored = cumulative ? value - column.last : value;
      if (cumulative) column.last = value;
      column.values[index] = stored;
      if (stored !== 0) point.series.push({ subject, id, metric, value: column.values[index] });
    };
    for (const edge of reading.edges) {
      put("edge", edge.id, "sent", edge.sent, true);
      put("edge", edge.id, "delivered", edge.delivered, true);
      put("edge", edge.id, "failed", edge.failed, true);
      put("edge", edge.id, "lost", edge.lost, true);
      put("edge", edge.id, "retries", edge.retries, true);
      put("edge", edge.id, "attempts", edge.attempts, true);
      for (const { outcome, count } of edge.failedBy) put("edge", edge.id, `failed:${outcome}`, count, true);
      for (const { outcome, count } of edge.lostBy) put("edge", edge.id, `lost:${outcome}`, count, true);
      put("edge", edge.id, "in_flight", edge.inFlight, false);
      put("edge", edge.id, "queued", edge.queued, false);
      put("edge", edge.id, "p50_ms", edge.latency?.p50Ms ?? 0, false);
      put("edge", edge.id, "p95_ms", edge.latency?.p95Ms ?? 0, false);
      put("edge", edge.id, "p99_ms", edge.latency?.p99Ms ?? 0, false);
    }
    for (const queue of reading.queues) {
      put("queue", queue.id, "waiting", queue.waiting, false);
      put("queue", queue.id, "active", queue.active, false);
      put("queue", queue.id, "delayed", queue.delayed, false);
      put("queue", queue.id, "dead_letters", queue.deadLetters, false);
      put("queue", queue.id, "in", queue.sent, true);
      put("queue", queue.id, "out", queue.ended, true);
      put("queue", queue.id, "lag_s", queue.oldestWaitingMs / 1000, false);
      put("queue", queue.id, "drain_s", this.drainEstimate(queue), false);
    }
    for (const node of reading.nodes) {
      put("node", node.id, "handled_per_s", node.handledPerSecond, false);
      put("node", node.id, "waiting", node.waiting, false);
      put("node", node.id, "in_flight", node.inFlight, false);
      put("node", node.id, "cpu_percent", node.cpuPercent, false);
      put("node", node.id, "rss_bytes", node.rssBytes, false);
    }
    return point;
  }

  /**
   * Seconds until a queue's waiting jobs are gone at the net rate out (out − in)
   * of its last DRAIN_WINDOW points, the one just taken included; 0 when none
   * wait or the queue is not draining (its in/out series say which).
   */
  private drainEstimate(queue: QueueReading): number {
    const backlog = queue.waiting + queue.delayed;
    if (backlog === 0) return 0;
    const points = Math.min(DRAIN_WINDOW, this.count);
    const sum = (metric: string) => {
      const column = this.columns.get(columnKey("queue", queue.id, metric));
      let total = 0;
      for (let i = this.count - points; i < this.count; i++) total += column?.values[this.slot(i)] ?? 0;
      return total;
    };
    const netPerSecond = (sum("out") - sum("in")) / points;
    return netPerSecond > 0 ? backlog / netPerSecond : 0;
  }

  /** Every point taken after `sinceMs` (all kept points for 0), columnar. */
  since(sinceMs = 0): SeriesWindow {
    let first = 0;
    while (first < this.count && this.times[this.slot(first)] <= sinceMs) first++;
    const indexes = Array.from({ length: this.count - first }, (_, i) => this.slot(first + i));
    return {
      timestampsUnixMs: indexes.map((index) => this.times[index]),
      series: [...this.columns.values()].map((column) => ({
        subject: column.subject,
        id: column.id,
        metric: column.metric,
        values: indexes.map((index) => column.values[index]),
      })),
    };
  }

  /** Bytes held by the typed arrays (the bulk of the store). */
  bytes(): number {
    let total = this.times.byteLength;
    for (const column of this.columns.values()) total += column.values.byteLength;
    return total;
  }

  get seriesCount(): number {
    return this.columns.size;
  }

  private slot(i: number): number {
    return (this.start + i) % this.times.length;
  }

  /** A new newest point, every series 0 in it; returns its index. */
  private push(atMs: number): number {
    if (this.count === this.times.length && this.times.length < this.capacity) this.grow();
    let index: number;
    if (this.count < this.times.length) {
      index = this.slot(this.count);
      this.count++;
    } else {
      index = this.start;
      this.start = (this.start + 1) % this.times.length;
    }
    this.times[index] = atMs;
    for (const column of this.columns.values()) column.values[index] = 0;
    return index;
  }

  /** Only before the ring first wraps (start is 0 then): copies keep their indexes. */
  private grow(): void {
    const size = Math.min(this.capacity, this.times.length * 2);
    const times = new Float64Array(size);
    times.set(this.times);
    this.times = times;
    for (const column of this.columns.values()) {
      const values = new Float32Array(size);
      values.set(column.values);
      column.values = values;
    }
  }

  private column(subject: SeriesSubject, id: string, metric: string, cumulative: boolean): Column {
    const key = columnKey(subject, id, metric);
    let column = this.columns.get(key);
    if (!column) {
      column = { subject, id, metric, cumulative, last: 0, values: new Float32Array(this.times.length) };
      this.columns.set(key, column);
    }
    return column;
  }
}
