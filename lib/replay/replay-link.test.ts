import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { RunSummarySchema, SpanSchema, TraceSummarySchema } from "@/lib/gen/ipcplay/v1/playground_pb";
import { buildRunRecord } from "@/lib/history/run-record";
import { findTemplate } from "@/lib/topology/templates";
import { decodeRunFragment, encodeRunFragment, runLink } from "./replay-link";

function record(traces: number) {
  const spansByTrace: Record<string, ReturnType<typeof create<typeof SpanSchema>>[]> = {};
  const list = [];
  for (let i = 0; i < traces; i++) {
    const id = `${i.toString(16).padStart(8, "0")}${Math.random().toString(16).slice(2, 10)}`;
    spansByTrace[id] = [create(SpanSchema, { traceId: id, spanId: Math.random().toString(16).slice(2), nodeId: "api", startUnixMs: 1000 + i, durationMs: Math.random() * 100 })];
    list.push(create(TraceSummarySchema, { traceId: id, startUnixMs: 1000 + i, spanCount: 1 }));
  }
  return buildRunRecord({
    runId: "r1",
    topology: findTemplate("sync-vs-async")!.topology,
    summary: create(RunSummarySchema, { runId: "r1", durationMs: 1000 }),
    startedUnixMs: 1000,
    stoppedUnixMs: 2000,
    faults: [],
    series: { timestampsUnixMs: [2000], series: [] },
    spansByTrace,
    traces: list,
  });
}

describe("recorded-run links", () => {
  it("round-trip a run", () => {
    const r = record(3);
    const back = decodeRunFragment(`#${encodeRunFragment(r)}`);
    expect("record" in back && back.record).toEqual(JSON.parse(JSON.stringify(r)));
  });

  it("leave the traces out when the run is too long, and say so when even that is too long", () => {
    const r = record(400);
    const whole = encodeRunFragment(r).length;
    const lean = runLink(r, whole - 1);
    expect(lean).toMatchObject({ ok: true, withoutTraces: true });
    expect(runLink(r, 100)).toMatchObject({ ok: false });
    expect(runLink(r, 100).ok || (runLink(r, 100) as { why: string }).why).toMatch(/too big for a link/);
  });

  it("refuse foreign and damaged links", () => {
    expect(decodeRunFragment("#topology=t1.abc")).toHaveProperty("problem");
    expect(decodeRunFragment("#run=r1.!!")).toHaveProperty("problem");
    expect(decodeRunFragment("#run=r1.AAAA")).toHaveProperty("problem");
  });
});
