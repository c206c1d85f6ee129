/**
 * A Redis outage told to the server's log and to every live run's log, with
 * what it cost each run: the messages its publishers and producers could not
 * hand to the broker ("refused by broker") and those the broker lost with its
 * data ("lost by broker"), counted from the outage's start to a moment after
 * Redis is back (SETTLE_AFTER_BACK_MS: subscribers find their losses at their
 * next read).
 */
import { describeCost, noOutageCounts, outageCost, outageCounts, type OutageCounts } from "@/lib/metrics/outage-cost";
import type { LogLevel } from "@/server/ipc/host-messages";
import { RedisWatch } from "@/server/redis/redis-watch";
import type { Books } from "@/server/trace/counter-book";

/** A live run, as the watch needs it. */
export interface WatchedRun {
  id: string;
  log(level: LogLevel, message: string): void;
  books(): Books;
}

export function watchRedisOutages(options: {
  redisUrl: string;
  liveRuns: () => WatchedRun[];
  serverLog?: (message: string) => void;
  pingEveryMs?: number;
}): RedisWatch {
  const serverLog = options.serverLog ?? ((message: string) => console.error(message));
  /** Each run's counts when the outage began (a run started during it begins at zero). */
  let atStart = new Map<string, OutageCounts>();
  const countsOf = (run: WatchedRun): OutageCounts => {
    try {
      return outageCounts(run.books().edges.values());
    } catch {
      return noOutageCounts();
    }
  };
  return new RedisWatch({
    redisUrl: options.redisUrl,
    ...(options.pingEveryMs ? { pingEveryMs: options.pingEveryMs } : {}),
    onDown(_outage, message) {
      serverLog(message);
      atStart = new Map(options.liveRuns().map((run) => [run.id, countsOf(run)]));
      for (const run of options.liveRuns()) run.log("warn", message);
    },
    onBack(_outage, message, settled) {
      const before = atStart;
      serverLog(message);
      void settled.then(() => {
        for (const run of options.liveRuns()) {
          const cost = outageCost(before.get(run.id) ?? noOutageCounts(), countsOf(run));
          run.log("warn", `${message}; ${describeCost(cost)}`);
        }
      });
    },
  });
}
