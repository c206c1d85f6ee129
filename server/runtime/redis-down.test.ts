/**
 * StartRun when Redis does not answer: a run that needs it (queues, topics)
 * is refused at once with a message that names Redis and its address, instead
 * of waiting out the start timeout for hosts that cannot connect.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Delivery } from "@/lib/gen/ipcplay/v1/topology_pb";
import { freePort } from "@/server/redis/resolve-redis";
import { createRunManager } from "@/server/runtime/orchestrator";
import type { RunManager } from "@/server/runtime/run-manager";
import { buildHostBundle } from "@/server/runtime/test-support";
import { pubsubEdge, queueEdge, topologyOf } from "@/server/runtime/transport-harness";

let manager: RunManager | undefined;

afterEach(async () => {
  await manager?.shutdown();
  manager = undefined;
});

describe("StartRun with Redis down", () => {
  it("fails within seconds, naming Redis and its address", async () => {
    buildHostBundle();
    const port = await freePort(); // nothing listens there
    manager = createRunManager({ redisUrl: `redis://127.0.0.1:${port}` });
    const topology = topologyOf(
      [{ id: "worker" }, { id: "reader" }],
      [queueEdge("client-worker", "client", "worker", "jobs"), pubsubEdge("client-reader", "client", "reader", "news", Delivery.DURABLE)],
    );
    const started = Date.now();
    const failure = await manager.start(topology, { detach: false }).then(
      () => undefined,
      (error: Error & { code?: string }) => error,
    );
    const tookMs = Date.now() - started;
    console.log(`refused in ${tookMs} ms: ${failure?.message}`);
    expect(failure).toMatchObject({ code: "unavailable" });
    expect(failure!.message).toContain(`Redis at 127.0.0.1:${port} is unreachable`);
    expect(tookMs).toBeLessThan(3_000);
  });
});
