/**
 * Where a hop's spans begin and end: a CLIENT/PRODUCER span is its library
 * call's time on the wire (transports/wire-time.ts), a SERVER/CONSUMER span
 * starts when the library handed the message over (InboundMessage.arrivedUnixMs),
 * and the span bookkeeping waits for the next batch, after the I/O callback
 * that ended the span (span-shipper.ts) — so the playground's own work sits
 * outside a hop's latency.
 */
import { afterEach, describe, expect, it } from "vitest";
import { SpanKind, SpanStatus } from "@/lib/gen/ipcplay/v1/playground_pb";
import { NodeKind, Transport, type Edge, type Node } from "@/lib/gen/ipcplay/v1/topology_pb";
import { createEdge, createNode } from "@/lib/topology/factory";
import { DEFAULTS, LIMITS } from "@/lib/topology/limits";
import { HeadSampler } from "@/lib/trace/sampling";
import type { NodeAddress, SpanRecord } from "@/server/ipc/host-messages";
import { runKeys } from "@/server/redis/keys";
import { HostCounters } from "./counters";
import { HostFaults } from "./faults/host-faults";
import { MessageFlow } from "./message-flow";
import type { NodeSetup } from "./node-setup";
import { SpanShipper } from "./span-shipper";
import { restTransport } from "./transports/rest";
import type { Listener, OutboundMessage, Sender, SendOutcome, TransportHost } from "./transports/transport";

const RUN_ID = "span-bounds";

function setupOf(node: Node, inbound: Edge[], outgoing: Edge[]): NodeSetup {
  return {
    runId: RUN_ID,
    node,
    inbound,
    outgoing,
    hopLimit: DEFAULTS.hopLimit,
    concurrency: DEFAULTS.concurrency,
    redisUrl: "redis://127.0.0.1:6379",
    redisPrefix: RUN_ID,
    sampling: { headPerSecond: 1_000, keepPerSecond: 1_000 },
    incarnation: 0,
    maxWaiting: LIMITS.maxWaitingPerService,
    rateLimitPerSecond: 0,
  };
}

/** A flow whose every trace is sampled, and the spans it ships. */
function flowOf(node: Node, outgoing: Array<{ edge: Edge; sender: Sender }>, inbound: Edge[] = []) {
  const shipped: SpanRecord[] = [];
  const spans = new SpanShipper({ ship: (batch) => shipped.push(...batch), announceKeeps: () => {}, keepPerSecond: 1_000 });
  const flow = new MessageFlow({
    setup: setupOf(node, inbound, outgoing.map(({ edge }) => edge)),
    pid: process.pid,
    outgoing,
    spans,
    counters: new HostCounters(),
    sampler: new HeadSampler(1_000),
  });
  return { flow, spans, shipped };
}

function client(): Node {
  const node = createNode(NodeKind.CLIENT, "client", { x: 0, y: 0 });
  node.traffic!.ratePerSecond = 0;
  return node;
}

function service(id = "service"): Node {
  const node = createNode(NodeKind.SERVICE, id, { x: 0, y: 0 });
  node.behavior!.workTime!.meanMs = 0;
  return node;
}

/** A sender that says its call was on the wire exactly from `startUnixMs` to `endUnixMs`. */
function senderOnWire(wire: SendOutcome["wire"]): Sender {
  return {
    spanName: "POST /",
    spanKind: SpanKind.CLIENT,
    send: async (_message: OutboundMessage) => ({ status: SpanStatus.OK, statusMessage: "", attempts: 1, attributes: {}, ...(wire ? { wire } : {}) }),
    close: async () => {},
  };
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

describe("a hop's span bounds", () => {
  it("a CLIENT span is its library call's time on the wire", async () => {
    const edge = createEdge("hop", "client", "service", Transport.REST);
    const start = performance.timeOrigin + performance.now();
    const wire = { startUnixMs: start + 5, endUnixMs: start + 7.25 };
    const { flow, spans, shipped } = flowOf(client(), [{ edge, sender: senderOnWire(wire) }]);
    await flow.originate();
    spans.flush();
    const span = shipped.find((candidate) => candidate.kind === SpanKind.CLIENT)!;
    expect(span.startUnixMs).toBe(wire.startUnixMs);
    expect(span.durationMs).toBeCloseTo(2.25, 9);
  });

  it("without wire bounds (a breaker's refusal, a cache hit) the span covers the whole send", async () => {
    const edge = createEdge("hop", "client", "service", Transport.REST);
    const before = performance.timeOrigin + performance.now();
    const { flow, spans, shipped } = flowOf(client(), [{ edge, sender: senderOnWire(undefined) }]);
    await flow.originate();
    spans.flush();
    const span = shipped.find((candidate) => candidate.kind === SpanKind.CLIENT)!;
    expect(span.startUnixMs).toBeGreaterThanOrEqual(before);
    expect(span.startUnixMs + span.durationMs).toBeLessThanOrEqual(performance.timeOrigin + performance.now());
  });

  it("a SERVER span starts when the library handed the message over", async () => {
    const edge = createEdge("hop", "client", "service", Transport.REST);
    const { flow, spans, shipped } = flowOf(service(), [], [edge]);
    const arrivedUnixMs = performance.timeOrigin + performance.now() - 3;
    await flow.receive({ edge, parent: undefined, hop: 1, payload: "", spanKind: SpanKind.SERVER, spanName: "POST /", attributes: {}, arrivedUnixMs });
    spans.flush();
    const span = shipped.find((candidate) => candidate.kind === SpanKind.SERVER)!;
    expect(span.startUnixMs).toBe(arrivedUnixMs);
    expect(span.durationMs).toBeGreaterThanOrEqual(3);
    // The wait for a slot is the service's, from when it took the message, not from the arrival.
    expect(Number(span.attributes["ipcplay.concurrency_wait_ms"])).toBeLessThan(3);
  });

  it("over real HTTP, the caller's span holds the callee's", async () => {
    const edge = createEdge("hop", "client", "service", Transport.REST);
    const addresses = new Map<string, NodeAddress>();
    const hostOf = (node: Node, flow: () => MessageFlow, spans: () => SpanShipper): TransportHost => ({
      setup: setupOf(node, node.kind === NodeKind.CLIENT ? [] : [edge], node.kind === NodeKind.CLIENT ? [edge] : []),
      nodeId: node.id,
      pid: process.pid,
      keys: runKeys(RUN_ID),
      receive: (message) => flow().receive(message),
      addressOf: (nodeId) => addresses.get(nodeId),
      count: () => {},
      recordSpan: (span, sampled) => spans().record({ ...span, nodeId: node.id, pid: process.pid }, sampled),
      log: () => {},
      faults: new HostFaults(node.id),
      wirePort: (_edgeId, port) => port,
    });

    const callee = service();
    let calleeFlow: ReturnType<typeof flowOf> | undefined;
    const calleeHost = hostOf(callee, () => calleeFlow!.flow, () => calleeFlow!.spans);
    calleeFlow = flowOf(callee, [], [edge]);
    const listener: Listener = await restTransport.listen!([edge], calleeHost);
    closers.push(() => listener.close());
    addresses.set(callee.id, { nodeId: callee.id, httpPort: listener.ports.httpPort ?? 0, connectPort: 0 });

    const caller = client();
    let callerFlow: ReturnType<typeof flowOf> | undefined;
    const callerHost = hostOf(caller, () => callerFlow!.flow, () => callerFlow!.spans);
    const sender = restTransport.createSender(edge, callerHost);
    closers.push(() => sender.close());
    callerFlow = flowOf(caller, [{ edge, sender }]);

    for (let i = 0; i < 20; i++) await callerFlow.flow.originate();
    callerFlow.spans.flush();
    calleeFlow.spans.flush();

    const servers = new Map(calleeFlow.shipped.filter((span) => span.kind === SpanKind.SERVER).map((span) => [span.parentSpanId, span]));
    const clients = callerFlow.shipped.filter((span) => span.kind === SpanKind.CLIENT);
    expect(clients).toHaveLength(20);
    for (const clientSpan of clients) {
      const serverSpan = servers.get(clientSpan.spanId)!;
      expect(serverSpan.status).toBe(SpanStatus.OK);
      expect(clientSpan.startUnixMs).toBeLessThanOrEqual(serverSpan.startUnixMs);
      expect(serverSpan.startUnixMs + serverSpan.durationMs).toBeLessThanOrEqual(clientSpan.startUnixMs + clientSpan.durationMs);
    }
  });

  it("a span's attributes are made with its batch, never when it ends", async () => {
    const shipped: SpanRecord[] = [];
    const spans = new SpanShipper({ ship: (batch) => shipped.push(...batch), announceKeeps: () => {}, keepPerSecond: 1 });
    let made = 0;
    spans.record(
      {
        traceId: "a".repeat(32),
        spanId: "b".repeat(16),
        parentSpanId: "",
        edgeId: "",
        transport: Transport.UNSPECIFIED,
        kind: SpanKind.SERVER,
        name: "POST /",
        startUnixMs: 0,
        durationMs: 1,
        status: SpanStatus.OK,
        statusMessage: "",
        attributes: () => (made++, { "ipcplay.work_ms": "0.000" }),
        hop: 1,
        attempt: 0,
        nodeId: "service",
        pid: process.pid,
      },
      true,
    );
    expect(made).toBe(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(made).toBe(0);
    spans.flush();
    expect(made).toBe(1);
    expect(shipped.map((span) => span.attributes)).toEqual([{ "ipcplay.work_ms": "0.000" }]);
  });
});
