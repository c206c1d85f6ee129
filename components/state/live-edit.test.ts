import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { UpdateRunResponseSchema } from "@/lib/gen/ipcplay/v1/playground_pb";
import { findTemplate } from "@/lib/topology";

const updateRun = vi.fn();
vi.mock("./control-client", async (original) => ({
  ...(await original<typeof import("./control-client")>()),
  controlClient: () => ({ updateRun }),
}));

const { useDocumentStore } = await import("./document-store");
const { useRunStore } = await import("./run-store");
const { LIVE_EDIT_DEBOUNCE_MS, startLiveEdits, useLiveEditStore } = await import("./live-edit");

let stop: () => void = () => {};

function startRun(): void {
  useRunStore.setState({ runId: "r1", token: "t", phase: "running" });
}

beforeEach(() => {
  vi.useFakeTimers();
  updateRun.mockReset();
  useDocumentStore.getState().replace(findTemplate("rest-chain")!.topology);
  useRunStore.setState({ runId: null, token: null, phase: "idle" });
  stop = startLiveEdits();
});

afterEach(() => {
  stop();
  vi.useRealTimers();
});

describe("live edits", () => {
  it("sends the whole topology once, a debounce after the last edit, and says what was applied", async () => {
    startRun();
    updateRun.mockResolvedValue(create(UpdateRunResponseSchema, { applied: ["billing: work time 50 ms → 90 ms"] }));
    for (const ms of [60, 70, 90]) {
      useDocumentStore.getState().updateNode("billing", (n) => (n.behavior!.workTime!.meanMs = ms));
      await vi.advanceTimersByTimeAsync(LIVE_EDIT_DEBOUNCE_MS / 2);
    }
    expect(useLiveEditStore.getState().status).toBe("pending");
    expect(updateRun).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(LIVE_EDIT_DEBOUNCE_MS);
    expect(updateRun).toHaveBeenCalledTimes(1);
    const [req, options] = updateRun.mock.calls[0];
    expect(req.runId).toBe("r1");
    expect(req.topology.nodes.find((n: { id: string }) => n.id === "billing").behavior.workTime.meanMs).toBe(90);
    expect(options).toEqual({ headers: { authorization: "Bearer t" } });
    expect(useLiveEditStore.getState()).toMatchObject({ status: "applied", message: "billing: work time 50 ms → 90 ms", diff: null });
  });

  it("ignores moves, and keeps a refused edit marked not applied until it is undone", async () => {
    startRun();
    useDocumentStore.getState().moveNodes(new Map([["billing", { x: 999, y: 999 }]]));
    await vi.advanceTimersByTimeAsync(LIVE_EDIT_DEBOUNCE_MS * 2);
    expect(updateRun).not.toHaveBeenCalled();

    updateRun.mockRejectedValue(new ConnectError("live changes are not supported yet", Code.FailedPrecondition));
    const before = useDocumentStore.getState().nodes.find((n) => n.id === "billing")!.data.node.behavior!.concurrency;
    useDocumentStore.getState().updateNode("billing", (n) => (n.behavior!.concurrency = before + 1));
    await vi.advanceTimersByTimeAsync(LIVE_EDIT_DEBOUNCE_MS + 10);
    expect(useLiveEditStore.getState()).toMatchObject({ status: "refused", message: "live changes are not supported yet" });
    expect(useLiveEditStore.getState().diff?.nodes).toEqual(["billing"]);

    useDocumentStore.getState().updateNode("billing", (n) => (n.behavior!.concurrency = before));
    expect(useLiveEditStore.getState()).toMatchObject({ status: "idle", diff: null });
    await vi.advanceTimersByTimeAsync(LIVE_EDIT_DEBOUNCE_MS * 2);
    expect(updateRun).toHaveBeenCalledTimes(1);
  });

  it("sends nothing while no run is up, and forgets everything when the run stops", async () => {
    useDocumentStore.getState().updateNode("billing", (n) => (n.label = "Pay"));
    await vi.advanceTimersByTimeAsync(LIVE_EDIT_DEBOUNCE_MS * 2);
    expect(updateRun).not.toHaveBeenCalled();
    startRun();
    expect(useLiveEditStore.getState().applied).not.toBeNull();
    useRunStore.setState({ phase: "stopped" });
    expect(useLiveEditStore.getState()).toMatchObject({ status: "idle", applied: null });
  });
});
