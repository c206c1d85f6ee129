/**
 * The resilience settings of a synchronous edge (REST or CONNECT), read from
 * the topology with the gate's defaults for any zero left in (a host must not
 * trust that every document went through the gate's normalizing step).
 */
import type { CircuitBreaker as CircuitBreakerSettings, Edge } from "@/lib/gen/ipcplay/v1/topology_pb";
import { DEFAULTS } from "@/lib/topology/limits";
import type { BreakerSettings } from "./circuit-breaker";

export interface RetrySettings {
  /** Extra attempts after a retryable failure. */
  retries: number;
  /** Base of the exponential backoff; 0 = retry at once. */
  backoffMs: number;
  jitter: boolean;
  /** Retry budget, % of the edge's active requests; 0 = none. */
  budgetPercent: number;
}

/** The edge's REST or CONNECT settings, which share these fields; undefined for other edges. */
function syncSettings(edge: Edge) {
  return edge.settings.case === "rest" || edge.settings.case === "connect" ? edge.settings.value : undefined;
}

/** The edge's circuit breaker with its defaults filled, or undefined when it has none (threshold 0). */
export function breakerOf(edge: Edge): BreakerSettings | undefined {
  return breakerSettings(syncSettings(edge)?.circuitBreaker);
}

export function breakerSettings(breaker: CircuitBreakerSettings | undefined): BreakerSettings | undefined {
  if (!breaker || !(breaker.failureRateThreshold > 0)) return undefined;
  return {
    failureRateThreshold: Math.min(1, breaker.failureRateThreshold),
    minimumCalls: breaker.minimumCalls || DEFAULTS.breakerMinimumCalls,
    windowS: breaker.windowS || DEFAULTS.breakerWindowS,
    openMs: breaker.openMs || DEFAULTS.breakerOpenMs,
    halfOpenCalls: breaker.halfOpenCalls || DEFAULTS.breakerHalfOpenCalls,
  };
}

export function retriesOf(edge: Edge): RetrySettings {
  const settings = syncSettings(edge);
  return {
    retries: settings?.retries ?? 0,
    backoffMs: settings?.retryBackoffMs ?? 0,
    jitter: settings?.retryJitter ?? false,
    budgetPercent: settings?.retryBudgetPercent ?? 0,
  };
}
