/**
 * The spans of traces that were not sampled, held for a short while in case the
 * trace turns out to matter (a span fails or is slow, here or in another
 * process): then the whole trace is kept and its held spans are shipped. Bounded
 * by age and by count; the oldest traces go first. A trace once kept stays kept
 * for KEPT_TTL_MS, so its spans that end later ship directly.
 *
 * Pure: time comes from the caller.
 */

/**
 * Unsampled spans are held this long: enough for a failed or slow trace's
 * spans that ended a little before the decision (a sibling call, the callee of
 * a slow caller). Not longer: held spans outlive the young generation and make
 * the host's GC dearer at high rates (measured at 2,500 msg/s: p50 of the
 * client edge ≈ 6 ms holding nothing, ≈ 22 ms holding 0.4 s, ≈ 33 ms holding 3 s).
 */
export const HOLD_MS = 500;
/** Most spans held at once (a few MB in the worst case). */
export const MAX_HELD_SPANS = 20_000;
/** A kept trace's later spans ship for this long after the keep. */
export const KEPT_TTL_MS = 15_000;
const MAX_KEPT_TRACES = 5_000;

interface Held<S> {
  at: number;
  spans: S[];
}

export class TailBuffer<S> {
  /** traceId → held spans; Map order = order of each trace's first held span. */
  private readonly held = new Map<string, Held<S>>();
  private heldSpans = 0;
  /** traceId → when the keep expires. */
  private readonly kept = new Map<string, number>();

  constructor(
    private readonly limits: { holdMs: number; maxHeldSpans: number; keptTtlMs: number } = {
      holdMs: HOLD_MS,
      maxHeldSpans: MAX_HELD_SPANS,
      keptTtlMs: KEPT_TTL_MS,
    },
  ) {}

  /** True when the trace has been kept (its spans ship at once). */
  isKept(traceId: string, now: number): boolean {
    const until = this.kept.get(traceId);
    if (until === undefined) return false;
    if (until >= now) return true;
    this.kept.delete(traceId);
    return false;
  }

  /** Holds a span of an unsampled, not (yet) kept trace. */
  hold(traceId: string, span: S, now: number): void {
    let entry = this.held.get(traceId);
    if (!entry) this.held.set(traceId, (entry = { at: now, spans: [] }));
    entry.spans.push(span);
    this.heldSpans++;
    this.evict(now);
  }

  /** Marks the trace kept and returns the spans held for it (now released). */
  keep(traceId: string, now: number): S[] {
    this.kept.delete(traceId);
    this.kept.set(traceId, now + this.limits.keptTtlMs);
    while (this.kept.size > MAX_KEPT_TRACES) this.kept.delete(this.kept.keys().next().value as string);
    const entry = this.held.get(traceId);
    if (!entry) return [];
    this.held.delete(traceId);
    this.heldSpans -= entry.spans.length;
    return entry.spans;
  }

  get size(): number {
    return this.heldSpans;
  }

  private evict(now: number): void {
    for (const [traceId, entry] of this.held) {
      if (this.heldSpans <= this.limits.maxHeldSpans && now - entry.at <= this.limits.holdMs) break;
      this.held.delete(traceId);
      this.heldSpans -= entry.spans.length;
    }
  }
}
