import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { NodeStatus, RunInfoSchema } from "@/lib/gen/ipcplay/v1/playground_pb";
import { formatElapsed, startProgress } from "./run-progress";

describe("startProgress", () => {
  it("counts processes that are up out of the expected total", () => {
    const info = create(RunInfoSchema, {
      nodes: [
        { nodeId: "a", status: NodeStatus.UP },
        { nodeId: "b", status: NodeStatus.STARTING },
      ],
    });
    expect(startProgress(info, 3)).toEqual({ up: 1, total: 3 });
    expect(startProgress(null, 2)).toEqual({ up: 0, total: 2 });
  });
  it("formats elapsed time", () => {
    expect(formatElapsed(7_400)).toBe("0:07");
    expect(formatElapsed(765_000)).toBe("12:45");
  });
});
