import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { SpanSchema, TraceSummarySchema } from "@/lib/gen/ipcplay/v1/playground_pb";
import { MAX_SPANS_PER_EMIT, MAX_TRACES_PER_EMIT, mergeSpanBatches } from "./run-socket";

describe("mergeSpanBatches", () => {
  it("ships everything when within bounds", () => {
    const spans = [create(SpanSchema, { traceId: "a", spanId: "1" })];
    const traces = [create(TraceSummarySchema, { traceId: "a" })];
    const event = mergeSpanBatches(spans, traces);
    expect(event.event.case).toBe("spans");
    if (event.event.case !== "spans") return;
    expect(event.event.value.spans).toHaveLength(1);
    expect(event.event.value.traces).toHaveLength(1);
  });

  it("keeps the newest spans and the newest traces past the bounds", () => {
    const spans = Array.from({ length: MAX_SPANS_PER_EMIT + 10 }, (_, i) => create(SpanSchema, { traceId: "a", spanId: String(i) }));
    const traces = Array.from({ length: MAX_TRACES_PER_EMIT + 5 }, (_, i) => create(TraceSummarySchema, { traceId: `t${i}`, startUnixMs: i }));
    const event = mergeSpanBatches(spans, traces);
    if (event.event.case !== "spans") throw new Error("not a span batch");
    expect(event.event.value.spans).toHaveLength(MAX_SPANS_PER_EMIT);
    expect(event.event.value.spans[0].spanId).toBe("10");
    expect(event.event.value.traces).toHaveLength(MAX_TRACES_PER_EMIT);
    expect(event.event.value.traces[0].traceId).toBe(`t${MAX_TRACES_PER_EMIT + 4}`);
  });
});
