/**
 * QUEUE edges end to end: real processes, real BullMQ on real Redis. Each test
 * starts its own run (own Redis prefix), stops it, and checks no key is left.
 */
import { describe, expect, it } from "vitest";
import { NodeStatus, SpanKind, SpanStatus } from "@/lib/gen/ipcplay/v1/playground_pb";
import { FaultKind } from "@/lib/gen/ipcplay/v1/topology_pb";
import { POLL, queueEdge, restEdge, runHarness, topologyOf } from "./transport-harness";

const run = runHarness();

describe("a QUEUE edge", () => {
  it("buffers for a slow consumer without failing, while a REST caller of an equally slow service times out", async () => {
    const topology = topologyOf(
      [{ id: "slowq", workMs: 500 }, { id: "slowr", workMs: 500 }],
      [queueEdge("client-slowq", "client", "slowq", "work"), restEdge("client-slowr", "client", "slowr", 200)],
    );
    const runId = await run.start(topology);
    const traceIds = await run.manager.sendMessage(runId, "client", 5);

    // The producer's send resolved once the job was added, long before the work is done.
    const spans = await Promise.all(
      traceIds.map(async (traceId) => {
        await expect.poll(() => run.manager.getTrace(runId, traceId).length, POLL).toBe(5);
        return run.manager.getTrace(runId, traceId);
      }),
    );
    for (const trace of spans) {
      const producer = trace.find((span) => span.kind === SpanKind.PRODUCER)!;
      expect(producer).toMatchObject({ status: SpanStatus.OK, edgeId: "client-slowq" });
      expect(producer.attributes).toMatchObject({ "messaging.system": "bullmq", "messaging.destination.name": "work", "messaging.operation.type": "send" });
      const consumer = trace.find((span) => span.kind === SpanKind.CONSUMER)!;
      expect(consumer).toMatchObject({ nodeId: "slowq", status: SpanStatus.OK, parentSpanId: producer.spanId, hop: 1 });
      expect(consumer.attributes).toMatchObject({ "messaging.operation.type": "process", "messaging.consumer.group.name": "work", "ipcplay.attempt": "1" });
      // 500 ms of work (Node timers may fire a fraction of a millisecond early against performance.now()).
      expect(consumer.durationMs).toBeGreaterThanOrEqual(495);
      // The producer did not wait for the work: it had moved on before the job finished.
      expect(producer.durationMs).toBeLessThan(consumer.durationMs);
      expect(consumer.startUnixMs + consumer.durationMs).toBeGreaterThan(producer.startUnixMs + producer.durationMs);
      expect(Number(consumer.attributes["ipcplay.queue_wait_ms"])).toBeGreaterThanOrEqual(0);
      const call = trace.find((span) => span.kind === SpanKind.CLIENT)!;
      expect(call).toMatchObject({ edgeId: "client-slowr", status: SpanStatus.TIMEOUT });
    }
    await expect.poll(() => run.edge(runId, "client-slowq").delivered, POLL).toBe(5);
    await expect.poll(() => run.edge(runId, "client-slowr").failed, POLL).toBe(5);
    const summary = await run.stop(runId);
    expect(summary.get("client-slowq")).toMatchObject({ sent: 5, delivered: 5, failed: 0, deadLettered: 0 });
    expect(summary.get("client-slowr")).toMatchObject({ sent: 5, failed: 5 });
  });

  it("keeps 100 jobs while its consumer is killed and delivers all of them once it is back", async () => {
    const topology = topologyOf([{ id: "worker" }], [queueEdge("client-worker", "client", "worker", "jobs")]);
    const runId = await run.start(topology);
    const killed = await run.manager.injectFault(runId, { nodeId: "worker", kind: FaultKind.KILL });
    expect(killed.nodes.find((node) => node.nodeId === "worker")!.status).toBe(NodeStatus.DOWN);

    await run.manager.sendMessage(runId, "client", 100);
    // The broker holds them: queue depth as read by the producer.
    await expect.poll(() => run.edge(runId, "client-worker").queue?.waiting, POLL).toBe(100);
    expect(run.edge(runId, "client-worker")).toMatchObject({ sent: 100, delivered: 0, failed: 0 });

    await run.manager.clearFault(runId, { nodeId: "worker" });
    await expect.poll(() => run.edge(runId, "client-worker").delivered, POLL).toBe(100);
    await expect.poll(() => run.edge(runId, "client-worker").queue?.waiting, POLL).toBe(0);
    const summary = await run.stop(runId);
    expect(summary.get("client-worker")).toMatchObject({ sent: 100, delivered: 100, failed: 0, lost: 0, deadLettered: 0 });
  });

  it("gives each job to exactly one of two competing consumers, and work to both", async () => {
    const topology = topologyOf(
      [{ id: "w1", workMs: 2 }, { id: "w2", workMs: 2 }],
      [queueEdge("client-w1", "client", "w1", "shared"), queueEdge("client-w2", "client", "w2", "shared")],
    );
    const runId = await run.start(topology);
    const traceIds = await run.manager.sendMessage(runId, "client", 200);
    await expect.poll(() => run.edge(runId, "client-w1").delivered + run.edge(runId, "client-w2").delivered, POLL).toBe(200);

    const consumersPerTrace = await Promise.all(
      traceIds.map(async (traceId) => {
        // send + one PRODUCER (one job for both edges) + one CONSUMER.
        await expect.poll(() => run.manager.getTrace(runId, traceId).length, POLL).toBeGreaterThanOrEqual(3);
        return run.manager.getTrace(runId, traceId).filter((span) => span.kind === SpanKind.CONSUMER);
      }),
    );
    expect(consumersPerTrace.map((spans) => spans.length)).toEqual(traceIds.map(() => 1));
    const byNode = { w1: 0, w2: 0 } as Record<string, number>;
    for (const [span] of consumersPerTrace) byNode[span.nodeId]++;
    expect(byNode.w1).toBeGreaterThan(0);
    expect(byNode.w2).toBeGreaterThan(0);
    // `sent` counts on both edges of the group (each was offered every job); `delivered` where it was taken.
    // Each process reports every 0.5 s on its own schedule: poll until the producer's share is in too.
    const counts = () => ["client-w1", "client-w2"].map((id) => run.edge(runId, id)).map((edge) => [edge.sent, edge.delivered]);
    await expect.poll(counts, POLL).toEqual([
      [200, byNode.w1],
      [200, byNode.w2],
    ]);
    console.log(`competing consumers: w1 took ${byNode.w1}, w2 took ${byNode.w2} of 200`);
    await run.stop(runId);
  });
});
