/**
 * The traces of one run: the sampled (and tail-kept) spans arrive from the
 * hosts, are kept in a bounded ring, and go out to watchers in batches of at
 * most one per SPAN_BATCH_INTERVAL_MS (≤ 4 a second, however busy the run).
 * Latency and counts do not come from here: the hosts count every message
 * (server/trace/edge-latency.ts, counter-book.ts); spans are a sample.
 */
import { create } from "@bufbuild/protobuf";
import {
  RunEventSchema,
  SpanBatchSchema,
  SpanSchema,
  type RunEvent,
  type Span,
  type TraceSummary,
} from "@/lib/gen/ipcplay/v1/playground_pb";
import type { OtlpPush as OtlpPushInfo } from "@/lib/gen/ipcplay/v1/playground_pb";
import type { SpanRecord } from "@/server/ipc/host-messages";
import type { OtlpPush } from "./otlp-push";
import { MAX_SPANS_PER_TRACE, TraceRing } from "./trace-ring";
import { causalOrder, summarizeTrace } from "@/lib/trace/summary";

export const SPAN_BATCH_INTERVAL_MS = 250;

export interface TraceHubOptions {
  maxTraces: number;
  /** Spans kept in all; past it the oldest traces go (counted as dropped). */
  maxSpans: number;
  /** Receives RunEvent{spans} batches. */
  emit: (event: RunEvent) => void;
  /** Also pushes every span ingested to an OTLP collector (server/trace/otlp-push.ts), when set. */
  push?: OtlpPush;
}

export class TraceHub {
  private readonly ring: TraceRing;
  private pending: Span[] = [];
  private timer: NodeJS.Timeout | undefined;
  private lastFlushAt = 0;

  constructor(private readonly options: TraceHubOptions) {
    this.ring = new TraceRing(options.maxTraces, MAX_SPANS_PER_TRACE, options.maxSpans);
  }

  ingest(records: readonly SpanRecord[]): void {
    const spans = records.map((record) => create(SpanSchema, record));
    this.ring.add(spans);
    for (const span of spans) this.pending.push(span);
    this.options.push?.offer(spans);
    this.scheduleFlush();
  }

  /** Every span of a trace, parents before children. */
  getTrace(traceId: string): Span[] {
    return causalOrder(this.ring.get(traceId));
  }

  /** Newest first. */
  listTraces(limit: number): TraceSummary[] {
    return this.ring.newest(limit).map((traceId) => summarizeTrace(this.ring.get(traceId)));
  }

  get traceCount(): number {
    return this.ring.size;
  }

  /** Spans the ring did not keep (its bounds were full). */
  get droppedSpans(): number {
    return this.ring.dropped;
  }

  /** Older traces the ring let go to stay within its bounds (the newest are kept). */
  get evictedTraces(): number {
    return this.ring.evicted;
  }

  /** The OTLP push's counts, when the run pushes. */
  get otlpPush(): OtlpPushInfo | undefined {
    return this.options.push?.info();
  }

  /** Emits what is pending now and stops the timer; the OTLP push sends what it holds (in the background). */
  close(): void {
    this.flush();
    void this.options.push?.close();
  }

  private scheduleFlush(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.lastFlushAt + SPAN_BATCH_INTERVAL_MS - performance.now());
    this.timer = setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    this.lastFlushAt = performance.now();
    const spans = this.pending;
    this.pending = [];
    // Summaries as of now of the traces this batch touched, for the trace list.
    const traces = [...new Set(spans.map((span) => span.traceId))].map((traceId) => summarizeTrace(this.ring.get(traceId)));
    this.options.emit(
      create(RunEventSchema, { event: { case: "spans", value: create(SpanBatchSchema, { spans, traces }) } }),
    );
  }
}
