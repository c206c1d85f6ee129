import { describe, expect, it } from "vitest";
import { formatBytes, formatClock, formatCount, formatCpu, formatMs, formatPercent, formatRate } from "./format";

describe("formatMs", () => {
  it("keeps precision that matters at each scale", () => {
    expect(formatMs(0)).toBe("0 ms");
    expect(formatMs(0.42)).toBe("0.42 ms");
    expect(formatMs(4.25)).toBe("4.3 ms");
    expect(formatMs(5)).toBe("5 ms");
    expect(formatMs(41.6)).toBe("42 ms");
    expect(formatMs(1250)).toBe("1.25 s");
    expect(formatMs(12_300)).toBe("12.3 s");
    expect(formatMs(125_000)).toBe("2 min 5 s");
  });
  it("shows a dash for nonsense", () => {
    expect(formatMs(Number.NaN)).toBe("–");
    expect(formatMs(-1)).toBe("–");
  });
});

describe("formatRate", () => {
  it("always carries msg/s", () => {
    expect(formatRate(0)).toBe("0 msg/s");
    expect(formatRate(2)).toBe("2 msg/s");
    expect(formatRate(2.45)).toBe("2.5 msg/s");
    expect(formatRate(180.4)).toBe("180 msg/s");
    expect(formatRate(1500)).toBe("1.5k msg/s");
  });
});

describe("other units", () => {
  it("formats counts, bytes, percents and clock time", () => {
    expect(formatCount(12345)).toBe("12,345");
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatPercent(0.025)).toBe("2.5 %");
    expect(formatPercent(0)).toBe("0 %");
    expect(formatClock(new Date(2024, 0, 1, 9, 5, 7, 42).getTime())).toBe("09:05:07.042");
  });
});

describe("formatBytes", () => {
  it("climbs binary units and drops decimals once they are noise", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1024 ** 2 - 1)).toBe("1024 KiB");
    expect(formatBytes(4.25 * 1024 ** 2)).toBe("4.3 MiB");
    expect(formatBytes(48.4 * 1024 ** 2)).toBe("48 MiB");
    expect(formatBytes(1.5 * 1024 ** 3)).toBe("1.5 GiB");
    expect(formatBytes(23.54 * 1024 ** 3)).toBe("23.5 GiB");
    expect(formatBytes(Number.NaN)).toBe("–");
  });
});

describe("formatCpu", () => {
  it("is a share of one core, so a process on two cores goes past 100", () => {
    expect(formatCpu(0)).toBe("0 %");
    expect(formatCpu(0.01)).toBe("0 %");
    expect(formatCpu(0.42)).toBe("0.4 %");
    expect(formatCpu(12.4)).toBe("12 %");
    expect(formatCpu(183.6)).toBe("184 %");
    expect(formatCpu(-1)).toBe("–");
  });
});
