/**
 * PUBSUB edges end to end: real processes, Redis Pub/Sub (AT_MOST_ONCE) and
 * Redis Streams (DURABLE). Each test starts its own run, stops it, and checks
 * no key is left under its prefix.
 */
import { describe, expect, it } from "vitest";
import { SpanKind, SpanStatus } from "@/lib/gen/ipcplay/v1/playground_pb";
import { FaultKind } from "@/lib/gen/ipcplay/v1/topology_pb";
import { Delivery } from "@/lib/gen/ipcplay/v1/topology_pb";
import { POLL, pubsubEdge, runHarness, topologyOf } from "./transport-harness";
import { runKeys } from "@/server/redis/keys";

const run = runHarness();

describe("a PUBSUB topic", () => {
  it("gives every one of 3 subscribers (2 AT_MOST_ONCE, 1 DURABLE) each of 50 messages, published once", async () => {
    const topology = topologyOf(
      [{ id: "s1" }, { id: "s2" }, { id: "s3" }],
      [
        pubsubEdge("client-s1", "client", "s1", "news", Delivery.AT_MOST_ONCE),
        pubsubEdge("client-s2", "client", "s2", "news", Delivery.AT_MOST_ONCE),
        pubsubEdge("client-s3", "client", "s3", "news", Delivery.DURABLE),
      ],
    );
    const runId = await run.start(topology);
    const traceIds = await run.manager.sendMessage(runId, "client", 50);
    const total = () => ["client-s1", "client-s2", "client-s3"].reduce((sum, id) => sum + run.edge(runId, id).delivered, 0);
    await expect.poll(total, POLL).toBe(150);

    for (const traceId of traceIds) {
      // send + ONE PRODUCER span for the three edges + a CONSUMER per subscriber.
      await expect.poll(() => run.manager.getTrace(runId, traceId).length, POLL).toBe(5);
      const spans = run.manager.getTrace(runId, traceId);
      const producers = spans.filter((span) => span.kind === SpanKind.PRODUCER);
      expect(producers).toHaveLength(1);
      expect(producers[0].attributes).toMatchObject({
        "messaging.system": "redis",
        "messaging.destination.name": "news",
        "ipcplay.delivery": "AT_MOST_ONCE+DURABLE",
        "ipcplay.receivers": "2",
        "ipcplay.edges": "client-s1,client-s2,client-s3",
      });
      const consumers = spans.filter((span) => span.kind === SpanKind.CONSUMER);
      expect(consumers.map((span) => span.nodeId).sort()).toEqual(["s1", "s2", "s3"]);
      expect(consumers.every((span) => span.parentSpanId === producers[0].spanId && span.status === SpanStatus.OK)).toBe(true);
      expect(consumers.find((span) => span.nodeId === "s3")!.attributes["ipcplay.delivery"]).toBe("DURABLE");
    }
    await expect.poll(() => run.edge(runId, "client-s1").subscribers, POLL).toBe(3);
    const summary = await run.stop(runId);
    for (const counters of summary.values()) expect(counters).toMatchObject({ sent: 50, delivered: 50, lost: 0, failed: 0 });
  });

  it("hands a restarted DURABLE subscriber the entries it had read but not acknowledged when it was killed", async () => {
    const topology = topologyOf([{ id: "slow", workMs: 2_000 }], [pubsubEdge("client-slow", "client", "slow", "jobs", Delivery.DURABLE)]);
    const runId = await run.start(topology);
    const keys = runKeys(runId);
    const traceIds = await run.manager.sendMessage(runId, "client", 5);
    // All 5 read by the subscriber and in work (pending, not acknowledged) …
    const pending = () => run.redis.xpending(keys.stream("jobs"), keys.consumerGroup("slow")).then((reply) => Number((reply as unknown[])[0]));
    await expect.poll(pending, POLL).toBe(5);
    // … when it dies.
    await run.manager.injectFault(runId, { nodeId: "slow", kind: FaultKind.KILL });
    expect(await pending()).toBe(5);
    await run.manager.clearFault(runId, { nodeId: "slow" });

    await expect.poll(pending, POLL).toBe(0);
    for (const traceId of traceIds) {
      await expect.poll(() => run.manager.getTrace(runId, traceId).filter((span) => span.kind === SpanKind.CONSUMER).length, POLL).toBe(1);
    }
    const pid = run.manager.get(runId).nodes.find((node) => node.nodeId === "slow")!.pid;
    const consumers = traceIds.flatMap((traceId) => run.manager.getTrace(runId, traceId).filter((span) => span.kind === SpanKind.CONSUMER));
    // Worked on by the restarted process; the killed one never finished any.
    expect(consumers.every((span) => span.pid === pid && span.status === SpanStatus.OK)).toBe(true);
    const summary = await run.stop(runId);
    expect(summary.get("client-slow")).toMatchObject({ sent: 5, delivered: 5, lost: 0, inFlight: 0 });
  });

  it("counts what a DURABLE subscriber lost while it was so far behind that the stream trimmed it, as cut from stream", async () => {
    const topology = topologyOf([{ id: "late" }], [pubsubEdge("client-late", "client", "late", "firehose", Delivery.DURABLE)]);
    const runId = await run.start(topology);
    await run.manager.injectFault(runId, { nodeId: "late", kind: FaultKind.KILL });
    // More than the stream keeps (STREAM_MAXLEN ≈ 10,000), published while the subscriber is down.
    const sent = 11_000;
    for (let i = 0; i < sent / 1_000; i++) {
      // Faster than the run's budget allows (10,000 messages per second): a refused call is sent again, as a script would.
      while (!(await sendRefusable(() => run.manager.sendMessage(runId, "client", 1_000)))) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await expect.poll(() => run.edge(runId, "client-late").sent, { ...POLL, timeout: 60_000 }).toBe(sent);
    await run.manager.clearFault(runId, { nodeId: "late" });

    // Everything ends: what the stream still held is delivered, the trimmed rest is counted lost, by name.
    await expect.poll(() => run.edge(runId, "client-late").inFlight, { ...POLL, timeout: 60_000 }).toBe(0);
    const edge = run.edge(runId, "client-late");
    const cut = edge.lostBy.find((entry) => entry.outcome === "cut from stream")?.count ?? 0;
    console.log(`stream: sent ${edge.sent}, delivered ${edge.delivered}, cut ${cut}`);
    expect(cut).toBeGreaterThan(0);
    expect(edge.delivered).toBeGreaterThanOrEqual(10_000 - 200); // MAXLEN ~ trims whole nodes of ~100 entries
    expect(edge).toMatchObject({ sent, delivered: sent - cut, failed: 0, lost: cut });
    await run.stop(runId);
  }, 120_000);
});

/** True when the send went, false when the run's budget refused it (resource_exhausted); anything else throws. */
async function sendRefusable(send: () => Promise<unknown>): Promise<boolean> {
  try {
    await send();
    return true;
  } catch (error) {
    if ((error as { code?: string }).code !== "resource_exhausted") throw error;
    return false;
  }
}
