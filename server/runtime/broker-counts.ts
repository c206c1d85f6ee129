/**
 * The ends of asynchronous messages as the brokers count them — in the same
 * Redis script that ends them, so a consumer killed at any moment (even one
 * whose last commands Redis runs after its death) cannot leave a message ended
 * but uncounted:
 * - a queue's jobs completed and failed for good (BullMQ's Worker `metrics`);
 * - a DURABLE subscriber edge's entries acknowledged, by outcome (pubsub.ts ACK_LUA).
 * Read every READ_EVERY_MS while the run is live and once more before its keys
 * are deleted; the books take them where they are ahead of the hosts' counts.
 * Each reading also sets the run's marker key if it is missing: missing after
 * the first reading, Redis lost its data under the run (`dataLost`, and
 * queue-loss.ts counts the jobs that went with it).
 */
import type { Redis } from "ioredis";
import type { RunKeys } from "@/server/redis/keys";
import type { BrokerEnds, EdgeRole } from "@/server/trace/counter-book";

export const READ_EVERY_MS = 250;

export class BrokerCounts {
  private readonly queueChannels: string[];
  private readonly durableEdges: string[];
  private reading: Promise<BrokerEnds | undefined> | undefined;
  /** The run's marker key was there (or set) at an earlier reading. */
  private markerSeen = false;

  constructor(
    roles: ReadonlyMap<string, EdgeRole>,
    private readonly keys: RunKeys,
  ) {
    this.queueChannels = [...new Set([...roles.values()].filter((role) => role.queue).map((role) => role.channel!))];
    // A topic edge that is not AT_MOST_ONCE is DURABLE.
    this.durableEdges = [...roles].filter(([, role]) => role.channel !== undefined && !role.queue && !role.atMostOnce).map(([edgeId]) => edgeId);
  }

  /** The queue channels whose jobs the broker holds. */
  get queues(): readonly string[] {
    return this.queueChannels;
  }

  get empty(): boolean {
    return this.queueChannels.length === 0 && this.durableEdges.length === 0;
  }

  /** One pipeline of reads; a read already under way is shared. */
  read(redis: Redis): Promise<BrokerEnds | undefined> {
    if (this.empty) return Promise.resolve(undefined);
    this.reading ??= this.readOnce(redis).finally(() => (this.reading = undefined));
    return this.reading;
  }

  private async readOnce(redis: Redis): Promise<BrokerEnds> {
    const pipeline = redis.pipeline();
    // The run's marker, set if missing: missing after the first reading means Redis lost its data.
    pipeline.set(this.keys.brokerMarker, "1", "NX");
    for (const channel of this.queueChannels) {
      pipeline.hget(this.keys.queueMetric(channel, "completed"), "count");
      pipeline.hget(this.keys.queueMetric(channel, "failed"), "count");
    }
    for (const edgeId of this.durableEdges) pipeline.hgetall(this.keys.streamEnded(edgeId));
    const replies = (await pipeline.exec()) ?? [];
    for (const [error] of replies) if (error) throw error;
    const [marker, ...values] = replies.map(([, value]) => value);
    const dataLost = marker === "OK" && this.markerSeen;
    this.markerSeen = true;
    const queues = new Map(
      this.queueChannels.map((channel, index) => [channel, { completed: Number(values[2 * index] ?? 0), failed: Number(values[2 * index + 1] ?? 0) }]),
    );
    const offset = 2 * this.queueChannels.length;
    const durable = new Map(
      this.durableEdges.map((edgeId, index) => {
        const hash = (values[offset + index] ?? {}) as Record<string, string>;
        return [
          edgeId,
          {
            delivered: Number(hash.delivered ?? 0),
            "processing failed": Number(hash["processing failed"] ?? 0),
            overloaded: Number(hash.overloaded ?? 0),
            "cut from stream": Number(hash["cut from stream"] ?? 0),
            "lost by broker": Number(hash["lost by broker"] ?? 0),
          },
        ];
      }),
    );
    return { queues, durable, dataLost };
  }
}
