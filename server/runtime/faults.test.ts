/**
 * Faults on real traffic: each test starts a run (real processes, real
 * sockets, real Redis under the run's own prefix), injects a fault through the
 * RunManager, sends messages and reads what the CALLER's own timeout, retry
 * and counters made of it. Assertions are what the fault itself guarantees
 * (lower bounds, wide bands), never the machine's speed.
 */
import { describe, expect, it } from "vitest";
import { clone, create } from "@bufbuild/protobuf";
import { ConnectProtocol, Delivery, FaultKind, ScheduledFaultSchema, TopologySchema } from "@/lib/gen/ipcplay/v1/topology_pb";
import { NodeStatus, SpanKind, SpanStatus, type Span } from "@/lib/gen/ipcplay/v1/playground_pb";
import { connectTopology, eventually, restTopology } from "./test-support";
import { POLL, pubsubEdge, queueEdge, runHarness, topologyOf } from "./transport-harness";

const run = runHarness();
/** Every trace shipped in full: the tests read each message's spans. */
const ALL_TRACES = { traceBudgetPerSecond: 100_000, keepBudgetPerSecond: 100_000 };

/** Sends `count` messages from the client and returns the CLIENT span of each on `edgeId`. */
async function clientSpans(runId: string, count: number, edgeId: string): Promise<Span[]> {
  const traceIds = await run.manager.sendMessage(runId, "client", count);
  return Promise.all(
    traceIds.map((traceId) =>
      eventually(
        () => run.manager.getTrace(runId, traceId).find((span) => span.kind === SpanKind.CLIENT && span.edgeId === edgeId),
        `the CLIENT span of ${traceId}`,
        15_000,
      ),
    ),
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const restPair = (timeoutMs = 1000) =>
  restTopology({ services: [{ id: "api" }], edges: [{ id: "client-api", source: "client", target: "api", timeoutMs }] });

describe("REST edge faults", () => {
  it("BLACKHOLE: requests are read and never answered, so the caller's 200 ms timeout fires; ClearFault restores the path", async () => {
    const runId = await run.start(restPair(200), ALL_TRACES);
    const info = await run.manager.injectFault(runId, { edgeId: "client-api", kind: FaultKind.BLACKHOLE });
    expect(info.faults.map((active) => active.fault?.kind)).toEqual([FaultKind.BLACKHOLE]);
    const spans = await clientSpans(runId, 4, "client-api");
    for (const span of spans) {
      expect(span.status).toBe(SpanStatus.TIMEOUT);
      expect(span.durationMs).toBeGreaterThanOrEqual(190);
    }
    await expect.poll(() => run.edge(runId, "client-api").failedBy, POLL).toEqual([{ $typeName: "ipcplay.v1.OutcomeCount", outcome: "timed out", count: 4 }]);

    const cleared = await run.manager.clearFault(runId, { edgeId: "client-api" });
    expect(cleared.faults).toEqual([]);
    const [after] = await clientSpans(runId, 1, "client-api");
    expect(after.status).toBe(SpanStatus.OK);
    await run.stop(runId);
  });

  it("LATENCY 300 ms: the caller's spans take at least 300 ms at the median", async () => {
    const runId = await run.start(restPair(), ALL_TRACES);
    await run.manager.injectFault(runId, { edgeId: "client-api", kind: FaultKind.LATENCY, latencyMs: 300 });
    const spans = await clientSpans(runId, 5, "client-api");
    expect(spans.every((span) => span.status === SpanStatus.OK)).toBe(true);
    expect(median(spans.map((span) => span.durationMs))).toBeGreaterThanOrEqual(300);
    await run.stop(runId);
  });

  it("ERRORS 0.5 with 503: about half the requests are answered 503 by the callee, counted as error replies by the caller", async () => {
    const runId = await run.start(restPair(), ALL_TRACES);
    await run.manager.injectFault(runId, { edgeId: "client-api", kind: FaultKind.ERRORS, errorRate: 0.5, statusCode: 503 });
    const spans = await clientSpans(runId, 60, "client-api");
    const failed = spans.filter((span) => span.status !== SpanStatus.OK);
    expect(failed.length).toBeGreaterThanOrEqual(15);
    expect(failed.length).toBeLessThanOrEqual(45);
    for (const span of failed) expect(span.attributes["http.response.status_code"]).toBe("503");
    await expect.poll(() => run.edge(runId, "client-api").failed, POLL).toBe(failed.length);
    const edge = run.edge(runId, "client-api");
    expect(edge.failedBy.map(({ outcome }) => outcome)).toEqual(["error reply"]);
    expect(edge.delivered).toBe(60 - failed.length);
    // The callee's SERVER span says the fault answered.
    const server = run.manager.getTrace(runId, failed[0].traceId).find((span) => span.kind === SpanKind.SERVER)!;
    expect(server.attributes["ipcplay.fault"]).toBe("errors");
    await run.stop(runId);
  });

  it("RESET and PARTITION: connections are reset, then refused; the caller counts both unreachable", async () => {
    const runId = await run.start(restPair(), ALL_TRACES);
    await run.manager.injectFault(runId, { edgeId: "client-api", kind: FaultKind.RESET });
    const reset = await clientSpans(runId, 3, "client-api");
    for (const span of reset) {
      expect(span.status).toBe(SpanStatus.UNAVAILABLE);
      expect(span.statusMessage).toBe("ECONNRESET");
    }
    await run.manager.clearFault(runId, { edgeId: "client-api", kind: FaultKind.RESET });
    await run.manager.injectFault(runId, { edgeId: "client-api", kind: FaultKind.PARTITION });
    const refused = await clientSpans(runId, 3, "client-api");
    for (const span of refused) {
      expect(span.status).toBe(SpanStatus.UNAVAILABLE);
      expect(span.statusMessage).toBe("ECONNREFUSED");
    }
    await expect.poll(() => run.edge(runId, "client-api").failedBy.map(({ outcome, count }) => [outcome, count]), POLL).toEqual([["unreachable", 6]]);
    await run.stop(runId);
  });

  it("BANDWIDTH 1 KB/s: a request and its reply (a few hundred bytes) take at least a quarter second", async () => {
    const runId = await run.start(restPair(), ALL_TRACES);
    await run.manager.injectFault(runId, { edgeId: "client-api", kind: FaultKind.BANDWIDTH, bandwidthKbps: 1 });
    const [span] = await clientSpans(runId, 1, "client-api");
    expect(span.status).toBe(SpanStatus.OK);
    // ≥ 256 bytes on the wire (HTTP/1.1 request headers alone are more) at 1,024 bytes per second.
    expect(span.durationMs).toBeGreaterThanOrEqual(250);
    await run.stop(runId);
  });

  it("ClearFault with a kind clears only that kind; both are logged in plain words", async () => {
    const runId = await run.start(restPair(), ALL_TRACES);
    const lines: string[] = [];
    const unwatch = run.manager.watch(runId, (event) => {
      if (event.event.case === "log") lines.push(event.event.value.message);
    });
    await run.manager.injectFault(runId, { edgeId: "client-api", kind: FaultKind.LATENCY, latencyMs: 100 });
    await run.manager.injectFault(runId, { edgeId: "client-api", kind: FaultKind.ERRORS, errorRate: 1 });
    const left = await run.manager.clearFault(runId, { edgeId: "client-api", kind: FaultKind.ERRORS });
    expect(left.faults.map((active) => active.fault?.kind)).toEqual([FaultKind.LATENCY]);
    const [span] = await clientSpans(runId, 1, "client-api");
    expect(span.status).toBe(SpanStatus.OK);
    expect(span.durationMs).toBeGreaterThanOrEqual(100);
    unwatch();
    expect(lines).toEqual(
      expect.arrayContaining([
        "InjectFault: LATENCY 100 ms on edge client-api",
        "InjectFault: ERRORS on 100% of messages answered with status 503 on edge client-api",
        "ClearFault: ERRORS on edge client-api cleared by ClearFault",
      ]),
    );
    await run.stop(runId);
  });

  it("duration_ms: the fault is listed with its end and clears by itself", async () => {
    const runId = await run.start(restPair(), ALL_TRACES);
    const before = Date.now();
    const info = await run.manager.injectFault(runId, { edgeId: "client-api", kind: FaultKind.LATENCY, latencyMs: 200, durationMs: 300 });
    const [active] = info.faults;
    expect(active.fault).toMatchObject({ edgeId: "client-api", kind: FaultKind.LATENCY, latencyMs: 200, durationMs: 300 });
    expect(active.startedUnixMs).toBeGreaterThanOrEqual(before);
    expect(active.endsUnixMs).toBe(active.startedUnixMs + 300);
    await expect.poll(() => run.manager.get(runId).faults.length, POLL).toBe(0);
    // The hosts are told just after: soon the path is direct again (no proxy), and the requests OK throughout.
    await expect
      .poll(async () => {
        const [after] = await clientSpans(runId, 1, "client-api");
        expect(after.status).toBe(SpanStatus.OK);
        return after.attributes["ipcplay.fault_proxy_port"];
      }, POLL)
      .toBeUndefined();
    await run.stop(runId);
  });

  it("refuses invalid requests with invalid_argument naming the field, and unknown targets with not_found; the run goes on", async () => {
    const topology = topologyOf([{ id: "api" }], [queueEdge("q", "client", "api", "jobs")]);
    topology.edges.push(...restPair().edges);
    const runId = await run.start(topology);
    const refused = (request: Parameters<typeof run.manager.injectFault>[1]) => run.manager.injectFault(runId, request);
    await expect(refused({ edgeId: "q", kind: FaultKind.BLACKHOLE })).rejects.toMatchObject({
      code: "invalid_argument",
      message: expect.stringContaining("kind: BLACKHOLE is for REST and Connect edges; edge q is a queue edge"),
    });
    await expect(refused({ edgeId: "client-api", kind: FaultKind.LATENCY, latencyMs: 0 })).rejects.toMatchObject({
      code: "invalid_argument",
      message: expect.stringContaining("latency_ms:"),
    });
    await expect(refused({ edgeId: "client-api", kind: FaultKind.ERRORS, errorRate: 2 })).rejects.toMatchObject({
      code: "invalid_argument",
      message: expect.stringContaining("error_rate:"),
    });
    await expect(refused({ nodeId: "api", kind: FaultKind.CRASH_LOOP, intervalMs: 10 })).rejects.toMatchObject({
      code: "invalid_argument",
      message: expect.stringContaining("interval_ms:"),
    });
    await expect(refused({ edgeId: "nope", kind: FaultKind.RESET })).rejects.toMatchObject({ code: "not_found" });
    await expect(refused({ nodeId: "nope", kind: FaultKind.KILL })).rejects.toMatchObject({ code: "not_found" });
    await run.manager.injectFault(runId, { nodeId: "api", kind: FaultKind.KILL });
    await expect(refused({ nodeId: "api", kind: FaultKind.LATENCY, latencyMs: 5 })).rejects.toMatchObject({ code: "failed_precondition" });
    expect(run.manager.get(runId).faults.map((active) => active.fault?.kind)).toEqual([FaultKind.KILL]);
    await run.stop(runId);
  });
});

describe("the schedule and the timeline", () => {
  it("a scheduled fault is listed as scheduled while in force, then in past_faults with when it ended", async () => {
    const topology = restPair();
    topology.schedule = [create(ScheduledFaultSchema, { atS: 0, durationS: 0.3, edgeId: "client-api", kind: FaultKind.LATENCY, latencyMs: 50 })];
    const runId = await run.start(topology);
    const active = await eventually(() => run.manager.get(runId).faults[0], "the scheduled fault in force");
    expect(active).toMatchObject({ scheduled: true, fault: { edgeId: "client-api", kind: FaultKind.LATENCY, latencyMs: 50, durationMs: 300 } });
    const [past] = await eventually(() => {
      const info = run.manager.get(runId);
      return info.faults.length === 0 && info.pastFaults.length === 1 ? info.pastFaults : undefined;
    }, "the fault in the timeline");
    expect(past.scheduled).toBe(true);
    expect(past.endsUnixMs - past.startedUnixMs).toBeGreaterThanOrEqual(290);
    await run.stop(runId);
  });
});

describe("faults and UpdateRun", () => {
  it("a fault on what an update removes ends with it; the rest of the run goes on", async () => {
    const topology = restTopology({
      services: [{ id: "api" }, { id: "worker" }],
      edges: [
        { id: "client-api", source: "client", target: "api" },
        { id: "client-worker", source: "client", target: "worker", timeoutMs: 300 },
      ],
    });
    const runId = await run.start(topology, ALL_TRACES);
    await run.manager.injectFault(runId, { edgeId: "client-worker", kind: FaultKind.BLACKHOLE });
    await run.manager.injectFault(runId, { nodeId: "worker", kind: FaultKind.CRASH_LOOP, intervalMs: 500 });
    const shrunk = clone(TopologySchema, topology);
    shrunk.nodes = shrunk.nodes.filter((node) => node.id !== "worker");
    shrunk.edges = shrunk.edges.filter((edge) => edge.id !== "client-worker");
    const { run: info } = await run.manager.updateRun(runId, shrunk);
    expect(info.faults).toEqual([]);
    expect(info.pastFaults.map((past) => past.fault?.kind)).toEqual([FaultKind.BLACKHOLE, FaultKind.CRASH_LOOP]);
    const [span] = await clientSpans(runId, 1, "client-api");
    expect(span.status).toBe(SpanStatus.OK);
    await run.stop(runId);
  });
});

describe("Connect edge faults", () => {
  it("ERRORS 0.5 with gRPC code 14: about half the calls end UNAVAILABLE from the callee, counted as error replies", async () => {
    const topology = connectTopology({
      services: [{ id: "api" }],
      edges: [{ id: "client-api", source: "client", target: "api", protocol: ConnectProtocol.GRPC }],
    });
    const runId = await run.start(topology, ALL_TRACES);
    await run.manager.injectFault(runId, { edgeId: "client-api", kind: FaultKind.ERRORS, errorRate: 0.5, statusCode: 14 });
    const spans = await clientSpans(runId, 60, "client-api");
    const failed = spans.filter((span) => span.status !== SpanStatus.OK);
    expect(failed.length).toBeGreaterThanOrEqual(15);
    expect(failed.length).toBeLessThanOrEqual(45);
    for (const span of failed) {
      expect(span.status).toBe(SpanStatus.UNAVAILABLE);
      expect(span.attributes["rpc.grpc.status_code"]).toBe("14");
    }
    await expect.poll(() => run.edge(runId, "client-api").failedBy.map(({ outcome, count }) => [outcome, count]), POLL).toEqual([["error reply", failed.length]]);
    await run.stop(runId);
  });

  it("RESET and PARTITION on the HTTP/2 path: the calls fail as connect-node reports a broken connection, counted unreachable", async () => {
    const topology = connectTopology({ services: [{ id: "api" }], edges: [{ id: "client-api", source: "client", target: "api" }] });
    const runId = await run.start(topology, ALL_TRACES);
    await run.manager.injectFault(runId, { edgeId: "client-api", kind: FaultKind.RESET });
    // connect-node reports the reset session's streams as closed with CANCEL.
    // No reply came back, so the span is UNAVAILABLE (as a REST reset is), with the library's code kept in its attribute.
    for (const span of await clientSpans(runId, 2, "client-api")) {
      expect(span.attributes["rpc.connect_rpc.error_code"]).toBe("canceled");
      expect(span.status).toBe(SpanStatus.UNAVAILABLE);
    }
    await run.manager.clearFault(runId, { edgeId: "client-api" });
    await run.manager.injectFault(runId, { edgeId: "client-api", kind: FaultKind.PARTITION });
    for (const span of await clientSpans(runId, 2, "client-api")) expect(span.status).toBe(SpanStatus.UNAVAILABLE);
    await expect.poll(() => run.edge(runId, "client-api").failedBy.map(({ outcome, count }) => [outcome, count]), POLL).toEqual([["unreachable", 4]]);
    await run.manager.clearFault(runId, { edgeId: "client-api" });
    const [after] = await clientSpans(runId, 1, "client-api");
    expect(after.status).toBe(SpanStatus.OK);
    await run.stop(runId);
  });

  it("BLACKHOLE and LATENCY on the HTTP/2 path: the deadline fires, then calls are slowed", async () => {
    const topology = connectTopology({ services: [{ id: "api" }], edges: [{ id: "client-api", source: "client", target: "api", timeoutMs: 400 }] });
    const runId = await run.start(topology, ALL_TRACES);
    await run.manager.injectFault(runId, { edgeId: "client-api", kind: FaultKind.BLACKHOLE });
    for (const span of await clientSpans(runId, 2, "client-api")) {
      expect(span.status).toBe(SpanStatus.TIMEOUT);
      expect(span.durationMs).toBeGreaterThanOrEqual(390);
    }
    await run.manager.clearFault(runId, { edgeId: "client-api" });
    await run.manager.injectFault(runId, { edgeId: "client-api", kind: FaultKind.LATENCY, latencyMs: 100 });
    const slowed = await clientSpans(runId, 3, "client-api");
    expect(slowed.map((span) => [span.status, span.statusMessage])).toEqual(slowed.map(() => [SpanStatus.OK, ""]));
    expect(median(slowed.map((span) => span.durationMs))).toBeGreaterThanOrEqual(100);
    await run.stop(runId);
  });
});

describe("queue and pub/sub edge faults", () => {
  it("PARTITION on a queue edge: jobs wait in the broker, and after ClearFault drain with none lost", async () => {
    const runId = await run.start(topologyOf([{ id: "worker" }], [queueEdge("q", "client", "worker", "jobs")]));
    await run.manager.injectFault(runId, { edgeId: "q", kind: FaultKind.PARTITION });
    await run.manager.sendMessage(runId, "client", 10);
    await expect.poll(() => run.edge(runId, "q").queued, POLL).toBe(10);
    expect(run.edge(runId, "q").delivered).toBe(0);

    await run.manager.clearFault(runId, { edgeId: "q", kind: FaultKind.PARTITION });
    await expect.poll(() => run.edge(runId, "q").delivered, POLL).toBe(10);
    const edge = run.edge(runId, "q");
    expect(edge).toMatchObject({ sent: 10, delivered: 10, lost: 0, failed: 0, inFlight: 0 });
    await run.stop(runId);
  });

  it("DISCONNECT on an AT_MOST_ONCE subscriber: what is published meanwhile is lost ('no subscriber'); after ClearFault it gets messages again", async () => {
    const runId = await run.start(topologyOf([{ id: "reader" }], [pubsubEdge("p", "client", "reader", "news", Delivery.AT_MOST_ONCE)]));
    await run.manager.injectFault(runId, { edgeId: "p", kind: FaultKind.DISCONNECT });
    await run.manager.sendMessage(runId, "client", 5);
    await expect.poll(() => run.edge(runId, "p").lostBy.map(({ outcome, count }) => [outcome, count]), POLL).toEqual([["no subscriber", 5]]);

    await run.manager.clearFault(runId, { edgeId: "p" });
    await run.manager.sendMessage(runId, "client", 5);
    await expect.poll(() => run.edge(runId, "p").delivered, POLL).toBe(5);
    expect(run.edge(runId, "p")).toMatchObject({ sent: 10, delivered: 5, lost: 5, failed: 0, inFlight: 0 });
    await run.stop(runId);
  });

  it("DISCONNECT on a DURABLE subscriber: entries wait in its group and drain after ClearFault, none lost", async () => {
    const runId = await run.start(topologyOf([{ id: "reader" }], [pubsubEdge("p", "client", "reader", "news", Delivery.DURABLE)]));
    await run.manager.injectFault(runId, { edgeId: "p", kind: FaultKind.DISCONNECT });
    await run.manager.sendMessage(runId, "client", 6);
    await expect.poll(() => run.edge(runId, "p").queued, POLL).toBe(6);
    expect(run.edge(runId, "p").delivered).toBe(0);
    await run.manager.clearFault(runId, { edgeId: "p" });
    await expect.poll(() => run.edge(runId, "p").delivered, POLL).toBe(6);
    expect(run.edge(runId, "p")).toMatchObject({ sent: 6, delivered: 6, lost: 0, failed: 0, inFlight: 0 });
    await run.stop(runId);
  });

  it("pub/sub ERRORS fail messages at the subscriber; LATENCY holds them before the service starts", async () => {
    const runId = await run.start(topologyOf([{ id: "reader" }], [pubsubEdge("p", "client", "reader", "news", Delivery.AT_MOST_ONCE)]), ALL_TRACES);
    await run.manager.injectFault(runId, { edgeId: "p", kind: FaultKind.ERRORS, errorRate: 1 });
    await run.manager.sendMessage(runId, "client", 3);
    await expect.poll(() => run.edge(runId, "p").failedBy.map(({ outcome, count }) => [outcome, count]), POLL).toEqual([["processing failed", 3]]);
    await run.manager.clearFault(runId, { edgeId: "p" });
    await run.manager.injectFault(runId, { edgeId: "p", kind: FaultKind.LATENCY, latencyMs: 200 });
    const [traceId] = await run.manager.sendMessage(runId, "client", 1);
    const consumer = await eventually(() => run.manager.getTrace(runId, traceId).find((span) => span.kind === SpanKind.CONSUMER), "the CONSUMER span");
    expect(consumer.status).toBe(SpanStatus.OK);
    const producer = run.manager.getTrace(runId, traceId).find((span) => span.kind === SpanKind.PRODUCER)!;
    expect(consumer.startUnixMs - producer.startUnixMs).toBeGreaterThanOrEqual(200);
    expect(run.edge(runId, "p")).toMatchObject({ sent: 4, delivered: 1, failed: 3, lost: 0, inFlight: 0 });
    await run.stop(runId);
  });

  it("SLOW_CONSUMER: the queue's consumer takes that much longer per job", async () => {
    const runId = await run.start(topologyOf([{ id: "worker" }], [queueEdge("q", "client", "worker", "jobs")]), ALL_TRACES);
    await run.manager.injectFault(runId, { edgeId: "q", kind: FaultKind.SLOW_CONSUMER, latencyMs: 200, jitterMs: 50 });
    const [traceId] = await run.manager.sendMessage(runId, "client", 1);
    const consumer = await eventually(() => run.manager.getTrace(runId, traceId).find((span) => span.kind === SpanKind.CONSUMER), "the CONSUMER span");
    expect(consumer.durationMs).toBeGreaterThanOrEqual(150);
    expect(consumer.attributes["ipcplay.fault"]).toBe("slow consumer");
    await run.stop(runId);
  });

  it("ERRORS on a queue edge make poison jobs: every attempt fails, then they are dead-lettered", async () => {
    const runId = await run.start(topologyOf([{ id: "worker" }], [queueEdge("q", "client", "worker", "jobs", { attempts: 2, backoffMs: 10 })]));
    await run.manager.injectFault(runId, { edgeId: "q", kind: FaultKind.ERRORS, errorRate: 1 });
    await run.manager.sendMessage(runId, "client", 4);
    await expect.poll(() => run.edge(runId, "q").deadLettered, POLL).toBe(4);
    expect(run.edge(runId, "q")).toMatchObject({ sent: 4, delivered: 0, retries: 4, inFlight: 0 });
    await run.stop(runId);
  });

  it("DUPLICATE on a queue edge: each job is processed twice, counted once delivered and once a duplicate", async () => {
    const runId = await run.start(topologyOf([{ id: "worker" }], [queueEdge("q", "client", "worker", "jobs")]), ALL_TRACES);
    await run.manager.injectFault(runId, { edgeId: "q", kind: FaultKind.DUPLICATE });
    const [traceId] = await run.manager.sendMessage(runId, "client", 3);
    await expect.poll(() => run.edge(runId, "q").duplicates, POLL).toBe(3);
    await expect.poll(() => run.edge(runId, "q").delivered, POLL).toBe(3);
    expect(run.edge(runId, "q")).toMatchObject({ sent: 3, delivered: 3, failed: 0, lost: 0, inFlight: 0 });
    const consumers = await eventually(() => {
      const spans = run.manager.getTrace(runId, traceId).filter((span) => span.kind === SpanKind.CONSUMER);
      return spans.length >= 2 ? spans : undefined;
    }, "two CONSUMER spans");
    expect(consumers.map((span) => span.attributes["ipcplay.fault"] ?? "")).toEqual(expect.arrayContaining(["", "duplicate"]));
    await run.stop(runId);
  });

  it("LATENCY on a queue edge: the broker holds each job, so it waits at least that long", async () => {
    const runId = await run.start(topologyOf([{ id: "worker" }], [queueEdge("q", "client", "worker", "jobs")]), ALL_TRACES);
    await run.manager.injectFault(runId, { edgeId: "q", kind: FaultKind.LATENCY, latencyMs: 300 });
    const [traceId] = await run.manager.sendMessage(runId, "client", 1);
    const consumer = await eventually(
      () => run.manager.getTrace(runId, traceId).find((span) => span.kind === SpanKind.CONSUMER),
      "the CONSUMER span",
      10_000,
    );
    expect(Number(consumer.attributes["ipcplay.queue_wait_ms"])).toBeGreaterThanOrEqual(300);
    await run.stop(runId);
  });
});

describe("node faults", () => {
  it("LATENCY slows a node's work; its callers wait for it", async () => {
    const runId = await run.start(restPair(), ALL_TRACES);
    await run.manager.injectFault(runId, { nodeId: "api", kind: FaultKind.LATENCY, latencyMs: 200 });
    const spans = await clientSpans(runId, 3, "client-api");
    expect(median(spans.map((span) => span.durationMs))).toBeGreaterThanOrEqual(200);
    const server = run.manager.getTrace(runId, spans[0].traceId).find((span) => span.kind === SpanKind.SERVER)!;
    expect(server.attributes["ipcplay.fault"]).toBe("latency");
    await run.stop(runId);
  });

  it("ERRORS on a node fail that share of its messages, as its own error rate does", async () => {
    const runId = await run.start(restPair(), ALL_TRACES);
    await run.manager.injectFault(runId, { nodeId: "api", kind: FaultKind.ERRORS, errorRate: 1 });
    const spans = await clientSpans(runId, 3, "client-api");
    for (const span of spans) expect(span.attributes["http.response.status_code"]).toBe("500");
    const server = run.manager.getTrace(runId, spans[0].traceId).find((span) => span.kind === SpanKind.SERVER)!;
    expect(server.attributes["ipcplay.fault"]).toBe("errors");
    // The server span says what it answered, as its caller's span does.
    expect(server.attributes["http.response.status_code"]).toBe("500");
    await run.stop(runId);
  });

  it("a restarted node gets the faults in force on it again", async () => {
    const runId = await run.start(restPair(), ALL_TRACES);
    await run.manager.injectFault(runId, { edgeId: "client-api", kind: FaultKind.ERRORS, errorRate: 1, statusCode: 500 });
    await run.manager.injectFault(runId, { nodeId: "api", kind: FaultKind.KILL });
    const restarted = await run.manager.clearFault(runId, { nodeId: "api", kind: FaultKind.KILL });
    expect(restarted.faults.map((active) => active.fault?.kind)).toEqual([FaultKind.ERRORS]);
    const spans = await clientSpans(runId, 3, "client-api");
    for (const span of spans) expect(span.attributes["http.response.status_code"]).toBe("500");
    await run.stop(runId);
  });

  it("CRASH_LOOP kills the node again and again until cleared, then it stays up", async () => {
    const runId = await run.start(restPair(), ALL_TRACES);
    const pidOf = () => run.manager.get(runId).nodes.find((node) => node.nodeId === "api")!;
    const pids = new Set([pidOf().pid]);
    await run.manager.injectFault(runId, { nodeId: "api", kind: FaultKind.CRASH_LOOP, intervalMs: 500 });
    await eventually(() => {
      const node = pidOf();
      if (node.pid) pids.add(node.pid);
      return pids.size >= 3 ? true : undefined;
    }, "two restarts", 20_000);
    const cleared = await run.manager.clearFault(runId, { nodeId: "api" });
    expect(cleared.faults).toEqual([]);
    await expect.poll(() => NodeStatus[pidOf().status], POLL).toBe("UP");
    const [after] = await clientSpans(runId, 1, "client-api");
    expect(after.status).toBe(SpanStatus.OK);
    await run.stop(runId);
  });
});
