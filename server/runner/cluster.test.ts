/**
 * Issue 13's cluster on one machine: the shared Redis (a unique key prefix
 * for this test), two web instances in remote mode and two runners, all
 * separate processes started as `npm start` / `npm run runner` start them.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { Redis } from "ioredis";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_REDIS_URL } from "@/server/redis/resolve-redis";
import { exited, killStartedServers, startServerProcess, type StartedServer } from "@/server/server-process-support";

const root = path.resolve(import.meta.dirname, "../..");
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

interface StartedRunner {
  id: string;
  process: ChildProcess;
  output: () => string;
}
const runners: StartedRunner[] = [];

function startRunnerProcess(id: string): Promise<StartedRunner> {
  const child = spawn(process.execPath, ["--import", "tsx", "server/runner/main.ts"], {
    cwd: root,
    env: { ...process.env, ...clusterEnv, IPCPLAY_RUNNER_ID: id },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const runner = { id, process: child, output: () => output };
  runners.push(runner);
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(`runner ${id} ready`)) resolve(runner);
    });
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => reject(new Error(`runner ${id} exited with ${code} before it was ready:\n${output}`)));
  });
}

async function post(base: string, method: string, body: object, token?: string) {
  const response = await fetch(`${base}/ipcplay.v1.PlaygroundService/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, any> };
}

function parentPid(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function keysUnder(redis: Redis, pattern: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 500);
    cursor = next;
    found.push(...keys);
  } while (cursor !== "0");
  return found;
}

describe("runners: runs placed on runner processes, any web instance answers", () => {
  let redis: Redis;
  let webA: StartedServer;
  let webB: StartedServer;
  const sockets: Socket[] = [];
  const started: { runId: string; token: string; pids: number[] }[] = [];

  beforeAll(async () => {
    redis = new Redis(redisUrl);
    await Promise.all([startRunnerProcess("runner-1"), startRunnerProcess("runner-2")]);
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
    for (const run of started) {
      const left = await keysUnder(redis, `ipcplay:${run.runId}:*`);
      if (left.length > 0) await redis.unlink(...left);
      await redis.hdel("ipcplay:runs", run.runId);
    }
    const ours = await keysUnder(redis, `${prefix}:*`);
    if (ours.length > 0) await redis.unlink(...ours);
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
    const lone = await startRunnerProcess("runner-3");
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
