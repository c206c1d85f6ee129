/**
 * QUEUE edges: one BullMQ queue per channel (`keys.queueName(channel)`, under
 * `keys.bullmqPrefix`, so StopRun's key sweep removes it).
 *
 * - Producer: `send` adds ONE job and resolves when BullMQ took it (PRODUCER
 *   span, `messaging.operation.type` "send"). Edges of one node that share the
 *   channel are one group (channel-groups.ts): one job, offered to all of them.
 *   The job carries `traceparent`, `hop`, the group's edge ids, the source and
 *   the payload; `attempts` and exponential `backoff { delay: backoffMs }` come
 *   from the edge.
 * - Consumer: one BullMQ Worker per inbound channel with the service's
 *   concurrency. Every node consuming a channel runs a Worker on the same queue:
 *   competing consumers, each job processed by one of them. The processor calls
 *   `host.receive` (CONSUMER span, `ipcplay.queue_wait_ms`, `ipcplay.attempt`)
 *   and throws when the service failed, so BullMQ retries it. A message ends
 *   once, counted by the consumer that ended it: `delivered` when its job
 *   completed (BullMQ's "completed", once per job whatever its attempts),
 *   "dead-lettered" when it failed for good; each failed attempt that will be
 *   tried again counts as a retry.
 * - Dead letters: when the last attempt fails the job stays in BullMQ's failed
 *   set (at most REMOVE_ON_FAIL of them), the consumer counts it
 *   "dead-lettered" on the edge and records a DEAD_LETTER span (sibling of the
 *   consumer spans, child of the producer span). Completed jobs are trimmed to
 *   the last REMOVE_ON_COMPLETE, so a long run does not grow Redis.
 * - A killed worker: its active job's lock (LOCK_DURATION_MS, renewed every
 *   half of it while the job runs) expires, and a stalled-job check (every
 *   STALLED_INTERVAL_MS in any worker of the queue, and at the start of a
 *   restarted one) moves it back to waiting: it is processed again within
 *   about LOCK_DURATION_MS + 2 × STALLED_INTERVAL_MS. BullMQ's default
 *   maxStalledCount (1) stands: a job whose worker dies twice is failed.
 * - Redrive: the server may put a dead letter back (RedriveDeadLetters) with
 *   its attempts reset; it stamps `redrivenAtUnixMs` in the job's data, where
 *   its wait starts again, and its CONSUMER spans say `ipcplay.redriven`.
 * - Queue wait: `processedOn − timestamp` for the first attempt; a retry became
 *   available at (previous failure + backoff delay), the failure time being
 *   carried in the thrown error's message (BullMQ stores it as failedReason).
 * - Faults (server/host/faults): LATENCY adds the job with BullMQ's `delay`
 *   (the broker holds it); at the consumer, DISCONNECT/PARTITION close the
 *   channel's Worker (jobs wait in the broker and drain once a new one starts; one
 *   Worker serves every inbound edge of the channel, so a cut on one cuts it),
 *   SLOW_CONSUMER adds work time, ERRORS makes a share of jobs poison (the same
 *   jobs on every attempt: they retry, then dead-letter), DUPLICATE processes a
 *   share of the completed jobs once more, counted as `duplicates`.
 */
import { Queue, Worker, type Job } from "bullmq";
import { SpanKind, SpanStatus } from "@/lib/gen/ipcplay/v1/playground_pb";
import { stableChance } from "@/lib/faults/jitter";
import { FaultKind, Transport, type Edge, type QueueSettings } from "@/lib/gen/ipcplay/v1/topology_pb";
import { DEFAULTS } from "@/lib/topology/limits";
import { newSpanId, newTraceId, parseTraceparent } from "@/server/trace/trace-context";
import { brokerRetryStrategy, channelOf, edgesByChannel, envelopeOf, type ChannelEnvelope, inboundEdgeFor, outgoingGroupOf, redisOptionsFromUrl } from "./channel-groups";
import type { Listener, OutboundMessage, SendOutcome, Sender, TransportHost, TransportPlugin } from "./transport";
import { WireTime } from "./wire-time";
import { nowUnixMs } from "../clock";

/** A job's lock; renewed every half of it while the job runs. */
export const LOCK_DURATION_MS = 4_000;
/** How often a worker looks for jobs whose lock expired (their worker died). */
export const STALLED_INTERVAL_MS = 1_000;
/**
 * Completed jobs kept per queue (the rest are removed as new ones complete):
 * enough that a job a dead producer added in its last moments is still there
 * when the server asks (server/runtime/hand-off-audit.ts).
 */
export const REMOVE_ON_COMPLETE = { count: 1_000 };
/** Dead letters kept per queue, for inspection with BullMQ tools. */
export const REMOVE_ON_FAIL = { count: 1_000 };
const JOB_NAME = "message";
/** Suffix of the error a failed attempt throws: ` @<unix ms>`, the time of the failure. */
export const FAILED_AT = / @(\d+)$/;

export const queueTransport: TransportPlugin = {
  transport: Transport.QUEUE,
  listen: listenQueue,
  createSender: createQueueSender,
};

function queueSettings(edge: Edge): QueueSettings | undefined {
  return edge.settings.case === "queue" ? edge.settings.value : undefined;
}

function connectionOf(host: TransportHost) {
  return { ...redisOptionsFromUrl(host.setup.redisUrl), maxRetriesPerRequest: null, retryStrategy: brokerRetryStrategy };
}

/**
 * OpenTelemetry messaging attributes: a send is operation type "send" (BullMQ's own name for it
 * "publish"), a consumer's work "process". A queue's workers compete for its jobs: they are one
 * consumer group, named by the queue.
 */
function messagingAttributes(channel: string, operation: "publish" | "process"): Record<string, string> {
  return operation === "publish"
    ? { "messaging.system": "bullmq", "messaging.destination.name": channel, "messaging.operation.name": "publish", "messaging.operation.type": "send" }
    : {
        "messaging.system": "bullmq",
        "messaging.destination.name": channel,
        "messaging.operation.name": "process",
        "messaging.operation.type": "process",
        "messaging.consumer.group.name": channel,
      };
}

// ---- producer --------------------------------------------------------------

/** One Queue per channel per process, shared by the senders of its edges. */
const queues = new Map<string, { queue: Queue; users: number }>();

function acquireQueue(host: TransportHost, channel: string): Queue {
  const key = `${host.keys.bullmqPrefix}|${channel}`;
  let entry = queues.get(key);
  if (!entry) {
    const queue = new Queue(host.keys.queueName(channel), { connection: connectionOf(host), prefix: host.keys.bullmqPrefix });
    queue.on("error", (error: Error) => host.log("warn", `queue ${channel}: ${error.message}`));
    entry = { queue, users: 0 };
    queues.set(key, entry);
  }
  entry.users++;
  return entry.queue;
}

async function releaseQueue(host: TransportHost, channel: string): Promise<void> {
  const key = `${host.keys.bullmqPrefix}|${channel}`;
  const entry = queues.get(key);
  if (!entry || --entry.users > 0) return;
  queues.delete(key);
  await entry.queue.close();
}

function createQueueSender(edge: Edge, host: TransportHost): Sender {
  const channel = channelOf(edge)!;
  const edgeIds = outgoingGroupOf(edge, host.setup.outgoing).map((member) => member.id);
  let queue: Queue | undefined;
  const open = () => (queue ??= acquireQueue(host, channel));
  /** Jobs this process added to the channel so far: the n-th send is job `keys.jobId(incarnation, n)`. */
  let seq = 0;

  async function send(message: OutboundMessage): Promise<SendOutcome> {
    // Numbered in the order of the sends' counts (this runs synchronously after it), so the server
    // knows a dead producer's unanswered adds as its last ones (ioredis answers them in order).
    const jobId = host.keys.jobId(host.setup.incarnation, ++seq);
    // Job options as the edge says now: a live update (UpdateRun) keeps this sender and changes them for the next jobs.
    const settings = queueSettings(host.setup.outgoing.find((current) => current.id === edge.id) ?? edge);
    const attempts = settings?.attempts || DEFAULTS.queueAttempts;
    const backoffMs = settings?.backoffMs || DEFAULTS.queueBackoffMs;
    const data = envelopeOf(message, edgeIds, host.nodeId);
    // A LATENCY fault on the edge: the broker holds the job that long before any consumer may take it.
    const latency = edgeIds.map((edgeId) => host.faults.edge(edgeId, FaultKind.LATENCY)).find((fault) => fault !== undefined);
    const delay = Math.round(host.faults.delayOf(latency));
    const attributes: Record<string, string> = {
      ...messagingAttributes(channel, "publish"),
      "ipcplay.attempts_allowed": String(attempts),
      "ipcplay.backoff_ms": String(backoffMs),
      ...(delay > 0 ? { "ipcplay.fault": "latency", "ipcplay.fault_delay_ms": String(delay) } : {}),
    };
    const options = {
      jobId,
      ...(delay > 0 ? { delay } : {}),
      attempts,
      backoff: { type: "exponential", delay: backoffMs },
      removeOnComplete: REMOVE_ON_COMPLETE,
      removeOnFail: REMOVE_ON_FAIL,
    };
    const connection = open();
    const wire = new WireTime();
    try {
      const job = await wire.around(() => connection.add(JOB_NAME, data, options));
      for (const edgeId of edgeIds) host.count(edgeId, "accepted");
      return { status: SpanStatus.OK, statusMessage: "", attempts: 1, wire: wire.bounds, attributes: { ...attributes, "messaging.message.id": String(job.id) } };
    } catch (error) {
      return {
        status: SpanStatus.UNAVAILABLE,
        statusMessage: `could not add the job: ${(error as Error).message}`,
        attempts: 1,
        wire: wire.bounds,
        attributes,
        outcome: "refused by broker",
      };
    }
  }

  return {
    spanName: `publish ${channel}`,
    spanKind: SpanKind.PRODUCER,
    send,
    async gauges() {
      const [counts, [oldest]] = await Promise.all([
        open().getJobCounts("waiting", "active", "delayed", "failed"),
        // The oldest waiting job: BullMQ's wait list in ascending order, first one.
        open().getJobs(["wait"], 0, 0, true),
      ]);
      return {
        queue: {
          waiting: counts.waiting ?? 0,
          active: counts.active ?? 0,
          delayed: counts.delayed ?? 0,
          deadLetters: counts.failed ?? 0,
          oldestWaitingMs: oldest ? waitedMs(oldest, Date.now()) : 0,
        },
      };
    },
    close: async () => {
      if (queue) await releaseQueue(host, channel);
      queue = undefined;
    },
  };
}

// ---- consumer --------------------------------------------------------------

async function listenQueue(inbound: Edge[], host: TransportHost): Promise<Listener> {
  const concurrency = host.setup.concurrency;
  const consumers = [...edgesByChannel(inbound)].map(([channel, edges]) => consumeChannel(channel, edges, concurrency, host));
  await Promise.all(consumers.map((consumer) => consumer.ready));
  return {
    ports: {},
    close: async () => {
      await Promise.all(consumers.map((consumer) => consumer.close()));
    },
  };
}

/**
 * The channel's Worker, closed while a DISCONNECT/PARTITION fault cuts an
 * inbound edge of the channel from the broker and started again when it ends.
 * Closed, not paused: a paused BullMQ Worker still blocks on the queue and
 * takes the next job that arrives; a closed one holds no connection.
 */
function consumeChannel(channel: string, edges: Edge[], concurrency: number, host: TransportHost): { ready: Promise<void>; close: () => Promise<void> } {
  let worker: Worker<ChannelEnvelope> | undefined = startWorker(channel, edges, concurrency, host);
  let closed = false;
  host.faults.onChange(async (faults) => {
    if (closed) return;
    const cut = edges.some((edge) => faults.consumerCut(edge.id));
    if (cut && worker) {
      const leaving = worker;
      worker = undefined;
      // Its active jobs finish first; the jobs after them wait in the broker.
      await leaving.close();
    } else if (!cut && !worker) {
      worker = startWorker(channel, edges, concurrency, host);
      await worker.waitUntilReady();
    }
  });
  return {
    ready: worker.waitUntilReady().then(() => undefined),
    close: async () => {
      closed = true;
      await worker?.close();
    },
  };
}

class ServiceFailed extends Error {
  override name = "ServiceFailed";
}

function startWorker(channel: string, edges: Edge[], concurrency: number, host: TransportHost): Worker<ChannelEnvelope> {
  const faults = host.faults;
  const processJob = async (job: Job<ChannelEnvelope>): Promise<void> => {
    const arrivedUnixMs = nowUnixMs();
    const edge = inboundEdgeFor(edges, job.data);
    const attempt = job.attemptsMade + 1;
    // Every processing attempt counts, as a synchronous call's attempts do: attempts / sent shows redeliveries building.
    if (edge) host.count(edge.id, "attempts");
    const startedAt = job.processedOn ?? Date.now();
    const waitMs = Math.max(0, startedAt - availableAt(job));
    const errors = edge ? faults.edge(edge.id, FaultKind.ERRORS) : undefined;
    // Poison by its id: the same job fails every attempt, as a message the consumer can never process.
    const poison = errors !== undefined && stableChance(errors.errorRate, `${host.keys.queueName(channel)}|${job.id}`);
    const slowMs = edge ? faults.delayOf(faults.edge(edge.id, FaultKind.SLOW_CONSUMER)) : 0;
    const message = {
      edge,
      parent: parseTraceparent(job.data.traceparent),
      hop: job.data.hop,
      payload: job.data.payload,
      spanKind: SpanKind.CONSUMER,
      spanName: `process ${channel}`,
      attributes: {
        ...messagingAttributes(channel, "process"),
        "messaging.message.id": String(job.id),
        "ipcplay.queue_wait_ms": waitMs.toFixed(3),
        "ipcplay.attempt": String(attempt),
        ...(job.data.redrivenAtUnixMs !== undefined ? { "ipcplay.redriven": "true" } : {}),
      },
      waitMs,
      arrivedUnixMs,
      ...(poison || slowMs > 0 ? { fault: poison ? { abort: "errors" } : { slowMs } } : {}),
    };
    const handled = await host.receive(message);
    if (handled.status !== SpanStatus.OK) throw new ServiceFailed(`${handled.statusMessage || "the service failed"} @${Date.now()}`);
    if (edge && faults.picks(faults.edge(edge.id, FaultKind.DUPLICATE))) {
      // Delivered again, as an at-least-once broker redelivers: processed a second time, counted apart.
      host.count(edge.id, "duplicates");
      await host.receive({ ...message, attributes: { ...message.attributes, "ipcplay.fault": "duplicate" }, waitMs: 0, arrivedUnixMs: undefined });
    }
  };

  const worker = new Worker<ChannelEnvelope>(host.keys.queueName(channel), processJob, {
    connection: connectionOf(host),
    prefix: host.keys.bullmqPrefix,
    concurrency,
    lockDuration: LOCK_DURATION_MS,
    stalledInterval: STALLED_INTERVAL_MS,
    // BullMQ then counts completed and failed jobs in Redis, in the same script that finishes a job: the
    // run's books read them there, exact even when this worker is killed right after (server/runtime/broker-counts.ts).
    metrics: { maxDataPoints: 1 },
  });
  worker.on("error", (error: Error) => host.log("warn", `worker of ${channel}: ${error.message}`));
  // A message ends once, whatever its attempts: when its job completes, or fails for good.
  worker.on("completed", (job: Job<ChannelEnvelope>) => {
    const edge = inboundEdgeFor(edges, job.data);
    if (edge) host.count(edge.id, "delivered");
  });
  worker.on("failed", (job: Job<ChannelEnvelope> | undefined, error: Error) => {
    if (!job) return;
    // BullMQ sets finishedOn when the job went to the failed set; otherwise it waits for another attempt.
    if (job.finishedOn) deadLetter(job, error, channel, edges, host);
    else {
      const edge = inboundEdgeFor(edges, job.data);
      if (edge) host.count(edge.id, "retries");
    }
  });
  return worker;
}

/** How long a waiting job has waited for a worker, as its wait span counts it. */
function waitedMs(job: Job<ChannelEnvelope>, now: number): number {
  return Math.max(0, now - availableAt(job));
}

/** When this attempt could first run: the job's creation (or its redrive), or a retry's end of backoff. */
function availableAt(job: Job<ChannelEnvelope>): number {
  if (job.attemptsMade === 0) return job.data.redrivenAtUnixMs ?? job.timestamp;
  const failedAt = FAILED_AT.exec(job.failedReason ?? "");
  return failedAt ? Number(failedAt[1]) + (job.delay ?? 0) : job.timestamp;
}

function deadLetter(job: Job<ChannelEnvelope>, error: Error, channel: string, edges: Edge[], host: TransportHost): void {
  const edge = inboundEdgeFor(edges, job.data);
  if (!edge) return;
  host.count(edge.id, "dead-lettered");
  const parent = parseTraceparent(job.data.traceparent);
  const now = Date.now();
  host.recordSpan(
    {
    traceId: parent?.traceId ?? newTraceId(),
    spanId: newSpanId(),
    parentSpanId: parent?.parentSpanId ?? "",
    edgeId: edge.id,
    transport: Transport.QUEUE,
    kind: SpanKind.CONSUMER,
    name: `dead letter ${channel}`,
    startUnixMs: now,
    durationMs: 0,
    status: SpanStatus.DEAD_LETTER,
    statusMessage: `failed all ${job.attemptsMade} attempts: ${error.message.replace(FAILED_AT, "")}`,
    attributes: {
      ...messagingAttributes(channel, "process"),
      "messaging.message.id": String(job.id),
      "ipcplay.edge": edge.id,
      "ipcplay.attempt": String(job.attemptsMade),
    },
    hop: job.data.hop,
    attempt: job.attemptsMade,
    },
    parent?.sampled ?? true,
  );
}
