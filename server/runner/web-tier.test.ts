/**
 * The web tier of a runner cluster (IPCPLAY_RUNNERS=remote), as separate
 * processes on the shared Redis under a unique prefix:
 * - a room spans web instances through socket.io's Redis Streams adapter: one
 *   instance reads the run's events and a client on the other receives them,
 *   each once; the reader's death hands the room to the other instance;
 * - a web instance that dies during StartRun leaves no run and no key behind;
 * - a remote-mode web server whose REDIS_URL does not answer refuses to start.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { Redis } from "ioredis";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_REDIS_URL, freePort } from "@/server/redis/resolve-redis";
import { exited, killStartedServers, startServerProcess } from "@/server/server-process-support";
import { childrenOf, cleanUp, keysUnder, post, root, startRunnerProcess, type StartedRunner, until } from "./cluster-test-support";

const prefix = `ipcplay:test-webtier-${randomUUID().slice(0, 8)}`;
const redisUrl = process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
const clusterEnv = {
  REDIS_URL: redisUrl,
  IPCPLAY_CLUSTER_PREFIX: prefix,
  IPCPLAY_RUNNER_SLOTS: "2",
  IPCPLAY_RUNNER_LOCK_MS: "5000",
  IPCPLAY_WARM_HOSTS: "0",
  // The machine is shared: other work's load average must not refuse these runs (admission has its own tests).
  IPCPLAY_ADMIT_MAX_LOAD_PER_CPU: "1000",
};
const remoteEnv = { ...clusterEnv, IPCPLAY_RUNNERS: "remote" };
const topology = JSON.parse(readFileSync(path.join(root, "server/control/fixtures/rest-chain.json"), "utf8"));

const runners: StartedRunner[] = [];
const sockets: Socket[] = [];
const runIds: string[] = [];
let redis: Redis;

beforeAll(() => {
  redis = new Redis(redisUrl);
});

afterAll(async () => {
  for (const socket of sockets) socket.disconnect();
  for (const runner of runners) if (runner.process.exitCode === null && runner.process.signalCode === null) runner.process.kill("SIGKILL");
  killStartedServers();
  await new Promise((resolve) => setTimeout(resolve, 300));
  await cleanUp(redis, prefix, runIds);
  await redis.quit();
});

function watcher(url: string) {
  const socket = io(url, { transports: ["websocket"], forceNew: true });
  sockets.push(socket);
  const events: Record<string, any>[] = [];
  socket.on("run-event", (event) => events.push(event as Record<string, any>));
  return { socket, events };
}

const spanIds = (events: Record<string, any>[]) =>
  events.flatMap((e) => (e.spans?.spans ?? []) as { spanId: string }[]).map((s) => s.spanId);

describe("web tier in remote mode", () => {
  it("refuses to start when REDIS_URL does not answer, naming it, and starts no private redis-server", async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
      cwd: root,
      env: { ...process.env, PORT: "0", HOST: "127.0.0.1", IPCPLAY_NO_UI: "1", ...remoteEnv, REDIS_URL: url },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    expect(await exited(child)).toBe(1);
    expect(output).toContain(`No Redis answered at ${url}`);
    expect(output).toMatch(/IPCPLAY_RUNNERS=remote needs the cluster's shared Redis/);
    expect(output).not.toMatch(/started a private redis-server/);
  });

  it("a run's room spans instances: one reader, events reach a client on the other instance once, and move when the reader dies", async () => {
    const runner = await startRunnerProcess("wt-runner-1", clusterEnv, runners);
    const [webA, webB] = await Promise.all([startServerProcess(remoteEnv), startServerProcess(remoteEnv)]);
    const startedRun = await post(webA.url, "StartRun", { topology });
    expect(startedRun.status, JSON.stringify(startedRun.json)).toBe(200);
    const { runId, token } = startedRun.json as { runId: string; token: string };
    runIds.push(runId);

    // A watches first: A holds the run's reader lease and emits to the room.
    const onA = watcher(webA.url);
    expect(await onA.socket.timeout(10_000).emitWithAck("watch", { runId, token })).toEqual({ ok: true });
    const holder = await redis.get(`${prefix}:reader:${runId}`);
    expect(holder).toContain(`-${webA.process.pid}-`);
    // B's watcher: B does not read the stream itself; its client gets A's emits through the adapter.
    const onB = watcher(webB.url);
    expect(await onB.socket.timeout(10_000).emitWithAck("watch", { runId, token })).toEqual({ ok: true });
    expect(await redis.get(`${prefix}:reader:${runId}`)).toBe(holder);
    // Its own snapshot, at once, from B.
    await until("B's snapshot", () => onB.events.find((e) => e.run?.runId === runId));

    const sent = await post(webB.url, "SendMessage", { runId, nodeId: "client", count: 3 }, token);
    expect(sent.status, JSON.stringify(sent.json)).toBe(200);
    const traceIds = sent.json.traceIds as string[];
    const hasSent = (events: Record<string, any>[]) =>
      events.some((e) => (e.spans?.spans ?? []).some((s: { traceId: string }) => traceIds.includes(s.traceId)));
    await until("the spans on B's socket (emitted on A)", () => hasSent(onB.events));
    await until("the spans on A's socket", () => hasSent(onA.events));
    // One reader: every span reaches B once, not once per instance.
    const idsB = spanIds(onB.events);
    expect(new Set(idsB).size).toBe(idsB.length);

    // The reader's instance dies: B's watcher-holding instance takes the lease and its client goes on.
    onA.socket.disconnect();
    webA.process.kill("SIGKILL");
    await exited(webA.process);
    const newHolder = await until(
      "B taking the reader lease",
      async () => {
        const value = await redis.get(`${prefix}:reader:${runId}`);
        return value?.includes(`-${webB.process.pid}-`) ? value : undefined;
      },
      20_000,
    );
    expect(newHolder).not.toBe(holder);
    const before = onB.events.length;
    const again = await post(webB.url, "SendMessage", { runId, nodeId: "client", count: 2 }, token);
    expect(again.status).toBe(200);
    await until("spans after the takeover", () =>
      onB.events.slice(before).some((e) => (e.spans?.spans ?? []).some((s: { traceId: string }) => (again.json.traceIds as string[]).includes(s.traceId))),
    );
    const ids = spanIds(onB.events);
    expect(new Set(ids).size).toBe(ids.length);

    // StopRun: the summary reaches the room, and the lease says the stream is done (nobody reads it again).
    const stopped = await post(webB.url, "StopRun", { runId }, token);
    expect(stopped.status).toBe(200);
    await until("the summary on B's socket", () => onB.events.find((e) => e.summary));
    await until("the lease marked done", async () => (await redis.get(`${prefix}:reader:${runId}`)) === "done" || undefined);
    expect(await redis.pttl(`${prefix}:reader:${runId}`)).toBeLessThanOrEqual(60_000);
    // The browser's client (default transports, tryAllTransports): the polling handshake is refused, WebSocket taken.
    const polling = await fetch(`${webB.url}/socket.io/?EIO=4&transport=polling`);
    expect(polling.status).toBe(400);
    const browserLike = io(webB.url, { forceNew: true, tryAllTransports: true });
    sockets.push(browserLike);
    await until("the browser-like client connected", () => browserLike.connected || undefined, 10_000);
    expect(browserLike.io.engine.transport.name).toBe("websocket");
    browserLike.disconnect();

    // SIGTERM: a remote-mode web server (adapter, lease) shuts down cleanly.
    onB.socket.disconnect();
    webB.process.kill("SIGTERM");
    expect(await exited(webB.process)).toBe(0);

    // Drained, so the next test's job finds no runner with room.
    runner.process.kill("SIGTERM");
    expect(await exited(runner.process)).toBe(0);
  }, 120_000);

  it("a web instance that dies during StartRun leaves no run, process or key behind", async () => {
    // A capacity record with room that takes nothing: the web instance queues the job and waits for its answer.
    const ghost = { id: "ghost", host: "nowhere", pid: 1, slots: 2, runs: 0, services: 0, maxServicesPerRun: 24, cpus: 1, load1: 0, freeMemBytes: 1e9, totalMemBytes: 2e9, draining: false, at: Date.now() };
    await redis.multi().set(`${prefix}:runner:ghost`, JSON.stringify(ghost), "PX", 30_000).sadd(`${prefix}:runners`, "ghost").exec();
    const web = await startServerProcess(remoteEnv);
    const placing = post(web.url, "StartRun", { topology }).catch((error: Error) => error);
    await until("the placement job queued", async () => (await redis.llen(`${prefix}:bull:placement:wait`)) > 0 || undefined, 20_000);
    web.process.kill("SIGKILL");
    await exited(web.process);
    expect(await placing).toBeInstanceOf(Error);
    await redis.multi().del(`${prefix}:runner:ghost`).srem(`${prefix}:runners`, "ghost").exec();

    // A runner takes the orphaned job: the run starts, nobody hears its answer, it is stopped and cleaned.
    const runner = await startRunnerProcess("wt-runner-2", clusterEnv, runners);
    const line = await until("the runner abandoning the run", () => /abandoned run (\S+) stopped/.exec(runner.output()) ?? undefined, 60_000);
    const runId = line[1];
    runIds.push(runId);
    expect(runner.output()).toContain(`run ${runId} started but its placer`);
    await until("the runner's host processes gone", () => childrenOf(runner.process.pid!).length === 0 || undefined, 10_000);
    expect(await keysUnder(redis, `ipcplay:${runId}:*`)).toEqual([]);
    expect(await redis.hexists("ipcplay:runs", runId)).toBe(0);
    expect((await keysUnder(redis, `${prefix}:*`)).filter((key) => key.includes(runId))).toEqual([]);
    expect(await redis.hlen(`${prefix}:placements`)).toBe(0);
    expect(await redis.llen(`${prefix}:bull:placement:wait`)).toBe(0);
    expect(await redis.llen(`${prefix}:bull:placement:active`)).toBe(0);
    const capacity = JSON.parse((await redis.get(`${prefix}:runner:wt-runner-2`))!);
    expect(capacity.runs).toBe(0);
  }, 120_000);
});
