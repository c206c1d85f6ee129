import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { Distribution, NodeKind, NodeSchema, TrafficPattern, WorkTimeSchema } from "@/lib/gen/ipcplay/v1/topology_pb";
import { describeTraffic, describeWork } from "./describe";

describe("node summaries", () => {
  it("describes a service's work time and errors with units", () => {
    const n = create(NodeSchema, {
      id: "billing",
      kind: NodeKind.SERVICE,
      behavior: { workTime: { distribution: Distribution.FIXED, meanMs: 40 }, errorRate: 0.05 },
    });
    expect(describeWork(n)).toBe("40 ms work · 5 % errors");
    n.behavior!.workTime = create(WorkTimeSchema, { distribution: Distribution.UNIFORM, minMs: 5, maxMs: 30 });
    expect(describeWork(n)).toBe("5–30 ms work · 5 % errors");
  });
  it("describes a client's traffic", () => {
    const n = create(NodeSchema, {
      id: "client",
      kind: NodeKind.CLIENT,
      traffic: { ratePerSecond: 2, pattern: TrafficPattern.CONSTANT, payloadBytes: 128 },
    });
    expect(describeTraffic(n)).toBe("2 msg/s steady · 128 B");
    n.traffic!.ratePerSecond = 0;
    expect(describeTraffic(n)).toBe("on demand only");
  });
});
