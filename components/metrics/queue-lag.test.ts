import { describe, expect, it } from "vitest";
import { appendColumns, emptyWindow } from "./metrics-window";
import { queueLagText } from "./queue-lag";

function windowOf(points: Array<Record<string, number>>) {
  const win = emptyWindow();
  const metrics = Object.keys(points[0]);
  appendColumns(
    win,
    {
      timestampsUnixMs: points.map((_, i) => 1_000_000 + i * 1000),
      series: metrics.map((metric) => ({ subject: "queue", id: "jobs", metric, values: points.map((p) => p[metric]) })),
    },
    Number.POSITIVE_INFINITY,
  );
  return win;
}

describe("queueLagText", () => {
  it("says nothing waits when the queue is empty", () => {
    expect(queueLagText(windowOf([{ waiting: 0, delayed: 0, lag_s: 0, drain_s: 0, in: 5, out: 5 }]), "jobs")).toBe("nothing waiting");
  });

  it("gives the measured lag and the server's time-to-drain estimate while draining", () => {
    expect(queueLagText(windowOf([{ waiting: 120, delayed: 0, lag_s: 3.2, drain_s: 7.5, in: 0, out: 40 }]), "jobs")).toBe(
      "120 waiting, oldest 3.2 s · drains in ~7.5 s at this rate",
    );
  });

  it("says how fast it fills when more comes in than goes out", () => {
    const filling = Array.from({ length: 12 }, (_, i) => ({ waiting: 40 * (i + 1), delayed: 0, lag_s: i, drain_s: 0, in: 50, out: 10 }));
    expect(queueLagText(windowOf(filling), "jobs")).toMatch(/^480 waiting, oldest 11 s · filling at \+40\/s$/);
  });
});
