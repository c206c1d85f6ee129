/**
 * Asks the broker what became of a dead producer's last hand-offs — the jobs
 * it added and the messages it published without living to read the answer
 * (counter-book.ts, OpenHandOff). Only the broker knows whether it took them:
 * - a queue job: its hash exists (BullMQ keeps completed and failed jobs long
 *   enough, see queue.ts REMOVE_ON_COMPLETE) — the producer numbered its jobs,
 *   and the unanswered ones are its last;
 * - a publish: the publish script noted the newest publish it ran — its number
 *   and how many of the producer's publishes the broker had refused before it
 *   — and counted the edges that had no subscriber (pubsub.ts PUBLISH_LUA). A
 *   producer's publishes run in order, so those numbered up to the newest ran,
 *   all but the refused ones: also right after Redis lost its data, as soon as
 *   one publish ran since.
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
  const [newest, ...noSubscriber] = await redis.mget(
    keys.publishedTop(handOff.incarnation, handOff.edgeIds[0]),
    ...handOff.atMostOnce.map((member) => keys.noSubscriber(handOff.incarnation, member.edgeId)),
  );
  const { top, refused } = parseNewestPublish(newest);
  // The open publishes are the producer's last (numbers sent - open + 1 … sent) and ran in order: those up to the
  // newest number the broker ran landed.
  const landed = Math.min(handOff.open, Math.max(0, top - (handOff.sent - handOff.open)));
  return {
    landed,
    published: Math.max(0, top - refused),
    noSubscriber: new Map(handOff.atMostOnce.map((member, index) => [member.edgeId, Number(noSubscriber[index] ?? 0)])),
  };
}

/** The publish script's note of a producer's newest publish, `<number>:<refused before it>` (none yet: 0, 0). */
export function parseNewestPublish(value: string | null): { top: number; refused: number } {
  const [top, refused] = (value ?? "0:0").split(":").map(Number);
  return { top: Number.isFinite(top) ? top : 0, refused: Number.isFinite(refused) ? refused : 0 };
}
