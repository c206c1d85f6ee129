/**
 * The attempt loop of a synchronous edge: one attempt, then up to `retries`
 * more while the last result is retryable. Each transport decides what an
 * attempt is and which results are worth another try; the loop only counts.
 */

export interface Attempted<R> {
  /** The last attempt's result. */
  result: R;
  /** Attempts made, ≥ 1. */
  attempts: number;
}

/**
 * @example
 *   const { result, attempts } = await withRetries(2, () => callOnce(), (r) => r.kind === "timeout");
 */
export async function withRetries<R>(
  retries: number,
  attempt: () => Promise<R>,
  isRetryable: (result: R) => boolean,
): Promise<Attempted<R>> {
  let attempts = 1;
  let result = await attempt();
  while (attempts <= retries && isRetryable(result)) {
    attempts++;
    result = await attempt();
  }
  return { result, attempts };
}
