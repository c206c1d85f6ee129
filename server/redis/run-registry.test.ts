/**
 * The sweep of keys left by runs whose server died (run-registry.ts), on a
 * private redis-server: a dead run's keys go when a server starts, a live
 * run's (its heartbeat is set) and every key outside a listed run's prefix stay.
 */
import { spawnSync } from "node:child_process";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { heartbeatKey, heartbeatValue, RunRegistry, RUNS_KEY } from "@/server/redis/run-registry";
import { runKeys } from "@/server/redis/keys";
import { startRedisServer, type RedisServer } from "@/server/redis/resolve-redis";
import { createRunManager } from "@/server/runtime/orchestrator";
import type { RunManager } from "@/server/runtime/run-manager";
import { buildHostBundle } from "@/server/runtime/test-support";
import { POLL, queueEdge, topologyOf } from "@/server/runtime/transport-harness";

let redisServer: RedisServer | undefined;
let redis: Redis | undefined;
let manager: RunManager | undefined;

afterEach(async () => {
  await manager?.shutdown();
  manager = undefined;
  await redis?.quit();
  redis = undefined;
  await redisServer?.stop();
  redisServer = undefined;
});

describe("the sweep of dead runs' keys", () => {
  it("removes the keys of a run whose server died, keeps a live run's and everything not under a listed run's prefix", async () => {
    redisServer = await startRedisServer();
    redis = new Redis(redisServer.url);
    // A run whose server was SIGKILLed: listed, its heartbeat expired, its queue's keys still there.
    const dead = runKeys("r-dead0001");
    await redis.hset(RUNS_KEY, "r-dead0001", Date.now() - 60_000);
    for (let i = 0; i < 104; i++) await redis.hset(dead.jobKey("orders", dead.jobId(1, i)), "data", "{}");
    await redis.xadd(dead.stream("news"), "*", "m", "{}");
    // A run whose server on this machine was killed a moment ago: its heartbeat has not expired, but names a gone process.
    const crashed = runKeys("r-crash001");
    const gonePid = spawnSync("true").pid;
    await redis.hset(RUNS_KEY, "r-crash001", Date.now());
    await redis.set(heartbeatKey("r-crash001"), heartbeatValue(gonePid), "PX", 30_000);
    await redis.xadd(crashed.stream("news"), "*", "m", "{}");
    // A run of another server that is alive: its heartbeat is set.
    const live = runKeys("r-live0001");
    await redis.hset(RUNS_KEY, "r-live0001", Date.now());
    await redis.set(heartbeatKey("r-live0001"), "1", "PX", 30_000);
    await redis.xadd(live.stream("news"), "*", "m", "{}");
    // Keys the sweep must never touch: another application's, and a prefix no server listed.
    await redis.set("other-app:settings", "keep");
    await redis.set("ipcplay:r-unlisted:stream:x", "keep");

    manager = createRunManager({ redisUrl: redisServer.url });

    await expect.poll(() => redis!.keys(`${dead.prefix}*`), POLL).toEqual([]);
    await expect.poll(() => redis!.keys(`${crashed.prefix}*`), POLL).toEqual([]);
    expect(await redis.hexists(RUNS_KEY, "r-dead0001")).toBe(0);
    expect(await redis.exists(live.stream("news"), heartbeatKey("r-live0001"), "other-app:settings", "ipcplay:r-unlisted:stream:x")).toBe(4);
    expect(await redis.hexists(RUNS_KEY, "r-live0001")).toBe(1);
  });

  it("lists a running run with a heartbeat, and unlists it with its keys when it stops", async () => {
    buildHostBundle();
    redisServer = await startRedisServer();
    redis = new Redis(redisServer.url);
    manager = createRunManager({ redisUrl: redisServer.url });
    const { runId } = await manager.start(topologyOf([{ id: "worker" }], [queueEdge("client-worker", "client", "worker", "jobs")]), { detach: false });
    expect(await redis.hexists(RUNS_KEY, runId)).toBe(1);
    const ttl = await redis.pttl(heartbeatKey(runId));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(30_000);
    await manager.stop(runId);
    expect(await redis.hexists(RUNS_KEY, runId)).toBe(0);
    expect(await redis.keys(`${runKeys(runId).prefix}*`)).toEqual([]);
  });

  it("lists a live run again after Redis restarted without its data, so a later sweep can still find it", async () => {
    redisServer = await startRedisServer();
    const registry = new RunRegistry({ redisUrl: redisServer.url, refreshEveryMs: 100, log: () => undefined });
    try {
      await registry.firstSweep;
      await registry.register("r-relist01");
      redis = new Redis(redisServer.url);
      expect(await redis.hexists(RUNS_KEY, "r-relist01")).toBe(1);
      await redis.quit();
      // A restart without persistence: the list and the heartbeat are gone.
      const port = redisServer.port;
      await redisServer.stop();
      redisServer = await startRedisServer({ port });
      redis = new Redis(redisServer.url);
      expect(await redis.hexists(RUNS_KEY, "r-relist01")).toBe(0);
      await expect.poll(() => redis!.hexists(RUNS_KEY, "r-relist01"), POLL).toBe(1);
      expect(await redis.get(heartbeatKey("r-relist01"))).toBe(heartbeatValue());
    } finally {
      await registry.close();
    }
  });

  it("sweeps the keys of a run nobody lists any more (Redis lost the list, its server died before listing it again), never a run with a heartbeat", async () => {
    redisServer = await startRedisServer();
    redis = new Redis(redisServer.url);
    const orphan = runKeys("r-orphan01");
    for (let i = 0; i < 20; i++) await redis.hset(orphan.jobKey("c1", orphan.jobId(1, i)), "data", "{}");
    // Another server's run, not listed yet but with its heartbeat set again: alive.
    const relisting = runKeys("r-relist02");
    await redis.set(heartbeatKey("r-relist02"), "1", "PX", 30_000);
    await redis.xadd(relisting.stream("news"), "*", "m", "{}");
    await redis.set("other-app:settings", "keep");
    // Not runs: another tool's namespace under ipcplay: (the bench's raw queue) and the registry's own hash.
    await redis.set("ipcplay:bench-1a2b3c4d:raw-queue:id", "keep");
    await redis.hset("ipcplay:runs", "r-someone", Date.now());
    const logged: string[] = [];
    const registry = new RunRegistry({ redisUrl: redisServer.url, refreshEveryMs: 100, sweepEveryMs: 150, log: (line) => logged.push(line) });
    try {
      await registry.firstSweep;
      // One sweep that found it is not enough: a live server might be about to list it.
      expect(await redis.keys(`${orphan.prefix}*`)).toHaveLength(20);
      await expect.poll(() => redis!.keys(`${orphan.prefix}*`), POLL).toEqual([]);
      expect(await redis.exists(relisting.stream("news"), heartbeatKey("r-relist02"), "other-app:settings", "ipcplay:bench-1a2b3c4d:raw-queue:id")).toBe(4);
      // Two sweeps later still: only the orphan was ever taken for a run.
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(await redis.exists("ipcplay:bench-1a2b3c4d:raw-queue:id")).toBe(1);
      expect(logged.filter((line) => line.includes("not listed"))).toEqual([expect.stringContaining("of run r-orphan01,")]);
    } finally {
      await registry.close();
    }
  });
});
