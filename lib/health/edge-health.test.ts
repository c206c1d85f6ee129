import { describe, expect, it } from "vitest";
import {
  checkThresholds,
  DEFAULT_THRESHOLDS,
  healthCaption,
  healthColor,
  healthOf,
  healthRule,
  percentText,
  pushSample,
  rateText,
  runFigures,
  sampleOf,
  windowFigures,
  type TallySample,
} from "./edge-health";

const at = (atMs: number, sent: number, ended: number, bad: number): TallySample => ({ atMs, sent, ended, bad });

describe("healthOf (Kiali's thresholds)", () => {
  it("is healthy below 0.1 %, degraded from 0.1 %, failing past 10 %", () => {
    expect(healthOf(0)).toBe("healthy");
    expect(healthOf(0.0009)).toBe("healthy");
    expect(healthOf(0.001)).toBe("degraded");
    expect(healthOf(0.1)).toBe("degraded");
    expect(healthOf(0.1001)).toBe("failing");
    expect(healthOf(1)).toBe("failing");
    expect(healthOf(null)).toBe("idle");
  });

  it("follows configured thresholds", () => {
    const t = { degraded: 0.05, failing: 0.5 };
    expect(healthOf(0.01, t)).toBe("healthy");
    expect(healthOf(0.2, t)).toBe("degraded");
    expect(healthOf(0.6, t)).toBe("failing");
    // A zero threshold does not call an edge without failures degraded.
    expect(healthOf(0, { degraded: 0, failing: 0.1 })).toBe("healthy");
  });

  it("paints amber and red, and leaves healthy to the transport", () => {
    expect(healthColor("failing")).toBe("#ef4444");
    expect(healthColor("degraded")).toBe("#f59e0b");
    expect(healthColor("healthy")).toBeNull();
    expect(healthColor("idle")).toBeNull();
  });
});

describe("the live window", () => {
  it("measures rate and failed share between the oldest kept reading and the newest", () => {
    let w: TallySample[] = [];
    w = pushSample(w, at(0, 0, 0, 0));
    w = pushSample(w, at(1000, 100, 98, 0));
    w = pushSample(w, at(2000, 200, 196, 49));
    const f = windowFigures(w);
    expect(f.rps).toBe(100);
    expect(f.failedShare).toBeCloseTo(49 / 196);
    expect(healthOf(f.failedShare)).toBe("failing");
  });

  it("forgets what is older than the window, keeping one base reading", () => {
    let w: TallySample[] = [];
    for (let i = 0; i <= 20; i++) w = pushSample(w, at(i * 1000, i * 10, i * 10, i < 5 ? i * 10 : 50), 10_000);
    expect(w[0].atMs).toBe(10_000);
    expect(windowFigures(w).failedShare).toBe(0);
    expect(windowFigures(w).rps).toBe(10);
  });

  it("starts again when the counters go back (a new run)", () => {
    const w = pushSample([at(0, 0, 0, 0), at(1000, 50, 50, 5)], at(2000, 3, 3, 0));
    expect(w).toEqual([at(2000, 3, 3, 0)]);
    expect(windowFigures(w)).toEqual({ rps: 0, failedShare: null, ended: 0, bad: 0 });
  });

  it("is idle when nothing ended", () => {
    expect(healthOf(windowFigures([at(0, 5, 5, 0), at(1000, 5, 5, 0)]).failedShare)).toBe("idle");
  });
});

describe("captions", () => {
  it("says rate, error share and p95", () => {
    expect(healthCaption({ rps: 12.3, failedShare: 0.25, ended: 100, bad: 25 }, 40.4).map((p) => p.text)).toEqual(["12/s", "25 % err", "p95 40 ms"]);
    expect(healthCaption({ rps: 1500, failedShare: 0, ended: 100, bad: 0 }, 1234).map((p) => p.text)).toEqual(["1.5k/s", "p95 1.2 s"]);
    expect(healthCaption({ rps: 0, failedShare: null, ended: 0, bad: 0 }, 0).map((p) => p.text)).toEqual(["0/s"]);
  });

  it("writes small shares and rates readably", () => {
    expect(percentText(0.001)).toBe("0.1 %");
    expect(percentText(0.0234)).toBe("2.3 %");
    expect(percentText(0.00042)).toBe("0.04 %");
    expect(percentText(1)).toBe("100 %");
    expect(rateText(0.5)).toBe("0.5/s");
    expect(rateText(25_000)).toBe("25k/s");
  });

  it("states the rule", () => {
    expect(healthRule(DEFAULT_THRESHOLDS)).toBe(
      "Over the last 10 s: failed or lost ≥ 0.1 % of the messages that ended is degraded (amber), > 10 % failing (red), else healthy (the transport's colour).",
    );
  });

  it("accepts only thresholds in order", () => {
    expect(checkThresholds(0.001, 0.1)).toEqual({ degraded: 0.001, failing: 0.1 });
    expect(checkThresholds(0.2, 0.1)).toBeNull();
    expect(checkThresholds(-1, 0.1)).toBeNull();
    expect(checkThresholds(Number.NaN, 0.1)).toBeNull();
  });
});

describe("readings of the books", () => {
  it("counts what a shared queue's consumer took, and the run's figures after Stop", () => {
    expect(sampleOf({ sent: 100, delivered: 30, failed: 5, lost: 1, sharedWith: ["other"] }, 7)).toEqual({ atMs: 7, sent: 36, ended: 36, bad: 6 });
    expect(sampleOf({ sent: 100, delivered: 90, failed: 5, lost: 1, sharedWith: [] }, 7)).toEqual({ atMs: 7, sent: 100, ended: 96, bad: 6 });
    const f = runFigures({ sent: 200, delivered: 150, failed: 50, lost: 0, sharedWith: [] }, 10_000);
    expect(f.rps).toBe(20);
    expect(f.failedShare).toBe(0.25);
    expect(runFigures({ sent: 0, delivered: 0, failed: 0, lost: 0, sharedWith: [] }, 0).failedShare).toBeNull();
  });
});
