/**
 * Which moving dots an edge shows, from its counters rather than from spans:
 * counters arrive about once a second whatever the message rate, and spans
 * are sampled (most messages send none to the browser). Dots are a hint of
 * traffic, so a busy edge shows a few evenly spread dots, never one per message.
 */

/** At most this many dots per counter update on one edge. */
export const MAX_DOTS_PER_UPDATE = 3;

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
 * The dots for one counter update: one per new message up to
 * MAX_DOTS_PER_UPDATE, failures first (they always show), spread over
 * `spreadMs` so they do not travel as a clump.
 *
 * @example dotsForDelta({ sent: 10, failed: 0 }, { sent: 510, failed: 1 }, 900)
 *   // → [{ failed: true, delayMs: 0 }, { failed: false, delayMs: 300 }, { failed: false, delayMs: 600 }]
 */
export function dotsForDelta(prev: EdgeTally | null, next: EdgeTally, spreadMs: number): DotPlan[] {
  // A first sight, or counters that went back (a new run): nothing to animate.
  if (!prev || next.sent < prev.sent || next.failed < prev.failed) return [];
  const sent = next.sent - prev.sent;
  const failed = Math.min(sent, next.failed - prev.failed);
  const count = Math.min(sent, MAX_DOTS_PER_UPDATE);
  const failedDots = Math.min(failed, count);
  const gap = count > 1 ? spreadMs / count : 0;
  return Array.from({ length: count }, (_, i) => ({ failed: i < failedDots, delayMs: Math.round(i * gap) }));
}
