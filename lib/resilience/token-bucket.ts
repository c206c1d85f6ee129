/**
 * A rate limiter as a token bucket, pure with an injected clock: `ratePerSecond`
 * tokens a second, holding at most one second's worth (the burst), at least
 * one token. Each accepted message takes a token; with none left it is refused
 * at once (nothing waits: a rate limiter that queued would be a bulkhead).
 */
export class TokenBucket {
  private readonly capacity: number;
  private tokens: number;
  private last: number;

  /** @param burst tokens it holds at most; default one second's worth */
  constructor(
    readonly ratePerSecond: number,
    private readonly clock: () => number,
    burst = ratePerSecond,
  ) {
    if (!(ratePerSecond > 0 && Number.isFinite(ratePerSecond))) throw new RangeError(`rate must be a positive number, got ${ratePerSecond}`);
    this.capacity = Math.max(1, burst);
    // Starts full: a service that just came up takes a burst.
    this.tokens = this.capacity;
    this.last = clock();
  }

  /** Takes one token if there is one; false = refused. */
  take(): boolean {
    const now = this.clock();
    // A clock that goes back (it should not) adds nothing rather than taking away.
    this.tokens = Math.min(this.capacity, this.tokens + (Math.max(0, now - this.last) * this.ratePerSecond) / 1000);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
