/**
 * Watches the Redis the runs use, so an outage is named where people look —
 * the server's log and every live run's log (the UI's log panel) — instead of
 * showing only as stalled counts: "Redis at … unreachable since 10:01:02
 * (connect ECONNREFUSED …)", then "Redis at … back after 4.2 s; N messages
 * affected …". A stall counts too: a PING without an answer within
 * PING_TIMEOUT_MS (Redis paused, swapped out, CLIENT PAUSE).
 */
import { Redis } from "ioredis";

/** How often Redis is asked whether it is there. */
export const PING_EVERY_MS = 500;
/** A PING not answered within this long makes Redis unreachable. */
export const PING_TIMEOUT_MS = 1_000;
/** After Redis is back, what the outage cost is counted this much later (subscribers find their losses at their next read). */
export const SETTLE_AFTER_BACK_MS = 2_000;
/** PINGs that fail without a connection error before the outage is named with the PING's own error. */
const MAX_PINGS_BEFORE_NAMING = 3;

export interface RedisOutage {
  /** When the first PING failed (Unix ms). */
  since: number;
  /** Why, as the first failure said. */
  reason: string;
}

export interface RedisWatchOptions {
  redisUrl: string;
  /** Redis stopped answering. */
  onDown(outage: RedisOutage, message: string): void;
  /** Redis answers again; `settled` resolves SETTLE_AFTER_BACK_MS later, when its cost can be counted. */
  onBack(outage: RedisOutage & { downMs: number }, message: string, settled: Promise<void>): void;
  pingEveryMs?: number;
  pingTimeoutMs?: number;
  settleMs?: number;
}

/** The address of a Redis URL without its password: `127.0.0.1:6379`. */
export function redisAddress(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || "127.0.0.1"}:${parsed.port || 6379}`;
  } catch {
    return url;
  }
}

function clock(unixMs: number): string {
  return new Date(unixMs).toISOString().slice(11, 19);
}

export class RedisWatch {
  private readonly redis: Redis;
  private readonly timer: NodeJS.Timeout;
  private outage: RedisOutage | undefined;
  private pinging = false;
  /** The connection's last error ("connect ECONNREFUSED …"): says more than a PING refused for want of a connection. */
  private lastError: string | undefined;
  /** When the PINGs started failing and how many have, before an outage is named. */
  private failing: { since: number; count: number } | undefined;
  private closed = false;

  constructor(private readonly options: RedisWatchOptions) {
    this.redis = new Redis(options.redisUrl, {
      lazyConnect: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.pingTimeoutMs ?? PING_TIMEOUT_MS,
      // Reconnect steadily: the PINGs, not ioredis's back-off, tell when Redis is back.
      retryStrategy: () => options.pingEveryMs ?? PING_EVERY_MS,
    });
    // The PINGs report it, once per outage.
    this.redis.on("error", (error: Error) => (this.lastError = error.message));
    this.redis.on("ready", () => (this.lastError = undefined));
    this.timer = setInterval(() => void this.ping(), options.pingEveryMs ?? PING_EVERY_MS).unref();
  }

  /** The outage under way, if any. */
  get down(): RedisOutage | undefined {
    return this.outage;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    this.redis.disconnect();
  }

  private async ping(): Promise<void> {
    if (this.pinging || this.closed) return;
    this.pinging = true;
    try {
      await this.redis.ping();
      this.failing = undefined;
      if (this.outage) this.back(this.outage);
    } catch (error) {
      if (!this.outage && !this.closed) {
        const message = (error as Error).message;
        const timedOut = message === "Command timed out";
        this.failing ??= { since: Date.now(), count: 0 };
        this.failing.count++;
        // A PING refused for want of a connection ("max retries per request") says nothing of why the
        // connection went: wait a ping or two for the reconnect's own error ("connect ECONNREFUSED …").
        if (!timedOut && this.lastError === undefined && this.failing.count < MAX_PINGS_BEFORE_NAMING) return;
        const reason = timedOut ? `no answer within ${this.options.pingTimeoutMs ?? PING_TIMEOUT_MS} ms` : (this.lastError ?? message);
        // "since" is when the first of the failed PINGs came back failed.
        this.outage = { since: this.failing.since, reason };
        this.options.onDown(this.outage, `Redis at ${redisAddress(this.options.redisUrl)} unreachable since ${clock(this.outage.since)} (${reason}): queues and topics cannot take or hand out messages`);
      }
    } finally {
      this.pinging = false;
    }
  }

  private back(outage: RedisOutage): void {
    this.outage = undefined;
    const downMs = Date.now() - outage.since;
    const settled = new Promise<void>((resolve) => setTimeout(resolve, this.options.settleMs ?? SETTLE_AFTER_BACK_MS).unref());
    this.options.onBack(
      { ...outage, downMs },
      `Redis at ${redisAddress(this.options.redisUrl)} back after ${(downMs / 1000).toFixed(1)} s (unreachable from ${clock(outage.since)} to ${clock(Date.now())})`,
      settled,
    );
  }
}
