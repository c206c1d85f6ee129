import { describe, expect, it } from "vitest";
import { RunBudget, trafficShares } from "./run-budget";

const limits = { messagesPerSecond: 1000, maxPendingSends: 5000, maxPendingBytes: 1024 * 1024 };
const none = { messages: 0, bytes: 0 };

describe("RunBudget", () => {
  it("admits one second's worth at once, then refills at the rate", () => {
    let now = 0;
    const budget = new RunBudget(limits, () => now);
    expect(budget.admit(1000, 0, none)).toBeUndefined();
    expect(budget.admit(1, 0, none)).toMatch(/1,000 messages per second.*0 are left now and this call asks for 1/);
    now = 500;
    expect(budget.admit(500, 0, none)).toBeUndefined();
    expect(budget.admit(1, 0, none)).toBeDefined();
  });

  it("lets automatic traffic spend ahead, down to one second of debt", () => {
    let now = 0;
    const budget = new RunBudget(limits, () => now);
    budget.spend(5000);
    expect(budget.available()).toBe(-1000);
    now = 1500;
    expect(budget.admit(500, 0, none)).toBeUndefined();
  });

  it("refuses past the pending messages or bytes, naming the numbers", () => {
    const budget = new RunBudget(limits, () => 0);
    expect(budget.admit(1000, 0, { messages: 4500, bytes: 0 })).toBe(
      "4,500 messages are pending in this run (started, not ended yet) and this call adds 1,000; the run allows 5,000 pending. Try again once they drain.",
    );
    expect(budget.admit(10, 600 * 1024, { messages: 0, bytes: 600 * 1024 })).toMatch(/600\.0 KiB of payload is pending .* the run allows 1\.0 MiB pending/);
  });

  it("refuses a call larger than one second's budget by itself", () => {
    const budget = new RunBudget({ ...limits, messagesPerSecond: 100 }, () => 0);
    expect(budget.admit(1000, 0, none)).toMatch(/send at most 100 per call/);
  });
});

describe("trafficShares", () => {
  it("splits the run's rate in proportion to the clients' rates", () => {
    expect(trafficShares(new Map([["a", 300], ["b", 100], ["c", 0]]), 200)).toEqual(new Map([["a", 150], ["b", 50], ["c", 0]]));
    expect(trafficShares(new Map([["a", 10]]), 1000)).toEqual(new Map([["a", 1000]]));
  });
});
