import { toJson } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { SpanKind, SpanStatus } from "@/lib/gen/ipcplay/v1/playground_pb";
import { NodeKind, TopologySchema, Transport } from "@/lib/gen/ipcplay/v1/topology_pb";
import { parseTopology } from "@/lib/topology/parse";
import { importOtlp, importOtlpText } from "./otlp-import";

const TRACE = "5b8efff798038103d269b633813fc60c";
const T0 = 1_764_600_000_000_000_000n; // ns

type Attr = Record<string, string | number>;
const attrs = (a: Attr) => Object.entries(a).map(([key, v]) => ({ key, value: typeof v === "number" ? { intValue: String(v) } : { stringValue: v } }));

function span(id: string, parent: string, name: string, kind: number, startMs: number, durMs: number, a: Attr = {}, extra: object = {}) {
  return {
    traceId: TRACE,
    spanId: id.padStart(16, "0"),
    parentSpanId: parent ? parent.padStart(16, "0") : "",
    name,
    kind,
    startTimeUnixNano: String(T0 + BigInt(startMs * 1e6)),
    endTimeUnixNano: String(T0 + BigInt((startMs + durMs) * 1e6)),
    attributes: attrs(a),
    status: {},
    ...extra,
  };
}

function service(name: string, spans: object[]) {
  return { resource: { attributes: attrs({ "service.name": name }) }, scopeSpans: [{ scope: { name: "test" }, spans }] };
}

/** web → orders (HTTP) → pricing (gRPC); orders → billing (BullMQ queue, link + parent); billing → audit (Redis pub/sub, link only). */
function recorded() {
  return {
    resourceSpans: [
      service("web", [
        span("1", "", "checkout", 1, 0, 40),
        span("2", "1", "POST /orders", 3, 1, 30, { "http.request.method": "POST", "url.path": "/orders", "http.response.status_code": 200 }),
      ]),
      service("Orders API", [
        span("3", "2", "POST /orders", 2, 2, 26, { "http.request.method": "POST", "url.path": "/orders" }),
        span("4", "3", "Call", 3, 5, 10, { "rpc.system": "grpc", "rpc.service": "sim.Pricing", "rpc.method": "Call", "rpc.grpc.status_code": 4 }, { status: { code: 2, message: "deadline exceeded" } }),
        span("5", "3", "send billing", 4, 16, 2, { "messaging.system": "bullmq", "messaging.destination.name": "billing", "messaging.operation.type": "send" }),
      ]),
      service("pricing", [span("6", "4", "Call", 2, 6, 8, { "rpc.system": "grpc" })]),
      service("billing", [
        span("7", "5", "process billing", 5, 30, 12, { "messaging.system": "bullmq", "messaging.destination.name": "billing" }, { links: [{ traceId: TRACE, spanId: "5".padStart(16, "0") }] }),
        span("8", "7", "publish events", 4, 35, 1, { "messaging.system": "redis", "messaging.destination.name": "events" }),
      ]),
      service("audit", [
        span("9", "", "process events", 5, 37, 3, { "messaging.system": "redis", "messaging.destination.name": "events" }, { links: [{ traceId: TRACE, spanId: "8".padStart(16, "0") }] }),
      ]),
    ],
  };
}

describe("importOtlp", () => {
  it("infers the services and edges, with each edge's transport read from the semantic conventions", () => {
    const { topology, problems, traceIds } = importOtlp(recorded());
    expect(problems).toEqual([]);
    expect(traceIds).toEqual([TRACE]);
    expect(topology.nodes.map((n) => [n.id, n.label, n.kind])).toEqual([
      ["web", "web", NodeKind.CLIENT],
      ["orders-api", "Orders API", NodeKind.SERVICE],
      ["pricing", "pricing", NodeKind.SERVICE],
      ["billing", "billing", NodeKind.SERVICE],
      ["audit", "audit", NodeKind.SERVICE],
    ]);
    expect(topology.edges.map((e) => [e.id, e.source, e.target, e.transport])).toEqual([
      ["web-orders-api", "web", "orders-api", Transport.REST],
      ["orders-api-pricing", "orders-api", "pricing", Transport.CONNECT],
      ["orders-api-billing", "orders-api", "billing", Transport.QUEUE],
      ["billing-audit", "billing", "audit", Transport.PUBSUB],
    ]);
    const [rest, , queue, pubsub] = topology.edges;
    expect(rest.settings).toMatchObject({ case: "rest", value: { method: "POST", path: "/orders" } });
    expect(queue.settings).toMatchObject({ case: "queue", value: { channel: "billing" } });
    expect(pubsub.settings).toMatchObject({ case: "pubsub", value: { channel: "events" } });
    // A service's work is its handling spans' median self time (orders: 26 ms less its 10 + 2 ms of calls).
    expect(topology.nodes.find((n) => n.id === "orders-api")!.behavior!.workTime!.meanMs).toBe(14);
    // Laid out left to right, client first.
    const x = (id: string) => topology.nodes.find((n) => n.id === id)!.position!.x;
    expect(x("web")).toBeLessThan(x("orders-api"));
    expect(x("orders-api")).toBeLessThan(x("billing"));
  });

  it("passes the same gate as a drawn topology", () => {
    const { topology } = importOtlp(recorded());
    expect(parseTopology(toJson(TopologySchema, topology)).problems).toEqual([]);
  });

  it("turns each span into the playground's, on its inferred node and edge, with failures named", () => {
    const { spans } = importOtlp(recorded());
    expect(spans).toHaveLength(9);
    const byId = new Map(spans.map((s) => [s.spanId.replace(/^0+/, ""), s]));
    expect(byId.get("2")).toMatchObject({ nodeId: "web", edgeId: "web-orders-api", kind: SpanKind.CLIENT, transport: Transport.REST, status: SpanStatus.OK });
    expect(byId.get("2")!.durationMs).toBeCloseTo(30, 6);
    expect(byId.get("2")!.startUnixMs).toBeCloseTo(Number(T0 / 1_000_000n) + 1, 3);
    expect(byId.get("4")).toMatchObject({ edgeId: "orders-api-pricing", status: SpanStatus.TIMEOUT, statusMessage: "deadline exceeded" });
    expect(byId.get("9")).toMatchObject({ nodeId: "audit", edgeId: "billing-audit", kind: SpanKind.CONSUMER });
    expect(byId.get("1")).toMatchObject({ edgeId: "", kind: SpanKind.INTERNAL });
  });

  it("reads base64 ids and enum names as protobuf JSON writes them", () => {
    const file = recorded();
    const first = file.resourceSpans[0].scopeSpans[0].spans[0] as Record<string, unknown>;
    first.traceId = Buffer.from(TRACE, "hex").toString("base64");
    first.kind = "SPAN_KIND_INTERNAL";
    const { spans, problems } = importOtlp(file);
    expect(problems).toEqual([]);
    expect(spans[0]).toMatchObject({ traceId: TRACE, kind: SpanKind.INTERNAL });
  });

  it("lists every broken span with its path and keeps the whole ones", () => {
    const file = recorded();
    const spansOfWeb = file.resourceSpans[0].scopeSpans[0].spans as Record<string, unknown>[];
    spansOfWeb[0].traceId = "xyz";
    spansOfWeb[1].endTimeUnixNano = "12";
    delete spansOfWeb[1].spanId;
    const { spans, problems } = importOtlp(file);
    expect(problems).toEqual([
      { path: "resourceSpans[0].scopeSpans[0].spans[0].traceId", message: "not 32 hex digits" },
      { path: "resourceSpans[0].scopeSpans[0].spans[1].spanId", message: "missing" },
      { path: "resourceSpans[0].scopeSpans[0].spans[1].endTimeUnixNano", message: "before the span's start" },
    ]);
    expect(spans).toHaveLength(7);
  });

  it("says plainly what a file that is not OTLP is", () => {
    expect(importOtlpText("{nope").problems[0].message).toMatch(/^not JSON: /);
    expect(importOtlp({ traces: [] }).problems).toEqual([{ path: "resourceSpans", message: "missing: an OTLP/JSON trace file is an object with a resourceSpans list" }]);
    expect(importOtlp({ resourceSpans: [] }).problems).toEqual([{ path: "resourceSpans", message: "no spans in the file" }]);
  });
});
