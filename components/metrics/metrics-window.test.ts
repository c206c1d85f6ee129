import { describe, expect, it } from "vitest";
import { appendColumns, emptyWindow, lastValue, metricsOf, valuesOf, windowToColumns } from "./metrics-window";

const s = (subject: string, id: string, metric: string, values: number[]) => ({ subject, id, metric, values });

describe("metrics window", () => {
  it("takes a GetMetrics answer, then live points with absent series as 0", () => {
    const w = emptyWindow();
    appendColumns(w, { timestampsUnixMs: [1000, 2000], series: [s("edge", "e1", "sent", [3, 4]), s("queue", "q", "waiting", [5, 6])] });
    // A live point with only `sent`: waiting (a level) is 0 in it, as the proto says.
    appendColumns(w, { timestampsUnixMs: [3000], series: [s("edge", "e1", "sent", [7])] });
    // A new series appears: its earlier points are 0.
    appendColumns(w, { timestampsUnixMs: [4000], series: [s("edge", "e1", "failed:timeout", [2])] });
    expect(w.times).toEqual([1000, 2000, 3000, 4000]);
    expect(valuesOf(w, "edge", "e1", "sent")).toEqual([3, 4, 7, 0]);
    expect(valuesOf(w, "queue", "q", "waiting")).toEqual([5, 6, 0, 0]);
    expect(valuesOf(w, "edge", "e1", "failed:timeout")).toEqual([0, 0, 0, 2]);
    expect(valuesOf(w, "edge", "nope", "sent")).toEqual([0, 0, 0, 0]);
    expect(metricsOf(w, "edge", "e1")).toEqual(["failed:timeout", "sent"]);
    expect(lastValue(w, "edge", "e1", "failed:timeout")).toBe(2);
  });

  it("skips points it already has (an answer overlapping the live stream)", () => {
    const w = emptyWindow();
    appendColumns(w, { timestampsUnixMs: [1000, 2000], series: [s("edge", "e1", "sent", [1, 2])] });
    const v = w.version;
    expect(appendColumns(w, { timestampsUnixMs: [2000], series: [s("edge", "e1", "sent", [9])] })).toBe(false);
    expect(w.version).toBe(v);
    appendColumns(w, { timestampsUnixMs: [1000, 2000, 3000], series: [s("edge", "e1", "sent", [1, 2, 3])] });
    expect(valuesOf(w, "edge", "e1", "sent")).toEqual([1, 2, 3]);
  });

  it("keeps only the newest window", () => {
    const w = emptyWindow();
    for (let t = 1; t <= 10; t++) appendColumns(w, { timestampsUnixMs: [t * 1000], series: [s("node", "n", "waiting", [t])] }, 3000);
    expect(w.times).toEqual([8000, 9000, 10000]);
    expect(valuesOf(w, "node", "n", "waiting")).toEqual([8, 9, 10]);
  });
});

describe("windowToColumns", () => {
  it("gives back the columns as GetMetrics sends them, copied so later points do not change them", () => {
    const win = emptyWindow();
    appendColumns(win, { timestampsUnixMs: [1000, 2000], series: [{ subject: "queue", id: "jobs", metric: "waiting", values: [3, 4] }] });
    const out = windowToColumns(win);
    expect(out).toEqual({ timestampsUnixMs: [1000, 2000], series: [{ subject: "queue", id: "jobs", metric: "waiting", values: [3, 4] }] });
    appendColumns(win, { timestampsUnixMs: [3000], series: [{ subject: "queue", id: "jobs", metric: "waiting", values: [9] }] });
    expect(out.series[0].values).toEqual([3, 4]);
    expect(out.timestampsUnixMs).toHaveLength(2);
  });
});
