import { describe, expect, it } from "vitest";
import { admissionRefusal } from "./admission";

const MB = 1024 * 1024;
const limits = { serviceBytes: 80 * MB, memoryReserveBytes: 256 * MB, maxLoadPerCpu: 4 };
const idle = { freeBytes: 4096 * MB, loadAverage: 0.5, cpus: 2, hostRssBytes: [], runs: 0 };

describe("admissionRefusal", () => {
  it("admits a run that fits", () => {
    expect(admissionRefusal(24, idle, limits)).toBeUndefined();
  });

  it("estimates from the services measured up now, and says so with the numbers", () => {
    const busy = { ...idle, freeBytes: 1000 * MB, hostRssBytes: [100 * MB, 140 * MB], runs: 1 };
    expect(admissionRefusal(7, busy, limits)).toBe(
      "This run would not fit the machine's memory: 7 processes × 120 MB (measured mean of the services up now) = 840 MB, and the machine has 1,000 MB free of which it keeps 256 MB in reserve, with 1 run (2 service processes) up now. Stop a run or start a smaller topology.",
    );
    expect(admissionRefusal(6, busy, limits)).toBeUndefined();
  });

  it("refuses while the CPUs are saturated and runs of this server are up", () => {
    expect(admissionRefusal(2, { ...idle, loadAverage: 19.8, runs: 1, hostRssBytes: [90 * MB] }, limits)).toMatch(
      /^The machine's CPUs are saturated: load average 19\.8 on 2 CPUs \(9\.9 per CPU\), above the 4 per CPU this server starts runs at, with 1 run \(1 service processes\) up now/,
    );
  });

  it("admits on a machine busy with other work while no run of this server is up", () => {
    expect(admissionRefusal(2, { ...idle, loadAverage: 19.8 }, limits)).toBeUndefined();
  });
});
