/**
 * A synchronous chain couples its members, as real services do: a callee's
 * failure reaches its caller (REST 502/504, Connect UNAVAILABLE /
 * DEADLINE_EXCEEDED), unless the service falls back; a Connect caller's
 * deadline travels to the callee, which gives its own calls only what is left.
 * Real processes, real sockets.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { SpanKind, SpanStatus, type Span } from "@/lib/gen/ipcplay/v1/playground_pb";
import { DownstreamFailure } from "@/lib/gen/ipcplay/v1/topology_pb";
import { createRunManager } from "./orchestrator";
import type { RunManager } from "./run-manager";
import { buildHostBundle, connectTopology, eventually, restTopology, TEST_REDIS_URL, type ServiceSpec } from "./test-support";

let manager: RunManager;

beforeAll(() => buildHostBundle());
afterEach(async () => {
  await manager?.shutdown();
});

function spansOf(runId: string, traceId: string, count: number): Promise<Span[]> {
  return eventually(() => {
    const spans = manager.getTrace(runId, traceId);
    return spans.length >= count ? spans : undefined;
  }, `${count} spans of trace ${traceId}`, 10_000);
}

const find = (spans: Span[], nodeId: string, kind: SpanKind) => spans.find((span) => span.nodeId === nodeId && span.kind === kind)!;

/** client → orders → billing over REST. */
function restChain(orders: Partial<ServiceSpec>, billing: Partial<ServiceSpec>, ordersBillingTimeoutMs = 1000) {
  return restTopology({
    services: [
      { id: "orders", ...orders },
      { id: "billing", ...billing },
    ],
    edges: [
      { id: "client-orders", source: "client", target: "orders", timeoutMs: 5_000 },
      { id: "orders-billing", source: "orders", target: "billing", timeoutMs: ordersBillingTimeoutMs },
    ],
  });
}

describe("synchronous failure propagation", () => {
  it("REST: a failing callee makes its caller answer 502, and the client's edge counts the failure", async () => {
    manager = createRunManager({ redisUrl: TEST_REDIS_URL });
    const { runId } = await manager.start(restChain({}, { errorRate: 1 }), { detach: false });
    const traceIds = await manager.sendMessage(runId, "client", 5);
    const spans = await spansOf(runId, traceIds[0], 5);
    expect(find(spans, "billing", SpanKind.SERVER).status).toBe(SpanStatus.ERROR);
    expect(find(spans, "orders", SpanKind.CLIENT).attributes["http.response.status_code"]).toBe("500");
    const orders = find(spans, "orders", SpanKind.SERVER);
    expect(orders.status).toBe(SpanStatus.ERROR);
    expect(orders.attributes["ipcplay.failure"]).toBe("downstream");
    const call = find(spans, "client", SpanKind.CLIENT);
    expect(call.status).toBe(SpanStatus.ERROR);
    expect(call.attributes["http.response.status_code"]).toBe("502");
    expect(spans.find((span) => !span.parentSpanId)?.status).toBe(SpanStatus.ERROR); // the message failed at its source
    const edges = await eventually(() => {
      const byId = new Map(manager.get(runId).edges.map((edge) => [edge.edgeId, edge]));
      return byId.get("client-orders")!.failed === 5 && byId.get("orders-billing")!.failed === 5 ? byId : undefined;
    }, "5 failures on both edges");
    expect(edges.get("client-orders")).toMatchObject({ sent: 5, failed: 5 });
  });

  it("REST: a callee that times out makes its caller answer 504", async () => {
    manager = createRunManager({ redisUrl: TEST_REDIS_URL });
    const { runId } = await manager.start(restChain({}, { workMs: 400 }, 100), { detach: false });
    const [traceId] = await manager.sendMessage(runId, "client", 1);
    const spans = await spansOf(runId, traceId, 4);
    expect(find(spans, "orders", SpanKind.CLIENT).status).toBe(SpanStatus.TIMEOUT);
    expect(find(spans, "orders", SpanKind.SERVER).attributes["ipcplay.failure"]).toBe("downstream-timeout");
    expect(find(spans, "client", SpanKind.CLIENT).attributes["http.response.status_code"]).toBe("504");
  });

  it("FALLBACK: the caller answers OK, degraded, and says so on its span", async () => {
    manager = createRunManager({ redisUrl: TEST_REDIS_URL });
    const topology = restChain({ onDownstreamFailure: DownstreamFailure.FALLBACK }, { errorRate: 1 });
    const { runId } = await manager.start(topology, { detach: false });
    const [traceId] = await manager.sendMessage(runId, "client", 1);
    const spans = await spansOf(runId, traceId, 5);
    const orders = find(spans, "orders", SpanKind.SERVER);
    expect(orders.status).toBe(SpanStatus.OK);
    expect(orders.attributes["ipcplay.degraded"]).toBe("true");
    expect(orders.attributes["ipcplay.fallback"]).toMatch(/^downstream orders-billing failed: HTTP 500/);
    expect(find(spans, "client", SpanKind.CLIENT).status).toBe(SpanStatus.OK);
  });

  it("Connect: the caller's deadline travels, so the callee's own call gives up with it, not at its own timeout", async () => {
    manager = createRunManager({ redisUrl: TEST_REDIS_URL });
    const topology = connectTopology({
      services: [{ id: "api" }, { id: "inventory", workMs: 3_000 }],
      edges: [
        { id: "client-api", source: "client", target: "api", timeoutMs: 400 },
        // Its own timeout is long; the client's 400 ms deadline is what must bound it.
        { id: "api-inventory", source: "api", target: "inventory", timeoutMs: 10_000 },
      ],
    });
    const { runId } = await manager.start(topology, { detach: false });
    const [traceId] = await manager.sendMessage(runId, "client", 1);
    const spans = await spansOf(runId, traceId, 4);
    expect(find(spans, "client", SpanKind.CLIENT).status).toBe(SpanStatus.TIMEOUT);
    const inner = find(spans, "api", SpanKind.CLIENT);
    expect(inner.status).toBe(SpanStatus.TIMEOUT);
    // Bounded by the 400 ms deadline it inherited (a busy machine adds a little), far below 3 s of work or its own 10 s.
    expect(inner.durationMs).toBeLessThan(1_500);
    expect(find(spans, "api", SpanKind.SERVER).attributes["ipcplay.failure"]).toBe("downstream-timeout");
  });
});
