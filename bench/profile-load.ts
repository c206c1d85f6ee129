/**
 * Profiles the playground's hosts in one load step: a chain client(s) → gw → be
 * (bench:load's shape) at one offered rate, every host forked with
 * `--cpu-prof`, stopped politely so each writes its profile. Summarise with
 * `node /work/shared/tools/cpuprofile-top.mjs DIR` (or any .cpuprofile viewer).
 *
 * Usage: node --import tsx bench/profile-load.ts TRANSPORT RATE [SECONDS] [DIR]
 *   e.g. node --import tsx bench/profile-load.ts pubsub 2000 15 /tmp/prof-pubsub
 * Also prints the step's sent / delivered / failed over the whole run.
 */
import { mkdirSync, rmSync } from "node:fs";
import os from "node:os";
import { HostPool } from "@/server/runtime/host-pool";
import { HOST_EXEC_ARGV_ENV } from "@/server/runtime/node-process";
import { createRunManager, DEFAULT_HOST_BUNDLE } from "@/server/runtime/orchestrator";
import { resolveRedis } from "@/server/redis/resolve-redis";
import { CONCURRENCY, clientsFor } from "./load-steps";
import { startPlaygroundChain } from "./playground-load";
import type { BenchTransport } from "./raw-baselines";

const [transport = "rest", rateText = "2000", secondsText = "15", dir = `/tmp/prof-${transport}`] = process.argv.slice(2);
const rate = Number(rateText);
const seconds = Number(secondsText);
// DIR "-": no profiles (to watch a step's first seconds without the profiler's cost).
if (dir !== "-") {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  process.env[HOST_EXEC_ARGV_ENV] = `--cpu-prof --cpu-prof-dir=${dir}`;
}

const redis = await resolveRedis();
const pool = new HostPool({ bundlePath: DEFAULT_HOST_BUNDLE, size: 4 });
await pool.whenFull();
const runs = createRunManager({ redisUrl: redis.url, hostPool: pool });
const clients = clientsFor(rate, 1000);
console.error(`load before: ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
const redisCpu = async () => {
  const { Redis } = await import("ioredis");
  const client = new Redis(redis.url);
  const info = await client.info("cpu");
  client.disconnect();
  return Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1]) + Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1]);
};
const redisBefore = await redisCpu();
const cpuBefore = process.cpuUsage();
const chain = await startPlaygroundChain(runs, { transport: transport as BenchTransport, clients, ratePerSecond: rate, concurrency: CONCURRENCY });
const snaps = [];
for (let s = 0; s < seconds; s++) {
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const snap = chain.snapshot();
  snaps.push(snap);
  console.error(`${s + 1}s sent ${snap.sent} delivered ${snap.delivered} failed ${snap.failed} p99 ${snap.clientP99Ms.toFixed(1)} wait p99 ${snap.waitP99Ms.toFixed(1)}`);
}
const last = snaps[snaps.length - 1];
const mid = snaps[Math.floor(snaps.length / 3)];
const span = snaps.length - 1 - Math.floor(snaps.length / 3);
console.error(`last ${span}s: sent ${((last.sent - mid.sent) / span).toFixed(0)}/s delivered ${((last.delivered - mid.delivered) / span).toFixed(0)}/s failed ${last.failed - mid.failed}`);
const cpu = process.cpuUsage(cpuBefore);
console.error(`CPU over the run: this process (parent/run manager) ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s, redis-server ${((await redisCpu()) - redisBefore).toFixed(2)} s`);
console.error(`load after: ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
await chain.stop();
await runs.shutdown();
await redis.stop();
console.error(`profiles in ${dir}`);
