/**
 * Issue 13's cluster on one machine: the shared Redis (a unique key prefix
 * for this test), two web instances in remote mode and two runners, all
 * separate processes started as `npm start` / `npm run runner` start them.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { Redis } from "ioredis";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_REDIS_URL } from "@/server/redis/resolve-redis";
import { exited, killStartedServers, startServerProcess, type StartedServer } from "@/server/server-process-support";
import { alive, cleanUp, keysUnder, parentPid, post, root, startRunnerProcess, type StartedRunner, until } from "./cluster-test-support";

const prefix = `ipcplay:test-cluster-${randomUUID().slice(0, 8)}`;
const redisUrl = process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
const LOCK_MS = 5_000;
const clusterEnv = {
  REDIS_URL: redisUrl,
  IPCPLAY_CLUSTER_PREFIX: prefix,
  IPCPLAY_RUNNER_SLOTS: "2",
  IPCPLAY_RUNNER_LOCK_MS: String(LOCK_MS),
  IPCPLAY_WARM_HOSTS: "0",
  // The machine is shared: other work's load average must not refuse these runs (admission has its own tests).
  IPCPLAY_ADMIT_MAX_LOAD_PER_CPU: "1000",
};
const topology = JSON.parse(readFileSync(path.join(root, "server/control/fixtures/rest-chain.json"), "utf8"));

const runners: StartedRunner[] = [];
const startRunner = (id: string) => startRunnerProcess(id, clusterEnv, runners);

describe("runners: runs placed on runner processes, any web instance answers", () => {
  let redis: Redis;
  let webA: StartedServer;
  let webB: StartedServer;
  const sockets: Socket[] = [];
  const started: { runId: string; token: string; pids: number[] }[] = [];

  beforeAll(async () => {
    redis = new Redis(redisUrl);
    await Promise.all([startRunner("runner-1"), startRunner("runner-2")]);
    [webA, webB] = await Promise.all([
      startServerProcess({ ...clusterEnv, IPCPLAY_RUNNERS: "remote" }),
      startServerProcess({ ...clusterEnv, IPCPLAY_RUNNERS: "remote" }),
    ]);
  }, 90_000);

  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    for (const runner of runners) if (runner.process.exitCode === null && runner.process.signalCode === null) runner.process.kill("SIGKILL");
    killStartedServers();
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Hosts die with their runner (PR_SET_PDEATHSIG); whatever a failed test left in Redis goes.
    await cleanUp(redis, prefix, started.map((run) => run.runId));
    await redis.quit();
  });

  it("places runs on runners, answers from either instance, fails a dead runner's runs, refuses past capacity and drains", async () => {
    const runnerPids = new Map(runners.map((r) => [r.process.pid!, r.id]));
    const webPids = new Set([webA.process.pid, webB.process.pid]);

    // StartRun on A: the run's processes are a runner's children.
    for (let i = 0; i < 4; i++) {
      const { status, json } = await post(webA.url, "StartRun", { topology });
      expect(status, JSON.stringify(json)).toBe(200);
      const pids = (json.run.nodes as { pid?: number }[]).map((n) => n.pid ?? 0);
      expect(pids.every((pid) => pid > 0)).toBe(true);
      started.push({ runId: json.runId, token: json.token, pids });
    }
    const hostOf = new Map<string, string>();
    for (const run of started) {
      const parents = new Set(run.pids.map(parentPid));
      expect(parents.size).toBe(1);
      const [parent] = parents;
      expect(webPids.has(parent)).toBe(false);
      expect(runnerPids.has(parent!)).toBe(true);
      hostOf.set(run.runId, runnerPids.get(parent!)!);
    }
    // Two slots each: both runners took runs.
    expect(new Set(hostOf.values()).size).toBe(2);

    // A fifth run: the clear busy answer, at once.
    const t0 = Date.now();
    const fifth = await post(webA.url, "StartRun", { topology });
    expect(fifth.status).toBe(429);
    expect(fifth.json.code).toBe("resource_exhausted");
    expect(fifth.json.message).toMatch(/^all runners are busy \(4 runs, 12 services on 2 runners\); the run would be number 1 in the placement queue/);
    expect(Date.now() - t0).toBeLessThan(5_000);

    // A runner that says it has room but takes nothing (a phantom record): the job waits, is
    // withdrawn after the placement wait and answered busy with its queue position — no silent wait.
    const ghost = { id: "ghost", host: "nowhere", pid: 1, slots: 2, runs: 0, services: 0, maxServicesPerRun: 24, cpus: 1, load1: 0, freeMemBytes: 1e9, totalMemBytes: 2e9, draining: false, at: Date.now() };
    await redis.multi().set(`${prefix}:runner:ghost`, JSON.stringify(ghost), "PX", 30_000).sadd(`${prefix}:runners`, "ghost").exec();
    const t1 = Date.now();
    const withdrawn = await post(webB.url, "StartRun", { topology });
    expect(withdrawn.json.code).toBe("resource_exhausted");
    expect(withdrawn.json.message).toMatch(/^all runners are busy \(4 runs, 12 services on 3 runners\); the run would be number 1 in the placement queue/);
    expect(Date.now() - t1).toBeGreaterThanOrEqual(2_900);
    expect(await redis.llen(`${prefix}:bull:placement:wait`)).toBe(0);
    await redis.multi().del(`${prefix}:runner:ghost`).srem(`${prefix}:runners`, "ghost").exec();

    const [first] = started;
    // GetRun and SendMessage on B with the token; without it, refused.
    const got = await post(webB.url, "GetRun", { runId: first.runId }, first.token);
    expect(got.status).toBe(200);
    expect(got.json.run.runId).toBe(first.runId);
    expect(got.json.run.state).toBe("RUN_STATE_RUNNING");
    expect((await post(webB.url, "GetRun", { runId: first.runId }, "wrong-token")).json.code).toBe("permission_denied");

    // A socket.io client on B sees the run's spans.
    const socket = io(webB.url, { transports: ["websocket"], forceNew: true });
    sockets.push(socket);
    const events: Record<string, any>[] = [];
    socket.on("run-event", (event) => events.push(event as Record<string, any>));
    const ack = await socket.timeout(10_000).emitWithAck("watch", { runId: first.runId, token: first.token });
    expect(ack).toEqual({ ok: true });
    const sent = await post(webB.url, "SendMessage", { runId: first.runId, nodeId: "client", count: 3 }, first.token);
    expect(sent.status, JSON.stringify(sent.json)).toBe(200);
    expect(sent.json.traceIds).toHaveLength(3);
    const spans = await until("spans on B's socket", () => events.find((e) => e.spans?.spans?.length > 0));
    expect(spans.spans.spans.some((s: { traceId: string }) => sent.json.traceIds.includes(s.traceId))).toBe(true);

    // SIGKILL the runner of the first run: its runs fail, reported; the other runner's go on.
    const deadId = hostOf.get(first.runId)!;
    const dead = runners.find((r) => r.id === deadId)!;
    const deadRuns = started.filter((r) => hostOf.get(r.runId) === deadId);
    const liveRuns = started.filter((r) => hostOf.get(r.runId) !== deadId);
    dead.process.kill("SIGKILL");
    await exited(dead.process);
    for (const run of deadRuns) {
      const failed = await until(
        `run ${run.runId} reported failed`,
        async () => {
          const { json } = await post(webB.url, "GetRun", { runId: run.runId }, run.token);
          return json.run?.state === "RUN_STATE_STOPPED" ? json.run : undefined;
        },
        LOCK_MS * 4 + 10_000,
      );
      expect(failed.error).toMatch(new RegExp(`^runner ${deadId} died \\(.*stalled`));
      for (const pid of run.pids) expect(alive(pid), `host ${pid} of run ${run.runId}`).toBe(false);
      expect(await keysUnder(redis, `ipcplay:${run.runId}:*`)).toEqual([]);
      expect(await redis.hexists("ipcplay:runs", run.runId)).toBe(0);
    }
    expect(await redis.exists(`${prefix}:runner:${deadId}`)).toBe(0);
    // The watcher on B got the failure and the summary.
    await until("the failure on B's socket", () => events.find((e) => e.summary));
    expect(events.some((e) => /died/.test(e.run?.error ?? ""))).toBe(true);
    // Of a dead runner's runs only the short-lived failure record stays: the registry hash (GetRun's answer,
    // 10 min), the event stream (1 min) and the reader lease's "done" marker (1 min) — no job, lock or placement.
    for (const run of deadRuns) {
      const jobId = await redis.hget(`${prefix}:run:${run.runId}`, "jobId");
      expect(jobId).toBeTruthy();
      expect(await keysUnder(redis, `${prefix}:bull:placement:${jobId}*`)).toEqual([]);
      expect(await redis.hexists(`${prefix}:placements`, jobId!)).toBe(0);
      const left = (await keysUnder(redis, `${prefix}:*`)).filter((key) => key.includes(run.runId)).sort();
      const allowed = new Map([
        [`${prefix}:run:${run.runId}`, 10 * 60_000],
        [`${prefix}:events:${run.runId}`, 60_000],
        [`${prefix}:reader:${run.runId}`, 60_000],
      ]);
      for (const key of left) {
        expect(allowed.has(key), `${key} left behind`).toBe(true);
        const ttl = await redis.pttl(key);
        expect(ttl, `${key} has no TTL`).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(allowed.get(key)!);
      }
      expect(left).toContain(`${prefix}:run:${run.runId}`);
    }

    for (const run of liveRuns) {
      const { json } = await post(webA.url, "GetRun", { runId: run.runId }, run.token);
      expect(json.run.state).toBe("RUN_STATE_RUNNING");
      const more = await post(webA.url, "SendMessage", { runId: run.runId, nodeId: "client" }, run.token);
      expect(more.status, JSON.stringify(more.json)).toBe(200);
    }

    // SIGTERM drains the other runner: its runs stop cleanly, it removes itself.
    const other = runners.find((r) => r.id !== deadId)!;
    other.process.kill("SIGTERM");
    expect(await exited(other.process)).toBe(0);
    for (const run of liveRuns) {
      const { json } = await post(webB.url, "GetRun", { runId: run.runId }, run.token);
      expect(json.run.state).toBe("RUN_STATE_STOPPED");
      expect(json.run.error ?? "").toBe("");
      for (const pid of run.pids) expect(alive(pid)).toBe(false);
      expect(await keysUnder(redis, `ipcplay:${run.runId}:*`)).toEqual([]);
    }
    expect(await redis.exists(`${prefix}:runner:${other.id}`)).toBe(0);
    // No runner left: the answer says so.
    const none = await post(webB.url, "StartRun", { topology });
    expect(none.json.code).toBe("resource_exhausted");
    expect(none.json.message).toMatch(/no runner is up/);

    // A lone runner killed: the web instances' own stalled check finds its run.
    const lone = await startRunner("runner-3");
    const last = await post(webB.url, "StartRun", { topology });
    expect(last.status, JSON.stringify(last.json)).toBe(200);
    started.push({ runId: last.json.runId, token: last.json.token, pids: [] });
    lone.process.kill("SIGKILL");
    await exited(lone.process);
    const reported = await until(
      "the lone runner's run reported failed",
      async () => {
        const { json } = await post(webA.url, "GetRun", { runId: last.json.runId }, last.json.token);
        return json.run?.error ? json.run : undefined;
      },
      LOCK_MS * 4 + 10_000,
    );
    expect(reported.error).toMatch(/^runner runner-3 died/);
    expect(await keysUnder(redis, `ipcplay:${last.json.runId}:*`)).toEqual([]);
  }, 150_000);
});
