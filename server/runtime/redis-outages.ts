/**
 * A Redis outage told to the server's log and to every live run's log, with
 * what it cost each run: the messages its publishers and producers could not
 * hand to the broker ("refused by broker") and those the broker lost with its
 * data ("lost by broker"), counted from the outage's start to a moment after
 * Redis is back (SETTLE_AFTER_BACK_MS: subscribers find their losses at their
 * next read).
 */
import type { LogLevel } from "@/server/ipc/host-messages";
import { RedisWatch } from "@/server/redis/redis-watch";
import type { Books } from "@/server/trace/counter-book";

/** The outcomes a Redis outage causes, as the books name them. */
export const OUTAGE_OUTCOMES = ["refused by broker", "lost by broker"] as const;
type OutageCounts = Record<(typeof OUTAGE_OUTCOMES)[number], number>;

/** A live run, as the watch needs it. */
export interface WatchedRun {
  id: string;
  log(level: LogLevel, message: string): void;
  books(): Books;
}

/** Every edge's messages ended by an outage outcome so far. */
export function outageCounts(books: Books): OutageCounts {
  const counts: OutageCounts = { "refused by broker": 0, "lost by broker": 0 };
  for (const ledger of books.edges.values()) {
    for (const { outcome, count } of [...ledger.failedBy, ...ledger.lostBy]) {
      if (outcome in counts) counts[outcome as keyof OutageCounts] += count;
    }
  }
  return counts;
}

/**
 * "12 messages affected: 9 refused by broker, 3 lost by broker", or "no message affected".
 * @example describeCost({ "refused by broker": 2, "lost by broker": 0 }) === "2 messages affected: 2 refused by broker"
 */
export function describeCost(cost: OutageCounts): string {
  const parts = OUTAGE_OUTCOMES.filter((outcome) => cost[outcome] > 0).map((outcome) => `${cost[outcome]} ${outcome}`);
  const total = OUTAGE_OUTCOMES.reduce((sum, outcome) => sum + cost[outcome], 0);
  if (total === 0) return "no message affected";
  return `${total} message${total === 1 ? "" : "s"} affected: ${parts.join(", ")}`;
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
  const countsOf = (run: WatchedRun) => {
    try {
      return outageCounts(run.books());
    } catch {
      return { "refused by broker": 0, "lost by broker": 0 };
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
          const now = countsOf(run);
          const then = before.get(run.id) ?? { "refused by broker": 0, "lost by broker": 0 };
          const cost = Object.fromEntries(OUTAGE_OUTCOMES.map((outcome) => [outcome, Math.max(0, now[outcome] - then[outcome])])) as OutageCounts;
          run.log("warn", `${message}; ${describeCost(cost)}`);
        }
      });
    },
  });
}
