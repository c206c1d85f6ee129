/**
 * Asks the broker what became of a dead producer's last hand-offs — the jobs
 * it added and the messages it published without living to read the answer
 * (counter-book.ts, OpenHandOff). Only the broker knows whether it took them:
 * - a queue job: its hash exists (BullMQ keeps completed and failed jobs long
 *   enough, see queue.ts REMOVE_ON_COMPLETE) — the producer numbered its jobs,
 *   and the unanswered ones are its last;
 * - a publish: the publish script counted it in Redis, with the edges that had
 *   no subscriber, and kept the highest publish number it ran (pubsub.ts
 *   PUBLISH_LUA) — the count restarts from zero if Redis lost its data, the
 *   highest number does not go wrong.
 *
 * The audit waits SETTLE_MS and then for Redis to answer (a stalled Redis may
 * still hold the dead producer's commands), so what it reads is final.
 */
import type { Redis } from "ioredis";
import type { RunKeys } from "@/server/redis/keys";
import { SETTLE_MS, type HandOffAudit, type OpenHandOff } from "@/server/trace/counter-book";

export async function auditHandOff(redis: Redis, keys: RunKeys, handOff: OpenHandOff, settleMs = SETTLE_MS): Promise<HandOffAudit> {
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  // Answers only once Redis serves commands again: a paused Redis runs (or drops) the dead client's commands first.
  await redis.ping();
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  if (handOff.queue) {
    const pipeline = redis.pipeline();
    for (let seq = handOff.sent - handOff.open + 1; seq <= handOff.sent; seq++) {
      pipeline.exists(keys.jobKey(handOff.channel, keys.jobId(handOff.incarnation, seq)));
    }
    const replies = (await pipeline.exec()) ?? [];
    return { landed: replies.filter(([error, exists]) => !error && Number(exists) === 1).length };
  }
  const [published, top, ...noSubscriber] = await redis.mget(
    keys.published(handOff.incarnation, handOff.edgeIds[0]),
    keys.publishedTop(handOff.incarnation, handOff.edgeIds[0]),
    ...handOff.atMostOnce.map((member) => keys.noSubscriber(handOff.incarnation, member.edgeId)),
  );
  const publishedCount = Number(published ?? 0);
  // The open publishes are the producer's last (numbers sent - open + 1 … sent) and ran in order: those up to the
  // highest number the broker ran landed. A count alone would miss them after Redis lost its data (it restarts
  // from zero, below what was accepted before), and book as "producer died" messages that were delivered.
  const byTop = Math.min(handOff.open, Math.max(0, Number(top ?? 0) - (handOff.sent - handOff.open)));
  return {
    landed: Math.max(byTop, publishedCount - handOff.accepted, 0),
    published: publishedCount,
    noSubscriber: new Map(handOff.atMostOnce.map((member, index) => [member.edgeId, Number(noSubscriber[index] ?? 0)])),
  };
}
