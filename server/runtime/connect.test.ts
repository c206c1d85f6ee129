/**
 * CONNECT edges end to end: real host processes serving ipcplay.v1.SimService
 * over h2c, called in Connect, gRPC and gRPC-web by each other and by a stock
 * gRPC client that knows only the .proto. Real Redis (the runtime needs it).
 */
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { create } from "@bufbuild/protobuf";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { NodeStatus, SpanKind, SpanStatus, type Span } from "@/lib/gen/ipcplay/v1/playground_pb";
import { FaultKind } from "@/lib/gen/ipcplay/v1/topology_pb";
import { ConnectProtocol, EdgeSchema, Transport, type Topology } from "@/lib/gen/ipcplay/v1/topology_pb";
import { formatTraceparent, newSpanId, newTraceId } from "@/server/trace/trace-context";
import { createRunManager } from "./orchestrator";
import type { RunManager } from "./run-manager";
import {
  buildHostBundle,
  connectOutcome,
  connectTopology,
  eventually,
  processGone,
  restTopology,
  TEST_REDIS_URL,
  type ServiceSpec,
} from "./test-support";

let manager: RunManager;
/** Tests that time a stop give hosts this long before SIGKILL, so "exited by itself" and "was killed" are far apart. */
const LONG_GRACE_MS = 6_000;
const STOPPED_BY_ITSELF_MS = 3_000;

beforeAll(() => buildHostBundle());

afterEach(async () => {
  await manager?.shutdown();
});


/** Waits until the trace's spans satisfy `complete` and returns them. */
function spansWhere(runId: string, traceId: string, complete: (spans: Span[]) => boolean, what: string): Promise<Span[]> {
  return eventually(() => {
    const spans = manager.getTrace(runId, traceId);
    return complete(spans) ? spans : undefined;
  }, what);
}

const spansOf = (runId: string, traceId: string, count: number) =>
  spansWhere(runId, traceId, (spans) => spans.length >= count, `${count} spans of trace ${traceId}`);

const find = (spans: Span[], nodeId: string, kind: SpanKind) => spans.find((span) => span.nodeId === nodeId && span.kind === kind)!;

describe("CONNECT edges", () => {
  it("carries one trace over Connect, gRPC and gRPC-web, and the hosts close their HTTP/2 listeners on stop", async () => {
    manager = createRunManager({ redisUrl: TEST_REDIS_URL, limits: { shutdownGraceMs: LONG_GRACE_MS } });
    const topology = connectTopology({
      services: [{ id: "api", workMs: 2 }, { id: "inventory", workMs: 2 }, { id: "pricing", workMs: 20 }],
      edges: [
        { id: "client-api", source: "client", target: "api", protocol: ConnectProtocol.CONNECT },
        { id: "api-inventory", source: "api", target: "inventory", protocol: ConnectProtocol.GRPC },
        { id: "inventory-pricing", source: "inventory", target: "pricing", protocol: ConnectProtocol.GRPC_WEB },
      ],
    });
    const { runId } = await manager.start(topology, { detach: false });
    const nodes = new Map(manager.get(runId).nodes.map((node) => [node.nodeId, node]));
    for (const id of ["api", "inventory", "pricing"]) expect(nodes.get(id)!.connectPort, `${id}'s connect port`).toBeGreaterThan(0);

    const [traceId] = await manager.sendMessage(runId, "client", 1);
    // client: send + CLIENT; api, inventory: SERVER + CLIENT; pricing: SERVER.
    const spans = await spansOf(runId, traceId, 7);
    expect(spans).toHaveLength(7);
    expect(new Set(spans.map((span) => span.traceId))).toEqual(new Set([traceId]));
    for (const span of spans) expect(span.pid, `pid of ${span.nodeId}'s span`).toBe(nodes.get(span.nodeId)!.pid);
    expect(spans.every((span) => span.status === SpanStatus.OK)).toBe(true);

    const hops = [
      { caller: "client", callee: "api", system: "connect_rpc", protocol: "connect", name: "Call (Connect)" },
      { caller: "api", callee: "inventory", system: "grpc", protocol: "grpc", name: "Call (gRPC)" },
      { caller: "inventory", callee: "pricing", system: "grpc_web", protocol: "grpc-web", name: "Call (gRPC-web)" },
    ];
    for (const [index, hop] of hops.entries()) {
      const call = find(spans, hop.caller, SpanKind.CLIENT);
      const served = find(spans, hop.callee, SpanKind.SERVER);
      expect(call.name).toBe(hop.name);
      expect(call.attributes).toMatchObject({
        "rpc.system": hop.system,
        "rpc.service": "ipcplay.v1.SimService",
        "rpc.method": "Call",
        "server.port": String(nodes.get(hop.callee)!.connectPort),
        "ipcplay.protocol": hop.protocol,
      });
      expect(served.parentSpanId, `${hop.callee}'s SERVER span is a child of ${hop.caller}'s call`).toBe(call.spanId);
      expect(served.name).toBe("ipcplay.v1.SimService/Call");
      expect(served.hop).toBe(index + 1);
      expect(served.attributes).toMatchObject({
        "rpc.system": hop.system,
        "rpc.service": "ipcplay.v1.SimService",
        "rpc.method": "Call",
        "network.protocol.version": "2",
        "ipcplay.edge": `${hop.caller}-${hop.callee}`,
      });
    }
    expect(find(spans, "api", SpanKind.CLIENT).attributes["rpc.grpc.status_code"]).toBe("0");
    expect(find(spans, "client", SpanKind.CLIENT).attributes["rpc.connect_rpc.error_code"]).toBeUndefined();

    const started = performance.now();
    await manager.stop(runId);
    // Far under the grace before SIGKILL: no HTTP/2 session kept a host waiting.
    expect(performance.now() - started).toBeLessThan(STOPPED_BY_ITSELF_MS);
    for (const node of nodes.values()) expect(processGone(node.pid), `${node.nodeId} gone`).toBe(true);
    for (const id of ["api", "inventory", "pricing"]) expect(await connectOutcome(nodes.get(id)!.connectPort)).toBe("ECONNREFUSED");
  });

  it("ends a call past its deadline with TIMEOUT deadline_exceeded (retried), and a service error with ERROR internal (not retried)", async () => {
    manager = createRunManager({ redisUrl: TEST_REDIS_URL });
    const topology = connectTopology({
      services: [{ id: "slow", workMs: 500 }, { id: "broken", errorRate: 1 }],
      edges: [
        { id: "client-slow", source: "client", target: "slow", protocol: ConnectProtocol.GRPC, timeoutMs: 200, retries: 1 },
        { id: "client-broken", source: "client", target: "broken", protocol: ConnectProtocol.CONNECT, retries: 2 },
      ],
    });
    const { runId } = await manager.start(topology, { detach: false });
    const [traceId] = await manager.sendMessage(runId, "client", 1);
    const spans = await spansWhere(
      runId,
      traceId,
      (all) => all.filter((span) => span.nodeId === "client").length === 3 && all.some((span) => span.nodeId === "broken"),
      "the client's two calls and broken's span",
    );

    const late = spans.find((span) => span.edgeId === "client-slow" && span.kind === SpanKind.CLIENT)!;
    expect(late.status).toBe(SpanStatus.TIMEOUT);
    expect(late.statusMessage).toBe("deadline_exceeded");
    expect(late.attempt).toBe(2);
    expect(late.attributes["rpc.grpc.status_code"]).toBe("4");
    // Two deadlines of 200 ms; waiting for the 500 ms of work twice would take 1 s.
    expect(late.durationMs).toBeGreaterThanOrEqual(400);
    expect(late.durationMs).toBeLessThan(800);

    const failed = spans.find((span) => span.edgeId === "client-broken" && span.kind === SpanKind.CLIENT)!;
    expect(failed.status).toBe(SpanStatus.ERROR);
    expect(failed.statusMessage).toBe("internal");
    expect(failed.attempt).toBe(1);
    expect(failed.attributes["rpc.connect_rpc.error_code"]).toBe("internal");
    expect(failed.attributes["ipcplay.error_detail"]).toMatch(/service error/);
    expect(find(spans, "broken", SpanKind.SERVER)).toMatchObject({ status: SpanStatus.ERROR, parentSpanId: failed.spanId });

    const edges = await eventually(() => {
      const all = new Map(manager.get(runId).edges.map((edge) => [edge.edgeId, edge]));
      return all.get("client-slow")!.failed >= 1 && all.get("client-broken")!.failed >= 1 ? all : undefined;
    }, "counters of both edges");
    // The caller counts each call's end, named: its own deadline, or the service's error reply.
    expect(edges.get("client-slow")).toMatchObject({ sent: 1, delivered: 0, failed: 1, retries: 1, inFlight: 0, failedBy: [{ outcome: "timed out", count: 1 }] });
    expect(edges.get("client-broken")).toMatchObject({ sent: 1, delivered: 0, failed: 1, retries: 0, inFlight: 0, failedBy: [{ outcome: "error reply", count: 1 }] });
  });

  it("records UNAVAILABLE while the callee is killed and reaches it on its new port after ClearFault", async () => {
    manager = createRunManager({ redisUrl: TEST_REDIS_URL });
    const topology = connectTopology({
      services: [{ id: "api" }, { id: "inventory" }],
      edges: [
        { id: "client-api", source: "client", target: "api" },
        { id: "api-inventory", source: "api", target: "inventory", protocol: ConnectProtocol.GRPC, retries: 1 },
      ],
    });
    const { runId } = await manager.start(topology, { detach: false });
    const before = manager.get(runId).nodes.find((node) => node.nodeId === "inventory")!;
    // Warm the caller's HTTP/2 session, so the kill also has to break an open one.
    const [warm] = await manager.sendMessage(runId, "client", 1);
    expect((await spansOf(runId, warm, 5)).every((span) => span.status === SpanStatus.OK)).toBe(true);

    await manager.injectFault(runId, { nodeId: "inventory", kind: FaultKind.KILL });
    const [traceId] = await manager.sendMessage(runId, "client", 1);
    const spans = await spansOf(runId, traceId, 4);
    const call = find(spans, "api", SpanKind.CLIENT);
    expect(call.status).toBe(SpanStatus.UNAVAILABLE);
    expect(call.statusMessage).toBe("unavailable");
    expect(call.attempt).toBe(2);
    expect(call.attributes["rpc.grpc.status_code"]).toBe("14");
    // The failure reaches the caller, as gRPC services pass it on: api answers UNAVAILABLE.
    const server = find(spans, "api", SpanKind.SERVER);
    expect(server.status).toBe(SpanStatus.ERROR);
    expect(server.attributes["ipcplay.failure"]).toBe("downstream");
    const clientCall = find(spans, "client", SpanKind.CLIENT);
    expect(clientCall.status).toBe(SpanStatus.UNAVAILABLE);
    expect(clientCall.attributes["rpc.connect_rpc.error_code"]).toBe("unavailable");

    const back = (await manager.clearFault(runId, { nodeId: "inventory" })).nodes.find((node) => node.nodeId === "inventory")!;
    expect(back.status).toBe(NodeStatus.UP);
    expect(back.pid).not.toBe(before.pid);
    const [again] = await manager.sendMessage(runId, "client", 1);
    const healed = await spansOf(runId, again, 5);
    expect(healed.every((span) => span.status === SpanStatus.OK)).toBe(true);
    expect(find(healed, "inventory", SpanKind.SERVER).pid).toBe(back.pid);
    expect(find(healed, "api", SpanKind.CLIENT).attributes["server.port"]).toBe(String(back.connectPort));
    await eventually(() => (manager.get(runId).edges.find((e) => e.edgeId === "api-inventory")!.failed >= 1 ? true : undefined), "failed count");
  });

  it("answers a stock gRPC client that knows only sim.proto, records its call in the trace it sent, and does not wait for its connection on stop", async () => {
    manager = createRunManager({ redisUrl: TEST_REDIS_URL, limits: { shutdownGraceMs: LONG_GRACE_MS } });
    const topology = connectTopology({ services: [{ id: "api" }], edges: [{ id: "client-api", source: "client", target: "api" }] });
    const { runId } = await manager.start(topology, { detach: false });
    const api = manager.get(runId).nodes.find((node) => node.nodeId === "api")!;

    const definition = await protoLoader.load("ipcplay/v1/sim.proto", { includeDirs: [path.resolve(import.meta.dirname, "../../proto")] });
    const loaded = grpc.loadPackageDefinition(definition) as unknown as {
      ipcplay: { v1: { SimService: grpc.ServiceClientConstructor } };
    };
    const client = new loaded.ipcplay.v1.SimService(`127.0.0.1:${api.connectPort}`, grpc.credentials.createInsecure());
    const traceId = newTraceId();
    const parentSpanId = newSpanId();
    const metadata = new grpc.Metadata();
    metadata.set("traceparent", formatTraceparent({ traceId, parentSpanId, sampled: true }));
    try {
      const reply = await new Promise<unknown>((resolve, reject) => {
        client.Call({ payload: "from grpc-js" }, metadata, (error: grpc.ServiceError | null, response: unknown) =>
          error ? reject(error) : resolve(response),
        );
      });
      expect(reply).toMatchObject({ nodeId: "api", pid: api.pid });

      const [served] = await spansOf(runId, traceId, 1);
      expect(served).toMatchObject({ nodeId: "api", pid: api.pid, kind: SpanKind.SERVER, parentSpanId, edgeId: "", hop: 0 });
      expect(served.name).toBe("ipcplay.v1.SimService/Call");
      expect(served.attributes["rpc.system"]).toBe("grpc");
      expect(served.attributes["server.port"]).toBe(String(api.connectPort));

      // The outside client still holds its HTTP/2 connection: the host must cut it, not wait for it.
      const started = performance.now();
      await manager.stop(runId);
      expect(performance.now() - started).toBeLessThan(STOPPED_BY_ITSELF_MS);
      expect(processGone(api.pid)).toBe(true);
    } finally {
      client.close();
    }
  });
});
