/**
 * Which moving dots an edge shows, from its counters rather than from spans:
 * counters arrive about once a second whatever the message rate, and spans
 * are sampled (most messages send none to the browser). Dots are a hint of
 * traffic, so a busy edge shows a few evenly spread dots, never one per message.
 */

/** At most this many dots per counter update on one edge. */
export const MAX_DOTS_PER_UPDATE = 8;

/**
 * How many dots a counter update's messages make: one each up to 3, then one
 * more each time the count doubles (6 → 4, 12 → 5, 24 → 6 … 96 and more → 8),
 * so the density follows the real rate from a trickle to thousands a second
 * and a busy edge still shows a handful, never a swarm.
 */
export function dotCount(messages: number): number {
  if (messages <= 0) return 0;
  if (messages <= 3) return messages;
  return Math.min(MAX_DOTS_PER_UPDATE, 3 + Math.round(Math.log2(messages / 3)));
}

export interface EdgeTally {
  /** Messages that went along this edge. */
  sent: number;
  /** Of those, the ones that ended badly: failed or lost. */
  failed: number;
}

/**
 * What an edge's dots count. Failures and losses both end a message badly:
 * both are red. A consumer sharing its queue with others moves a dot per
 * message it took, not per message sent to the queue — each job goes to one
 * consumer, so the queue's sends on every consumer's edge would show
 * traffic that never went that way.
 */
export function dotTally(c: { sent: number; delivered: number; failed: number; lost: number; sharedWith: readonly string[] }): EdgeTally {
  const bad = c.failed + c.lost;
  return { sent: c.sharedWith.length > 0 ? c.delivered + bad : c.sent, failed: bad };
}

export interface DotPlan {
  failed: boolean;
  /** When it sets off, in milliseconds after the update. */
  delayMs: number;
}

/**
 * The dots for one counter update: dotCount of the new messages, the failed
 * ones red in their share of them (at least one when any failed: failures
 * always show), spread evenly over `spreadMs` so they do not travel as a clump.
 *
 * @example dotsForDelta({ sent: 10, failed: 0 }, { sent: 13, failed: 1 }, 900)
 *   // → [{ failed: true, delayMs: 0 }, { failed: false, delayMs: 300 }, { failed: false, delayMs: 600 }]
 */
export function dotsForDelta(prev: EdgeTally | null, next: EdgeTally, spreadMs: number): DotPlan[] {
  // A first sight, or counters that went back (a new run): nothing to animate.
  if (!prev || next.sent < prev.sent || next.failed < prev.failed) return [];
  const sent = next.sent - prev.sent;
  const failed = Math.min(sent, next.failed - prev.failed);
  const count = dotCount(sent);
  const failedDots = failed > 0 ? Math.min(count, Math.max(1, Math.round((count * failed) / sent))) : 0;
  const gap = count > 1 ? spreadMs / count : 0;
  // Red dots spread among the others rather than travelling as a red clump at the front.
  const red = new Set(Array.from({ length: failedDots }, (_, k) => Math.floor((k * count) / failedDots)));
  return Array.from({ length: count }, (_, i) => ({ failed: red.has(i), delayMs: Math.round(i * gap) }));
}
