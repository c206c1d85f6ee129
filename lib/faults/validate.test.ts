import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { FaultKind, NodeKind, TopologySchema, Transport } from "@/lib/gen/ipcplay/v1/topology_pb";
import { validateFault } from "./validate";

const topology = create(TopologySchema, {
  nodes: [
    { id: "client", kind: NodeKind.CLIENT },
    { id: "api", kind: NodeKind.SERVICE },
    { id: "worker", kind: NodeKind.SERVICE },
  ],
  edges: [
    { id: "r", source: "client", target: "api", transport: Transport.REST },
    { id: "c", source: "client", target: "api", transport: Transport.CONNECT },
    { id: "q", source: "api", target: "worker", transport: Transport.QUEUE },
    { id: "p", source: "api", target: "worker", transport: Transport.PUBSUB },
  ],
});

function refusal(request: Parameters<typeof validateFault>[1]) {
  const check = validateFault(topology, request);
  if (check.ok) throw new Error(`expected a refusal of ${JSON.stringify(request)}`);
  return check;
}

describe("validateFault", () => {
  it("fills defaults: HTTP 503 on REST, gRPC 14 on Connect, DUPLICATE on every message, crash loop every 3 s", () => {
    expect(validateFault(topology, { edgeId: "r", kind: FaultKind.ERRORS, errorRate: 0.5 })).toMatchObject({ ok: true, fault: { statusCode: 503, errorRate: 0.5 } });
    expect(validateFault(topology, { edgeId: "c", kind: FaultKind.ERRORS, errorRate: 0.5 })).toMatchObject({ ok: true, fault: { statusCode: 14 } });
    expect(validateFault(topology, { edgeId: "q", kind: FaultKind.DUPLICATE })).toMatchObject({ ok: true, fault: { errorRate: 1 } });
    expect(validateFault(topology, { nodeId: "api", kind: FaultKind.CRASH_LOOP })).toMatchObject({ ok: true, fault: { intervalMs: 3000, nodeId: "api" } });
    expect(validateFault(topology, { edgeId: "r", kind: FaultKind.LATENCY, latencyMs: 300, jitterMs: 20, durationMs: 1000 })).toEqual({
      ok: true,
      fault: { kind: FaultKind.LATENCY, edgeId: "r", latencyMs: 300, jitterMs: 20, errorRate: 0, statusCode: 0, bandwidthKbps: 0, durationMs: 1000, intervalMs: 0 },
    });
  });

  it("names the field and why for kinds that do not fit the target", () => {
    expect(refusal({ edgeId: "q", kind: FaultKind.BLACKHOLE })).toEqual({
      ok: false,
      code: "invalid_argument",
      message: "kind: BLACKHOLE is for REST and Connect edges; edge q is a queue edge.",
    });
    expect(refusal({ edgeId: "r", kind: FaultKind.DUPLICATE }).message).toMatch(/^kind: DUPLICATE is for queue and pub\/sub edges; edge r is a REST edge/);
    expect(refusal({ edgeId: "r", kind: FaultKind.KILL }).message).toMatch(/^kind: KILL is for nodes/);
    expect(refusal({ nodeId: "api", kind: FaultKind.RESET }).message).toMatch(/^kind: RESET is for REST and Connect edges; node api/);
    expect(refusal({ nodeId: "api" }).message).toMatch(/^kind:/);
    expect(refusal({ nodeId: "client", kind: FaultKind.LATENCY, latencyMs: 5 }).message).toMatch(/^kind: LATENCY on a node acts on a service's work; node client is a client/);
    expect(validateFault(topology, { nodeId: "client", kind: FaultKind.KILL }).ok).toBe(true);
  });

  it("refuses out-of-range values, naming the field", () => {
    expect(refusal({ edgeId: "r", kind: FaultKind.LATENCY }).message).toMatch(/^latency_ms:/);
    expect(refusal({ edgeId: "r", kind: FaultKind.LATENCY, latencyMs: 60_001 }).message).toMatch(/^latency_ms:/);
    expect(refusal({ edgeId: "r", kind: FaultKind.LATENCY, latencyMs: 10, jitterMs: 11 }).message).toMatch(/^jitter_ms:/);
    expect(refusal({ edgeId: "r", kind: FaultKind.ERRORS }).message).toMatch(/^error_rate:/);
    expect(refusal({ edgeId: "r", kind: FaultKind.ERRORS, errorRate: 1.5 }).message).toMatch(/^error_rate:/);
    expect(refusal({ edgeId: "r", kind: FaultKind.ERRORS, errorRate: 0.5, statusCode: 200 }).message).toMatch(/^status_code:/);
    expect(refusal({ edgeId: "c", kind: FaultKind.ERRORS, errorRate: 0.5, statusCode: 17 }).message).toMatch(/^status_code:/);
    expect(refusal({ edgeId: "q", kind: FaultKind.ERRORS, errorRate: 0.5, statusCode: 503 }).message).toMatch(/^status_code:/);
    expect(refusal({ edgeId: "r", kind: FaultKind.BANDWIDTH }).message).toMatch(/^bandwidth_kbps:/);
    expect(refusal({ nodeId: "api", kind: FaultKind.CRASH_LOOP, intervalMs: 100 }).message).toMatch(/^interval_ms:/);
    expect(refusal({ nodeId: "api", edgeId: "r", kind: FaultKind.KILL }).message).toMatch(/^node_id, edge_id:/);
    expect(refusal({ kind: FaultKind.KILL }).message).toMatch(/^node_id, edge_id:/);
  });

  it("answers not_found for an unknown node or edge", () => {
    expect(refusal({ nodeId: "nope", kind: FaultKind.KILL })).toMatchObject({ code: "not_found", message: expect.stringMatching(/^node_id:/) });
    expect(refusal({ edgeId: "nope", kind: FaultKind.LATENCY, latencyMs: 5 })).toMatchObject({ code: "not_found", message: expect.stringMatching(/^edge_id:/) });
  });
});
