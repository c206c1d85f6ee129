/**
 * Dead letters of a run's queue edges, and their redrive.
 *
 * A queue job that failed every attempt stays in its BullMQ queue's failed set
 * (server/host/transports/queue.ts: deadLetter, REMOVE_ON_FAIL): its consumer
 * counted it "dead-lettered" and recorded a DEAD_LETTER span. Here the server
 * reads that set (ListDeadLetters) and puts jobs back into the queue with their
 * full attempts again (RedriveDeadLetters: `job.retry("failed", reset…)`, as an
 * SQS redrive does).
 *
 * The books: a redriven job is a message sent again, so each redrive is booked
 * as a send on the edge (CounterBook.bookRedrive) BEFORE the job goes back —
 * as a host counts a send before it leaves — so the job's second end (delivered
 * or dead-lettered again, counted by its consumer and by BullMQ's metrics as
 * any job's end) always has its send: sent = delivered + failed + lost + in
 * flight holds at every reading. A redrive BullMQ refused (the job was no
 * longer a dead letter) is taken back.
 *
 * A redriven job's data is stamped `redrivenAtUnixMs`: its queue wait starts
 * again then (queue.ts availableAt), and its CONSUMER spans say so.
 *
 * One bullmq Queue per channel, opened on demand, closed when the run stops
 * (before its keys are deleted).
 */
import { Job, Queue } from "bullmq";
import { Transport, type Edge, type Topology } from "@/lib/gen/ipcplay/v1/topology_pb";
import { channelOf, redisOptionsFromUrl, type ChannelEnvelope } from "@/server/host/transports/channel-groups";
import { FAILED_AT } from "@/server/host/transports/queue";
import type { RunKeys } from "@/server/redis/keys";
import { parseTraceparent } from "@/server/trace/trace-context";
import { RunError } from "./run-manager";

export const DEFAULT_DEAD_LETTER_LIMIT = 50;
export const MAX_DEAD_LETTER_LIMIT = 200;
/** Jobs fetched and put back at a time by one redrive (bounded memory: a payload may be 64 KiB). */
const REDRIVE_BATCH = 50;
/** Job ids one RedriveDeadLetters may name: as many as a queue keeps dead letters. */
export const MAX_REDRIVE_JOB_IDS = 1_000;
const REDIS_COMMAND_TIMEOUT_MS = 5_000;

/** A dead letter as the control plane shows it (DeadLetter in playground.proto). */
export interface DeadLetterView {
  jobId: string;
  traceId: string;
  failedReason: string;
  attempts: number;
  failedUnixMs: number;
  payloadBytes: number;
  edgeId: string;
}

/** What deadLetterOf reads of a BullMQ job. */
export interface DeadJob {
  id?: string;
  data: Partial<ChannelEnvelope> | undefined;
  failedReason?: string;
  attemptsMade: number;
  finishedOn?: number;
}

/** A queue edge of the topology and its channel; not_found / invalid_argument otherwise. */
export function queueEdgeOf(topology: Topology, runId: string, edgeId: string): { edge: Edge; channel: string; channelEdgeIds: string[] } {
  if (!edgeId) throw new RunError("invalid_argument", "edgeId is required");
  const edge = topology.edges.find((candidate) => candidate.id === edgeId);
  if (!edge) throw new RunError("not_found", `Run ${runId} has no edge "${edgeId}".`);
  if (edge.transport !== Transport.QUEUE) {
    throw new RunError("invalid_argument", `edge_id: "${edgeId}" is a ${Transport[edge.transport]} edge; only QUEUE edges have dead letters.`);
  }
  const channel = channelOf(edge)!;
  const channelEdgeIds = topology.edges.filter((other) => other.transport === Transport.QUEUE && channelOf(other) === channel).map((other) => other.id);
  return { edge, channel, channelEdgeIds };
}

/** ListDeadLetters' limit: 0 = the default, at most MAX_DEAD_LETTER_LIMIT. */
export function deadLetterLimit(limit: number | undefined): number {
  if (!limit || limit < 1) return DEFAULT_DEAD_LETTER_LIMIT;
  return Math.min(Math.floor(limit), MAX_DEAD_LETTER_LIMIT);
}

/** Why the job's last attempt failed, without the failure time its consumer appends (queue.ts FAILED_AT). */
export function failureReasonOf(failedReason: string | undefined): string {
  return (failedReason ?? "").replace(FAILED_AT, "");
}

/**
 * A job of the failed set as a dead letter. Its edge: the first of the edges
 * its producer named (the envelope's) that is on the channel, else `edgeId`.
 */
export function deadLetterOf(job: DeadJob, edgeId: string, channelEdgeIds: readonly string[]): DeadLetterView {
  const data = job.data ?? {};
  const named = (data.edgeIds ?? []).find((candidate) => channelEdgeIds.includes(candidate));
  return {
    jobId: String(job.id ?? ""),
    traceId: parseTraceparent(data.traceparent)?.traceId ?? "",
    failedReason: failureReasonOf(job.failedReason),
    attempts: job.attemptsMade,
    failedUnixMs: job.finishedOn ?? 0,
    payloadBytes: Buffer.byteLength(data.payload ?? "", "utf8"),
    edgeId: named ?? edgeId,
  };
}

/** A refusal BullMQ answers for sure: the job is gone or no longer in the failed set (finished-errors.js). */
function refusedForSure(error: unknown): boolean {
  return /Missing key for job|is not in the failed state/.test((error as Error)?.message ?? "");
}

/** Books a redrive of `count` (negative: take back) on an edge. */
export type BookRedrive = (edgeId: string, count: number) => void;

/** The queues of one run that the server opened to read and redrive dead letters. */
export class DeadLetterQueues {
  private readonly queues = new Map<string, Queue>();
  private closed = false;

  constructor(
    private readonly keys: RunKeys,
    private readonly redisUrl: string,
  ) {}

  /** The newest `limit` dead letters of the edge's channel, and how many there are. */
  async list(topology: Topology, runId: string, edgeId: string, limit: number): Promise<{ deadLetters: DeadLetterView[]; total: number }> {
    const { channel, channelEdgeIds } = queueEdgeOf(topology, runId, edgeId);
    const queue = this.queueOf(channel);
    return brokerCall(channel, async () => {
      const [jobs, total] = await Promise.all([queue.getFailed(0, deadLetterLimit(limit) - 1), queue.getFailedCount()]);
      return { deadLetters: jobs.filter(Boolean).map((job) => deadLetterOf(job, edgeId, channelEdgeIds)), total };
    });
  }

  /**
   * Puts the named dead letters (none named: all of them) back into the
   * queue with their attempts reset, booking each as a send first.
   * Answers how many went back.
   */
  async redrive(topology: Topology, runId: string, edgeId: string, jobIds: readonly string[], book: BookRedrive): Promise<number> {
    const { channel } = queueEdgeOf(topology, runId, edgeId);
    if (jobIds.length > MAX_REDRIVE_JOB_IDS) {
      throw new RunError("invalid_argument", `job_ids: at most ${MAX_REDRIVE_JOB_IDS} per call, got ${jobIds.length}.`);
    }
    const queue = this.queueOf(channel);
    return brokerCall(channel, async () => {
      const ids = jobIds.length > 0 ? [...new Set(jobIds)] : ((await queue.getRanges(["failed"], 0, -1, false)) as string[]);
      let redriven = 0;
      for (let start = 0; start < ids.length; start += REDRIVE_BATCH) {
        const batch = ids.slice(start, start + REDRIVE_BATCH);
        const results = await Promise.all(batch.map((id) => this.redriveOne(queue, id, edgeId, book)));
        redriven += results.filter(Boolean).length;
      }
      return redriven;
    });
  }

  /** Closes every queue opened (the run stops); later calls are refused. */
  async close(): Promise<void> {
    this.closed = true;
    const queues = [...this.queues.values()];
    this.queues.clear();
    // A stalled Redis must not hold up the run's stop: past the command timeout the connections are dropped.
    let timer: NodeJS.Timeout | undefined;
    const closed = Promise.allSettled(queues.map((queue) => queue.close()));
    const late = await Promise.race([closed.then(() => false), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), REDIS_COMMAND_TIMEOUT_MS)))]);
    clearTimeout(timer);
    if (late) for (const queue of queues) void queue.disconnect().catch(() => undefined);
  }

  private async redriveOne(queue: Queue, jobId: string, edgeId: string, book: BookRedrive): Promise<boolean> {
    const job = (await Job.fromId(queue, jobId)) as Job<ChannelEnvelope> | undefined;
    if (!job || !(await job.isFailed())) return false;
    // Its wait starts again now, not when its producer first added it (queue.ts availableAt).
    await job.updateData({ ...job.data, redrivenAtUnixMs: Date.now() });
    // Booked before the job can run again: its next end always finds its send.
    book(edgeId, 1);
    try {
      await job.retry("failed", { resetAttemptsMade: true, resetAttemptsStarted: true });
      return true;
    } catch (error) {
      if (refusedForSure(error) || (await stillDead(job))) {
        book(edgeId, -1);
        return false;
      }
      // Unknown whether it went back (Redis did not answer): it stays booked, in flight — unknown is not lost.
      throw error;
    }
  }

  private queueOf(channel: string): Queue {
    if (this.closed) throw new RunError("failed_precondition", "The run is stopping; its queues are closed.");
    let queue = this.queues.get(channel);
    if (!queue) {
      queue = new Queue(this.keys.queueName(channel), {
        connection: { ...redisOptionsFromUrl(this.redisUrl), maxRetriesPerRequest: 1, commandTimeout: REDIS_COMMAND_TIMEOUT_MS },
        prefix: this.keys.bullmqPrefix,
      });
      queue.on("error", (error: Error) => console.error(`dead letters of ${channel}: ${error.message}`));
      this.queues.set(channel, queue);
    }
    return queue;
  }
}

/** Whether the job is still in the failed set (false when that cannot be told). */
async function stillDead(job: Job): Promise<boolean> {
  try {
    return await job.isFailed();
  } catch {
    return false;
  }
}

/** Redis errors become `unavailable`; RunErrors pass. */
async function brokerCall<T>(channel: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof RunError) throw error;
    throw new RunError("unavailable", `Could not reach the queue of channel "${channel}": ${(error as Error).message}`);
  }
}
