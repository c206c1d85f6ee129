import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { TraceSummarySchema } from "@/lib/gen/ipcplay/v1/playground_pb";
import { newerThan, samplingText, type SamplingView } from "./trace-list-text";

const view = (over: Partial<SamplingView> = {}): SamplingView => ({
  oneIn: 1,
  started: 0,
  sampled: 0,
  kept: 0,
  budgetPerSecond: 50,
  droppedSpans: 0,
  evictedTraces: 0,
  ...over,
});

describe("samplingText", () => {
  it("says every trace is shown when the sampler keeps them all", () => {
    expect(samplingText(view(), 0)).toMatchObject({ headline: "Every trace shown", tail: "" });
  });

  it("says 1 in N, and that failures and slow traces are kept", () => {
    const t = samplingText(view({ oneIn: 8, started: 12000, sampled: 1500, kept: 80 }), 0)!;
    expect(t.headline).toBe("Showing 1 in 8 traces · failed and slow ones always kept");
    expect(t.details).toEqual([
      "12,000 traces started",
      "1,500 traced in full by the sampler",
      "80 kept because they failed or were slow",
      "Budget: 50 traces a second, then 1 in N",
    ]);
  });

  it("says when older traces left the list, with or without sampling", () => {
    expect(samplingText(view({ oneIn: 4 }), 30)!.tail).toBe("older traces leave the list");
    expect(samplingText(null, 30)).toMatchObject({ headline: "Newest traces", tail: "older traces leave the list" });
    expect(samplingText(null, 0)).toBeNull();
  });

  it("says when the server has dropped older traces, and how many", () => {
    expect(samplingText(view(), 0)!.evicted).toBe("");
    const t = samplingText(view({ oneIn: 4, evictedTraces: 12_345 }), 0)!;
    expect(t.evicted).toBe("Older traces dropped: the server keeps at most a run's newest 2,000 (12,345 dropped)");
    expect(t.details.at(-1)).toBe("12,345 older traces dropped by the server, which keeps at most 2,000 traces and 50,000 spans a run");
    // The browser's own window is a separate fact, said separately.
    expect(samplingText(view({ evictedTraces: 1 }), 30)).toMatchObject({ tail: "older traces leave the list", evicted: expect.stringContaining("(1 dropped)") });
  });
});

describe("newerThan", () => {
  const t = (id: string, start: number) => create(TraceSummarySchema, { traceId: id, startUnixMs: start });
  it("counts traces that started after the newest held one", () => {
    const held = [t("c", 30), t("b", 20)];
    expect(newerThan([t("e", 50), t("d", 40), t("c", 30), t("b", 20)], held)).toEqual({ count: 2, label: "2 newer" });
    expect(newerThan(held, held).count).toBe(0);
    expect(newerThan([t("x", 90)], [])).toEqual({ count: 1, label: "1 newer" });
  });
  it("says '+' when every held trace has left the bounded list", () => {
    expect(newerThan([t("y", 95), t("x", 90)], [t("c", 30)])).toEqual({ count: 2, label: "2+ newer" });
  });
});
