import { describe, expect, it } from "vitest";
import { busyReason, type BusyState, type LoadSample, nextBusyState, NOT_BUSY } from "./busy-rule";

const calm: LoadSample = { cores: 2, machineCpuPercent: 30, memoryUsedPercent: 40, eventLoopP99Ms: 11 };
const cpu = (percent: number): LoadSample => ({ ...calm, machineCpuPercent: percent });

function run(samples: LoadSample[], from: BusyState = NOT_BUSY): BusyState[] {
  const states: BusyState[] = [];
  let state = from;
  for (const sample of samples) states.push((state = nextBusyState(state, sample)));
  return states;
}

describe("nextBusyState", () => {
  it("turns on after two hot seconds in a row, not after one spike", () => {
    expect(run([cpu(99), cpu(40), cpu(99)]).map((s) => s.busy)).toEqual([false, false, false]);
    expect(run([cpu(95), cpu(97)]).map((s) => s.busy)).toEqual([false, true]);
  });

  it("names the cause with the latest figures", () => {
    const last = run([cpu(95), cpu(97)]).at(-1);
    expect(last?.reason).toBe("CPU is at 97 % of all 2 cores.");
  });

  it("does not flicker while the load hovers around the threshold", () => {
    const states = run([cpu(95), cpu(96), cpu(85), cpu(91), cpu(88), cpu(80), cpu(93)]);
    expect(states.map((s) => s.busy)).toEqual([false, true, true, true, true, true, true]);
  });

  it("turns off only after three cool seconds, keeping the last cause meanwhile", () => {
    const busy = run([cpu(95), cpu(95)]).at(-1) as BusyState;
    const states = run([cpu(20), cpu(20), cpu(20)], busy);
    expect(states.map((s) => s.busy)).toEqual([true, true, false]);
    expect(states[0].reason).toBe("CPU is at 95 % of all 2 cores.");
    expect(states[2].reason).toBe("");
  });

  it("a lukewarm second in the calm tail restarts the count", () => {
    const busy = run([cpu(95), cpu(95)]).at(-1) as BusyState;
    expect(run([cpu(20), cpu(20), cpu(80), cpu(20), cpu(20)], busy).map((s) => s.busy)).toEqual([true, true, true, true, true]);
  });

  it("is raised by a late event loop on a machine that is not full", () => {
    const late: LoadSample = { ...calm, machineCpuPercent: 55, eventLoopP99Ms: 180 };
    const last = run([late, late]).at(-1);
    expect(last?.busy).toBe(true);
    expect(last?.reason).toBe("The server's event loop runs 180 ms late (p99).");
  });

  it("is raised by memory nearly full", () => {
    const full: LoadSample = { ...calm, memoryUsedPercent: 97 };
    expect(run([full, full]).at(-1)?.reason).toBe("Memory is 97 % used.");
  });

  it("a single service pegging its own core is the design, not a busy machine", () => {
    // One of two cores fully busy = 50 % of the machine.
    expect(run([cpu(50), cpu(52), cpu(51)]).every((s) => !s.busy)).toBe(true);
  });

  it("waits for a second reading before judging the CPU", () => {
    const first: LoadSample = { ...calm, machineCpuPercent: undefined, eventLoopP99Ms: undefined };
    expect(run([first, first]).every((s) => !s.busy)).toBe(true);
  });
});

describe("busyReason", () => {
  it("joins several causes in one sentence", () => {
    expect(busyReason({ cores: 1, machineCpuPercent: 99.4, memoryUsedPercent: 92, eventLoopP99Ms: 240.2 })).toBe(
      "CPU is at 99 % of its only core; the server's event loop runs 240 ms late (p99); memory is 92 % used.",
    );
  });

  it("is empty when nothing is high", () => {
    expect(busyReason(calm)).toBe("");
  });
});
