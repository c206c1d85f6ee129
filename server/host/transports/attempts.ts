/**
 * The attempt loop of a synchronous edge: one attempt, then up to `retries`
 * more while the last result is retryable — each after its backoff
 * (lib/resilience/retry.ts), only while it still fits the work's deadline and
 * while the edge's retry budget allows it. Each transport decides what an
 * attempt is and which results are worth another try; the loop decides when
 * and whether, and counts every attempt as it starts (`attempts`) and every
 * retry the budget refused (`retries refused`).
 *
 * One RetryLoop per edge per caller process: the budget is the edge's.
 */
import type { CountKey } from "@/lib/metrics/outcomes";
import type { RetrySettings } from "@/lib/resilience/edge-settings";
import { backoffMs, RetryBudget, retryFitsDeadline } from "@/lib/resilience/retry";

export interface Attempted<R> {
  /** The last attempt's result. */
  result: R;
  /** Attempts made, ≥ 1. */
  attempts: number;
  /** The retry budget refused a retry: the message ended with `result`. */
  budgetRefused: boolean;
}

export interface RetryLoopOptions {
  /** Counts on the edge (attempts, retries refused). */
  count: (key: CountKey) => void;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class RetryLoop {
  private readonly budget: RetryBudget | undefined;

  constructor(
    readonly settings: RetrySettings,
    private readonly options: RetryLoopOptions,
  ) {
    this.budget = settings.budgetPercent > 0 ? new RetryBudget(settings.budgetPercent) : undefined;
  }

  /**
   * @param deadlineUnixMs when the work this call is part of must be done: a backoff that would end past it is not waited out.
   * @example
   *   const { result, attempts } = await loop.run(() => callOnce(), (r) => r.kind === "timeout", message.deadlineUnixMs);
   */
  async run<R>(attempt: () => Promise<R>, isRetryable: (result: R) => boolean, deadlineUnixMs?: number): Promise<Attempted<R>> {
    const { retries, backoffMs: base, jitter } = this.settings;
    const { count, random = Math.random, sleep = sleepFor, now = Date.now } = this.options;
    const endRequest = this.budget?.beginRequest();
    try {
      let attempts = 1;
      count("attempts");
      let result = await attempt();
      while (attempts <= retries && isRetryable(result)) {
        const waitMs = backoffMs(base, attempts, jitter, random);
        if (!retryFitsDeadline(waitMs, deadlineUnixMs, now())) break;
        const endRetry = this.budget ? this.budget.tryRetry() : () => {};
        if (!endRetry) {
          count("retries refused");
          return { result, attempts, budgetRefused: true };
        }
        try {
          if (waitMs > 0) await sleep(waitMs);
          attempts++;
          count("attempts");
          result = await attempt();
        } finally {
          endRetry();
        }
      }
      return { result, attempts, budgetRefused: false };
    } finally {
      endRequest?.();
    }
  }
}
