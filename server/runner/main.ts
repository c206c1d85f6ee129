/**
 * Entry point of a runner: `npm run runner` (node --import tsx server/runner/main.ts).
 * REDIS_URL (the cluster's Redis, default redis://127.0.0.1:6379),
 * IPCPLAY_CLUSTER_PREFIX (default ipcplay:cluster), IPCPLAY_RUNNER_ID (default
 * <host>-<pid>), IPCPLAY_RUNNER_SLOTS (runs at once, default 4) and
 * IPCPLAY_RUNNER_LOCK_MS (placement lock; a dead runner's runs fail within
 * about 1.5 × it; default 30000). SIGTERM/SIGINT drain it. docs/runners.md.
 */
import { clusterPrefixFromEnv } from "@/lib/runners/cluster";
import { LIMITS } from "@/lib/topology/limits";
import { exitOnSignals } from "@/server/exit-on-signals";
import { DEFAULT_REDIS_URL } from "@/server/redis/resolve-redis";
import { DEFAULT_LOCK_MS, startRunner } from "./runner";

const DRAIN_GRACE_MS = 30_000;

function positive(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer (got ${JSON.stringify(text)})`);
  return value;
}

try {
  const runner = await startRunner({
    redisUrl: process.env.REDIS_URL ?? DEFAULT_REDIS_URL,
    prefix: clusterPrefixFromEnv(process.env),
    id: process.env.IPCPLAY_RUNNER_ID || undefined,
    slots: positive("IPCPLAY_RUNNER_SLOTS", LIMITS.maxConcurrentRuns),
    lockMs: positive("IPCPLAY_RUNNER_LOCK_MS", DEFAULT_LOCK_MS),
  });
  console.log(`runner ${runner.id} ready (pid ${process.pid})`);
  exitOnSignals({ doing: `runner ${runner.id} draining`, close: () => runner.drain(), graceMs: DRAIN_GRACE_MS });
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
