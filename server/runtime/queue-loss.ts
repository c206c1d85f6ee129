/**
 * Queue jobs that Redis lost with its data (a restart without persistence, a
 * flush) under a live run. No consumer will ever end them and no producer
 * will send them again, so without this they would stay "in flight" for
 * ever. Once a reading of the brokers' counts finds the run's marker gone
 * (broker-counts.ts), each queue channel is compared, for WATCH_MS after
 * SETTLE_MS, between
 *
 *   what the books say its broker holds (in flight, less what producers are
 *   still handing over: CounterBook.queueHeld)
 *   and what the broker does hold (BullMQ's wait, active, paused, delayed,
 *   prioritized and waiting-children keys).
 *
 * The difference is the jobs lost; it is booked, "lost by broker", once
 * AGREE readings in a row (EVERY_MS apart) found at least that many, so a
 * message counted between the two reads of one reading is never taken for
 * lost. Jobs a worker held when the data went end nowhere either (BullMQ
 * cannot finish a job whose key is gone): they are counted with them.
 */
import type { Redis } from "ioredis";
import type { RunKeys } from "@/server/redis/keys";
import type { CounterBook } from "@/server/trace/counter-book";

export const SETTLE_MS = 2_000;
export const WATCH_MS = 30_000;
export const EVERY_MS = 500;
export const AGREE = 4;

export interface QueueLossOptions {
  keys: RunKeys;
  books: () => CounterBook;
  channels: () => readonly string[];
  redis: () => Redis;
  active: () => boolean;
  /** Told each booking (the run's log). */
  onLost: (channel: string, count: number) => void;
}

export class QueueLossWatch {
  private until = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly windows = new Map<string, number[]>();
  private ticking = false;

  constructor(private readonly options: QueueLossOptions) {}

  /** Redis lost its data just now: compare the books with the broker for a while. */
  dataLost(): void {
    this.until = Date.now() + SETTLE_MS + WATCH_MS;
    this.windows.clear();
    clearTimeout(this.timer);
    clearInterval(this.timer);
    this.timer = setTimeout(() => {
      this.timer = setInterval(() => void this.tick(), EVERY_MS);
      this.timer.unref();
    }, SETTLE_MS);
    this.timer.unref();
  }

  close(): void {
    clearTimeout(this.timer);
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async tick(): Promise<void> {
    if (!this.options.active() || Date.now() > this.until) return this.close();
    if (this.ticking) return;
    this.ticking = true;
    try {
      for (const channel of this.options.channels()) {
        // The books first, then the broker: a job ended between the two was still counted held by both.
        const held = this.options.books().queueHeld(channel);
        if (held === undefined) continue;
        const inBroker = await heldByBroker(this.options.redis(), this.options.keys, channel);
        const window = [...(this.windows.get(channel) ?? []), held - inBroker].slice(-AGREE);
        this.windows.set(channel, window);
        const lost = Math.min(...window);
        if (window.length === AGREE && lost > 0) {
          this.options.books().bookQueueLost(channel, lost);
          this.options.onLost(channel, lost);
          this.windows.set(channel, []);
        }
      }
    } catch {
      // Redis away again: the next tick tries again.
    } finally {
      this.ticking = false;
    }
  }
}

/** The jobs of a queue channel the broker holds, not yet ended. */
export async function heldByBroker(redis: Redis, keys: RunKeys, channel: string): Promise<number> {
  const { lists, sets } = keys.queueHeldKeys(channel);
  const pipeline = redis.pipeline();
  for (const key of lists) pipeline.llen(key);
  for (const key of sets) pipeline.zcard(key);
  const replies = (await pipeline.exec()) ?? [];
  let total = 0;
  for (const [error, value] of replies) {
    if (error) throw error;
    total += Number(value ?? 0);
  }
  return total;
}
