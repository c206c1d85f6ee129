import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { RunInfoSchema, RunState, SpanSchema } from "@/lib/gen/ipcplay/v1/playground_pb";
import { FaultKind } from "@/lib/gen/ipcplay/v1/topology_pb";
import {
  decodeArgs,
  decodeReply,
  decodeRequest,
  decodeResult,
  encodeArgs,
  encodeReply,
  encodeRequest,
  encodeResult,
  errorReply,
} from "./control-wire";

describe("control wire", () => {
  it("round-trips a request and refuses a foreign one", () => {
    const request = { id: "1", replyTo: "ch", runId: "r-1", method: "sendMessage" as const, args: encodeArgs("sendMessage", ["client", 3, undefined]) };
    const decoded = decodeRequest(encodeRequest(request))!;
    expect(decoded).toEqual(request);
    expect(decodeArgs("sendMessage", decoded.args)).toEqual(["client", 3, undefined]);
    expect(decodeRequest(JSON.stringify({ ...request, method: "shutdown" }))).toBeUndefined();
    expect(decodeRequest("not json")).toBeUndefined();
  });

  it("carries protobuf results in their JSON form", () => {
    const run = create(RunInfoSchema, { runId: "r-1", state: RunState.RUNNING, error: "" });
    const back = decodeResult("get", JSON.parse(JSON.stringify(encodeResult("get", run)))) as typeof run;
    expect(back.runId).toBe("r-1");
    expect(back.state).toBe(RunState.RUNNING);
    const spans = [create(SpanSchema, { traceId: "t", spanId: "s", nodeId: "a" })];
    expect((decodeResult("getTrace", encodeResult("getTrace", spans)) as (typeof spans)[number][])[0].nodeId).toBe("a");
    const update = { run, applied: ["a"], restarted: [], started: [], stopped: [] };
    expect((decodeResult("updateRun", encodeResult("updateRun", update)) as typeof update).run.runId).toBe("r-1");
  });

  it("carries a fault request without a run id", () => {
    const [fault] = decodeArgs("injectFault", encodeArgs("injectFault", [{ kind: FaultKind.KILL, nodeId: "a" }])) as Record<string, unknown>[];
    expect(fault.kind).toBe(FaultKind.KILL);
    expect(fault.nodeId).toBe("a");
    expect(fault).not.toHaveProperty("runId");
  });

  it("carries errors with their code, unknown ones as internal", () => {
    const known = errorReply("1", Object.assign(new Error("no run r-9"), { code: "not_found" }));
    expect(decodeReply(encodeReply(known))).toEqual({ id: "1", ok: false, code: "not_found", message: "no run r-9" });
    expect(errorReply("2", new Error("boom"))).toMatchObject({ code: "internal", message: "boom" });
    expect(decodeReply(JSON.stringify({ id: "3", ok: false, code: "weird", message: "x" }))).toBeUndefined();
  });
});
