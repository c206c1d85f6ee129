import { create } from "@bufbuild/protobuf";
import { beforeEach, describe, expect, it } from "vitest";
import { SpanSchema } from "@/lib/gen/ipcplay/v1/playground_pb";
import { useRunStore } from "./run-store";
import { isPicking, useTraceCompare } from "./trace-compare";

const spans = (traceId: string, n: number) => Array.from({ length: n }, (_, i) => create(SpanSchema, { traceId, spanId: `${traceId}-${i}` }));

describe("trace compare state", () => {
  beforeEach(() => {
    useTraceCompare.getState().close();
    useRunStore.setState({ runId: "run-1" });
  });

  it("pins A, waits for B, and takes no B without an A", () => {
    const c = useTraceCompare.getState();
    expect(c.pick("t2", undefined)).toBe(false);
    expect(useTraceCompare.getState().b).toBeNull();
    c.pin("t1", spans("t1", 3));
    expect(isPicking(useTraceCompare.getState())).toBe(true);
    // A itself is not a second trace.
    expect(c.pick("t1", spans("t1", 3))).toBe(false);
    expect(c.pick("t2", undefined)).toBe(true);
    const s = useTraceCompare.getState();
    expect(isPicking(s)).toBe(false);
    expect(s.b).toEqual({ traceId: "t2", spans: [] });
  });

  it("keeps the most spans it has seen of each trace: the run store may shed them later", () => {
    const c = useTraceCompare.getState();
    c.pin("t1", spans("t1", 2));
    c.pick("t2", undefined);
    c.setSpans("t2", spans("t2", 4));
    c.setSpans("t1", spans("t1", 5));
    c.setSpans("t2", []);
    c.setSpans("t9", spans("t9", 1));
    const s = useTraceCompare.getState();
    expect(s.a?.spans).toHaveLength(5);
    expect(s.b?.spans).toHaveLength(4);
  });

  it("goes back to picking with A kept, and closes", () => {
    const c = useTraceCompare.getState();
    c.pin("t1", []);
    c.pick("t2", []);
    c.repick();
    expect(useTraceCompare.getState().a?.traceId).toBe("t1");
    expect(isPicking(useTraceCompare.getState())).toBe(true);
    c.close();
    expect(useTraceCompare.getState()).toMatchObject({ a: null, b: null });
  });

  it("closes when another run begins: its traces are not the pinned one's", () => {
    const c = useTraceCompare.getState();
    c.pin("t1", []);
    c.pick("t2", []);
    useRunStore.setState({ runId: "run-2" });
    expect(useTraceCompare.getState()).toMatchObject({ a: null, b: null });
  });
});
