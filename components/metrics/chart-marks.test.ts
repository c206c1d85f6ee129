import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { ActiveFaultSchema } from "@/lib/gen/ipcplay/v1/playground_pb";
import { FaultKind } from "@/lib/gen/ipcplay/v1/topology_pb";
import { faultBands } from "./chart-marks";

const fault = (nodeId: string, kind: FaultKind, startedUnixMs: number, endsUnixMs: number) =>
  create(ActiveFaultSchema, { fault: { nodeId, kind }, startedUnixMs, endsUnixMs });

describe("faultBands", () => {
  it("bands past and active faults, an open one up to now, its own subject marked", () => {
    const bands = faultBands([fault("worker-b", FaultKind.KILL, 5000, 0)], [fault("worker-a", FaultKind.PAUSE, 1000, 3000)], 9000, { nodeId: "worker-b" });
    expect(bands).toEqual([
      { startMs: 1000, endMs: 3000, label: "pause worker-a", tone: "amber", own: false, open: false },
      { startMs: 5000, endMs: 9000, label: "kill worker-b", tone: "red", own: true, open: true },
    ]);
  });

  it("ends a self-clearing fault at its end, and never before its start", () => {
    const [b] = faultBands([fault("n", FaultKind.LATENCY, 5000, 7000)], [], 9000, {});
    expect([b.startMs, b.endMs]).toEqual([5000, 7000]);
    const [c] = faultBands([fault("n", FaultKind.LATENCY, 5000, 0)], [], 4000, {});
    expect(c.endMs).toBe(5000);
  });
});
