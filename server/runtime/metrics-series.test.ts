/**
 * The run's metrics over time (GetMetrics, RunEvent.metrics) against its books
 * and its broker: real processes, real BullMQ on real Redis, each test its own
 * run (own Redis prefix), stopped with no key left behind.
 */
import { Queue } from "bullmq";
import { describe, expect, it } from "vitest";
import type { EdgeCounters, Metrics, RunEvent } from "@/lib/gen/ipcplay/v1/playground_pb";
import { FaultKind } from "@/lib/gen/ipcplay/v1/topology_pb";
import { runKeys } from "@/server/redis/keys";
import { RunError } from "./run-manager";
import { TEST_REDIS_URL } from "./test-support";
import { POLL, queueEdge, restEdge, runHarness, topologyOf } from "./transport-harness";

const run = runHarness();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function values(metrics: Metrics, subject: string, id: string, metric: string): number[] {
  return metrics.series.find((series) => series.subject === subject && series.id === id && series.metric === metric)?.values ?? [];
}

const sum = (numbers: readonly number[]) => numbers.reduce((total, value) => total + value, 0);

/** The sums of an edge's count series, in EdgeCounters' terms. */
function sums(metrics: Metrics, edgeId: string, outcomes: readonly string[]) {
  const of = (metric: string) => sum(values(metrics, "edge", edgeId, metric));
  return {
    sent: of("sent"),
    delivered: of("delivered"),
    failed: of("failed"),
    lost: of("lost"),
    failedBy: Object.fromEntries(outcomes.map((outcome) => [outcome, of(`failed:${outcome}`)])),
  };
}

function countsOf(counters: EdgeCounters) {
  return {
    sent: counters.sent,
    delivered: counters.delivered,
    failed: counters.failed,
    lost: counters.lost,
    failedBy: Object.fromEntries(counters.failedBy.map(({ outcome, count }) => [outcome, count])),
  };
}

describe("metrics over time", () => {
  it("adds up, per edge, to the run's counters while it runs and to the summary after the stop; GetMetrics since a time gives only later points", async () => {
    const topology = topologyOf(
      [{ id: "worker", workMs: 5 }, { id: "api", workMs: 2, errorRate: 0.3 }],
      [queueEdge("client-worker", "client", "worker", "jobs", { attempts: 1 }), restEdge("client-api", "client", "api")],
    );
    const runId = await run.start(topology);
    const events: RunEvent[] = [];
    const unwatch = run.manager.watch(runId, (event) => events.push(event));

    for (let burst = 0; burst < 3; burst++) {
      await run.manager.sendMessage(runId, "client", 40);
      await sleep(1_100);
    }
    const settled = (edgeId: string) => {
      const counters = run.edge(runId, edgeId);
      return counters.sent === 120 && counters.inFlight === 0;
    };
    await expect.poll(() => settled("client-worker") && settled("client-api"), POLL).toBe(true);
    // A point taken after every message ended: the series add up to the counters, which no longer move.
    const settledAt = Date.now();
    await expect.poll(() => run.manager.getMetrics(runId, 0).timestampsUnixMs.at(-1) ?? 0, POLL).toBeGreaterThanOrEqual(Math.floor(settledAt / 1000) * 1000 + 1000);
    const live = run.manager.getMetrics(runId, 0);
    const api = run.edge(runId, "client-api");
    expect(api.failedBy.map(({ outcome }) => outcome)).toEqual(["error reply"]);
    expect(api.failed).toBeGreaterThan(0);
    expect(api.delivered).toBeGreaterThan(0);
    for (const edgeId of ["client-worker", "client-api"]) {
      expect(sums(live, edgeId, ["error reply"])).toEqual({ ...countsOf(run.edge(runId, edgeId)), failedBy: { "error reply": run.edge(runId, edgeId).failedBy[0]?.count ?? 0 } });
    }
    // The queue's in and out, and the sends spread over the seconds they were made in.
    expect(sum(values(live, "queue", "jobs", "in"))).toBe(120);
    expect(sum(values(live, "queue", "jobs", "out"))).toBe(120);
    expect(values(live, "edge", "client-api", "sent").filter((value) => value > 0).length).toBeGreaterThanOrEqual(2);
    // A second's latencies: some second has a p99 of the REST calls.
    expect(Math.max(...values(live, "edge", "client-api", "p99_ms"))).toBeGreaterThan(0);
    // Every node has its process's memory.
    expect(Math.max(...values(live, "node", "worker", "rss_bytes"))).toBeGreaterThan(1e6);

    // The live stream carried each point once, newest only, and its values are the stored ones.
    const streamed = events.flatMap((event) => (event.event.case === "metrics" ? [event.event.value] : []));
    expect(streamed.length).toBeGreaterThanOrEqual(3);
    for (const point of streamed) expect(point.timestampsUnixMs).toHaveLength(1);
    const streamedTimes = streamed.map((point) => point.timestampsUnixMs[0]);
    expect(live.timestampsUnixMs).toEqual(expect.arrayContaining(streamedTimes));
    const streamedSent = sum(streamed.map((point) => values(point, "edge", "client-api", "sent")[0] ?? 0));
    expect(streamedSent).toBe(sum(live.timestampsUnixMs.map((time, i) => (streamedTimes.includes(time) ? values(live, "edge", "client-api", "sent")[i] : 0))));

    // Since a time: only the later points, the same values as the full window's tail.
    const middle = live.timestampsUnixMs[Math.floor(live.timestampsUnixMs.length / 2)];
    const later = run.manager.getMetrics(runId, middle);
    expect(later.timestampsUnixMs.length).toBeGreaterThan(0);
    expect(later.timestampsUnixMs.every((time) => time > middle)).toBe(true);
    const tail = live.timestampsUnixMs.filter((time) => time > middle).length;
    expect(later.timestampsUnixMs.slice(0, tail)).toEqual(live.timestampsUnixMs.slice(-tail));
    expect(values(later, "edge", "client-api", "sent").slice(0, tail)).toEqual(values(live, "edge", "client-api", "sent").slice(-tail));

    const summary = await run.stop(runId);
    unwatch();
    // A stopped run keeps its series; its last point makes them add up to the summary.
    const stopped = run.manager.getMetrics(runId, 0);
    for (const edgeId of ["client-worker", "client-api"]) {
      const counters = summary.get(edgeId)!;
      expect(sums(stopped, edgeId, ["error reply"])).toEqual({ ...countsOf(counters), failedBy: { "error reply": counters.failedBy[0]?.count ?? 0 } });
    }
    expect(events.some((event) => event.event.case === "metrics" && event.event.value.timestampsUnixMs[0] === stopped.timestampsUnixMs.at(-1))).toBe(true);
    expect(run.manager.getMetrics(runId, stopped.timestampsUnixMs.at(-1)!).timestampsUnixMs).toEqual([]);
  });

  it("a queue's waiting series rises while its consumer is killed, falls once it is back, and follows BullMQ's own count", async () => {
    const topology = topologyOf([{ id: "worker", workMs: 400 }], [queueEdge("client-worker", "client", "worker", "jobs")]);
    const runId = await run.start(topology);
    const keys = runKeys(runId);
    const queue = new Queue(keys.queueName("jobs"), { connection: { url: TEST_REDIS_URL, maxRetriesPerRequest: 1 }, prefix: keys.bullmqPrefix });
    /** BullMQ's count of waiting jobs, read at a moment. */
    const readings: Array<{ atMs: number; waiting: number }> = [];
    const read = async () => {
      const atMs = Date.now();
      const counts = await queue.getJobCounts("waiting");
      readings.push({ atMs, waiting: counts.waiting ?? 0 });
    };
    try {
      await run.manager.injectFault(runId, { nodeId: "worker", kind: FaultKind.KILL });
      const killedAt = Date.now();
      for (let burst = 0; burst < 4; burst++) {
        await run.manager.sendMessage(runId, "client", 25);
        await sleep(1_200);
        await read();
      }
      await expect.poll(() => run.edge(runId, "client-worker").queue?.waiting, POLL).toBe(100);
      await sleep(1_100);
      await read();
      const clearedAt = Date.now();
      await run.manager.clearFault(runId, { nodeId: "worker" });
      // Draining: 100 jobs of 400 ms, 16 at a time, take about 3 s.
      const drain = setInterval(() => void read(), 300);
      try {
        await expect.poll(() => run.edge(runId, "client-worker").delivered, POLL).toBe(100);
      } finally {
        clearInterval(drain);
      }
      await expect.poll(() => run.edge(runId, "client-worker").queue?.waiting, POLL).toBe(0);
      await sleep(2_200);
      await read();

      const metrics = run.manager.getMetrics(runId, 0);
      const times = metrics.timestampsUnixMs;
      const waiting = values(metrics, "queue", "jobs", "waiting");
      expect(waiting).toHaveLength(times.length);
      // Rises while the consumer is down: never falls, and reaches all 100.
      const down = times.map((time, i) => ({ time, value: waiting[i] })).filter(({ time }) => time >= killedAt && time < clearedAt - 1000);
      expect(down.length).toBeGreaterThanOrEqual(4);
      for (let i = 1; i < down.length; i++) expect(down[i].value).toBeGreaterThanOrEqual(down[i - 1].value);
      expect(new Set(down.map(({ value }) => value)).size).toBeGreaterThanOrEqual(3);
      expect(Math.max(...waiting)).toBe(100);
      // Falls once it is back, through the levels between, to 0.
      const back = waiting.filter((_, i) => times[i] > clearedAt);
      for (let i = 1; i < back.length; i++) expect(back[i]).toBeLessThanOrEqual(back[i - 1]);
      expect(back.some((value) => value > 0 && value < 100)).toBe(true);
      expect(back.at(-1)).toBe(0);
      // The edge's queued level agrees.
      expect(Math.max(...values(metrics, "edge", "client-worker", "queued"))).toBe(100);
      // The lag in seconds, read from the oldest waiting job: it grows with the time since the first send while
      // the consumer is down (a point's reading is up to a second older than its time), and is 0 once drained.
      const lag = values(metrics, "queue", "jobs", "lag_s");
      const lagDown = times.map((time, i) => ({ time, value: lag[i] })).filter(({ time }) => time >= killedAt + 1000 && time < clearedAt - 1000);
      expect(lagDown.length).toBeGreaterThanOrEqual(3);
      for (let i = 1; i < lagDown.length; i++) expect(lagDown[i].value).toBeGreaterThan(lagDown[i - 1].value);
      for (const { time, value } of lagDown) {
        expect(value, `lag at ${time}`).toBeLessThanOrEqual((time - killedAt) / 1000 + 1);
        expect(value, `lag at ${time}`).toBeGreaterThanOrEqual((time - killedAt) / 1000 - 2);
      }
      expect(lag.at(-1)).toBe(0);

      // BullMQ's count read at a moment is within the series' values of the points around it (a point or two either side).
      expect(readings.length).toBeGreaterThanOrEqual(8);
      for (const reading of readings) {
        const near = times.map((time, i) => ({ time, value: waiting[i] })).filter(({ time }) => Math.abs(time - reading.atMs) <= 2_000);
        expect(near.length, `points near ${reading.atMs}`).toBeGreaterThan(0);
        const lowest = Math.min(...near.map(({ value }) => value));
        const highest = Math.max(...near.map(({ value }) => value));
        expect(reading.waiting, `BullMQ waiting at ${reading.atMs} vs series ${lowest}..${highest}`).toBeGreaterThanOrEqual(lowest);
        expect(reading.waiting, `BullMQ waiting at ${reading.atMs} vs series ${lowest}..${highest}`).toBeLessThanOrEqual(highest);
      }
      // On the plateau (nothing sent, nothing taken) they are equal.
      const plateau = readings[4];
      expect(plateau.waiting).toBe(100);
    } finally {
      await queue.close();
    }
    await run.stop(runId);
  });

  it("a shared queue channel is one queue series: its in and out add up to the channel's books", async () => {
    const topology = topologyOf(
      [{ id: "w1", workMs: 2 }, { id: "w2", workMs: 2 }],
      [queueEdge("client-w1", "client", "w1", "shared"), queueEdge("client-w2", "client", "w2", "shared")],
    );
    const runId = await run.start(topology);
    await run.manager.sendMessage(runId, "client", 60);
    await expect.poll(() => run.manager.get(runId).channels[0]?.delivered, POLL).toBe(60);
    const { redisPrefix } = run.manager.get(runId);
    const summary = await run.manager.stop(runId);
    expect(await run.redis.keys(`${redisPrefix}*`)).toEqual([]);
    const metrics = run.manager.getMetrics(runId, 0);
    const queues = new Set(metrics.series.filter((series) => series.subject === "queue").map((series) => series.id));
    expect([...queues]).toEqual(["shared"]);
    expect(sum(values(metrics, "queue", "shared", "in"))).toBe(summary.channels[0].sent);
    expect(sum(values(metrics, "queue", "shared", "out"))).toBe(60);
    // Each edge's series add up to its share in the summary.
    for (const counters of summary.edges) expect(sum(values(metrics, "edge", counters.edgeId, "delivered"))).toBe(counters.delivered);
    expect(sum(summary.edges.map((counters) => counters.delivered))).toBe(60);
  });

  it("an unknown run is not_found", async () => {
    const runId = await run.start(topologyOf([{ id: "api" }], [restEdge("client-api", "client", "api")]));
    expect(() => run.manager.getMetrics("no-such-run", 0)).toThrow(expect.objectContaining({ code: "not_found" }) as RunError);
    await run.stop(runId);
  });
});
