/**
 * How a message on an edge ends, by name, and the books that add up:
 *
 *   sent = delivered + failed + lost + in flight
 *
 * Every way a message can end is one named outcome, counted where it is seen:
 * - a synchronous call's outcome by its caller (the only side that knows
 *   whether the reply came, and how): delivered, "timed out", "unreachable",
 *   "overloaded", "error reply", "short-circuited" (its own circuit breaker
 *   refused the call without trying), "rate limited" (the callee's rate
 *   limiter refused it);
 * - a message the run's budget would not let go, by its sender, before it
 *   leaves (lib/budget): "over budget" (automatic traffic past the client's
 *   share of the run's rate), "fan-out capped" (one message's deliveries
 *   past the per-message cap), "queue full" (a queue edge's waiting jobs at
 *   their cap);
 * - an asynchronous hand-off's refusal by its producer ("refused by broker"),
 *   a pub/sub message nobody subscribed to by the publisher, from the broker
 *   ("no subscriber");
 * - an asynchronous message's end by its consumer: delivered (a job once,
 *   whatever its attempts), "dead-lettered", "processing failed",
 *   "overloaded";
 * - the ends nobody could count because a process died holding the message,
 *   by the server from the dead process's last counts ("caller died",
 *   "subscriber died").
 *
 * Attempts are not messages: `retries` counts the extra attempts apart,
 * `attempts` every attempt of a synchronous call (first tries and retries),
 * `retries refused` the retries a retry budget did not allow, `duplicates`
 * the second processings of a message a DUPLICATE fault caused (never a
 * second delivery). None of them is an outcome.
 */

export const FAILED_OUTCOMES = [
  "timed out",
  "unreachable",
  "overloaded",
  "error reply",
  "refused by broker",
  "dead-lettered",
  "processing failed",
  "short-circuited",
  "rate limited",
  "over budget",
  "fan-out capped",
  "queue full",
] as const;
export type FailedOutcome = (typeof FAILED_OUTCOMES)[number];

/** Lost outcomes a process counts itself. */
/** "lost by broker": entries a DURABLE stream held unread when Redis lost them (a restart without its data, a flush). */
export const COUNTED_LOST_OUTCOMES = ["no subscriber", "cut from stream", "lost by broker"] as const;
/**
 * Lost outcomes the server books when a process died holding messages: a
 * caller's calls without a reply, an AT_MOST_ONCE subscriber's messages not
 * yet ended, a producer's hand-offs the broker never took (asked of the
 * broker: server/runtime/hand-off-audit.ts).
 */
export const DIED_OUTCOMES = ["caller died", "subscriber died", "producer died"] as const;
export const LOST_OUTCOMES = [...COUNTED_LOST_OUTCOMES, ...DIED_OUTCOMES] as const;
export type LostOutcome = (typeof LOST_OUTCOMES)[number];
export type DiedOutcome = (typeof DIED_OUTCOMES)[number];

/**
 * What a host counts per edge, in the order of its counter file's slots.
 * - `accepted` (asynchronous edges): the broker took the hand-off — the job
 *   was added, the message published. Not an end: the consumer ends it.
 * - `handed` (pub/sub AT_MOST_ONCE only): published while the subscriber was
 *   there — from then on the subscriber, not the publisher, holds the message.
 * - `cache hits` / `cache misses` (REST GET edges): calls the caller's HTTP
 *   cache answered (also counted delivered) or sent on. Not ends of their own.
 * - `attempts`: every attempt that went to the network (synchronous edges) or
 *   that a queue's consumer started processing (queue edges), counted as it
 *   starts, so attempts / sent shows a retry storm as it builds. Pub/sub has
 *   no attempts: a subscriber gets each message once.
 * - `retries refused`: retries the edge's retry budget did not allow.
 * - `duplicates` (asynchronous edges): a message its consumer processed again
 *   (a DUPLICATE fault). Not an end: the message ended once already.
 */
export const COUNT_KEYS = [
  "sent",
  "delivered",
  "retries",
  "accepted",
  "handed",
  "cache hits",
  "cache misses",
  "attempts",
  "retries refused",
  ...FAILED_OUTCOMES,
  ...COUNTED_LOST_OUTCOMES,
  "duplicates",
] as const;
export type CountKey = (typeof COUNT_KEYS)[number];

/** One edge's counts, as counted by the processes (cumulative). */
export type Tally = Record<CountKey, number>;

export function emptyTally(): Tally {
  return Object.fromEntries(COUNT_KEYS.map((key) => [key, 0])) as Tally;
}

export function addTally(into: Tally, from: Readonly<Tally>): Tally {
  for (const key of COUNT_KEYS) into[key] += from[key];
  return into;
}

/** The outcomes a sender (not the receiver) counts, so a group of edges sharing one send counts them once. */
export const SENDER_KEYS: ReadonlySet<CountKey> = new Set<CountKey>(["sent", "accepted", "handed", "refused by broker", "no subscriber", "over budget", "fan-out capped", "queue full"]);

export interface OutcomeCount {
  outcome: string;
  count: number;
}

/** An edge's (or a shared channel's) books: every message sent, and where each one is now. */
export interface Ledger {
  sent: number;
  delivered: number;
  failed: number;
  lost: number;
  /** sent − delivered − failed − lost: on its way, waiting, being worked on. */
  inFlight: number;
  retries: number;
  cacheHits: number;
  cacheMisses: number;
  /** Attempts of synchronous calls (first tries and retries), and retries the budget refused: not outcomes. */
  attempts: number;
  retriesRefused: number;
  /** Second processings of messages (a DUPLICATE fault); not deliveries. */
  duplicates: number;
  /** Non-zero outcomes only, in the order of FAILED_OUTCOMES / LOST_OUTCOMES. */
  failedBy: OutcomeCount[];
  lostBy: OutcomeCount[];
}

/**
 * The ledger of counts read at one moment.
 * @param died lost outcomes the server booked for processes that died
 * @param sent when given, the sent count to use (read after the outcomes, so
 *   that no outcome is counted whose send is not: see CounterBook.snapshot)
 */
export function ledgerOf(tally: Readonly<Tally>, died: Partial<Record<DiedOutcome, number>> = {}, sent = tally.sent): Ledger {
  const failedBy = FAILED_OUTCOMES.map((outcome) => ({ outcome, count: tally[outcome] })).filter(({ count }) => count > 0);
  const lostBy = [
    ...COUNTED_LOST_OUTCOMES.map((outcome) => ({ outcome, count: tally[outcome] })),
    ...DIED_OUTCOMES.map((outcome) => ({ outcome, count: died[outcome] ?? 0 })),
  ].filter(({ count }) => count > 0);
  const failed = sum(failedBy);
  const lost = sum(lostBy);
  return {
    sent,
    delivered: tally.delivered,
    failed,
    lost,
    inFlight: sent - tally.delivered - failed - lost,
    retries: tally.retries,
    cacheHits: tally["cache hits"],
    cacheMisses: tally["cache misses"],
    attempts: tally.attempts,
    retriesRefused: tally["retries refused"],
    duplicates: tally.duplicates,
    failedBy,
    lostBy,
  };
}

/** Messages that ended (however), for a tally. */
export function endedOf(tally: Readonly<Tally>): number {
  return tally.delivered + FAILED_OUTCOMES.reduce((total, key) => total + tally[key], 0) + COUNTED_LOST_OUTCOMES.reduce((total, key) => total + tally[key], 0);
}

function sum(counts: readonly OutcomeCount[]): number {
  return counts.reduce((total, { count }) => total + count, 0);
}
