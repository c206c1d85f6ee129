import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { MachineLoadSchema, ProcessUsageSchema } from "@/lib/gen/ipcplay/v1/playground_pb";
import { machineText, usageText } from "./machine-text";

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

describe("machineText", () => {
  const machine = create(MachineLoadSchema, {
    cores: 2,
    cpuPercent: 34.4,
    memoryUsedBytes: 6.1 * GiB,
    memoryTotalBytes: 23.5 * GiB,
    server: { cpuPercent: 8.2, rssBytes: 210 * MiB },
  });

  it("says the machine's share of all cores, its memory as one fraction, and the server apart", () => {
    const text = machineText(machine);
    expect(text.cpu).toBe("34 %");
    expect(text.cores).toBe("of 2 cores");
    expect(text.memory).toBe("6.1 / 23.5 GiB");
    expect(text.server).toBe("8.2 % · 210 MiB");
    expect(text.explain).toContain("200 % would be every core");
  });

  it("keeps both units when they differ, and a single core is singular", () => {
    const small = machineText({ ...machine, cores: 1, memoryUsedBytes: 700 * MiB, memoryTotalBytes: 2 * GiB });
    expect(small.memory).toBe("700 MiB / 2 GiB");
    expect(small.cores).toBe("of 1 core");
  });
});

describe("usageText", () => {
  it("is CPU of one core and resident memory", () => {
    expect(usageText(create(ProcessUsageSchema, { cpuPercent: 12.4, rssBytes: 48 * MiB }))).toBe("12 % · 48 MiB");
  });
});
