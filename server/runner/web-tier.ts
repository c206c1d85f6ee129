/**
 * The web tier scaled out (IPCPLAY_RUNNERS=remote only): socket.io's Redis
 * Streams adapter, so a run's room spans every web instance, and the lease
 * that makes one instance — not every instance with a watcher — read a run's
 * event stream and emit it to the room for the whole cluster.
 *
 * Embedded mode uses none of this (its socket path has no Redis).
 * docs/runners.md says why the streams adapter and not the Pub/Sub one.
 */
import { createAdapter } from "@socket.io/redis-streams-adapter";
import { Redis } from "ioredis";
import { clusterKeys } from "@/lib/runners/cluster";
import type { ReaderLease } from "@/server/run-socket";
import { STREAM_TTL_MS } from "./runner";

/** A reader's lease; renewed every LEASE_RENEW_MS, so a dead instance's runs get a new reader within it. */
export const READER_LEASE_MS = 6_000;
export const LEASE_RENEW_MS = 2_000;
/** Entries of socket.io's own stream (XADD MAXLEN ~): enough for an instance that lost Redis for a while to catch up. */
const ADAPTER_MAXLEN = 10_000;

const RENEW = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end`;
/** The lease's value once the run's summary went to the room: nobody reads the stream again. */
const DONE = "done";

export interface WebTier {
  adapter: ReturnType<typeof createAdapter>;
  lease: ReaderLease;
  close(): Promise<void>;
}

export function createWebTier(options: { redisUrl: string; prefix: string; instanceId: string }): WebTier {
  const keys = clusterKeys(options.prefix);
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 2 });
  redis.on("error", () => undefined);
  const adapter = createAdapter(redis, {
    streamName: keys.socketIo,
    channelPrefix: keys.socketIo,
    maxLen: ADAPTER_MAXLEN,
    blockTimeInMs: 1_000,
    onlyPlaintext: true,
  });
  const me = options.instanceId;
  const lease: ReaderLease = {
    renewEveryMs: LEASE_RENEW_MS,
    async acquire(runId) {
      const key = keys.reader(runId);
      if ((await redis.set(key, me, "PX", READER_LEASE_MS, "NX")) === "OK") return "mine";
      const holder = await redis.get(key);
      if (holder === DONE) return "done";
      if (holder === me) return (await lease.renew(runId)) ? "mine" : "taken";
      return "taken";
    },
    async renew(runId) {
      return (await redis.eval(RENEW, 1, keys.reader(runId), me, String(READER_LEASE_MS))) === 1;
    },
    async release(runId, done) {
      if (done) await redis.set(keys.reader(runId), DONE, "PX", STREAM_TTL_MS);
      else await redis.eval(RELEASE, 1, keys.reader(runId), me);
    },
  };
  return {
    adapter,
    lease,
    // The adapter's reading connections go with io.close(); this one is the adapter's writer and the lease's.
    close: () => redis.quit().then(
      () => undefined,
      () => redis.disconnect(),
    ),
  };
}
