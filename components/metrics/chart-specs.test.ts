import { describe, expect, it } from "vitest";
import { edgeCharts, nodeCharts, shortNumber } from "./chart-specs";
import { appendColumns, emptyWindow, sparkFrom } from "./metrics-window";

describe("chart specs", () => {
  const w = emptyWindow();
  appendColumns(w, {
    timestampsUnixMs: [1000, 2000],
    series: [
      { subject: "edge", id: "e", metric: "sent", values: [2, 3] },
      { subject: "edge", id: "e", metric: "failed:TIMEOUT", values: [0, 1] },
      { subject: "queue", id: "orders", metric: "waiting", values: [4, 9] },
      { subject: "queue", id: "orders", metric: "lag_s", values: [0.5, 2] },
    ],
  });

  it("gives an edge a line per failure outcome, and a queue edge its queue's levels", () => {
    const charts = edgeCharts(w, { id: "e", queueChannel: "orders" });
    expect(charts.map((c) => c.key)).toEqual(["rate", "latency", "attempts", "queue", "lag"]);
    expect(charts[0].series.map((s) => s.label)).toEqual(["sent", "delivered", "failed timeout"]);
    expect(charts[0].series[2].values).toEqual([0, 1]);
    expect(charts[3].series[0].values).toEqual([4, 9]);
    // The lag chart is in ms, like every other time axis.
    expect(charts[4].series[0].values).toEqual([500, 2000]);
    expect(edgeCharts(w, { id: "e" }).map((c) => c.key)).not.toContain("queue");
    // A pub/sub subscriber gets each message once: no attempts chart that could only show zeros.
    expect(edgeCharts(w, { id: "e", pubsub: true }).map((c) => c.key)).toEqual(["rate", "latency"]);
  });

  it("gives a service its four charts", () => {
    expect(nodeCharts(w, "n").map((c) => c.key)).toEqual(["handled", "load", "cpu", "rss"]);
  });

  it("writes axis numbers short", () => {
    expect([0, 2.5, 12, 1500, 2_000_000].map(shortNumber)).toEqual(["0", "2.5", "12", "1.5k", "2M"]);
  });
});

describe("sparkFrom", () => {
  it("starts at the first point within the span", () => {
    expect(sparkFrom([1000, 2000, 3000, 4000], 2000)).toBe(2);
    expect(sparkFrom([1000, 2000], 60_000)).toBe(0);
    expect(sparkFrom([], 1000)).toBe(0);
  });
});
