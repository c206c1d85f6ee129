/**
 * What a broker outage cost a run, from its books: the messages its
 * publishers and producers could not hand to Redis ("refused by broker") and
 * those Redis lost with its data ("lost by broker"), between two readings.
 */
import type { Ledger } from "./outcomes";

/** The outcomes a Redis outage causes, as the books name them. */
export const OUTAGE_OUTCOMES = ["refused by broker", "lost by broker"] as const;
export type OutageCounts = Record<(typeof OUTAGE_OUTCOMES)[number], number>;

export function noOutageCounts(): OutageCounts {
  return { "refused by broker": 0, "lost by broker": 0 };
}

/** Every edge's messages ended by an outage outcome so far. */
export function outageCounts(ledgers: Iterable<Pick<Ledger, "failedBy" | "lostBy">>): OutageCounts {
  const counts = noOutageCounts();
  for (const ledger of ledgers) {
    for (const { outcome, count } of [...ledger.failedBy, ...ledger.lostBy]) {
      if (outcome in counts) counts[outcome as keyof OutageCounts] += count;
    }
  }
  return counts;
}

/** What happened between two readings (never negative). */
export function outageCost(before: OutageCounts, after: OutageCounts): OutageCounts {
  const cost = noOutageCounts();
  for (const outcome of OUTAGE_OUTCOMES) cost[outcome] = Math.max(0, after[outcome] - before[outcome]);
  return cost;
}

/**
 * @example describeCost({ "refused by broker": 9, "lost by broker": 3 }) === "12 messages affected: 9 refused by broker, 3 lost by broker"
 * @example describeCost(noOutageCounts()) === "no message affected"
 */
export function describeCost(cost: OutageCounts): string {
  const total = OUTAGE_OUTCOMES.reduce((sum, outcome) => sum + cost[outcome], 0);
  if (total === 0) return "no message affected";
  const parts = OUTAGE_OUTCOMES.filter((outcome) => cost[outcome] > 0).map((outcome) => `${cost[outcome]} ${outcome}`);
  return `${total} message${total === 1 ? "" : "s"} affected: ${parts.join(", ")}`;
}
