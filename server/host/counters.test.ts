import { describe, expect, it } from "vitest";
import { queueingModel } from "@/lib/metrics/queueing-model";
import { HostCounters } from "./counters";

describe("HostCounters' queueing sums", () => {
  it("count arrivals, time in service, the area under in flight and slot times exactly", () => {
    let now = 0;
    const counters = new HostCounters(undefined, () => now);
    const before = counters.queueingTotals(2);
    const first = counters.begin(); // t = 0
    now = 10;
    const second = counters.begin();
    counters.recordSlot(0, 20);
    now = 30;
    first();
    counters.recordSlot(10, 30);
    now = 50;
    second();
    now = 100;
    const after = counters.queueingTotals(2);
    expect(after).toMatchObject({ arrived: 2, completed: 2, timeInServiceMs: 30 + 40, inServiceArea: 10 * 1 + 20 * 2 + 20 * 1, slots: 2, waitMs: 10, slotMs: 50, concurrency: 2 });

    // Empty at both ends of the window, Little's law holds exactly: L = 70/100 = 0.7, λW = 20/s × 35 ms.
    const model = queueingModel(before, after)!;
    expect(model.little.l).toBeCloseTo(0.7, 12);
    expect(model.little.lambdaW).toBeCloseTo(0.7, 12);
    expect(model.mu).toBeCloseTo(40, 12);
    expect(model.measuredWaitMs).toBe(5);
  });
});
