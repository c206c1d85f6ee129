/**
 * The web server's side of runners (IPCPLAY_RUNNERS=remote): a ControlRuns
 * that hosts nothing. StartRun becomes a job on the BullMQ placement queue
 * (a runner with room takes it; none with room → resource_exhausted with the
 * run's queue position); every other call reads the run's registry record in
 * Redis (runner, token hash, state) and goes to the run's runner over Pub/Sub;
 * watch() reads the run's event stream. Any web instance answers for any run.
 *
 * The failure path: a placement job that fails while its run lives (BullMQ's
 * stalled-job check fails the job of a runner that died) ends the run here —
 * reported as "runner X died", its RunInfo and summary written to its record
 * and stream, its Redis keys removed. Every instance hears the failure; the
 * first to claim the record (HSETNX) does the work.
 */
import { randomUUID } from "node:crypto";
import os from "node:os";
import { create, fromJson, fromJsonString, toJson, toJsonString, type JsonValue } from "@bufbuild/protobuf";
import { Queue, QueueEvents, Worker } from "bullmq";
import { Redis } from "ioredis";
import {
  RunEventSchema,
  RunInfoSchema,
  RunState,
  RunSummarySchema,
  type RunEvent,
  type RunInfo,
  type RunSummary,
} from "@/lib/gen/ipcplay/v1/playground_pb";
import { TopologySchema, type Topology } from "@/lib/gen/ipcplay/v1/topology_pb";
import { busyMessage, clusterKeys, clusterLoad, decodeCapacity, runnerDiedMessage, runnersWithRoom, type RunnerCapacity } from "@/lib/runners/cluster";
import { decodeReply, decodeResult, encodeArgs, encodeRequest, type ControlMethod, type ControlReply } from "@/lib/runners/control-wire";
import { redisOptionsFromUrl } from "@/server/host/transports/channel-groups";
import { deleteRunKeys, runKeys } from "@/server/redis/keys";
import { RUNS_KEY } from "@/server/redis/run-registry";
import { START_TIMEOUT_MS } from "@/server/runtime/orchestrator";
import { RunError, type ControlRuns } from "@/server/runtime/run-manager";
import { EVENTS_MAXLEN, RECORD_TTL_MS, STREAM_TTL_MS, type PlacementJob } from "./runner";
import { tokenMatchesHash } from "./tokens";

/** How often each web instance runs BullMQ's stalled-job check of the placement queue (a live runner's lock never lapses). */
const STALLED_CHECK_MS = 2_000;
/** A placement job not taken within this long while every runner is full is withdrawn and answered "busy". */
const PLACE_WAIT_MS = 3_000;
/** A control call the runner has not answered within this long is unavailable (UpdateRun may start processes). */
const CALL_TIMEOUT_MS = START_TIMEOUT_MS + 10_000;

export interface RemoteRunsOptions {
  redisUrl: string;
  prefix: string;
  instanceId?: string;
  placeWaitMs?: number;
  log?: (line: string) => void;
}

export interface RemoteRuns extends ControlRuns {
  readonly instanceId: string;
}

const sleep = (ms: number) => new Promise<"late">((resolve) => setTimeout(() => resolve("late"), ms).unref());

export async function createRemoteRuns(options: RemoteRunsOptions): Promise<RemoteRuns> {
  const instanceId = options.instanceId ?? `web-${os.hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const log = options.log ?? ((line) => console.log(line));
  const keys = clusterKeys(options.prefix);
  const placeWaitMs = options.placeWaitMs ?? PLACE_WAIT_MS;
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 2 });
  const sub = redis.duplicate();
  redis.on("error", () => undefined);
  sub.on("error", () => undefined);
  const replyChannel = keys.reply(instanceId);
  const pending = new Map<string, (reply: ControlReply) => void>();
  sub.on("message", (_channel: string, text: string) => {
    const reply = decodeReply(text);
    if (reply) pending.get(reply.id)?.(reply);
  });
  await sub.subscribe(replyChannel);

  const connection = { ...redisOptionsFromUrl(options.redisUrl), maxRetriesPerRequest: null };
  const queue = new Queue<PlacementJob>(keys.placementQueue, { connection, prefix: keys.bullPrefix });
  const queueEvents = new QueueEvents(keys.placementQueue, { connection, prefix: keys.bullPrefix });
  queue.on("error", (error) => log(`placement queue: ${error.message}`));
  queueEvents.on("error", (error) => log(`placement events: ${error.message}`));
  const failurePath = (jobId: string, why: string) =>
    void failRun(jobId, why).catch((error: Error) => log(`failure path of job ${jobId}: ${error.message}`));
  // BullMQ's stalled check (run by every live runner's Worker) finds the job of a runner that stopped renewing its
  // lock; with maxStalledCount 0 the job would only fail when a runner with room takes it again, so the run ends here.
  queueEvents.on("stalled", ({ jobId }) => failurePath(jobId, "its placement job stalled: no lock renewal within the lock time"));
  queueEvents.on("failed", ({ jobId, failedReason }) => failurePath(jobId, failedReason));
  await queueEvents.waitUntilReady();
  // Takes no job: only runs BullMQ's stalled-job check, so a dead runner's runs are found with no runner left.
  const watchdog = new Worker<PlacementJob>(keys.placementQueue, null, {
    connection,
    prefix: keys.bullPrefix,
    autorun: false,
    maxStalledCount: 0,
    stalledInterval: STALLED_CHECK_MS,
  });
  watchdog.on("error", (error) => log(`placement watchdog: ${error.message}`));
  void watchdog.startStalledCheckTimer();
  const watchers = new Set<() => void>();

  /** Resolves with the reply to `id`, or rejects as unavailable after `ms`. */
  function expectReply(id: string, ms: number, what: string): { promise: Promise<ControlReply>; cancel(): void } {
    let timer: NodeJS.Timeout | undefined;
    const promise = new Promise<ControlReply>((resolve, reject) => {
      timer = setTimeout(() => {
        pending.delete(id);
        reject(new RunError("unavailable", `${what}: no answer within ${Math.round(ms / 1000)} s`));
      }, ms);
      pending.set(id, (reply) => {
        clearTimeout(timer);
        pending.delete(id);
        resolve(reply);
      });
    });
    // Awaited where it matters; never an unhandled rejection when the caller failed before awaiting it.
    promise.catch(() => undefined);
    return {
      promise,
      cancel() {
        clearTimeout(timer);
        pending.delete(id);
        promise.catch(() => undefined);
      },
    };
  }

  const fail = (reply: ControlReply & { ok: false }) => new RunError(reply.code, reply.message, reply.problems ?? []);

  async function liveRunners(): Promise<RunnerCapacity[]> {
    const ids = await redis.smembers(keys.runners);
    if (ids.length === 0) return [];
    const records = await redis.mget(ids.map((id) => keys.runner(id)));
    const gone = ids.filter((_, i) => records[i] === null);
    if (gone.length > 0) await redis.srem(keys.runners, ...gone);
    return records.map((text) => decodeCapacity(text)).filter((c): c is RunnerCapacity => c !== undefined);
  }

  async function busy(position: number): Promise<RunError> {
    return new RunError("resource_exhausted", busyMessage(clusterLoad(await liveRunners()), position));
  }

  async function record(runId: string): Promise<Record<string, string>> {
    const rec = await redis.hgetall(keys.run(runId));
    if (!rec.runner) throw new RunError("not_found", `no run ${JSON.stringify(runId)}`);
    return rec;
  }

  async function call(runId: string, method: ControlMethod, args: unknown[]): Promise<unknown> {
    const rec = await record(runId);
    if (rec.state !== "live") {
      if (method === "get" && rec.info) return fromJsonString(RunInfoSchema, rec.info);
      if (method === "stop" && rec.summary) return fromJsonString(RunSummarySchema, rec.summary);
      if (rec.state === "failed") throw new RunError("failed_precondition", `run ${runId} has ended: ${rec.error ?? "its runner died"}`);
    }
    const id = randomUUID();
    const reply = expectReply(id, CALL_TIMEOUT_MS, `runner ${rec.runner} (run ${runId})`);
    const receivers = await redis.publish(
      keys.control(rec.runner),
      encodeRequest({ id, replyTo: replyChannel, runId, method, args: encodeArgs(method, args) }),
    );
    if (receivers === 0) {
      reply.cancel();
      throw new RunError("unavailable", `runner ${rec.runner} of run ${runId} is not connected`);
    }
    const answer = await reply.promise;
    if (!answer.ok) throw fail(answer);
    return decodeResult(method, answer.result);
  }

  async function failRun(jobId: string, failedReason: string): Promise<void> {
    const runId = await redis.hget(keys.placements, jobId);
    if (!runId) return;
    // One instance does it, whichever claims the record first.
    if ((await redis.hsetnx(keys.run(runId), "failedBy", instanceId)) === 0) return;
    const rec = await redis.hgetall(keys.run(runId));
    const runner = rec.runner ?? "?";
    const error = runnerDiedMessage(runner, failedReason);
    const info = create(RunInfoSchema, { runId, state: RunState.STOPPED, error });
    const summary = create(RunSummarySchema, { runId });
    const event = (value: RunEvent["event"]) => toJsonString(RunEventSchema, create(RunEventSchema, { event: value }));
    const stream = keys.events(runId);
    await redis
      .multi()
      .hset(keys.run(runId), { state: "failed", error, info: toJsonString(RunInfoSchema, info), summary: toJsonString(RunSummarySchema, summary) })
      .pexpire(keys.run(runId), RECORD_TTL_MS)
      .hdel(keys.placements, jobId)
      .xadd(stream, "MAXLEN", "~", String(EVENTS_MAXLEN), "*", "e", event({ case: "run", value: info }))
      .xadd(stream, "MAXLEN", "~", String(EVENTS_MAXLEN), "*", "e", event({ case: "summary", value: summary }))
      .pexpire(stream, STREAM_TTL_MS)
      // The runner stopped renewing its locks: its capacity record goes too.
      .del(keys.runner(runner))
      .srem(keys.runners, runner)
      .exec();
    // The stalled job went back to wait (to fail when next taken): nobody is to take it now.
    await queue.remove(jobId).catch(() => 0);
    const removed = await deleteRunKeys(redis, runKeys(runId).prefix);
    await redis.hdel(RUNS_KEY, runId);
    log(`run ${runId}: ${error}; removed its ${removed} Redis key${removed === 1 ? "" : "s"}`);
  }

  return {
    instanceId,

    async start(topology: Topology, startOptions) {
      const services = topology.nodes.length;
      const capacities = await liveRunners();
      if (runnersWithRoom(capacities, services).length === 0) throw await busy((await queue.getWaitingCount()) + 1);
      const placementId = randomUUID();
      const reply = expectReply(placementId, START_TIMEOUT_MS + placeWaitMs + 5_000, "placing the run");
      const job: PlacementJob = { topology: toJson(TopologySchema, topology), detach: startOptions.detach, replyTo: replyChannel, placementId };
      await queue.add("run", job, { jobId: placementId, attempts: 1, removeOnComplete: true, removeOnFail: true });
      const first = await Promise.race([reply.promise, sleep(placeWaitMs)]);
      if (first === "late") {
        // Still waiting for a runner with room: withdrawn and answered now, never a silent wait.
        const queued = await queue.getJob(placementId);
        const state = queued ? await queued.getState() : "unknown";
        if (queued && (state === "waiting" || state === "prioritized" || state === "delayed")) {
          const waiting = (await queue.getWaiting()).sort((a, b) => a.timestamp - b.timestamp);
          const position = waiting.findIndex((j) => j.id === placementId) + 1 || waiting.length + 1;
          const withdrawn = await queued.remove().then(
            () => true,
            () => false, // taken meanwhile: its answer comes
          );
          if (withdrawn) {
            reply.cancel();
            throw await busy(position);
          }
        }
      }
      const answer = await reply.promise;
      if (!answer.ok) throw fail(answer);
      const result = answer.result as { runId: string; token: string; run: JsonValue };
      return { runId: result.runId, token: result.token, run: fromJson(RunInfoSchema, result.run) };
    },

    async checkToken(runId, token) {
      return tokenMatchesHash(token, await redis.hget(keys.run(runId), "tokenHash"));
    },

    stop: (runId) => call(runId, "stop", []) as Promise<RunSummary>,
    get: (runId) => call(runId, "get", []) as Promise<RunInfo>,
    sendMessage: (runId, nodeId, count, payload) => call(runId, "sendMessage", [nodeId, count, payload]) as Promise<string[]>,
    getTrace: (runId, traceId) => call(runId, "getTrace", [traceId]) as never,
    getMetrics: (runId, since) => call(runId, "getMetrics", [since]) as never,
    listTraces: (runId, limit) => call(runId, "listTraces", [limit]) as never,
    injectFault: (runId, fault) => call(runId, "injectFault", [fault]) as never,
    clearFault: (runId, target) => call(runId, "clearFault", [target]) as never,
    updateRun: (runId, topology) => call(runId, "updateRun", [topology]) as never,
    listDeadLetters: (runId, edgeId, limit) => call(runId, "listDeadLetters", [edgeId, limit]) as never,
    redriveDeadLetters: (runId, edgeId, jobIds) => call(runId, "redriveDeadLetters", [edgeId, [...jobIds]]) as never,

    watch(runId, listener) {
      const conn = redis.duplicate();
      conn.on("error", () => undefined);
      let closed = false;
      const close = () => {
        closed = true;
        watchers.delete(close);
        conn.disconnect();
      };
      watchers.add(close);
      const stream = keys.events(runId);
      void (async () => {
        const last = await conn.xrevrange(stream, "+", "-", "COUNT", 1);
        let cursor = last[0]?.[0] ?? "0-0";
        const rec = await record(runId);
        listener(create(RunEventSchema, { event: { case: "run", value: (await call(runId, "get", [])) as RunInfo } }));
        if (rec.state !== "live") {
          if (rec.summary) listener(create(RunEventSchema, { event: { case: "summary", value: fromJsonString(RunSummarySchema, rec.summary) } }));
          return;
        }
        while (!closed) {
          const read = await conn.xread("COUNT", 500, "BLOCK", 1_000, "STREAMS", stream, cursor);
          for (const [, entries] of read ?? []) {
            for (const [id, fields] of entries) {
              cursor = id;
              const event = fromJsonString(RunEventSchema, fields[1]);
              if (closed) return;
              listener(event);
              if (event.event.case === "summary") return;
            }
          }
        }
      })()
        .catch((error: Error) => {
          if (!closed) log(`watching run ${runId}: ${error.message}`);
        })
        .finally(close);
      return close;
    },

    async shutdown() {
      for (const close of [...watchers]) close();
      for (const resolve of pending.values()) resolve({ id: "", ok: false, code: "unavailable", message: "the server is shutting down" });
      await Promise.allSettled([watchdog.close(), queueEvents.close(), queue.close()]);
      await sub.quit().catch(() => sub.disconnect());
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
