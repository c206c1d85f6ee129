/**
 * What a service does with a message, as small pure pieces: how long it works,
 * whether it fails, how many messages it works on at once, and which outgoing
 * edges it forwards along. Randomness is injected so tests are exact.
 */
import { Distribution, FanOut, type WorkTime } from "@/lib/gen/ipcplay/v1/topology_pb";

/** A source of uniform numbers in [0, 1), like Math.random. */
export type Random = () => number;

/**
 * One sample of the work time in ms, never negative.
 * @example sampleWorkMs({ distribution: Distribution.FIXED, meanMs: 40, … }) === 40
 */
export function sampleWorkMs(workTime: WorkTime | undefined, random: Random = Math.random): number {
  if (!workTime) return 0;
  switch (workTime.distribution) {
    case Distribution.UNIFORM:
      return Math.max(0, workTime.minMs + random() * (workTime.maxMs - workTime.minMs));
    case Distribution.NORMAL:
      return Math.max(0, workTime.meanMs + workTime.stddevMs * standardNormal(random));
    case Distribution.EXPONENTIAL:
      // Inverse transform; 1 - u is in (0, 1] so the log is finite.
      return -workTime.meanMs * Math.log(1 - random());
    case Distribution.FIXED:
    case Distribution.UNSPECIFIED:
    default:
      return Math.max(0, workTime.meanMs);
  }
}

/** True when this message should fail, with probability `errorRate` (0..1). */
export function shouldFail(errorRate: number, random: Random = Math.random): boolean {
  return errorRate > 0 && random() < errorRate;
}

/** Box–Muller: one standard normal sample from two uniform ones. */
function standardNormal(random: Random): number {
  const u1 = 1 - random();
  const u2 = random();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/**
 * At most `limit` holders at once; the rest wait in arrival order, at most
 * `maxWaiting` of them (past that `full` is true and the caller refuses work,
 * so waiting work never grows without bound under overload).
 * @example if (!limiter.full) { const slot = await limiter.acquire(); try { … } finally { slot(); } }
 */
export class ConcurrencyLimiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private limit: number,
    private maxWaiting = Number.POSITIVE_INFINITY,
  ) {
    if (!(limit >= 1)) throw new RangeError(`concurrency must be at least 1, got ${limit}`);
  }

  /**
   * New bounds, live (UpdateRun). Nobody waiting is dropped: a larger limit
   * lets waiters in at once; a smaller one lets holders finish and hands their
   * slots on only once fewer than the new limit are working. A lower
   * `maxWaiting` refuses only new arrivals.
   */
  resize(limit: number, maxWaiting = this.maxWaiting): void {
    if (!(limit >= 1)) throw new RangeError(`concurrency must be at least 1, got ${limit}`);
    this.limit = limit;
    this.maxWaiting = maxWaiting;
    while (this.active < this.limit && this.waiting.length > 0) {
      this.active++;
      this.waiting.shift()!();
    }
  }

  /** True when every slot is taken and the waiting line is at its bound. */
  get full(): boolean {
    return this.active >= this.limit && this.waiting.length >= this.maxWaiting;
  }

  /** The limit now. */
  get capacity(): number {
    return this.limit;
  }

  get inUse(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Resolves with the release function once a slot is free. */
  async acquire(): Promise<() => void> {
    if (this.active < this.limit) {
      this.active++;
    } else {
      // The releaser hands its slot straight to us, so `active` stays the same.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // Past a lowered limit the slot is given back instead of handed on.
      const next = this.active <= this.limit ? this.waiting.shift() : undefined;
      if (next) next();
      else this.active--;
    };
  }
}

/**
 * Picks the edges a message goes along: every one (ALL), one in turn
 * (ROUND_ROBIN) or one at random (RANDOM). The returned chooser keeps the
 * round-robin position between messages.
 */
export function createFanOut(fanOut: FanOut, random: Random = Math.random): <T>(targets: readonly T[]) => T[] {
  let next = 0;
  return <T>(targets: readonly T[]): T[] => {
    if (targets.length === 0) return [];
    switch (fanOut) {
      case FanOut.ROUND_ROBIN:
        return [targets[next++ % targets.length]];
      case FanOut.RANDOM:
        return [targets[Math.floor(random() * targets.length) % targets.length]];
      case FanOut.ALL:
      case FanOut.UNSPECIFIED:
      default:
        return [...targets];
    }
  };
}
