/**
 * A Redis restart under a live run, on a private redis-server (the shared one
 * cannot be restarted by a test): the hosts reconnect, a DURABLE subscriber
 * makes its consumer group again and resumes, and what the stream held unread
 * when Redis lost it is counted lost, by name ("lost by broker"), so every
 * edge's books still add up.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Delivery } from "@/lib/gen/ipcplay/v1/topology_pb";
import type { EdgeCounters } from "@/lib/gen/ipcplay/v1/playground_pb";
import { startRedisServer, type RedisServer } from "@/server/redis/resolve-redis";
import { createRunManager } from "@/server/runtime/orchestrator";
import type { RunManager } from "@/server/runtime/run-manager";
import { buildHostBundle } from "@/server/runtime/test-support";
import { POLL, pubsubEdge, queueEdge, topologyOf } from "@/server/runtime/transport-harness";

let redis: RedisServer | undefined;
let manager: RunManager | undefined;

beforeAll(() => buildHostBundle());
afterEach(async () => {
  await manager?.shutdown();
  manager = undefined;
  await redis?.stop();
  redis = undefined;
});
afterAll(async () => {
  await redis?.stop();
});

const lostBy = (edge: EdgeCounters, outcome: string) => edge.lostBy.find((entry) => entry.outcome === outcome)?.count ?? 0;

describe("a Redis restart under a live run", () => {
  it("loses what the broker held, names it, and every transport resumes", async () => {
    redis = await startRedisServer();
    manager = createRunManager({ redisUrl: redis.url });
    const topology = topologyOf(
      [{ id: "slow", workMs: 100 }, { id: "worker" }, { id: "fast" }],
      [
        pubsubEdge("client-slow", "client", "slow", "orders", Delivery.DURABLE),
        queueEdge("client-worker", "client", "worker", "jobs"),
        pubsubEdge("client-fast", "client", "fast", "news", Delivery.AT_MOST_ONCE),
      ],
    );
    const { runId } = await manager.start(topology, { detach: false });
    const edge = (edgeId: string) => manager!.get(runId).edges.find((counters) => counters.edgeId === edgeId)!;
    const logs: string[] = [];
    manager.watch(runId, (event) => {
      if (event.event.case === "log") logs.push(event.event.value.message);
    });

    // 400 published at once; the DURABLE subscriber works 16 at a time for 100 ms each, so most wait in its stream …
    await manager.sendMessage(runId, "client", 400);
    await expect.poll(() => edge("client-slow").delivered, POLL).toBeGreaterThanOrEqual(40);
    // … when Redis restarts without its data (no persistence: the stream, its group and the run's keys are gone).
    await redis.stop();
    const address = `127.0.0.1:${redis.port}`;
    // Down long enough for the server's watch (a PING every 500 ms) to see it, and named in the run's log.
    await expect.poll(() => logs.find((line) => line.startsWith(`Redis at ${address} unreachable since`)), POLL).toBeDefined();
    redis = await startRedisServer({ port: redis.port });

    const before = { slow: edge("client-slow").delivered, worker: edge("client-worker").delivered, fast: edge("client-fast").delivered };
    // The hosts reconnect by themselves (ioredis, BullMQ); what is sent now reaches every subscriber.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await manager.sendMessage(runId, "client", 100);
    await expect.poll(() => edge("client-slow").sent, POLL).toBe(500);

    // The DURABLE edge ends everything: what it read is delivered, what the stream lost is lost, named.
    await expect.poll(() => edge("client-slow").inFlight, { ...POLL, timeout: 40_000 }).toBe(0);
    const slow = edge("client-slow");
    const lost = lostBy(slow, "lost by broker");
    console.log(`DURABLE: sent ${slow.sent}, delivered ${slow.delivered} (${before.slow} before the restart), lost by broker ${lost}`);
    expect(lost).toBeGreaterThan(0);
    expect(slow).toMatchObject({ sent: 500, failed: 0, lost, delivered: 500 - lost });
    expect(slow.delivered).toBeGreaterThanOrEqual(before.slow + 100);

    // The queue and the AT_MOST_ONCE topic work again after the restart.
    await expect.poll(() => edge("client-worker").delivered, POLL).toBeGreaterThanOrEqual(before.worker + 100);
    await expect.poll(() => edge("client-fast").delivered, POLL).toBeGreaterThanOrEqual(before.fast + 100);
    const fast = edge("client-fast");
    expect(fast.sent).toBe(fast.delivered + fast.lost + fast.failed + fast.inFlight);

    // The run's log says when Redis came back, and what the outage cost.
    const back = await expect.poll(() => logs.find((line) => line.startsWith(`Redis at ${address} back after`)), POLL).toBeDefined().then(() => logs.find((line) => line.startsWith(`Redis at ${address} back after`)));
    console.log(back);
    expect(back).toMatch(/back after \d+\.\d s .*; \d+ messages affected: .*lost by broker/);
    expect(Number(/; (\d+) messages affected/.exec(back!)![1])).toBeGreaterThanOrEqual(lost);

    await manager.stop(runId);
  }, 90_000);

  it("books a long outage's publishes as refused by the broker, not as lost by the subscriber", async () => {
    redis = await startRedisServer();
    manager = createRunManager({ redisUrl: redis.url });
    const topology = topologyOf([{ id: "reader" }], [pubsubEdge("client-reader", "client", "reader", "orders", Delivery.DURABLE)]);
    const { runId } = await manager.start(topology, { detach: false });
    const edge = () => manager!.get(runId).edges.find((counters) => counters.edgeId === "client-reader")!;
    const logs: string[] = [];
    manager.watch(runId, (event) => {
      if (event.event.case === "log") logs.push(event.event.value.message);
    });
    await manager.sendMessage(runId, "client", 50);
    await expect.poll(() => edge().delivered, POLL).toBe(50);

    // Down for longer than a publish waits for its connection (COMMAND_RETRIES, ~5.5 s): what is published
    // meanwhile is refused at the publisher.
    await redis.stop();
    for (let i = 0; i < 6; i++) {
      await manager.sendMessage(runId, "client", 10);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
    }
    await expect.poll(() => edge().failedBy.find((entry) => entry.outcome === "refused by broker")?.count ?? 0, { ...POLL, timeout: 10_000 }).toBeGreaterThan(0);
    redis = await startRedisServer({ port: redis.port });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await manager.sendMessage(runId, "client", 20);

    await expect.poll(() => edge().sent, POLL).toBe(130);
    await expect.poll(() => edge().inFlight, { ...POLL, timeout: 40_000 }).toBe(0);
    const ledger = edge();
    const refused = ledger.failedBy.find((entry) => entry.outcome === "refused by broker")?.count ?? 0;
    console.log(`long outage: sent ${ledger.sent}, delivered ${ledger.delivered}, refused ${refused}, lost ${ledger.lost}`);
    // Every publish refused is failed once, at the publisher; none is also taken for an entry the stream lost.
    expect(ledger).toMatchObject({ sent: 130, failed: refused, lost: 0, delivered: 130 - refused });
    const back = await expect
      .poll(() => logs.find((line) => line.includes("back after")), POLL)
      .toBeDefined()
      .then(() => logs.find((line) => line.includes("back after"))!);
    console.log(back);
    expect(back).toContain(`${refused} refused by broker`);
    await manager.stop(runId);
  }, 120_000);

  it("counts a queue's jobs lost with Redis's data as lost by broker, instead of in flight for ever", async () => {
    redis = await startRedisServer();
    manager = createRunManager({ redisUrl: redis.url });
    const topology = topologyOf([{ id: "worker", workMs: 100 }], [queueEdge("client-worker", "client", "worker", "jobs")]);
    const { runId } = await manager.start(topology, { detach: false });
    const edge = () => manager!.get(runId).edges.find((counters) => counters.edgeId === "client-worker")!;
    const logs: string[] = [];
    manager.watch(runId, (event) => {
      if (event.event.case === "log") logs.push(event.event.value.message);
    });
    // 300 jobs for a worker that takes 100 ms each: most wait in the queue when Redis restarts without its data.
    await manager.sendMessage(runId, "client", 300);
    await expect.poll(() => edge().delivered, POLL).toBeGreaterThanOrEqual(20);
    await redis.stop();
    redis = await startRedisServer({ port: redis.port });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await manager.sendMessage(runId, "client", 20);
    await expect.poll(() => edge().sent, POLL).toBe(320);

    await expect.poll(() => edge().inFlight, { ...POLL, timeout: 40_000 }).toBe(0);
    const ledger = edge();
    const lost = lostBy(ledger, "lost by broker");
    console.log(`queue: sent ${ledger.sent}, delivered ${ledger.delivered}, lost by broker ${lost}`);
    expect(lost).toBeGreaterThan(0);
    expect(ledger).toMatchObject({ sent: 320, failed: 0, lost, delivered: 320 - lost });
    // Every job sent after the restart was delivered.
    expect(ledger.delivered).toBeGreaterThanOrEqual(20);
    expect(logs.some((line) => line.includes(`queue "jobs" went with it`))).toBe(true);
    // Nothing lost is counted twice: the books stay put.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(edge()).toMatchObject({ sent: 320, lost, inFlight: 0 });
    await manager.stop(runId);
  }, 90_000);
});
