import { describe, expect, it } from "vitest";
import { littleHolds, littleLine, queueingModel, QueueingWindow, type QueueingReading } from "./queueing-model";

const zero: QueueingReading = { atMs: 0, arrived: 0, completed: 0, timeInServiceMs: 0, inServiceArea: 0, slots: 0, waitMs: 0, slotMs: 0, concurrency: 2 };

describe("queueingModel", () => {
  it("λ, μ, ρ, the M/M/c prediction and Little's law from two readings", () => {
    // 10 s: 100 arrivals and slots, each holding its slot 100 ms (μ = 10/s), waiting 20 ms in all on average;
    // 100 left after 150 ms each in the service; on average 1.5 in the service.
    const newer = { ...zero, atMs: 10_000, arrived: 100, completed: 100, timeInServiceMs: 15_000, inServiceArea: 15_000, slots: 100, waitMs: 2_000, slotMs: 10_000 };
    const m = queueingModel(zero, newer)!;
    expect(m.lambda).toBeCloseTo(10);
    expect(m.mu).toBeCloseTo(10);
    expect(m.c).toBe(2);
    expect(m.rho).toBeCloseTo(0.5);
    expect(m.warning).toBe(false);
    expect(m.measuredWaitMs).toBeCloseTo(20);
    // M/M/2 at a = 1: P_w = 1/3, W_q = (1/3)/(20 − 10) s = 33.3 ms.
    expect(m.predicted!.probabilityOfWaiting).toBeCloseTo(1 / 3);
    expect(m.predicted!.expectedWaitMs).toBeCloseTo(100 / 3);
    expect(m.little.l).toBeCloseTo(1.5);
    expect(m.little.lambdaW).toBeCloseTo(1.5);
    expect(m.little.holds).toBe(true);
    expect(littleLine(m)).toBe("L 1.50 ≈ λW 1.50 ✓");
  });

  it("warns at ρ ≥ 0.8 and predicts ∞ past 1", () => {
    const busy = queueingModel(zero, { ...zero, atMs: 1_000, arrived: 17, slots: 17, slotMs: 1_700 })!;
    expect(busy.rho).toBeCloseTo(0.85);
    expect(busy.warning).toBe(true);
    const over = queueingModel(zero, { ...zero, atMs: 1_000, arrived: 30, slots: 10, slotMs: 1_000 })!;
    expect(over.rho).toBeCloseTo(1.5);
    expect(over.predicted!.stable).toBe(false);
    expect(over.predicted!.expectedWaitMs).toBe(Infinity);
  });

  it("flags Little's law when L and λW are apart", () => {
    expect(littleHolds(3.2, 3.1)).toBe(true);
    expect(littleHolds(3, 2)).toBe(false);
    expect(littleHolds(0.02, 0.06)).toBe(true);
    const m = queueingModel(zero, { ...zero, atMs: 1_000, arrived: 10, completed: 10, timeInServiceMs: 1_000, inServiceArea: 3_000, slots: 10, slotMs: 500 })!;
    expect(littleLine(m)).toBe("L 3.00 ≠ λW 1.00 ✗");
  });

  it("no answer across a restarted process or without time between", () => {
    expect(queueingModel(zero, zero)).toBeUndefined();
    expect(queueingModel({ ...zero, arrived: 5 }, { ...zero, atMs: 1_000, arrived: 2 })).toBeUndefined();
  });
});

describe("QueueingWindow", () => {
  it("keeps about the window and starts again when the counts go back", () => {
    const w = new QueueingWindow(2_000);
    for (let s = 0; s <= 5; s++) w.add({ ...zero, atMs: s * 1_000, arrived: s * 10, slots: s * 10, slotMs: s * 500 });
    expect(w.model()!.windowS).toBeCloseTo(2);
    expect(w.model()!.lambda).toBeCloseTo(10);
    w.add({ ...zero, atMs: 100, arrived: 1 });
    expect(w.model()).toBeUndefined();
  });
});
