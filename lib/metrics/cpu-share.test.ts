import { describe, expect, it } from "vitest";
import { cpuPercentFromMicros, machineCpuPercent, processCpuPercent } from "./cpu-share";
import { USER_HZ } from "./proc-text";

describe("processCpuPercent", () => {
  it("is the share of one core: 50 ticks in 1 s at 100 Hz is 50 %", () => {
    expect(processCpuPercent({ cpuTicks: 100, startTicks: 7, atMs: 1000 }, { cpuTicks: 150, startTicks: 7, atMs: 2000 }, USER_HZ)).toBe(50);
  });

  it("goes above 100 for a process on two cores", () => {
    expect(processCpuPercent({ cpuTicks: 0, startTicks: 7, atMs: 0 }, { cpuTicks: 190, startTicks: 7, atMs: 1000 }, USER_HZ)).toBe(190);
  });

  it("refuses to compare two processes that shared a pid", () => {
    expect(processCpuPercent({ cpuTicks: 900, startTicks: 7, atMs: 0 }, { cpuTicks: 3, startTicks: 8000, atMs: 1000 }, USER_HZ)).toBeUndefined();
  });

  it("is undefined when no time passed", () => {
    expect(processCpuPercent({ cpuTicks: 1, startTicks: 7, atMs: 5 }, { cpuTicks: 2, startTicks: 7, atMs: 5 }, USER_HZ)).toBeUndefined();
  });
});

describe("cpuPercentFromMicros", () => {
  it("turns process.cpuUsage() microseconds into a share of one core", () => {
    expect(cpuPercentFromMicros(250_000, 1000)).toBe(25);
    expect(cpuPercentFromMicros(1, 0)).toBeUndefined();
  });
});

describe("machineCpuPercent", () => {
  it("is busy over busy + idle between the readings", () => {
    const before = { busyTicks: 1000, idleTicks: 3000, cores: 2 };
    expect(machineCpuPercent(before, { busyTicks: 1150, idleTicks: 3050, cores: 2 })).toBe(75);
  });

  it("is undefined when the counters did not move or went back (a reset)", () => {
    const same = { busyTicks: 1000, idleTicks: 3000, cores: 2 };
    expect(machineCpuPercent(same, same)).toBeUndefined();
    expect(machineCpuPercent(same, { busyTicks: 10, idleTicks: 3100, cores: 2 })).toBeUndefined();
  });
});
