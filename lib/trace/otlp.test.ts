import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { describe, expect, it } from "vitest";
import { SpanKind, SpanSchema, SpanStatus, type Span } from "@/lib/gen/ipcplay/v1/playground_pb";
import { Transport } from "@/lib/gen/ipcplay/v1/topology_pb";
import { parseTopology } from "@/lib/topology/parse";
import { toJson } from "@bufbuild/protobuf";
import { TopologySchema } from "@/lib/gen/ipcplay/v1/topology_pb";
import { hrTimeOfUnixMs, toOtlpJson, toOtlpProtobuf } from "./otlp";
import { importOtlpText } from "./otlp-import";

const TRACE = "0af7651916cd43dd8448eb211c80319c";
const T0 = 1_764_640_000_123.25;

function span(spanId: string, parentSpanId: string, nodeId: string, kind: SpanKind, transport: Transport, name: string, start: number, duration: number, attributes: Record<string, string> = {}, extra: MessageInitShape<typeof SpanSchema> = {}): Span {
  return create(SpanSchema, { traceId: TRACE, spanId: spanId.padStart(16, "0"), parentSpanId: parentSpanId ? parentSpanId.padStart(16, "0") : "", nodeId, pid: 100 + nodeId.length, kind, transport, name, startUnixMs: T0 + start, durationMs: duration, status: SpanStatus.OK, attributes, hop: 1, ...extra });
}

/** client → gw (REST) → pay (Connect) → queue → worker → pub/sub → audit. */
function run(): Span[] {
  return [
    span("1", "", "client", SpanKind.INTERNAL, Transport.UNSPECIFIED, "send", 0, 50, {}, { hop: 0 }),
    span("2", "1", "client", SpanKind.CLIENT, Transport.REST, "POST /orders", 1, 40, { "http.request.method": "POST", "url.path": "/orders", "server.address": "127.0.0.1", "server.port": "4001", "http.response.status_code": "200" }, { edgeId: "client-gw" }),
    span("3", "2", "gw", SpanKind.SERVER, Transport.REST, "POST /orders", 2, 38, { "http.request.method": "POST", "url.path": "/orders" }, { edgeId: "client-gw" }),
    span("4", "3", "gw", SpanKind.CLIENT, Transport.CONNECT, "ipcplay.sim.v1.SimService/Call", 3, 20, { "rpc.system": "grpc", "rpc.service": "ipcplay.sim.v1.SimService", "rpc.method": "Call" }, { edgeId: "gw-pay", status: SpanStatus.TIMEOUT, statusMessage: "deadline_exceeded" }),
    span("5", "4", "pay", SpanKind.SERVER, Transport.CONNECT, "ipcplay.sim.v1.SimService/Call", 4, 18, { "rpc.system": "grpc" }, { edgeId: "gw-pay" }),
    span("6", "5", "pay", SpanKind.PRODUCER, Transport.QUEUE, "publish jobs", 5, 1, { "messaging.system": "bullmq", "messaging.destination.name": "jobs", "messaging.operation.type": "send" }, { edgeId: "pay-worker" }),
    span("7", "6", "worker", SpanKind.CONSUMER, Transport.QUEUE, "process jobs", 9, 5, { "messaging.system": "bullmq", "messaging.destination.name": "jobs", "messaging.operation.type": "process" }, { edgeId: "pay-worker", links: [{ traceId: TRACE, spanId: "6".padStart(16, "0"), attributes: {} }] }),
    span("8", "7", "worker", SpanKind.PRODUCER, Transport.PUBSUB, "publish events", 10, 1, { "messaging.system": "redis", "messaging.destination.name": "events", "ipcplay.delivery": "at_most_once" }, { edgeId: "worker-audit" }),
    span("9", "8", "audit", SpanKind.CONSUMER, Transport.PUBSUB, "process events", 12, 2, { "messaging.system": "redis", "messaging.destination.name": "events", "ipcplay.delivery": "at_most_once" }, { edgeId: "worker-audit", links: [{ traceId: TRACE, spanId: "8".padStart(16, "0"), attributes: {} }] }),
  ];
}

describe("OTLP export (official serializers)", () => {
  it("writes OTLP/JSON: hex ids, integer kinds and status codes, nanosecond times as decimal strings, service.name per node", () => {
    const json = JSON.parse(new TextDecoder().decode(toOtlpJson(run())));
    const services = json.resourceSpans.map((r: { resource: { attributes: { key: string; value: { stringValue?: string } }[] } }) => r.resource.attributes.find((a) => a.key === "service.name")?.value.stringValue);
    expect(services.sort()).toEqual(["audit", "client", "gw", "pay", "worker"]);
    const spans = json.resourceSpans.flatMap((r: { scopeSpans: { spans: unknown[] }[] }) => r.scopeSpans.flatMap((s) => s.spans)) as Record<string, unknown>[];
    expect(spans).toHaveLength(9);
    const consumer = spans.find((s) => s.name === "process jobs")!;
    expect(consumer.traceId).toBe(TRACE);
    expect(consumer.spanId).toBe("0000000000000007");
    expect(consumer.parentSpanId).toBe("0000000000000006");
    expect(consumer.kind).toBe(5);
    expect(typeof consumer.startTimeUnixNano).toBe("string");
    expect(consumer.startTimeUnixNano).toMatch(/^\d{19}$/);
    expect(consumer.links).toEqual([expect.objectContaining({ traceId: TRACE, spanId: "0000000000000006" })]);
    const timedOut = spans.find((s) => s.spanId === "0000000000000004")!;
    expect(timedOut.status).toEqual({ code: 2, message: "deadline_exceeded" });
    expect(spans.find((s) => s.spanId === "0000000000000001")!.parentSpanId).toBeUndefined();
  });

  it("keeps sub-millisecond times", () => {
    expect(hrTimeOfUnixMs(1_000.000_5)).toEqual([1, 500]);
    expect(hrTimeOfUnixMs(T0)).toEqual([1_764_640_000, 123_250_000]);
  });

  it("writes OTLP/protobuf the official decoder reads", () => {
    const bytes = toOtlpProtobuf(run());
    expect(bytes.length).toBeGreaterThan(100);
    expect(ProtobufTraceSerializer.serializeRequest([])?.length ?? 0).toBeLessThan(bytes.length);
  });

  it("round-trips through import: the same spans, statuses and links, and the topology they imply", () => {
    const exported = run();
    const imported = importOtlpText(new TextDecoder().decode(toOtlpJson(exported)), "round trip");
    expect(imported.problems).toEqual([]);
    expect(imported.traceIds).toEqual([TRACE]);
    expect(imported.spans).toHaveLength(exported.length);
    for (const original of exported) {
      const back = imported.spans.find((s) => s.spanId === original.spanId)!;
      expect(back).toBeDefined();
      expect(back.nodeId).toBe(original.nodeId);
      expect(back.pid).toBe(original.pid);
      expect(back.parentSpanId).toBe(original.parentSpanId);
      expect(back.kind).toBe(original.kind);
      expect(back.status).toBe(original.status);
      expect(back.startUnixMs).toBeCloseTo(original.startUnixMs, 3);
      expect(back.durationMs).toBeCloseTo(original.durationMs, 3);
      expect(back.links.map((l) => l.spanId)).toEqual(original.links.map((l) => l.spanId));
    }
    const edges = imported.topology.edges.map((e) => `${e.source}>${e.target}:${Transport[e.transport]}`).sort();
    expect(edges).toEqual(["client>gw:REST", "gw>pay:CONNECT", "pay>worker:QUEUE", "worker>audit:PUBSUB"]);
    const parsed = parseTopology(toJson(TopologySchema, imported.topology));
    expect(parsed.problems).toEqual([]);
  });
});
