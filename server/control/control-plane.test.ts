/**
 * The control plane as scripts and curl see it: JSON POSTs to
 * /ipcplay.v1.PlaygroundService/<Method> on a real server (no UI), real
 * processes and real Redis behind it.
 */
import { describe, expect, it } from "vitest";
import { controlPlane, fixture } from "./control-test-support";


const { post } = controlPlane();

describe("control plane over plain JSON", () => {
  it("rejects malformed JSON with invalid_argument", async () => {
    const { status, json } = await post("StartRun", '{"topology": {"nodes": [');
    expect(status).toBe(400);
    expect(json.code).toBe("invalid_argument");
  });

  it("lists every problem of an invalid topology with its path", async () => {
    const { status, json } = await post("ValidateTopology", { topology: fixture("invalid.json") });
    expect(status).toBe(200);
    expect(json.valid ?? false).toBe(false);
    const paths = (json.problems as { path: string }[]).map((p) => p.path);
    expect(paths).toContain("nodes[1].id");
    expect(paths).toContain("nodes[2].id");
    expect(paths).toContain("nodes[2].behavior.errorRate");
    expect(paths).toContain("edges[0].target");
  });

  it("refuses to start an invalid topology: invalid_argument with the problem list", async () => {
    const { status, json } = await post("StartRun", { topology: fixture("invalid.json") });
    expect(status).toBe(400);
    expect(json.code).toBe("invalid_argument");
    expect(json.message).toContain("edges[0].target");
    expect(json.message).toContain("nodes[2].behavior.errorRate");
    expect(json.details?.[0]?.debug?.problems?.length).toBeGreaterThanOrEqual(4);
  });

  it("refuses a topology whose fields have the wrong types", async () => {
    const { status, json } = await post("StartRun", { topology: { nodes: [{ id: 7, kind: "NOPE" }] } });
    expect(status).toBe(400);
    expect(json.code).toBe("invalid_argument");
  });

  it("starts a run from a topology file, answers with the token, and stops it", async () => {
    const started = await post("StartRun", { topology: fixture("rest-chain.json") });
    expect(started.status).toBe(200);
    const { runId, token } = started.json as { runId: string; token: string };
    expect(runId).toMatch(/\S/);
    expect(token.length).toBeGreaterThanOrEqual(16);
    expect(started.json.run.state).toBe("RUN_STATE_RUNNING");

    const noToken = await post("GetRun", { runId });
    expect(noToken.json.code).toBe("unauthenticated");
    const wrongToken = await post("GetRun", { runId }, "not-the-token");
    expect(wrongToken.json.code).toBe("permission_denied");

    const sent = await post("SendMessage", { runId, nodeId: "client", count: 2 }, token);
    expect(sent.status).toBe(200);
    expect(sent.json.traceIds).toHaveLength(2);

    // Wait until the first trace has reached billing, the end of the chain.
    await expect
      .poll(async () => {
        const trace = await post("GetTrace", { runId, traceId: sent.json.traceIds[0] }, token);
        return (trace.json.spans ?? []).map((s: { nodeId: string }) => s.nodeId);
      }, { timeout: 10_000 })
      .toContain("billing");

    const run = await post("GetRun", { runId }, token);
    expect(run.json.run.nodes.map((n: { nodeId: string }) => n.nodeId).sort()).toEqual(["billing", "client", "orders"]);

    // ExportTraces: token-checked like the rest; OTLP/JSON bytes (base64 in Connect's JSON), one trace or the run's.
    expect((await post("ExportTraces", { runId })).json.code).toBe("unauthenticated");
    const one = await post("ExportTraces", { runId, traceId: sent.json.traceIds[0] }, token);
    expect(one.status).toBe(200);
    const otlp = JSON.parse(Buffer.from(one.json.otlpJson, "base64").toString("utf8"));
    const services = otlp.resourceSpans.map((r: { resource: { attributes: { key: string; value: { stringValue: string } }[] } }) => r.resource.attributes.find((a) => a.key === "service.name")?.value.stringValue);
    expect(services).toEqual(expect.arrayContaining(["client", "orders", "billing"]));
    expect(otlp.resourceSpans[0].scopeSpans[0].spans[0].traceId).toBe(sent.json.traceIds[0]);
    const all = await post("ExportTraces", { runId }, token);
    expect(all.json.traces).toBeGreaterThanOrEqual(1);
    expect((await post("ExportTraces", { runId, traceId: "0".repeat(31) + "1" }, token)).json.code).toBe("not_found");

    // Faults as curl sends them: a bad one names its field; a good one is listed in the run until cleared.
    const badFault = await post("InjectFault", { runId, edgeId: "orders-billing", kind: "FAULT_KIND_DUPLICATE" }, token);
    expect(badFault.json.code).toBe("invalid_argument");
    expect(badFault.json.message).toContain("kind: DUPLICATE is for queue and pub/sub edges; edge orders-billing is a REST edge");
    const fault = await post("InjectFault", { runId, edgeId: "orders-billing", kind: "FAULT_KIND_LATENCY", latencyMs: 50, durationMs: 60_000 }, token);
    expect(fault.status).toBe(200);
    expect(fault.json.run.faults).toEqual([
      expect.objectContaining({ fault: { edgeId: "orders-billing", kind: "FAULT_KIND_LATENCY", latencyMs: 50, durationMs: 60_000 } }),
    ]);
    const cleared = await post("ClearFault", { runId, edgeId: "orders-billing", kind: "FAULT_KIND_LATENCY" }, token);
    expect(cleared.json.run.faults ?? []).toEqual([]);

    const stopped = await post("StopRun", { runId }, token);
    expect(stopped.status).toBe(200);
    const edges = stopped.json.summary.edges as { edgeId: string; sent?: number }[];
    expect(edges.map((e) => e.edgeId).sort()).toEqual(["client-orders", "orders-billing"]);
    expect(edges.find((e) => e.edgeId === "client-orders")?.sent).toBe(2);
  });

  it("changes a running run with UpdateRun: the gate first, then what changed, one sentence each", async () => {
    const topology = fixture("rest-chain.json");
    const started = await post("StartRun", { topology });
    const { runId, token } = started.json as { runId: string; token: string };

    const invalid = await post("UpdateRun", { runId, topology: fixture("invalid.json") }, token);
    expect(invalid.json.code).toBe("invalid_argument");
    const noToken = await post("UpdateRun", { runId, topology });
    expect(noToken.json.code).toBe("unauthenticated");

    topology.nodes[2].behavior.workTime.meanMs = 80;
    topology.edges[1].rest.timeoutMs = 500;
    const updated = await post("UpdateRun", { runId, topology }, token);
    expect(updated.status).toBe(200);
    expect(updated.json.applied).toEqual(["billing: work time 40 ms → 80 ms", "edge orders-billing: timeout 2000 ms → 500 ms"]);
    expect(updated.json.restarted ?? []).toEqual([]);
    expect(updated.json.run.state).toBe("RUN_STATE_RUNNING");
    await post("StopRun", { runId }, token);
  });
});
