/**
 * Decides which of this process's spans leave it, and ships them to the parent
 * in batches (every SPAN_FLUSH_MS, or at once past SPAN_BATCH_MAX).
 *
 * - A sampled trace's spans ship. The root decided (lib/trace/sampling.ts) and
 *   the decision came in `traceparent`, so every process of the trace agrees.
 * - An unsampled trace's spans are held a few seconds (lib/trace/tail-buffer.ts).
 *   If one of them failed or was slow, this host keeps the trace (within its
 *   keep budget): its held spans ship, and the parent tells the run's other
 *   hosts to ship what they hold of it too — a tail-keep, so failed and slow
 *   traces are seen whole even when they were not sampled.
 * Counters and latency histograms never depend on any of this (counters.ts).
 *
 * A span that ends is only noted; the deciding (slow thresholds, the tail
 * buffer) and the making of its attributes wait for the next batch (at most
 * SPAN_FLUSH_MS), long after the I/O callback that ended it — a service's
 * reply is written first. Done inline, this bookkeeping sat between a
 * service's work and its reply: inside every caller's measured latency.
 */
import { SpanKind, SpanStatus } from "@/lib/gen/ipcplay/v1/playground_pb";
import { SlowThresholds, TokenBucket } from "@/lib/trace/sampling";
import { TailBuffer } from "@/lib/trace/tail-buffer";
import type { SpanRecord } from "@/server/ipc/host-messages";

export const SPAN_FLUSH_MS = 50;
export const SPAN_BATCH_MAX = 200;

/** Statuses that make a trace worth keeping: the message failed somewhere. */
const FAILED = new Set<SpanStatus>([SpanStatus.ERROR, SpanStatus.TIMEOUT, SpanStatus.UNAVAILABLE, SpanStatus.DEAD_LETTER]);

/**
 * A span as the host records it: its attributes may be a function that makes
 * them, called only if the span ships. Most spans of an unsampled trace are
 * held a moment and dropped; building their attribute objects (spreads,
 * number formatting) was a good part of a busy host's per-message work.
 */
export type SpanDraft = Omit<SpanRecord, "attributes"> & { attributes: SpanRecord["attributes"] | (() => SpanRecord["attributes"]) };

/** The span with its attributes made (in place: a draft is recorded once and shipped at most once). */
function finished(span: SpanDraft): SpanRecord {
  if (typeof span.attributes === "function") span.attributes = span.attributes();
  // A consumer's span links to the context its message was created in (the PRODUCER span that sent it),
  // as OpenTelemetry's messaging conventions say; made here, so only spans that ship pay for it.
  if (span.kind === SpanKind.CONSUMER && span.parentSpanId !== "" && span.links === undefined) {
    span.links = [{ traceId: span.traceId, spanId: span.parentSpanId, attributes: {} }];
  }
  return span as SpanRecord;
}

export interface SpanShipperOptions {
  ship: (spans: SpanRecord[]) => void;
  /** This host kept these unsampled traces; the others should ship theirs. */
  announceKeeps: (traceIds: string[]) => void;
  keepPerSecond: number;
}

export class SpanShipper {
  /** Spans ended since the last batch, with their traces' sampling decisions. */
  private ended: Array<{ span: SpanDraft; sampled: boolean }> = [];
  private pending: SpanRecord[] = [];
  private keeps: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly tail = new TailBuffer<SpanDraft>();
  private readonly slow = new SlowThresholds();
  private readonly keepBudget: TokenBucket;

  constructor(private readonly options: SpanShipperOptions) {
    this.keepBudget = new TokenBucket(options.keepPerSecond);
  }

  /** A span ended; `sampled` is its trace's head-sampling decision. Decided with the next batch. */
  record(span: SpanDraft, sampled: boolean): void {
    this.ended.push({ span, sampled });
    this.timer ??= setTimeout(() => this.flush(), SPAN_FLUSH_MS);
  }

  /** Decides every span noted so far, in the order they ended. */
  private decideEnded(): void {
    const ended = this.ended;
    this.ended = [];
    for (const { span, sampled } of ended) this.decide(span, sampled);
  }

  private decide(span: SpanDraft, sampled: boolean): void {
    const slow = this.isSlow(span);
    if (sampled) return this.enqueue(span);
    const now = performance.now();
    if (this.tail.isKept(span.traceId, now)) return this.enqueue(span);
    if ((slow || FAILED.has(span.status)) && this.keepBudget.take()) {
      for (const held of this.tail.keep(span.traceId, now)) this.enqueue(held);
      this.keeps.push(span.traceId);
      return this.enqueue(span);
    }
    this.tail.hold(span.traceId, span, now);
  }

  /** Other hosts kept these traces: ship what is held of them, and what ends later. */
  keepRequested(traceIds: readonly string[]): void {
    this.decideEnded();
    const now = performance.now();
    for (const traceId of traceIds) for (const held of this.tail.keep(traceId, now)) this.enqueue(held);
  }

  flush(): void {
    this.decideEnded();
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.keeps.length > 0) {
      const keeps = this.keeps;
      this.keeps = [];
      this.options.announceKeeps(keeps);
    }
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.options.ship(batch);
  }

  private enqueue(span: SpanDraft): void {
    this.pending.push(finished(span));
    if (this.pending.length >= SPAN_BATCH_MAX) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), SPAN_FLUSH_MS);
  }

  /**
   * Slow = at or past the p99 of its kind lately: a send along an edge (the
   * caller's view, which includes everything downstream of a sync call) or a
   * whole message at its root. Callee-side spans are never the slow ones on
   * their own: their caller's span is at least as long.
   */
  private isSlow(span: SpanDraft): boolean {
    if (span.kind === SpanKind.CLIENT || span.kind === SpanKind.PRODUCER) return this.slow.observe(span.edgeId, span.durationMs);
    if (span.parentSpanId === "" && span.kind === SpanKind.INTERNAL) return this.slow.observe("root", span.durationMs);
    return false;
  }
}
