/**
 * The traces of one run: spans arrive from the hosts, are kept in a bounded
 * ring, feed the per-edge latency window, and go out to watchers in batches of
 * at most one per SPAN_BATCH_INTERVAL_MS (≤ 20 a second, however busy the run).
 */
import { create } from "@bufbuild/protobuf";
import {
  RunEventSchema,
  SpanBatchSchema,
  SpanKind,
  SpanSchema,
  type RunEvent,
  type Span,
  type TraceSummary,
} from "@/lib/gen/ipcplay/v1/playground_pb";
import type { SpanRecord } from "@/server/ipc/host-messages";
import { EdgeLatencyWindow, type EdgeLatencyStats } from "./edge-latency";
import { TraceRing } from "./trace-ring";
import { causalOrder, summarizeTrace } from "./trace-summary";

export const SPAN_BATCH_INTERVAL_MS = 50;

export interface TraceHubOptions {
  maxTraces: number;
  /** Receives RunEvent{spans} batches. */
  emit: (event: RunEvent) => void;
}

export class TraceHub {
  private readonly ring: TraceRing;
  private readonly latency = new EdgeLatencyWindow();
  private pending: Span[] = [];
  private timer: NodeJS.Timeout | undefined;
  private lastFlushAt = 0;

  constructor(private readonly options: TraceHubOptions) {
    this.ring = new TraceRing(options.maxTraces);
  }

  ingest(records: readonly SpanRecord[]): void {
    const spans = records.map((record) => create(SpanSchema, record));
    this.ring.add(spans);
    for (const span of spans) {
      if (span.edgeId && (span.kind === SpanKind.CLIENT || span.kind === SpanKind.PRODUCER)) {
        for (const edgeId of sentAlong(span)) this.latency.add(edgeId, span.startUnixMs + span.durationMs, span.durationMs);
      }
    }
    this.pending.push(...spans);
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

  edgeLatency(edgeId: string, nowMs = Date.now()): EdgeLatencyStats {
    return this.latency.stats(edgeId, nowMs);
  }

  /** Percentiles over the whole run, not just the recent window. */
  edgeLatencyOverRun(edgeId: string): Omit<EdgeLatencyStats, "ratePerSecond"> {
    return this.latency.runStats(edgeId);
  }

  get traceCount(): number {
    return this.ring.size;
  }

  /** Emits what is pending now and stops the timer. */
  close(): void {
    this.flush();
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

/**
 * The edges one send span stands for: its own, or every edge of a shared queue
 * channel or topic (one job or publish serves them all; the host lists them in
 * `ipcplay.edges`).
 */
function sentAlong(span: Span): string[] {
  const group = span.attributes["ipcplay.edges"];
  return group ? group.split(",") : [span.edgeId];
}
