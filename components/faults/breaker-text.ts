/**
 * A synchronous edge's circuit breaker and retry figures in words: its state
 * on the canvas (from EdgeCounters.breaker, or "configured" before a run) and
 * the inspector's resilience lines. Pure.
 */
import { BreakerState, type EdgeCounters } from "@/lib/gen/ipcplay/v1/playground_pb";
import type { CircuitBreaker, Edge } from "@/lib/gen/ipcplay/v1/topology_pb";
import { formatCount } from "@/components/ui/format";

export type BreakerLook = "configured" | "closed" | "half-open" | "open";

/** The breaker settings of a REST or Connect edge, or undefined (a threshold of 0 = no breaker). */
export function breakerOf(edge: Edge): CircuitBreaker | undefined {
  const s = edge.settings;
  return s.case === "rest" || s.case === "connect" ? breakerOfSettings(s.value) : undefined;
}

/** The breaker of REST or Connect settings, or undefined when it has none (threshold 0). */
export function breakerOfSettings(s: { circuitBreaker?: CircuitBreaker }): CircuitBreaker | undefined {
  const cb = s.circuitBreaker;
  return cb && cb.failureRateThreshold > 0 ? cb : undefined;
}

/**
 * What the edge's breaker glyph shows: the live state while the run reports
 * one, "configured" when the edge has a breaker and no state is known, null
 * when there is no breaker.
 */
export function breakerLook(edge: Edge, counters: EdgeCounters | undefined): BreakerLook | null {
  switch (counters?.breaker) {
    case BreakerState.OPEN:
      return "open";
    case BreakerState.HALF_OPEN:
      return "half-open";
    case BreakerState.CLOSED:
      return "closed";
    case BreakerState.NONE:
      return null;
    default:
      return breakerOf(edge) ? "configured" : null;
  }
}

/** The glyph's tooltip and aria-label. */
export function breakerSentence(look: BreakerLook, cb: CircuitBreaker | undefined, shortCircuited = 0): string {
  const rule = cb
    ? ` It opens when ${Math.round(cb.failureRateThreshold * 100)} % of at least ${cb.minimumCalls || 10} calls in ${cb.windowS || 10} s fail.`
    : "";
  switch (look) {
    case "open":
      return `Circuit breaker open: calls fail at once (short-circuited)${shortCircuited ? `, ${formatCount(shortCircuited)} so far` : ""}.${rule}`;
    case "half-open":
      return `Circuit breaker half-open: a few probe calls decide whether it closes again.${rule}`;
    case "closed":
      return `Circuit breaker closed: calls go through.${rule}`;
    default:
      return `Circuit breaker on this edge.${rule}`;
  }
}

export function breakerStateLabel(state: BreakerState | undefined): string {
  switch (state) {
    case BreakerState.OPEN:
      return "Open";
    case BreakerState.HALF_OPEN:
      return "Half-open";
    case BreakerState.CLOSED:
      return "Closed";
    default:
      return "No breaker";
  }
}

/** One line of the inspector's resilience figures. */
export interface ResilienceLine {
  key: string;
  label: string;
  value: string;
  alarm?: boolean;
  note?: string;
}

/**
 * The retry and breaker figures of an edge: attempts (with attempts per
 * message, the retry amplification), retries refused by the budget,
 * short-circuited calls, duplicates added by a DUPLICATE fault, and on a
 * GET edge the calls its caller's HTTP cache answered.
 */
export function resilienceLines(c: EdgeCounters, sync: boolean): ResilienceLine[] {
  const lines: ResilienceLine[] = [];
  if (sync) {
    const per = c.sent > 0 && c.attempts > 0 ? c.attempts / c.sent : 0;
    lines.push({
      key: "attempts",
      label: "Attempts",
      value: formatCount(c.attempts),
      note: per > 0 ? `${per.toFixed(2)} per message` : undefined,
      alarm: per >= 2,
    });
    lines.push({ key: "retries-refused", label: "Retries refused by budget", value: formatCount(c.retriesRefused), alarm: c.retriesRefused > 0 });
    lines.push({ key: "short-circuited", label: "Short-circuited", value: formatCount(c.shortCircuited), alarm: c.shortCircuited > 0 });
  }
  if (c.duplicates > 0 || !sync) lines.push({ key: "duplicates", label: "Duplicates delivered", value: formatCount(c.duplicates) });
  const cached = c.cacheHits + c.cacheMisses;
  if (cached > 0) {
    lines.push({
      key: "cache-hits",
      label: "Answered from cache",
      value: formatCount(c.cacheHits),
      note: `of ${formatCount(cached)} calls (${Math.round((100 * c.cacheHits) / cached)} %)`,
    });
  }
  return lines;
}
