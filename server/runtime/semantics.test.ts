/**
 * The four transports side by side, end to end: what an outage does to each,
 * whether the run's counters agree with what the brokers report, dead letters,
 * and one trace id across a mixed chain. Real processes, real Redis.
 */
import { Queue } from "bullmq";
import { describe, expect, it } from "vitest";
import { SpanKind, SpanStatus } from "@/lib/gen/ipcplay/v1/playground_pb";
import { FaultKind } from "@/lib/gen/ipcplay/v1/topology_pb";
import { Delivery } from "@/lib/gen/ipcplay/v1/topology_pb";
import { redisOptionsFromUrl } from "@/server/host/transports/channel-groups";
import { POLL, pubsubEdge, queueEdge, restEdge, runHarness, topologyOf } from "./transport-harness";
import { runKeys } from "@/server/redis/keys";
import { TEST_REDIS_URL } from "./test-support";

const run = runHarness();

describe("asynchronous semantics", () => {
  it("while consumers are down: the queue keeps 100, AT_MOST_ONCE loses 100, DURABLE keeps 100, REST fails 100", async () => {
    const topology = topologyOf(
      [{ id: "q" }, { id: "amo" }, { id: "dur" }, { id: "r" }],
      [
        queueEdge("client-q", "client", "q", "orders"),
        pubsubEdge("client-amo", "client", "amo", "events", Delivery.AT_MOST_ONCE),
        pubsubEdge("client-dur", "client", "dur", "events", Delivery.DURABLE),
        restEdge("client-r", "client", "r", 300),
      ],
    );
    const runId = await run.start(topology);
    const consumers = ["q", "amo", "dur", "r"];
    for (const nodeId of consumers) await run.manager.injectFault(runId, { nodeId, kind: FaultKind.KILL });

    await run.manager.sendMessage(runId, "client", 100);
    await expect.poll(() => run.edge(runId, "client-amo").lost, POLL).toBe(100);
    await expect.poll(() => run.edge(runId, "client-r").failed, POLL).toBe(100);
    await expect.poll(() => run.edge(runId, "client-q").queue?.waiting, POLL).toBe(100);
    const stream = runKeys(runId).stream("events");
    expect(await run.redis.xlen(stream)).toBe(100);

    for (const nodeId of consumers) await run.manager.clearFault(runId, { nodeId });
    await expect.poll(() => run.edge(runId, "client-q").delivered, POLL).toBe(100);
    await expect.poll(() => run.edge(runId, "client-dur").delivered, POLL).toBe(100);
    // Nothing more arrives at the AT_MOST_ONCE subscriber: those messages are gone.
    expect(run.edge(runId, "client-amo")).toMatchObject({ delivered: 0, lost: 100 });

    const summary = await run.stop(runId);
    console.log(
      "outage:",
      [...summary.values()].map((c) => `${c.edgeId} sent=${c.sent} delivered=${c.delivered} failed=${c.failed} lost=${c.lost}`).join("; "),
    );
    expect(summary.get("client-q")).toMatchObject({ sent: 100, delivered: 100, failed: 0, lost: 0 });
    expect(summary.get("client-amo")).toMatchObject({ sent: 100, delivered: 0, failed: 0, lost: 100 });
    expect(summary.get("client-dur")).toMatchObject({ sent: 100, delivered: 100, failed: 0, lost: 0 });
    expect(summary.get("client-r")).toMatchObject({ sent: 100, delivered: 0, failed: 100 });
  });

  it("counts what the brokers report, and turns a job that fails every attempt into a dead letter", async () => {
    const topology = topologyOf(
      [{ id: "ok" }, { id: "flaky", errorRate: 1 }, { id: "sub1" }, { id: "sub2" }],
      [
        queueEdge("client-ok", "client", "ok", "good"),
        queueEdge("client-flaky", "client", "flaky", "bad", { attempts: 2, backoffMs: 10 }),
        pubsubEdge("client-sub1", "client", "sub1", "ticks", Delivery.AT_MOST_ONCE),
        pubsubEdge("client-sub2", "client", "sub2", "ticks", Delivery.AT_MOST_ONCE),
      ],
    );
    const runId = await run.start(topology);
    const n = 20;
    const traceIds = await run.manager.sendMessage(runId, "client", n);
    await expect.poll(() => run.edge(runId, "client-ok").delivered, POLL).toBe(n);
    await expect.poll(() => run.edge(runId, "client-flaky").deadLettered, POLL).toBe(n);
    await expect.poll(() => run.edge(runId, "client-sub1").delivered + run.edge(runId, "client-sub2").delivered, POLL).toBe(2 * n);

    // Dead letters: two failed attempts each, then one DEAD_LETTER span.
    let receipts = 0;
    for (const traceId of traceIds) {
      // send, 3 PRODUCER, ok, 2 × flaky, dead letter, sub1, sub2.
      await expect.poll(() => run.manager.getTrace(runId, traceId).length, POLL).toBe(10);
      const spans = run.manager.getTrace(runId, traceId);
      const flaky = spans.filter((span) => span.nodeId === "flaky");
      expect(flaky.filter((span) => span.kind === SpanKind.CONSUMER && span.status === SpanStatus.ERROR).map((span) => span.attributes["ipcplay.attempt"]).sort()).toEqual(["1", "2"]);
      const dead = flaky.filter((span) => span.status === SpanStatus.DEAD_LETTER);
      expect(dead).toHaveLength(1);
      expect(dead[0]).toMatchObject({ edgeId: "client-flaky", attempt: 2 });
      // The second attempt's CONSUMER span (the DEAD_LETTER span names attempt 2 too).
      const retry = flaky.find((span) => span.attributes["ipcplay.attempt"] === "2" && span.status === SpanStatus.ERROR)!;
      expect(Number(retry.attributes["ipcplay.queue_wait_ms"])).toBeLessThan(1_000);
      const publish = spans.find((span) => span.kind === SpanKind.PRODUCER && span.edgeId === "client-sub1")!;
      receipts += Number(publish.attributes["ipcplay.receivers"]);
    }

    // What BullMQ says, read before StopRun deletes the keys.
    const keys = runKeys(runId);
    const connection = redisOptionsFromUrl(TEST_REDIS_URL);
    const good = new Queue(keys.queueName("good"), { connection, prefix: keys.bullmqPrefix });
    const bad = new Queue(keys.queueName("bad"), { connection, prefix: keys.bullmqPrefix });
    const [goodCounts, badCounts] = await Promise.all([good.getJobCounts(), bad.getJobCounts()]);
    await Promise.all([good.close(), bad.close()]);
    await expect.poll(() => run.edge(runId, "client-flaky").queue?.deadLetters, POLL).toBe(n);
    const before = { ok: run.edge(runId, "client-ok"), flaky: run.edge(runId, "client-flaky") };

    const summary = await run.stop(runId);
    console.log("broker:", JSON.stringify({ goodCounts, badCounts, receipts }));
    expect(goodCounts).toMatchObject({ completed: n, failed: 0, waiting: 0, active: 0, delayed: 0 });
    expect(badCounts).toMatchObject({ completed: 0, failed: n, waiting: 0, active: 0, delayed: 0 });
    expect(summary.get("client-ok")).toMatchObject({ sent: n, delivered: goodCounts.completed, failed: goodCounts.failed, deadLettered: 0, attempts: n });
    // A message ends once, whatever its attempts: each job failed twice (one retry) and ended dead-lettered.
    expect(summary.get("client-flaky")).toMatchObject({
      sent: n,
      delivered: 0,
      failed: badCounts.failed,
      deadLettered: badCounts.failed,
      retries: n,
      attempts: 2 * n,
      inFlight: 0,
      failedBy: [expect.objectContaining({ outcome: "dead-lettered", count: n })],
    });
    expect(summary.get("client-ok")).toMatchObject({ delivered: before.ok.delivered });
    expect(summary.get("client-flaky")).toMatchObject({ deadLettered: before.flaky.deadLettered });
    // PUBLISH receipts: how many subscriber connections got each message.
    expect(summary.get("client-sub1")!.delivered + summary.get("client-sub2")!.delivered).toBe(receipts);
    expect(summary.get("client-sub1")).toMatchObject({ sent: n, lost: 0 });
  });

  it("carries one trace id through REST → queue → DURABLE topic → AT_MOST_ONCE topic", async () => {
    const topology = topologyOf(
      [{ id: "a" }, { id: "b" }, { id: "c" }, { id: "d" }],
      [
        restEdge("client-a", "client", "a"),
        queueEdge("a-b", "a", "b", "work"),
        pubsubEdge("b-c", "b", "c", "durable-topic", Delivery.DURABLE),
        pubsubEdge("c-d", "c", "d", "live-topic", Delivery.AT_MOST_ONCE),
      ],
    );
    const runId = await run.start(topology);
    const [traceId] = await run.manager.sendMessage(runId, "client", 1);
    // send, CLIENT, SERVER a, PRODUCER a, CONSUMER b, PRODUCER b, CONSUMER c, PRODUCER c, CONSUMER d.
    await expect.poll(() => run.manager.getTrace(runId, traceId).length, POLL).toBe(9);
    const spans = run.manager.getTrace(runId, traceId);
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    for (const span of spans) {
      expect(span.traceId).toBe(traceId);
      expect(span.status).toBe(SpanStatus.OK);
      if (span.parentSpanId) expect(byId.has(span.parentSpanId), `parent of ${span.name} on ${span.nodeId}`).toBe(true);
    }
    const consumerD = spans.find((span) => span.nodeId === "d")!;
    expect(consumerD).toMatchObject({ kind: SpanKind.CONSUMER, hop: 4 });
    expect(byId.get(consumerD.parentSpanId)).toMatchObject({ nodeId: "c", kind: SpanKind.PRODUCER });
    expect(spans.find((span) => span.nodeId === "b")!.attributes).toMatchObject({ "messaging.system": "bullmq" });
    expect(spans.find((span) => span.nodeId === "c" && span.kind === SpanKind.CONSUMER)!.attributes).toMatchObject({
      "messaging.system": "redis",
      "ipcplay.delivery": "DURABLE",
    });
    await run.stop(runId);
  });
});
