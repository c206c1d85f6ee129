/**
 * A circuit breaker on one synchronous edge, resilience4j semantics, as a pure
 * state machine: the caller asks for a permit before each call and records
 * how the call ended; the clock is injected.
 *
 * - CLOSED: calls go through. Their outcomes fill a time-based sliding window
 *   of `windowS` one-second buckets (outcomes are placed at the moment they
 *   are recorded, as resilience4j does). Once the window holds at least
 *   `minimumCalls` outcomes and the failed share is ≥ `failureRateThreshold`,
 *   the breaker OPENs.
 * - OPEN: no permit — the call fails at once without touching the network —
 *   until `openMs` have passed; then HALF_OPEN (decided on the next look, no
 *   timer: a breaker nobody calls does not need to change).
 * - HALF_OPEN: `halfOpenCalls` permits are handed out as probes; other calls
 *   get none. Once every probe has ended: a failed share below the threshold
 *   CLOSEs (with an empty window), else OPEN again.
 *
 * A call that got its permit in one state and ends after the breaker moved on
 * (a slow call that started CLOSED and ends OPEN) is not recorded: each permit
 * carries the generation it was handed out in. That keeps the half-open
 * decision about the probes alone, as resilience4j's per-state windows do.
 */

export type BreakerState = "closed" | "open" | "half-open";

export interface BreakerSettings {
  /** 0..1; the gate guarantees > 0 for a breaker that exists. */
  failureRateThreshold: number;
  minimumCalls: number;
  windowS: number;
  openMs: number;
  halfOpenCalls: number;
}

export interface BreakerTransition {
  from: BreakerState;
  to: BreakerState;
  /** When it happened (clock ms). */
  at: number;
  /** The numbers behind it: the calls and failures that decided (closed → open, half-open → *). */
  calls: number;
  failures: number;
}

/** Handed out with each call let through; give it back to `record`. */
export interface BreakerPermit {
  readonly generation: number;
}

interface Bucket {
  /** The clock's second this bucket counts (floor(ms / 1000)). */
  second: number;
  calls: number;
  failures: number;
}

export class CircuitBreaker {
  private current: BreakerState = "closed";
  private generation = 0;
  private readonly buckets: Bucket[];
  private openedAt = 0;
  /** HALF_OPEN: probes handed out, and the ones that ended. */
  private probesOut = 0;
  private probeCalls = 0;
  private probeFailures = 0;

  constructor(
    readonly settings: BreakerSettings,
    private readonly clock: () => number,
    private readonly onTransition: (transition: BreakerTransition) => void = () => {},
  ) {
    if (!(settings.failureRateThreshold > 0 && settings.failureRateThreshold <= 1)) {
      throw new RangeError(`failure rate threshold must be within (0, 1], got ${settings.failureRateThreshold}`);
    }
    for (const key of ["minimumCalls", "windowS", "halfOpenCalls"] as const) {
      if (!(Number.isInteger(settings[key]) && settings[key] >= 1)) throw new RangeError(`${key} must be a whole number ≥ 1, got ${settings[key]}`);
    }
    if (!(settings.openMs >= 0)) throw new RangeError(`openMs must be ≥ 0, got ${settings.openMs}`);
    this.buckets = Array.from({ length: settings.windowS }, () => ({ second: Number.NEGATIVE_INFINITY, calls: 0, failures: 0 }));
  }

  /** The state now (an OPEN breaker whose time is up is HALF_OPEN from this look on). */
  get state(): BreakerState {
    this.advance();
    return this.current;
  }

  /** A permit for one call, or undefined: the call is short-circuited. */
  tryAcquire(): BreakerPermit | undefined {
    this.advance();
    switch (this.current) {
      case "closed":
        return { generation: this.generation };
      case "open":
        return undefined;
      case "half-open":
        if (this.probesOut >= this.settings.halfOpenCalls) return undefined;
        this.probesOut++;
        return { generation: this.generation };
    }
  }

  /** How the call of `permit` ended: `success` false for any failure (timeout, unreachable, error reply). */
  record(permit: BreakerPermit, success: boolean): void {
    this.advance();
    if (permit.generation !== this.generation) return;
    if (this.current === "closed") {
      const bucket = this.bucketNow();
      bucket.calls++;
      if (!success) bucket.failures++;
      const { calls, failures } = this.windowTotals();
      if (calls >= this.settings.minimumCalls && failures / calls >= this.settings.failureRateThreshold) {
        this.open(calls, failures);
      }
    } else if (this.current === "half-open") {
      this.probeCalls++;
      if (!success) this.probeFailures++;
      if (this.probeCalls < this.settings.halfOpenCalls) return;
      const { probeCalls: calls, probeFailures: failures } = this;
      if (failures / calls >= this.settings.failureRateThreshold) this.open(calls, failures);
      else this.moveTo("closed", calls, failures);
    }
  }

  /** Calls and failures in the sliding window now (CLOSED; zero in other states). */
  windowTotals(): { calls: number; failures: number } {
    const oldest = this.second() - this.settings.windowS;
    let calls = 0;
    let failures = 0;
    for (const bucket of this.buckets) {
      if (bucket.second <= oldest) continue;
      calls += bucket.calls;
      failures += bucket.failures;
    }
    return { calls, failures };
  }

  private advance(): void {
    if (this.current === "open" && this.clock() - this.openedAt >= this.settings.openMs) this.moveTo("half-open", 0, 0);
  }

  private open(calls: number, failures: number): void {
    this.openedAt = this.clock();
    this.moveTo("open", calls, failures);
  }

  private moveTo(to: BreakerState, calls: number, failures: number): void {
    const from = this.current;
    this.current = to;
    this.generation++;
    // Every state starts with a clean slate: its own window, its own probes.
    for (const bucket of this.buckets) Object.assign(bucket, { second: Number.NEGATIVE_INFINITY, calls: 0, failures: 0 });
    this.probesOut = 0;
    this.probeCalls = 0;
    this.probeFailures = 0;
    this.onTransition({ from, to, at: this.clock(), calls, failures });
  }

  private second(): number {
    return Math.floor(this.clock() / 1000);
  }

  private bucketNow(): Bucket {
    const second = this.second();
    const bucket = this.buckets[((second % this.buckets.length) + this.buckets.length) % this.buckets.length];
    if (bucket.second !== second) Object.assign(bucket, { second, calls: 0, failures: 0 });
    return bucket;
  }
}

/**
 * A run-log sentence for a transition, e.g.
 * "breaker on edge gw-be opened: 7 of 10 calls failed in 10 s".
 */
export function describeTransition(edgeId: string, transition: BreakerTransition, settings: BreakerSettings): string {
  const prefix = `breaker on edge ${edgeId}`;
  const { calls, failures } = transition;
  switch (transition.to) {
    case "open":
      return transition.from === "half-open"
        ? `${prefix} opened again: ${failures} of ${calls} probe calls failed; calls fail at once for ${settings.openMs} ms`
        : `${prefix} opened: ${failures} of ${calls} calls failed in ${settings.windowS} s; calls fail at once for ${settings.openMs} ms`;
    case "half-open":
      return `${prefix} half-open after ${settings.openMs} ms: letting ${plural(settings.halfOpenCalls, "probe call")} through`;
    case "closed":
      return `${prefix} closed: ${calls - failures} of ${plural(calls, "probe call")} succeeded`;
  }
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
