/**
 * Which runs are alive, kept in Redis, so that the keys of a run whose server
 * died without its cleanup (SIGKILL, a power cut) do not stay for ever:
 *
 * - a run is listed in the hash `ipcplay:runs` (run id → when it started)
 *   before any of its keys is written, and has a heartbeat key under its own
 *   prefix, `ipcplay:<runId>:alive`, which its server sets again every
 *   REFRESH_EVERY_MS with a TTL of HEARTBEAT_TTL_MS (listing it again, should
 *   Redis have restarted without its data);
 * - a sweep, when a server starts and every SWEEP_EVERY_MS after, removes
 *   every key under the prefix of each listed run whose heartbeat is gone
 *   (its server has not been heard of for a TTL), or whose heartbeat names a
 *   server process of this machine that no longer exists (a server killed
 *   and started again at once need not wait out the TTL), then unlists it.
 *
 * Only under a run's own `ipcplay:<runId>:` prefix (deleteRunKeys refuses any
 * other): keys of other applications, and of runs of another server that is
 * alive (its heartbeats go on), are never touched. A run that is not listed
 * (Redis lost the list and its server died before listing it again) is swept
 * once two sweeps two refreshes apart found it without list or heartbeat.
 */
import { hostname } from "node:os";
import { Redis } from "ioredis";
import { deleteRunKeys, KEY_ROOT, runKeys } from "./keys";

/** The hash of the runs whose servers started them: run id → start time (Unix ms). */
export const RUNS_KEY = `${KEY_ROOT}:runs`;
/** A run whose server has not set its heartbeat for this long is taken for dead. */
export const HEARTBEAT_TTL_MS = 30_000;
const REFRESH_EVERY_MS = 5_000;
const SWEEP_EVERY_MS = 30_000;
/** Registering a run waits this long for Redis before StartRun says it is unreachable. */
const REGISTER_TIMEOUT_MS = 1_500;
/**
 * Run ids as newRunId makes them (`r-` and digits; tests' own ids keep the `r-`): nothing else is
 * taken for a run's prefix — not the registry's own `ipcplay:runs`, nor another tool's namespace
 * under `ipcplay:` (the bench's `ipcplay:bench-…:`), which the sweep of unlisted runs would
 * otherwise take for a dead run's and remove.
 */
const RUN_ID = /^r-[A-Za-z0-9_-]{1,62}$/;

export function heartbeatKey(runId: string): string {
  return `${runKeys(runId).prefix}alive`;
}

/** What a heartbeat holds: the server process that sets it, `<host name>:<pid>`. */
export function heartbeatValue(pid = process.pid): string {
  return `${hostname()}:${pid}`;
}

/** True when the heartbeat names a process of this machine that is gone (kill(pid, 0) says ESRCH). */
export function heartbeatOfDeadProcess(value: string): boolean {
  const at = value.lastIndexOf(":");
  const pid = Number(value.slice(at + 1));
  if (at < 0 || value.slice(0, at) !== hostname() || !Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

export interface RunRegistryOptions {
  redisUrl: string;
  /** Where sweeps report what they removed, and why a sweep failed. */
  log?: (message: string) => void;
  heartbeatTtlMs?: number;
  refreshEveryMs?: number;
  sweepEveryMs?: number;
}

export class RunRegistry {
  private readonly redis: Redis;
  private readonly log: (message: string) => void;
  private readonly ttlMs: number;
  private readonly unlistedGraceMs: number;
  private readonly live = new Set<string>();
  /** Run ids with keys but neither listed nor a heartbeat, and when a sweep first found them so (sweepUnlisted). */
  private readonly unlisted = new Map<string, number>();
  private lastError: string | undefined;
  private readonly refreshTimer: NodeJS.Timeout;
  private readonly sweepTimer: NodeJS.Timeout;
  /** The sweep at start, for whoever wants to wait for it (tests). */
  readonly firstSweep: Promise<number>;

  constructor(private readonly options: RunRegistryOptions) {
    this.log = options.log ?? ((message) => console.error(message));
    this.ttlMs = options.heartbeatTtlMs ?? HEARTBEAT_TTL_MS;
    this.unlistedGraceMs = Math.min(this.ttlMs, 2 * (options.refreshEveryMs ?? REFRESH_EVERY_MS));
    // No retries of its own: a command fails at once while Redis is away (the heartbeat tries again, StartRun says so).
    this.redis = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, commandTimeout: REGISTER_TIMEOUT_MS });
    // Reported by the outage watch (redis-watch.ts), not once per reconnect; kept to say why a registration failed.
    this.redis.on("error", (error: Error) => (this.lastError = error.message));
    this.redis.on("ready", () => {
      this.lastError = undefined;
      // Back, perhaps without its data: list the live runs again at once, not at the next refresh.
      void this.refresh();
    });
    this.refreshTimer = setInterval(() => void this.refresh(), options.refreshEveryMs ?? REFRESH_EVERY_MS).unref();
    this.sweepTimer = setInterval(() => void this.sweep().catch(() => 0), options.sweepEveryMs ?? SWEEP_EVERY_MS).unref();
    this.firstSweep = this.sweep().catch((error: Error) => {
      this.log(`Could not sweep the Redis keys of dead runs at ${options.redisUrl}: ${error.message}`);
      return 0;
    });
  }

  /** Lists the run and sets its first heartbeat; rejects (within REGISTER_TIMEOUT_MS) when Redis does not answer. */
  async register(runId: string): Promise<void> {
    try {
      await this.redis
        .multi()
        .hset(RUNS_KEY, runId, Date.now())
        .set(heartbeatKey(runId), heartbeatValue(), "PX", this.ttlMs)
        .exec();
    } catch (error) {
      // "Reached the max retries per request limit" says less than the connection's own error.
      const message = (error as Error).message === "Command timed out" ? `no answer within ${REGISTER_TIMEOUT_MS} ms` : (this.lastError ?? (error as Error).message);
      throw new Error(message);
    }
    this.live.add(runId);
  }

  /** The run stopped and its keys are gone: unlisted (its heartbeat goes with its keys, or expires). */
  async unregister(runId: string): Promise<void> {
    if (!this.live.delete(runId)) return;
    await this.redis.multi().hdel(RUNS_KEY, runId).del(heartbeatKey(runId)).exec();
  }

  /**
   * Removes the keys of every listed run whose heartbeat is gone, and unlists
   * it; answers how many keys went.
   */
  async sweep(): Promise<number> {
    const listed = Object.keys(await this.redis.hgetall(RUNS_KEY));
    let removed = 0;
    for (const runId of listed) {
      if (this.live.has(runId)) continue;
      if (!RUN_ID.test(runId)) {
        // Not a run id this code makes: unlisted, nothing else touched.
        await this.redis.hdel(RUNS_KEY, runId);
        continue;
      }
      const heartbeat = await this.redis.get(heartbeatKey(runId));
      if (heartbeat !== null && !heartbeatOfDeadProcess(heartbeat)) continue; // alive: another server's run
      const keys = await deleteRunKeys(this.redis, runKeys(runId).prefix);
      await this.redis.hdel(RUNS_KEY, runId);
      removed += keys;
      const why = heartbeat === null ? `no heartbeat for ${this.ttlMs / 1000} s` : `its process ${heartbeat} is gone`;
      this.log(`Removed ${keys} Redis key${keys === 1 ? "" : "s"} of run ${runId}, whose server is gone (${why})`);
    }
    removed += await this.sweepUnlisted(new Set(listed));
    return removed;
  }

  /**
   * Runs whose keys are there but which are not listed: a server killed after Redis lost its data
   * (the list with it) and before its heartbeat listed its runs again, while their hosts wrote keys.
   * Such a run id (as newRunId makes them) is removed once two sweeps at least two refreshes apart (at
   * most a heartbeat's TTL) found it unlisted and without a heartbeat — a live server lists its runs
   * again within a refresh, and at once when its connection is back.
   */
  private async sweepUnlisted(listed: ReadonlySet<string>): Promise<number> {
    const seen = new Set<string>();
    let cursor = "0";
    do {
      const [next, keys] = await this.redis.scan(cursor, "MATCH", `${KEY_ROOT}:*`, "COUNT", 1000);
      cursor = next;
      for (const key of keys) {
        // A run's keys are under its prefix `ipcplay:<runId>:`; a key named `ipcplay:<word>` is not one.
        const [, runId, rest] = key.split(":", 3);
        if (rest !== undefined && RUN_ID.test(runId) && !listed.has(runId) && !this.live.has(runId)) seen.add(runId);
      }
    } while (cursor !== "0");
    let removed = 0;
    const now = Date.now();
    for (const runId of seen) {
      if ((await this.redis.exists(heartbeatKey(runId))) === 1) {
        this.unlisted.delete(runId);
        continue;
      }
      if ((await this.redis.hexists(RUNS_KEY, runId)) === 1) continue; // listed meanwhile
      const first = this.unlisted.get(runId);
      if (first === undefined) {
        this.unlisted.set(runId, now);
        continue;
      }
      if (now - first < this.unlistedGraceMs) continue;
      const keys = await deleteRunKeys(this.redis, runKeys(runId).prefix);
      this.unlisted.delete(runId);
      removed += keys;
      this.log(`Removed ${keys} Redis key${keys === 1 ? "" : "s"} of run ${runId}, not listed and without a heartbeat for ${Math.round((now - first) / 1000)} s (its server died after Redis lost its data)`);
    }
    for (const runId of this.unlisted.keys()) if (!seen.has(runId)) this.unlisted.delete(runId);
    return removed;
  }

  async close(): Promise<void> {
    clearInterval(this.refreshTimer);
    clearInterval(this.sweepTimer);
    await this.firstSweep;
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private async refresh(): Promise<void> {
    if (this.live.size === 0) return;
    const pipeline = this.redis.pipeline();
    // Listed again too: a Redis that restarted without its data lost the list, and a run not
    // listed would never be swept should this server die (HSETNX keeps the first start time).
    for (const runId of this.live) pipeline.hsetnx(RUNS_KEY, runId, Date.now()).set(heartbeatKey(runId), heartbeatValue(), "PX", this.ttlMs);
    // Redis away: the next refresh tries again (a heartbeat lasts several refreshes).
    await pipeline.exec().catch(() => undefined);
  }
}
