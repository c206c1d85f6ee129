/**
 * A runner: hosts the service processes of the runs placed on it, with the
 * same orchestrator the embedded server uses (server/runtime/orchestrator.ts).
 *
 * - Placement is BullMQ's: the runner's Worker on the placement queue has a
 *   concurrency of its slots, so it takes a run job only when it has room. The
 *   job stays active for as long as the run lives; BullMQ renews its lock, and
 *   when the runner dies the lock lapses, another runner's stalled-job check
 *   fails the job ("job stalled more than allowable limit", maxStalledCount 0)
 *   and the web instances' failure path (remote-runs.ts) reports and cleans the run.
 * - Capacity (slots, runs, services, CPU, memory) is a JSON record with a TTL,
 *   written with every heartbeat and whenever a run starts or stops.
 * - Control calls come on its Pub/Sub channel and are answered on the
 *   caller's; the run's events go to a bounded Redis Stream per run.
 * - drain() (SIGTERM): no new job is taken, every run is stopped cleanly
 *   (its summary reaches the watchers), the runner removes its records.
 */
import os from "node:os";
import { fromJson, toJson, toJsonString, type JsonValue } from "@bufbuild/protobuf";
import { Worker, type Job } from "bullmq";
import { Redis } from "ioredis";
import { RunEventSchema, RunInfoSchema, RunSummarySchema } from "@/lib/gen/ipcplay/v1/playground_pb";
import { TopologySchema } from "@/lib/gen/ipcplay/v1/topology_pb";
import { clusterKeys, encodeCapacity, type RunnerCapacity } from "@/lib/runners/cluster";
import { decodeArgs, decodeRequest, encodeReply, encodeResult, errorReply, type ControlRequest } from "@/lib/runners/control-wire";
import { redisOptionsFromUrl } from "@/server/host/transports/channel-groups";
import { createRunManager } from "@/server/runtime/orchestrator";
import type { RunManager } from "@/server/runtime/run-manager";
import { hashToken } from "./tokens";

/** Events kept per run's stream for watchers that join late (XADD MAXLEN ~). */
export const EVENTS_MAXLEN = 2_000;
/** A stopped run's registry record (its final RunInfo and summary) is kept this long for GetRun/StopRun. */
export const RECORD_TTL_MS = 10 * 60_000;
/** A stopped run's event stream is kept this long, so a watcher that was between reads gets the summary. */
export const STREAM_TTL_MS = 60_000;
export const DEFAULT_LOCK_MS = 30_000;
const HEARTBEAT_MS = 1_000;

/** What a placement job carries (job data), and what the runner adds once the run started. */
export interface PlacementJob {
  /** The topology in its protobuf JSON form; it passed parseTopology on the web instance. */
  topology: JsonValue;
  detach: boolean;
  /** Channel the start's answer goes to, and the id it carries. */
  replyTo: string;
  placementId: string;
  runId?: string;
  runner?: string;
}

export interface RunnerOptions {
  redisUrl: string;
  /** The cluster's key prefix (lib/runners/cluster.ts). */
  prefix: string;
  id?: string;
  /** Runs it hosts at once. */
  slots: number;
  maxServicesPerRun?: number;
  /** BullMQ lock of an active placement job: a dead runner's runs are failed within about 1.5 × this. */
  lockMs?: number;
  log?: (line: string) => void;
  /** Hosts runs with this manager instead of a new one (tests). */
  runs?: RunManager;
}

export interface Runner {
  id: string;
  /** Takes no new run, stops its runs cleanly, removes its records, closes. */
  drain(): Promise<void>;
}

interface Hosted {
  jobId: string;
  services: number;
  stopped: () => void;
}

export async function startRunner(options: RunnerOptions): Promise<Runner> {
  const id = options.id ?? `${os.hostname()}-${process.pid}`;
  const log = options.log ?? ((line) => console.log(line));
  const keys = clusterKeys(options.prefix);
  const lockMs = options.lockMs ?? DEFAULT_LOCK_MS;
  const maxServicesPerRun = options.maxServicesPerRun ?? 24;
  const runs = options.runs ?? createRunManager({ redisUrl: options.redisUrl, limits: { maxConcurrentRuns: options.slots } });
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 2 });
  const sub = redis.duplicate();
  redis.on("error", () => undefined);
  sub.on("error", () => undefined);
  await redis.ping();
  const hosted = new Map<string, Hosted>();
  let draining = false;

  const capacity = (): RunnerCapacity => ({
    id,
    host: os.hostname(),
    pid: process.pid,
    slots: options.slots,
    runs: hosted.size,
    services: [...hosted.values()].reduce((sum, h) => sum + h.services, 0),
    maxServicesPerRun,
    cpus: os.availableParallelism(),
    load1: os.loadavg()[0],
    freeMemBytes: os.freemem(),
    totalMemBytes: os.totalmem(),
    draining,
    at: Date.now(),
  });
  const beat = () =>
    redis
      .multi()
      .set(keys.runner(id), encodeCapacity(capacity()), "PX", HEARTBEAT_MS * 5)
      .sadd(keys.runners, id)
      .exec()
      .catch(() => undefined);
  await beat();
  const heartbeat = setInterval(() => void beat(), HEARTBEAT_MS);

  const xadd = (runId: string, text: string) =>
    redis.xadd(keys.events(runId), "MAXLEN", "~", String(EVENTS_MAXLEN), "*", "e", text).catch(() => undefined);

  async function place(job: Job<PlacementJob>): Promise<{ runId?: string; error?: string }> {
    const data = job.data;
    let started: Awaited<ReturnType<RunManager["start"]>>;
    try {
      if (draining) throw Object.assign(new Error(`runner ${id} is draining`), { code: "unavailable" });
      started = await runs.start(fromJson(TopologySchema, data.topology), { detach: data.detach });
    } catch (error) {
      await redis.publish(data.replyTo, encodeReply(errorReply(data.placementId, error)));
      return { error: (error as Error).message };
    }
    const { runId, token, run } = started;
    let stopped!: () => void;
    const done = new Promise<void>((resolve) => (stopped = resolve));
    hosted.set(runId, { jobId: job.id ?? "", services: run.nodes.length, stopped });
    await redis
      .multi()
      .hset(keys.run(runId), { runner: id, tokenHash: hashToken(token), jobId: job.id ?? "", state: "live", services: run.nodes.length })
      .hset(keys.placements, job.id ?? "", runId)
      .exec();
    await job.updateData({ ...data, runId, runner: id });
    const unwatch = runs.watch(runId, (event) => {
      void xadd(runId, toJsonString(RunEventSchema, event));
      if (event.event.case === "summary") stopped();
    });
    void beat();
    const heard = await redis
      .publish(data.replyTo, encodeReply({ id: data.placementId, ok: true, result: { runId, token, run: toJson(RunInfoSchema, run) } }))
      .catch(() => 0);
    // Nobody took the answer: the web instance that placed the run died (or gave up) meanwhile. The token
    // went nowhere, so nobody could ever reach the run: it is stopped and leaves nothing behind.
    const abandoned = heard === 0;
    if (abandoned) {
      log(`runner ${id}: run ${runId} started but its placer (${data.replyTo}) is gone; stopping it`);
      void runs.stop(runId).then(stopped, stopped); // the summary (emitted before stop resolves) ends it too
    } else {
      log(`runner ${id}: run ${runId} started (${run.nodes.length} services)`);
    }
    await done;
    unwatch();
    hosted.delete(runId);
    let final: Record<string, string> = { state: "stopped" };
    try {
      const info = runs.get(runId);
      final = { ...final, info: toJsonString(RunInfoSchema, info) };
      const summary = await runs.stop(runId); // idempotent: the summary of a stopped run
      final = { ...final, summary: toJsonString(RunSummarySchema, summary) };
    } catch {
      // Forgotten already: the record says stopped without details.
    }
    if (abandoned) {
      await redis
        .multi()
        .del(keys.run(runId), keys.events(runId), keys.reader(runId))
        .hdel(keys.placements, job.id ?? "")
        .exec()
        .catch(() => undefined);
      void beat();
      log(`runner ${id}: abandoned run ${runId} stopped; its records removed`);
      return { runId };
    }
    // A run the cluster already ended as failed (lock lost) keeps that record.
    const failed = (await redis.hget(keys.run(runId), "state").catch(() => null)) === "failed";
    const write = redis.multi();
    if (!failed) write.hset(keys.run(runId), final);
    await write
      .pexpire(keys.run(runId), RECORD_TTL_MS)
      .pexpire(keys.events(runId), STREAM_TTL_MS)
      .hdel(keys.placements, job.id ?? "")
      .exec()
      .catch(() => undefined);
    void beat();
    log(`runner ${id}: run ${runId} stopped`);
    return { runId };
  }

  const worker = new Worker<PlacementJob>(keys.placementQueue, place, {
    connection: { ...redisOptionsFromUrl(options.redisUrl), maxRetriesPerRequest: null },
    prefix: keys.bullPrefix,
    concurrency: options.slots,
    lockDuration: lockMs,
    stalledInterval: Math.max(500, Math.floor(lockMs / 2)),
    maxStalledCount: 0,
  });
  worker.on("error", (error) => log(`runner ${id}: placement worker: ${error.message}`));
  // Alive but too slow to renew a lock (or cut off from Redis): the cluster took the run for dead and
  // ended it (remote-runs.ts), so its processes stop here too rather than run on unreported.
  worker.on("lockRenewalFailed", (jobIds) => {
    for (const [runId, h] of hosted) {
      if (!jobIds.includes(h.jobId)) continue;
      log(`runner ${id}: lost the placement lock of run ${runId}; stopping it`);
      void runs.stop(runId).catch(() => undefined);
    }
  });

  async function control(request: ControlRequest): Promise<void> {
    let reply;
    try {
      const method = runs[request.method] as (runId: string, ...args: unknown[]) => unknown;
      const result = await method.call(runs, request.runId, ...decodeArgs(request.method, request.args));
      reply = { id: request.id, ok: true as const, result: encodeResult(request.method, result) };
    } catch (error) {
      reply = errorReply(request.id, error);
    }
    await redis.publish(request.replyTo, encodeReply(reply)).catch(() => undefined);
  }
  sub.on("message", (_channel: string, text: string) => {
    const request = decodeRequest(text);
    if (request) void control(request);
  });
  await sub.subscribe(keys.control(id));

  let draining$: Promise<void> | undefined;
  return {
    id,
    drain: () =>
      (draining$ ??= (async () => {
        draining = true;
        await beat();
        log(`runner ${id}: draining ${hosted.size} run(s)`);
        const closed = worker.close();
        await runs.shutdown();
        for (const h of hosted.values()) h.stopped();
        await closed;
        clearInterval(heartbeat);
        await redis.multi().del(keys.runner(id)).srem(keys.runners, id).exec().catch(() => undefined);
        await sub.quit().catch(() => sub.disconnect());
        await redis.quit().catch(() => redis.disconnect());
        log(`runner ${id}: drained`);
      })()),
  };
}

