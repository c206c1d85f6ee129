import { describe, expect, it } from "vitest";
import { NodeStatus } from "@/lib/gen/ipcplay/v1/playground_pb";
import { blockedReason, downReason } from "./process-text";

describe("downReason", () => {
  it("shortens a kill and a crash", () => {
    expect(downReason("killed by InjectFault (SIGKILL)")).toBe("Killed (SIGKILL)");
    expect(downReason("the process exited with code 1")).toBe("Process exited with code 1");
    expect(downReason("")).toBe("Process is down");
  });
});

describe("blockedReason", () => {
  it("lets a running run act on an up or down node", () => {
    expect(blockedReason("running", NodeStatus.UP)).toBeNull();
    expect(blockedReason("running", NodeStatus.DOWN)).toBeNull();
  });
  it("says why it cannot act", () => {
    expect(blockedReason("starting", NodeStatus.UP)).toBe("The run is still starting");
    expect(blockedReason("stopped", NodeStatus.DOWN)).toBe("Only while the run is up");
    expect(blockedReason("running", NodeStatus.RESTARTING)).toBe("The process is starting");
  });
});
