/**
 * The traces of one run, bounded: a ring of at most `maxTraces` traces and
 * `maxSpans` spans in all (the oldest traces go first), with at most
 * `maxSpansPerTrace` spans each, so a fan-out cycle or a long overloaded run
 * cannot eat the server's memory. What it drops it counts: spans it did not
 * keep, and whole traces it let go to stay within its bounds.
 */
import type { Span } from "@/lib/gen/ipcplay/v1/playground_pb";

/** A trace bigger than this keeps its first spans and counts the rest as dropped. */
export const MAX_SPANS_PER_TRACE = 2_000;

export class TraceRing {
  /** Insertion order = order of each trace's first span: Map keeps it. */
  private readonly traces = new Map<string, Span[]>();
  private droppedSpans = 0;
  private evictedTraces = 0;
  private spanCount = 0;

  constructor(
    private readonly maxTraces: number,
    private readonly maxSpansPerTrace = MAX_SPANS_PER_TRACE,
    private readonly maxSpans = Number.POSITIVE_INFINITY,
  ) {}

  /** Adds spans; returns the ids of the traces they touched. */
  add(spans: readonly Span[]): Set<string> {
    const touched = new Set<string>();
    for (const span of spans) {
      let trace = this.traces.get(span.traceId);
      if (!trace) {
        trace = [];
        this.traces.set(span.traceId, trace);
        this.evictOldest();
      }
      if (trace.length >= this.maxSpansPerTrace) {
        this.droppedSpans++;
        continue;
      }
      trace.push(span);
      this.spanCount++;
      touched.add(span.traceId);
    }
    this.evictOldest();
    return touched;
  }

  get(traceId: string): readonly Span[] {
    return this.traces.get(traceId) ?? [];
  }

  /** Trace ids, newest first. */
  newest(limit: number): string[] {
    return [...this.traces.keys()].slice(-Math.max(0, limit)).reverse();
  }

  get size(): number {
    return this.traces.size;
  }

  get spans(): number {
    return this.spanCount;
  }

  get dropped(): number {
    return this.droppedSpans;
  }

  /** Older traces let go to stay within the trace or span bound, since the ring began. */
  get evicted(): number {
    return this.evictedTraces;
  }

  private evictOldest(): void {
    // The newest trace always stays, however large.
    for (;;) {
      const overTraces = this.traces.size > this.maxTraces;
      const overSpans = this.spanCount > this.maxSpans && this.traces.size > 1;
      if (!overTraces && !overSpans) return;
      const oldest = this.traces.keys().next().value as string;
      const spans = this.traces.get(oldest)?.length ?? 0;
      this.traces.delete(oldest);
      this.spanCount -= spans;
      this.evictedTraces++;
      // A trace aged out by the trace count is the ring working; one pushed out by the span bound is a loss.
      if (!overTraces) this.droppedSpans += spans;
    }
  }
}
