import { describe, expect, it } from "vitest";
import { MetricsSeries, SERIES_CAPACITY, type EdgeReading, type Reading } from "./series";

function edge(id: string, counts: Partial<EdgeReading> = {}): EdgeReading {
  return { id, sent: 0, delivered: 0, failed: 0, lost: 0, retries: 0, attempts: 0, failedBy: [], lostBy: [], inFlight: 0, queued: 0, ...counts };
}

function reading(atMs: number, edges: EdgeReading[], rest: Partial<Reading> = {}): Reading {
  return { atMs, edges, queues: [], nodes: [], ...rest };
}

function seriesOf(store: MetricsSeries, subject: string, id: string, metric: string, since = 0): number[] {
  return store.since(since).series.find((s) => s.subject === subject && s.id === id && s.metric === metric)?.values ?? [];
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

describe("MetricsSeries", () => {
  it("keeps counts as per-second deltas that add up to the cumulative count at the last reading", () => {
    const store = new MetricsSeries();
    let sent = 0;
    let timedOut = 0;
    for (let second = 0; second < 100; second++) {
      sent += (second * 7) % 13;
      timedOut += second % 5 === 0 ? 2 : 0;
      store.take(reading(1_000_000 + second * 1000 + (second % 3) * 100, [edge("e", { sent, failed: timedOut, failedBy: timedOut ? [{ outcome: "timed out", count: timedOut }] : [] })]));
    }
    expect(sum(seriesOf(store, "edge", "e", "sent"))).toBe(sent);
    expect(sum(seriesOf(store, "edge", "e", "failed"))).toBe(timedOut);
    expect(sum(seriesOf(store, "edge", "e", "failed:timed out"))).toBe(timedOut);
    // An outcome first seen late has zeros before.
    expect(seriesOf(store, "edge", "e", "failed:timed out")).toHaveLength(100);
  });

  it("keeps levels as read, and latency percentiles of the second (0 when nothing was timed)", () => {
    const store = new MetricsSeries();
    store.take(reading(1000, [edge("e", { inFlight: 5, queued: 3, latency: { p50Ms: 1, p95Ms: 2, p99Ms: 4 } })]));
    store.take(reading(2000, [edge("e", { inFlight: 2, queued: 0 })]));
    expect(seriesOf(store, "edge", "e", "in_flight")).toEqual([5, 2]);
    expect(seriesOf(store, "edge", "e", "p99_ms")).toEqual([4, 0]);
  });

  it("keys points by second; times only grow", () => {
    const store = new MetricsSeries();
    store.take(reading(10_400, []));
    store.take(reading(10_900, [])); // same second: goes to the next
    store.take(reading(13_100, []));
    expect(store.since().timestampsUnixMs).toEqual([10_000, 11_000, 13_000]);
  });

  it("returns only the points after `since`", () => {
    const store = new MetricsSeries();
    for (let second = 1; second <= 10; second++) store.take(reading(second * 1000, [edge("e", { sent: second })]));
    const window = store.since(7000);
    expect(window.timestampsUnixMs).toEqual([8000, 9000, 10_000]);
    expect(seriesOf(store, "edge", "e", "sent", 7000)).toEqual([1, 1, 1]);
    expect(store.since(10_000).timestampsUnixMs).toEqual([]);
  });

  it("the newest point carries only the series not zero in it", () => {
    const store = new MetricsSeries();
    store.take(reading(1000, [edge("e", { sent: 4 })]));
    const point = store.take(reading(2000, [edge("e", { sent: 6, inFlight: 1 })], { nodes: [{ id: "n", handledPerSecond: 0, waiting: 0, inFlight: 0, cpuPercent: 12.5, rssBytes: 50e6 }] }));
    expect(point.atMs).toBe(2000);
    expect(point.series).toEqual([
      { subject: "edge", id: "e", metric: "sent", value: 2 },
      { subject: "edge", id: "e", metric: "in_flight", value: 1 },
      { subject: "node", id: "n", metric: "cpu_percent", value: 12.5 },
      { subject: "node", id: "n", metric: "rss_bytes", value: 50e6 },
    ]);
  });

  it("keeps queues' levels and in/out counts", () => {
    const store = new MetricsSeries();
    const queue = (waiting: number, sent: number, ended: number) => ({ id: "jobs", waiting, active: 1, delayed: 0, deadLetters: 0, oldestWaitingMs: 1500, sent, ended });
    store.take(reading(1000, [], { queues: [queue(10, 20, 10)] }));
    store.take(reading(2000, [], { queues: [queue(4, 25, 21)] }));
    expect(seriesOf(store, "queue", "jobs", "waiting")).toEqual([10, 4]);
    expect(seriesOf(store, "queue", "jobs", "in")).toEqual([20, 5]);
    expect(seriesOf(store, "queue", "jobs", "out")).toEqual([10, 11]);
    expect(seriesOf(store, "queue", "jobs", "lag_s")).toEqual([1.5, 1.5]);
  });

  it("estimates a queue's time to drain from the net rate out of its last 10 s, and 0 when it is empty or not draining", () => {
    const store = new MetricsSeries();
    const queue = (waiting: number, sent: number, ended: number) => ({ id: "jobs", waiting, active: 0, delayed: 0, deadLetters: 0, oldestWaitingMs: 0, sent, ended });
    // Filling: 50 in, 10 out a second for 10 s.
    for (let s = 1; s <= 10; s++) store.take(reading(s * 1000, [], { queues: [queue(40 * s, 50 * s, 10 * s)] }));
    expect(seriesOf(store, "queue", "jobs", "drain_s").at(-1)).toBe(0);
    // Draining: nothing in, 40 out a second for 10 s: 400 − 40 s waiting, net 40/s over the window.
    for (let s = 1; s <= 10; s++) store.take(reading((10 + s) * 1000, [], { queues: [queue(400 - 40 * s, 500, 100 + 40 * s)] }));
    const drain = seriesOf(store, "queue", "jobs", "drain_s");
    // 40 left; the window holds one second filling (−40) and nine draining (+40 each): 32/s.
    expect(drain.at(-2)).toBeCloseTo(40 / 32);
    expect(drain.at(-1)).toBe(0); // empty
    // Half way: 200 left; the window holds 5 s filling (−40/s net out) and 5 s draining (+40/s) → net 0: no estimate.
    expect(drain[14]).toBe(0);
    expect(drain[16]).toBeCloseTo(120 / ((7 * 40 - 3 * 40) / 10));
  });

  it("is a ring: past its capacity the oldest points go, and the sums of what is kept are the counts since", () => {
    const store = new MetricsSeries(100);
    for (let second = 1; second <= 250; second++) store.take(reading(second * 1000, [edge("e", { sent: second * 2 })]));
    const window = store.since();
    expect(store.length).toBe(100);
    expect(window.timestampsUnixMs[0]).toBe(151_000);
    expect(window.timestampsUnixMs.at(-1)).toBe(250_000);
    expect(window.timestampsUnixMs.every((t, i, all) => i === 0 || t - all[i - 1] === 1000)).toBe(true);
    expect(sum(seriesOf(store, "edge", "e", "sent"))).toBe(200);
  });

  it("a series that stops being read (an edge removed) reads 0 from then on; one that starts later has zeros before", () => {
    const store = new MetricsSeries();
    store.take(reading(1000, [edge("a", { sent: 1, inFlight: 1 })]));
    store.take(reading(2000, [edge("b", { sent: 3 })]));
    expect(seriesOf(store, "edge", "a", "in_flight")).toEqual([1, 0]);
    expect(seriesOf(store, "edge", "b", "sent")).toEqual([0, 3]);
  });

  it("stays bounded for the largest topology (24 nodes, 64 edges) over 30 minutes", () => {
    const store = new MetricsSeries();
    const edges = Array.from({ length: 64 }, (_, i) => `edge-${i}`);
    for (let second = 0; second < SERIES_CAPACITY + 300; second++) {
      const n = second * 10;
      store.take({
        atMs: second * 1000,
        edges: edges.map((id) =>
          edge(id, {
            sent: n,
            delivered: n - 3,
            failed: 2,
            lost: 1,
            failedBy: [
              { outcome: "timed out", count: 1 },
              { outcome: "dead-lettered", count: 1 },
            ],
            lostBy: [{ outcome: "caller died", count: 1 }],
            latency: { p50Ms: 1, p95Ms: 2, p99Ms: 3 },
          }),
        ),
        queues: edges.map((id) => ({ id, waiting: 1, active: 1, delayed: 0, deadLetters: 1, oldestWaitingMs: 200, sent: n, ended: n - 3 })),
        nodes: Array.from({ length: 24 }, (_, i) => ({ id: `node-${i}`, handledPerSecond: 10, waiting: 0, inFlight: 1, cpuPercent: 5, rssBytes: 6e7 })),
      });
    }
    expect(store.length).toBe(SERIES_CAPACITY);
    expect(store.seriesCount).toBe(64 * 14 + 64 * 8 + 24 * 5);
    // The figure in series.ts's comment.
    expect(store.bytes()).toBe(store.seriesCount * SERIES_CAPACITY * 4 + SERIES_CAPACITY * 8);
    expect(store.bytes()).toBeLessThan(11_100_000);
  });
});
