/**
 * The OTLP push end to end: a real OTLP/HTTP receiver on a loopback port (this
 * file's, decoding with the official opentelemetry-proto definitions in
 * ./testdata/otlp-proto, or as OTLP/JSON), a run of all four transports
 * (client →REST→ gw →gRPC→ pay →queue→ worker →pub/sub→ audit) with
 * OTEL_EXPORTER_OTLP_ENDPOINT pointing at it; and a collector that never
 * answers, which must neither slow nor break a run, its drops counted.
 */
import http from "node:http";
import path from "node:path";
import type { AddressInfo } from "node:net";
import protobuf from "protobufjs";
import { create } from "@bufbuild/protobuf";
import { afterEach, describe, expect, it } from "vitest";
import { ConnectProtocol, Delivery, EdgeSchema, Transport } from "@/lib/gen/ipcplay/v1/topology_pb";
import { POLL, pubsubEdge, queueEdge, restEdge, runHarness, topologyOf } from "@/server/runtime/transport-harness";
import { otlpPushConfigFromEnv } from "./otlp-push";

const run = runHarness();

const ENV_KEYS = ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_TIMEOUT", "OTEL_EXPORTER_OTLP_HEADERS", "OTEL_BSP_SCHEDULE_DELAY", "OTEL_BSP_MAX_QUEUE_SIZE", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE"];
const saved = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));
const servers: http.Server[] = [];

afterEach(async () => {
  for (const key of ENV_KEYS) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

// ---- the receiver -------------------------------------------------------------

interface ReceivedSpan {
  service: string;
  pid: number;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  startNanos: bigint;
  attributes: Record<string, string>;
  links: { traceId: string; spanId: string }[];
  status: number;
}

interface Received {
  spans: ReceivedSpan[];
  contentTypes: Set<string>;
  headers: http.IncomingHttpHeaders[];
}

let requestType: protobuf.Type | undefined;
function exportTraceServiceRequest(): protobuf.Type {
  if (!requestType) {
    const root = new protobuf.Root();
    const dir = path.join(import.meta.dirname, "testdata", "otlp-proto");
    root.resolvePath = (_origin, target) => path.join(dir, target);
    root.loadSync("opentelemetry/proto/collector/trace/v1/trace_service.proto", { keepCase: false });
    requestType = root.lookupType("opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest");
  }
  return requestType;
}

type AnyValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
type KeyValue = { key: string; value?: AnyValue };
const valueOf = (value: AnyValue | undefined) => String(value?.stringValue ?? value?.intValue ?? value?.boolValue ?? value?.doubleValue ?? "");
const attributeMap = (list: KeyValue[] | undefined) => Object.fromEntries((list ?? []).map((kv) => [kv.key, valueOf(kv.value)]));

/** OTLP/protobuf (bytes ids) and OTLP/JSON (hex ids) as one shape. */
function spansOfRequest(request: { resourceSpans?: { resource?: { attributes?: KeyValue[] }; scopeSpans?: { spans?: Record<string, unknown>[] }[] }[] }, hexIds: boolean): ReceivedSpan[] {
  const id = (value: unknown) => (hexIds ? String(value ?? "") : Buffer.from((value as Uint8Array | undefined) ?? []).toString("hex"));
  return (request.resourceSpans ?? []).flatMap((resourceSpans) => {
    const resource = attributeMap(resourceSpans.resource?.attributes);
    return (resourceSpans.scopeSpans ?? []).flatMap((scope) =>
      (scope.spans ?? []).map((span) => ({
        service: resource["service.name"],
        pid: Number(resource["process.pid"]),
        traceId: id(span.traceId),
        spanId: id(span.spanId),
        parentSpanId: id(span.parentSpanId),
        name: String(span.name),
        kind: Number(span.kind),
        startNanos: BigInt(String(span.startTimeUnixNano)),
        attributes: attributeMap(span.attributes as KeyValue[]),
        links: ((span.links as { traceId: unknown; spanId: unknown }[] | undefined) ?? []).map((link) => ({ traceId: id(link.traceId), spanId: id(link.spanId) })),
        status: Number((span.status as { code?: number } | undefined)?.code ?? 0),
      })),
    );
  });
}

/** An OTLP/HTTP receiver on a loopback port: POST /v1/traces, protobuf or JSON. */
async function startReceiver(): Promise<{ url: string; received: Received }> {
  const received: Received = { spans: [], contentTypes: new Set(), headers: [] };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks);
      const type = String(request.headers["content-type"] ?? "");
      received.contentTypes.add(type);
      received.headers.push(request.headers);
      if (request.url !== "/v1/traces") {
        response.writeHead(404).end();
        return;
      }
      if (type.startsWith("application/x-protobuf")) {
        const decoded = exportTraceServiceRequest().toObject(exportTraceServiceRequest().decode(body), { longs: String, enums: Number, bytes: Array });
        received.spans.push(...spansOfRequest(decoded, false));
        response.writeHead(200, { "content-type": "application/x-protobuf" }).end();
      } else {
        received.spans.push(...spansOfRequest(JSON.parse(body.toString("utf8")), true));
        response.writeHead(200, { "content-type": "application/json" }).end("{}");
      }
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

// ---- the run ----------------------------------------------------------------

/** client →REST→ gw →gRPC→ pay →queue "jobs"→ worker →pub/sub "events"→ audit. */
function fourTransports() {
  return topologyOf(
    [{ id: "gw" }, { id: "pay" }, { id: "worker" }, { id: "audit" }],
    [
      restEdge("client-gw", "client", "gw"),
      create(EdgeSchema, { id: "gw-pay", source: "gw", target: "pay", transport: Transport.CONNECT, settings: { case: "connect", value: { protocol: ConnectProtocol.GRPC, timeoutMs: 2000, retries: 0 } } }),
      queueEdge("pay-worker", "pay", "worker", "jobs"),
      pubsubEdge("worker-audit", "worker", "audit", "events", Delivery.DURABLE),
    ],
  );
}

const SPANS_PER_MESSAGE = 9;
const KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 };

describe("OTLP push", () => {
  it("reads the standard environment", () => {
    expect(otlpPushConfigFromEnv({})).toBeUndefined();
    expect(otlpPushConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318/" })).toMatchObject({ endpoint: "http://c:4318/v1/traces", protocol: "http/protobuf" });
    expect(otlpPushConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://t:1/x", OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" })).toMatchObject({ endpoint: "http://t:1/x", protocol: "http/json" });
    expect(otlpPushConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "grpc" })).toMatchObject({ protocol: "http/protobuf", notice: expect.stringContaining("grpc") });
  });

  it.each(["http/protobuf", "http/json"])("sends every sampled span over OTLP/HTTP (%s): one trace per message across the four transports, kinds, attributes, links, service.name", async (protocol) => {
    const { url, received } = await startReceiver();
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = url;
    process.env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL = protocol;
    process.env.OTEL_EXPORTER_OTLP_HEADERS = "x-test-tenant=playground";
    process.env.OTEL_BSP_SCHEDULE_DELAY = "100";
    const runId = await run.start(fourTransports());
    const traceIds = await run.manager.sendMessage(runId, "client", 4);
    expect(new Set(traceIds).size).toBe(4);

    const byTrace = (traceId: string) => received.spans.filter((span) => span.traceId === traceId);
    await expect.poll(() => traceIds.every((traceId) => byTrace(traceId).length >= SPANS_PER_MESSAGE), POLL).toBe(true);
    expect(received.contentTypes).toEqual(new Set([protocol === "http/json" ? "application/json" : "application/x-protobuf"]));
    expect(received.headers[0]["x-test-tenant"]).toBe("playground");
    // Every span pushed belongs to one of the messages sent (no stray traces).
    expect(new Set(received.spans.map((span) => span.traceId))).toEqual(new Set(traceIds));

    for (const traceId of traceIds) {
      const spans = byTrace(traceId);
      expect(spans).toHaveLength(SPANS_PER_MESSAGE);
      const one = (service: string, kind: number) => {
        const found = spans.filter((span) => span.service === service && span.kind === kind);
        expect(found, `${service} kind ${kind}`).toHaveLength(1);
        return found[0];
      };
      const root = one("client", KIND.INTERNAL);
      expect(root.parentSpanId).toBe("");
      const restClient = one("client", KIND.CLIENT);
      expect(restClient.attributes).toMatchObject({ "http.request.method": "POST", "url.path": "/gw", "server.address": "127.0.0.1", "http.response.status_code": "200" });
      expect(Number(restClient.attributes["server.port"])).toBeGreaterThan(0);
      const restServer = one("gw", KIND.SERVER);
      expect(restServer.parentSpanId).toBe(restClient.spanId);
      expect(restServer.attributes).toMatchObject({ "http.request.method": "POST", "url.path": "/gw", "http.response.status_code": "200" });
      const rpcClient = one("gw", KIND.CLIENT);
      expect(rpcClient.attributes).toMatchObject({ "rpc.system": "grpc", "rpc.service": "ipcplay.v1.SimService", "rpc.grpc.status_code": "0" });
      expect(rpcClient.attributes["rpc.method"]).toBeTruthy();
      const rpcServer = one("pay", KIND.SERVER);
      expect(rpcServer.parentSpanId).toBe(rpcClient.spanId);
      expect(rpcServer.attributes).toMatchObject({ "rpc.system": "grpc", "rpc.service": "ipcplay.v1.SimService", "rpc.grpc.status_code": "0" });
      const producer = one("pay", KIND.PRODUCER);
      expect(producer.attributes).toMatchObject({ "messaging.system": "bullmq", "messaging.destination.name": "jobs", "messaging.operation.type": "send" });
      const consumer = one("worker", KIND.CONSUMER);
      expect(consumer.attributes).toMatchObject({ "messaging.system": "bullmq", "messaging.destination.name": "jobs", "messaging.operation.type": "process", "messaging.consumer.group.name": "jobs" });
      expect(consumer.parentSpanId).toBe(producer.spanId);
      expect(consumer.links).toEqual([{ traceId, spanId: producer.spanId }]);
      const publish = one("worker", KIND.PRODUCER);
      expect(publish.attributes).toMatchObject({ "messaging.system": "redis", "messaging.destination.name": "events", "messaging.operation.type": "send" });
      const subscriber = one("audit", KIND.CONSUMER);
      expect(subscriber.attributes).toMatchObject({ "messaging.system": "redis", "messaging.destination.name": "events", "messaging.operation.type": "process" });
      expect(subscriber.attributes["messaging.consumer.group.name"]).toBeTruthy();
      expect(subscriber.links).toEqual([{ traceId, spanId: publish.spanId }]);
      // Times are real nanoseconds since the epoch.
      expect(root.startNanos).toBeGreaterThan(BigInt(Date.now() - 120_000) * 1_000_000n);
    }
    // One resource per process: service.name is the node, process.pid its process.
    const nodes = run.manager.get(runId).nodes;
    for (const span of received.spans) expect(span.pid).toBe(nodes.find((node) => node.nodeId === span.service)!.pid);
    expect(new Set(received.spans.map((span) => span.service))).toEqual(new Set(["client", "gw", "pay", "worker", "audit"]));

    // The last batch's answer may still be on its way back to the exporter.
    await expect.poll(() => run.manager.get(runId).otlpPush?.exported ?? 0, POLL).toBe(received.spans.length);
    expect(run.manager.get(runId).otlpPush).toMatchObject({ endpoint: `${url}/v1/traces`, protocol, dropped: 0, lastError: "" });
    await run.stop(runId);
  });

  it("a collector that never answers neither slows nor breaks a run: the queue stays bounded and its drops are counted", async () => {
    // Takes connections and never answers.
    const blackHole = http.createServer(() => {});
    servers.push(blackHole);
    await new Promise<void>((resolve) => blackHole.listen(0, "127.0.0.1", resolve));
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${(blackHole.address() as AddressInfo).port}`;
    process.env.OTEL_EXPORTER_OTLP_TIMEOUT = "300";
    process.env.OTEL_BSP_SCHEDULE_DELAY = "50";
    process.env.OTEL_BSP_MAX_QUEUE_SIZE = "20";
    process.env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE = "10";
    const runId = await run.start(fourTransports());

    const started = performance.now();
    const traceIds = await run.manager.sendMessage(runId, "client", 20);
    // Every message goes all the way, at the playground's usual pace.
    await expect.poll(() => traceIds.every((traceId) => run.manager.getTrace(runId, traceId).length >= SPANS_PER_MESSAGE), POLL).toBe(true);
    const elapsedMs = performance.now() - started;
    expect(elapsedMs).toBeLessThan(8_000);
    for (const traceId of traceIds) {
      const root = run.manager.getTrace(runId, traceId).find((span) => span.parentSpanId === "")!;
      // The synchronous part of a message (REST → gRPC → the queue's hand-off) is not held up by the push.
      // (on a loaded 2-core machine 20 messages at once take up to ~1 s; an export waits 300 ms and would add up).
      expect(root.durationMs).toBeLessThan(2_500);
    }
    // 180 spans against a queue of 20 and exports that time out: drops, counted, and nothing exported.
    await expect.poll(() => run.manager.get(runId).otlpPush?.dropped ?? 0, POLL).toBeGreaterThan(100);
    const push = run.manager.get(runId).otlpPush!;
    expect(push.exported).toBe(0);
    const summary = await run.stop(runId);
    expect(summary.get("client-gw")?.delivered).toBe(20);
  });
});
