import { afterEach, describe, expect, it, vi } from "vitest";
import { SpanKind, SpanStatus, type RunEvent } from "@/lib/gen/ipcplay/v1/playground_pb";
import { Transport } from "@/lib/gen/ipcplay/v1/topology_pb";
import type { SpanRecord } from "@/server/ipc/host-messages";
import { CounterBook } from "./counter-book";
import { SPAN_BATCH_INTERVAL_MS, TraceHub } from "./trace-hub";

const record = (spanId: string, fields: Partial<SpanRecord> = {}): SpanRecord => ({
  traceId: "t",
  spanId,
  parentSpanId: "",
  nodeId: "client",
  pid: 1,
  edgeId: "e",
  transport: Transport.REST,
  kind: SpanKind.CLIENT,
  name: "POST /",
  startUnixMs: Date.now(),
  durationMs: 5,
  status: SpanStatus.OK,
  statusMessage: "",
  attributes: {},
  hop: 1,
  attempt: 1,
  ...fields,
});

describe("TraceHub", () => {
  afterEach(() => vi.useRealTimers());

  it("emits at most one span batch per interval, with the touched traces' summaries", () => {
    vi.useFakeTimers();
    const events: RunEvent[] = [];
    const hub = new TraceHub({ maxTraces: 10, maxSpans: 1000, emit: (event) => events.push(event) });
    for (let i = 0; i < 50; i++) hub.ingest([record(`s${i}`)]);
    expect(events).toHaveLength(0);
    vi.advanceTimersByTime(SPAN_BATCH_INTERVAL_MS);
    expect(events).toHaveLength(1);
    const batch = events[0].event;
    expect(batch.case).toBe("spans");
    if (batch.case !== "spans") return;
    expect(batch.value.spans).toHaveLength(50);
    expect(batch.value.traces.map((trace) => [trace.traceId, trace.spanCount])).toEqual([["t", 50]]);
  });

  it("keeps at most maxSpans spans: the oldest traces go, counted as dropped", () => {
    const hub = new TraceHub({ maxTraces: 100, maxSpans: 5, emit: () => {} });
    for (const traceId of ["t1", "t2", "t3"]) hub.ingest(["a", "b"].map((id) => record(`${traceId}${id}`, { traceId })));
    hub.close();
    expect(hub.getTrace("t1")).toEqual([]);
    expect(hub.getTrace("t3")).toHaveLength(2);
    expect(hub.traceCount).toBe(2);
    expect(hub.droppedSpans).toBe(2);
    expect(hub.evictedTraces).toBe(1);
  });

  it("counts the older traces it let go past maxTraces", () => {
    const hub = new TraceHub({ maxTraces: 2, maxSpans: 1000, emit: () => {} });
    expect(hub.evictedTraces).toBe(0);
    for (const traceId of ["t1", "t2", "t3", "t4", "t5"]) hub.ingest([record(`${traceId}a`, { traceId })]);
    hub.close();
    expect(hub.traceCount).toBe(2);
    expect(hub.evictedTraces).toBe(3);
    expect(hub.listTraces(10).map((t) => t.traceId)).toEqual(["t5", "t4"]);
    // A new span of a kept trace evicts nothing.
    hub.ingest([record("t5b", { traceId: "t5" })]);
    hub.close();
    expect(hub.evictedTraces).toBe(3);
  });
});
