/**
 * The math of a synchronous edge's retries, pure: how long to wait before a
 * retry (exponential backoff, optionally full jitter), whether that wait still
 * fits the deadline, and the retry budget that keeps retries from becoming a
 * storm.
 */
import { LIMITS } from "@/lib/topology/limits";

/** No single wait is longer than this, whatever base × 2^(n-1) says (the gate caps the base at the same). */
export const MAX_BACKOFF_MS = LIMITS.maxRetryBackoffMs;

/** Envoy's min_retry_concurrency: a budget never allows fewer concurrent retries than this. */
export const MIN_RETRY_CONCURRENCY = 3;

/**
 * The wait before retry `n` (1 = the first retry): baseMs × 2^(n-1), capped at
 * MAX_BACKOFF_MS; with `jitter`, a uniform random time in [0, that) ("full
 * jitter", which spreads the retries of many callers that failed together).
 * 0 = retry at once.
 *
 * @example backoffMs(100, 3, false) // 400
 */
export function backoffMs(baseMs: number, n: number, jitter: boolean, random: () => number = Math.random): number {
  if (baseMs <= 0 || n < 1) return 0;
  const exponential = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** (n - 1));
  return jitter ? random() * exponential : exponential;
}

/**
 * Whether a retry after waiting `waitMs` still has time for its attempt: a
 * retry that would start at or past the deadline could only time out at once,
 * so it is not made (the message ends with its last result).
 */
export function retryFitsDeadline(waitMs: number, deadlineUnixMs: number | undefined, now: number): boolean {
  return deadlineUnixMs === undefined || now + waitMs < deadlineUnixMs;
}

/**
 * Envoy's retry budget for one edge in one caller: retries in progress may be
 * at most `percent` % of the requests active on the edge, and never fewer than
 * MIN_RETRY_CONCURRENCY are allowed. A retry is in progress from when it is
 * granted (its backoff wait included) until its attempt ends — a retry
 * waiting out its backoff is load the edge has promised to make.
 * `percent` 0 = no budget: every retry is allowed (still tracked).
 */
export class RetryBudget {
  private activeRequests = 0;
  private activeRetries = 0;

  constructor(readonly percent: number) {
    if (!(percent >= 0 && percent <= 100)) throw new RangeError(`retry budget must be within 0..100 %, got ${percent}`);
  }

  /** Requests active on the edge now (each message being sent, whatever its attempt). */
  get requests(): number {
    return this.activeRequests;
  }

  get retries(): number {
    return this.activeRetries;
  }

  /** Concurrent retries the budget allows now. */
  get allowed(): number {
    if (this.percent === 0) return Number.POSITIVE_INFINITY;
    return Math.max(MIN_RETRY_CONCURRENCY, Math.floor((this.percent * this.activeRequests) / 100));
  }

  /** A message starts being sent on the edge; call the returned function when it has ended. */
  beginRequest(): () => void {
    this.activeRequests++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.activeRequests--;
    };
  }

  /** Asks for one retry: a function to call when the retry's attempt has ended, or undefined when the budget refuses it. */
  tryRetry(): (() => void) | undefined {
    if (this.activeRetries >= this.allowed) return undefined;
    this.activeRetries++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.activeRetries--;
    };
  }
}
