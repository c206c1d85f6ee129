import { describe, expect, it } from "vitest";
import { CircuitBreaker, describeTransition, type BreakerSettings, type BreakerTransition } from "./circuit-breaker";

const SETTINGS: BreakerSettings = { failureRateThreshold: 0.5, minimumCalls: 4, windowS: 10, openMs: 5000, halfOpenCalls: 2 };

function breaker(settings: Partial<BreakerSettings> = {}) {
  const clock = { now: 1_000_000 };
  const transitions: BreakerTransition[] = [];
  const subject = new CircuitBreaker({ ...SETTINGS, ...settings }, () => clock.now, (t) => transitions.push(t));
  /** One call through the breaker: false when it was short-circuited. */
  const call = (success: boolean): boolean => {
    const permit = subject.tryAcquire();
    if (!permit) return false;
    subject.record(permit, success);
    return true;
  };
  return { subject, clock, transitions, call };
}

describe("CircuitBreaker: closed", () => {
  it("stays closed below minimum calls, however many fail", () => {
    const { subject, call } = breaker();
    for (let i = 0; i < 3; i++) expect(call(false)).toBe(true);
    expect(subject.state).toBe("closed");
  });

  it("opens once minimum calls are in the window and the failed share reaches the threshold", () => {
    const { subject, call, transitions } = breaker();
    call(true);
    call(true);
    call(false);
    expect(subject.state).toBe("closed");
    call(false); // 2 of 4 = 0.5 ≥ 0.5
    expect(subject.state).toBe("open");
    expect(transitions).toEqual([{ from: "closed", to: "open", at: 1_000_000, calls: 4, failures: 2 }]);
  });

  it("stays closed while the failed share is below the threshold", () => {
    const { subject, call } = breaker();
    for (let i = 0; i < 20; i++) call(i % 3 !== 2); // every third fails: at most 1 in 3
    expect(subject.state).toBe("closed");
  });

  it("forgets outcomes older than the window", () => {
    const { subject, clock, call } = breaker({ minimumCalls: 4, windowS: 10 });
    call(false);
    call(false);
    call(false);
    clock.now += 10_000; // the three failures' second has left the window
    expect(subject.windowTotals()).toEqual({ calls: 0, failures: 0 });
    call(false);
    expect(subject.state).toBe("closed");
    clock.now += 9_000; // still within 10 s of the last one
    call(false);
    call(false);
    call(false);
    expect(subject.state).toBe("open");
  });

  it("slides the window by whole seconds", () => {
    const { subject, clock, call } = breaker({ windowS: 2, minimumCalls: 100 });
    call(false);
    clock.now += 1000;
    call(true);
    expect(subject.windowTotals()).toEqual({ calls: 2, failures: 1 });
    clock.now += 1000;
    expect(subject.windowTotals()).toEqual({ calls: 1, failures: 0 });
  });

  it("with threshold 1 opens only when every call in the window failed", () => {
    const { subject, call } = breaker({ failureRateThreshold: 1, minimumCalls: 3 });
    call(false);
    call(true);
    call(false);
    call(false);
    expect(subject.state).toBe("closed");
    const all = breaker({ failureRateThreshold: 1, minimumCalls: 3 });
    for (let i = 0; i < 3; i++) all.call(false);
    expect(all.subject.state).toBe("open");
  });
});

describe("CircuitBreaker: open and half-open", () => {
  function opened(settings: Partial<BreakerSettings> = {}) {
    const made = breaker(settings);
    for (let i = 0; i < (settings.minimumCalls ?? SETTINGS.minimumCalls); i++) made.call(false);
    expect(made.subject.state).toBe("open");
    return made;
  }

  it("short-circuits every call while open", () => {
    const { subject, clock } = opened();
    clock.now += 4999;
    expect(subject.tryAcquire()).toBeUndefined();
    expect(subject.state).toBe("open");
  });

  it("half-opens after openMs and lets exactly halfOpenCalls probes through", () => {
    const { subject, clock, transitions } = opened();
    clock.now += 5000;
    expect(subject.state).toBe("half-open");
    expect(transitions.at(-1)).toMatchObject({ from: "open", to: "half-open", at: 1_005_000 });
    const first = subject.tryAcquire();
    const second = subject.tryAcquire();
    expect(first).toBeDefined();
    expect(second).toBeDefined();
    expect(subject.tryAcquire()).toBeUndefined();
    expect(subject.state).toBe("half-open");
  });

  it("closes when the probes succeed, with an empty window", () => {
    const { subject, clock, transitions, call } = opened();
    clock.now += 5000;
    const probes = [subject.tryAcquire()!, subject.tryAcquire()!];
    subject.record(probes[0], true);
    expect(subject.state).toBe("half-open");
    subject.record(probes[1], true);
    expect(subject.state).toBe("closed");
    expect(transitions.at(-1)).toMatchObject({ from: "half-open", to: "closed", calls: 2, failures: 0 });
    expect(subject.windowTotals()).toEqual({ calls: 0, failures: 0 });
    // A fresh window: one failure does not reopen it.
    call(false);
    expect(subject.state).toBe("closed");
  });

  it("closes when the probes' failed share is below the threshold", () => {
    const { subject, clock } = opened({ halfOpenCalls: 3, failureRateThreshold: 0.5 });
    clock.now += 5000;
    const probes = [subject.tryAcquire()!, subject.tryAcquire()!, subject.tryAcquire()!];
    subject.record(probes[0], false);
    subject.record(probes[1], true);
    subject.record(probes[2], true); // 1 of 3 < 0.5
    expect(subject.state).toBe("closed");
  });

  it("opens again when the probes fail, for another openMs", () => {
    const { subject, clock, transitions } = opened();
    clock.now += 5000;
    const probes = [subject.tryAcquire()!, subject.tryAcquire()!];
    subject.record(probes[0], true);
    subject.record(probes[1], false); // 1 of 2 = 0.5 ≥ 0.5
    expect(subject.state).toBe("open");
    expect(transitions.at(-1)).toMatchObject({ from: "half-open", to: "open", calls: 2, failures: 1, at: 1_005_000 });
    clock.now += 4999;
    expect(subject.tryAcquire()).toBeUndefined();
    clock.now += 1;
    expect(subject.state).toBe("half-open");
  });

  it("ignores the end of a call that started in an earlier state", () => {
    const { subject, clock, call } = breaker();
    const slow = subject.tryAcquire()!; // handed out while closed
    for (let i = 0; i < 4; i++) call(false);
    expect(subject.state).toBe("open");
    clock.now += 5000;
    const probe = subject.tryAcquire()!;
    subject.record(slow, false); // not a probe: does not count toward the half-open decision
    expect(subject.state).toBe("half-open");
    subject.record(probe, true);
    subject.record(subject.tryAcquire()!, true);
    expect(subject.state).toBe("closed");
  });

  it("with openMs 0 half-opens on the next look", () => {
    const { subject, call, transitions } = breaker({ openMs: 0 });
    for (let i = 0; i < 4; i++) call(false);
    expect(transitions.map((t) => t.to)).toEqual(["open"]);
    expect(subject.tryAcquire()).toBeDefined();
    expect(subject.state).toBe("half-open");
  });

  it("reports the full cycle in order", () => {
    const { clock, transitions, subject, call } = opened();
    clock.now += 5000;
    call(true);
    call(true);
    expect(subject.state).toBe("closed");
    expect(transitions.map((t) => `${t.from}→${t.to}`)).toEqual(["closed→open", "open→half-open", "half-open→closed"]);
  });
});

describe("CircuitBreaker: settings", () => {
  it.each([
    [{ failureRateThreshold: 0 }, "failure rate threshold"],
    [{ failureRateThreshold: 1.5 }, "failure rate threshold"],
    [{ minimumCalls: 0 }, "minimumCalls"],
    [{ windowS: 0 }, "windowS"],
    [{ halfOpenCalls: 0 }, "halfOpenCalls"],
    [{ openMs: -1 }, "openMs"],
  ])("refuses %j", (settings, named) => {
    expect(() => new CircuitBreaker({ ...SETTINGS, ...settings }, () => 0)).toThrow(named);
  });
});

describe("describeTransition", () => {
  const settings: BreakerSettings = { failureRateThreshold: 0.5, minimumCalls: 10, windowS: 10, openMs: 500, halfOpenCalls: 3 };
  it.each([
    [{ from: "closed", to: "open", calls: 10, failures: 7 }, "breaker on edge gw-be opened: 7 of 10 calls failed in 10 s; calls fail at once for 500 ms"],
    [{ from: "open", to: "half-open", calls: 0, failures: 0 }, "breaker on edge gw-be half-open after 500 ms: letting 3 probe calls through"],
    [{ from: "half-open", to: "closed", calls: 3, failures: 0 }, "breaker on edge gw-be closed: 3 of 3 probe calls succeeded"],
    [{ from: "half-open", to: "open", calls: 3, failures: 2 }, "breaker on edge gw-be opened again: 2 of 3 probe calls failed; calls fail at once for 500 ms"],
  ] as const)("%j", (transition, sentence) => {
    expect(describeTransition("gw-be", { ...transition, at: 0 }, settings)).toBe(sentence);
  });
});
