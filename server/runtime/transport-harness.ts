/**
 * Test helpers for the asynchronous transports' integration tests
 * (server/runtime/{queue,pubsub,semantics}.test.ts): explicit QUEUE / PUBSUB /
 * REST edges, written out as the gate would, added to a client-and-services
 * topology from server/runtime/test-support.ts; and a harness that builds the
 * host once, gives each test a fresh RunManager, and checks a stopped run left
 * no Redis key behind.
 */
import { create } from "@bufbuild/protobuf";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import type { EdgeCounters } from "@/lib/gen/ipcplay/v1/playground_pb";
import { Delivery, EdgeSchema, Transport, type Edge, type Topology } from "@/lib/gen/ipcplay/v1/topology_pb";
import { createRunManager, type RunManagerOptions } from "@/server/runtime/orchestrator";
import type { RunManager } from "@/server/runtime/run-manager";
import { buildHostBundle, restTopology, TEST_REDIS_URL, type ServiceSpec } from "@/server/runtime/test-support";

/** expect.poll options: generous for a busy 2-core machine, fine-grained so fast tests stay fast. */
export const POLL = { timeout: 20_000, interval: 50 };

export interface RunHarness {
  /** The current test's manager (created by `start`). */
  readonly manager: RunManager;
  /** A plain connection for reading what the brokers hold. */
  readonly redis: Redis;
  /** A new manager for this test (with these runtime limits), and a run of `topology` on it; resolves with the run id once every node is up. */
  start(topology: Topology, limits?: RunManagerOptions["limits"]): Promise<string>;
  /** The edge's live counters. */
  edge(runId: string, edgeId: string): EdgeCounters;
  /** StopRun, expects no key left under the run's prefix, and returns the summary by edge id. */
  stop(runId: string): Promise<Map<string, EdgeCounters>>;
}

/** Registers the hooks of a test file and returns its harness. */
export function runHarness(): RunHarness {
  let manager: RunManager | undefined;
  let redis: Redis | undefined;
  beforeAll(() => {
    buildHostBundle();
    redis = new Redis(TEST_REDIS_URL);
  });
  afterEach(async () => {
    await manager?.shutdown();
    manager = undefined;
  });
  afterAll(async () => {
    await redis?.quit();
  });
  const harness: RunHarness = {
    get manager() {
      if (!manager) throw new Error("start a run first");
      return manager;
    },
    get redis() {
      if (!redis) throw new Error("the harness connects in beforeAll");
      return redis;
    },
    async start(topology, limits) {
      manager = createRunManager({ redisUrl: TEST_REDIS_URL, ...(limits ? { limits } : {}) });
      const { runId } = await manager.start(topology, { detach: false });
      return runId;
    },
    edge: (runId, edgeId) => harness.manager.get(runId).edges.find((counters) => counters.edgeId === edgeId)!,
    async stop(runId) {
      const { redisPrefix } = harness.manager.get(runId);
      const summary = await harness.manager.stop(runId);
      expect(await harness.redis.keys(`${redisPrefix}*`)).toEqual([]);
      return new Map(summary.edges.map((counters) => [counters.edgeId, counters]));
    },
  };
  return harness;
}

export function queueEdge(id: string, source: string, target: string, channel: string, options: { attempts?: number; backoffMs?: number } = {}): Edge {
  return create(EdgeSchema, {
    id,
    source,
    target,
    transport: Transport.QUEUE,
    settings: { case: "queue", value: { channel, attempts: options.attempts ?? 3, backoffMs: options.backoffMs ?? 20 } },
  });
}

export function pubsubEdge(id: string, source: string, target: string, channel: string, delivery: Delivery): Edge {
  return create(EdgeSchema, {
    id,
    source,
    target,
    transport: Transport.PUBSUB,
    settings: { case: "pubsub", value: { channel, delivery } },
  });
}

export function restEdge(id: string, source: string, target: string, timeoutMs = 1000): Edge {
  return create(EdgeSchema, {
    id,
    source,
    target,
    transport: Transport.REST,
    settings: { case: "rest", value: { method: "POST", path: `/${target}`, timeoutMs, retries: 0, cacheMaxAgeS: 0 } },
  });
}

/** An on-demand "client" and services (concurrency 16, fan-out ALL) wired with the given edges. */
export function topologyOf(services: ServiceSpec[], edges: Edge[]): Topology {
  const topology = restTopology({ services, edges: [] });
  topology.edges = edges;
  return topology;
}
