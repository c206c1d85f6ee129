/**
 * The runtime end to end: real processes, real sockets, real Redis. Each test
 * starts its own run (unique run id = unique Redis prefix) and stops it after.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { NodeStatus, RunState, SpanKind, SpanStatus, type RunEvent, type Span } from "@/lib/gen/ipcplay/v1/playground_pb";
import { FaultKind } from "@/lib/gen/ipcplay/v1/topology_pb";
import { createRunManager } from "./orchestrator";
import { RunError, type RunManager } from "./run-manager";
import {
  buildHostBundle,
  connectOutcome,
  eventually,
  processGone,
  restTopology,
  TEST_REDIS_URL,
} from "./test-support";

let manager: RunManager;
let redis: Redis;

beforeAll(() => {
  buildHostBundle();
  redis = new Redis(TEST_REDIS_URL);
});

afterEach(async () => {
  await manager?.shutdown();
});

afterAll(async () => {
  await redis.quit();
});

/** Waits until the trace has `count` spans and returns them. */
function spansOf(runId: string, traceId: string, count: number): Promise<Span[]> {
  return eventually(() => {
    const spans = manager.getTrace(runId, traceId);
    return spans.length >= count ? spans : undefined;
  }, `${count} spans of trace ${traceId}`);
}

const chain = () =>
  restTopology({
    services: [{ id: "orders", workMs: 5 }, { id: "billing", workMs: 40 }],
    edges: [
      { id: "client-orders", source: "client", target: "orders" },
      { id: "orders-billing", source: "orders", target: "billing" },
    ],
  });

describe("a REST chain client → orders → billing", () => {
  it("carries one trace through three processes and leaves nothing behind when stopped", async () => {
    manager = createRunManager({ redisUrl: TEST_REDIS_URL });
    const { runId, token, run } = await manager.start(chain(), { detach: false });
    expect(run.state).toBe(RunState.RUNNING);
    expect(manager.checkToken(runId, token)).toBe(true);
    expect(manager.checkToken(runId, `${token}x`)).toBe(false);
    const nodes = new Map(manager.get(runId).nodes.map((node) => [node.nodeId, node]));
    expect([...nodes.values()].map((node) => node.status)).toEqual([NodeStatus.UP, NodeStatus.UP, NodeStatus.UP]);
    expect(new Set([...nodes.values()].map((node) => node.pid)).size).toBe(3);

    const [traceId] = await manager.sendMessage(runId, "client", 1);
    // client: send + CLIENT; orders: SERVER + CLIENT; billing: SERVER.
    const spans = await spansOf(runId, traceId, 5);
    expect(new Set(spans.map((span) => span.traceId))).toEqual(new Set([traceId]));
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    for (const span of spans) {
      expect(span.pid, `pid of ${span.nodeId}'s span`).toBe(nodes.get(span.nodeId)?.pid);
      if (!span.parentSpanId) continue;
      const parent = byId.get(span.parentSpanId);
      expect(parent, `parent of ${span.name} on ${span.nodeId}`).toBeDefined();
      expect(parent!.startUnixMs).toBeLessThanOrEqual(span.startUnixMs);
    }
    expect(spans.filter((span) => !span.parentSpanId)).toHaveLength(1);
    expect([...new Set(spans.map((span) => span.nodeId))]).toEqual(["client", "orders", "billing"]);
    const billingServer = spans.find((span) => span.nodeId === "billing" && span.kind === SpanKind.SERVER)!;
    expect(billingServer.durationMs).toBeGreaterThanOrEqual(40);
    expect(billingServer.hop).toBe(2);
    expect(spans.every((span) => span.status === SpanStatus.OK)).toBe(true);
    const clientCall = spans.find((span) => span.nodeId === "client" && span.kind === SpanKind.CLIENT)!;
    expect(clientCall.attributes["http.request.method"]).toBe("POST");
    expect(clientCall.attributes["url.path"]).toBe("/orders");
    expect(clientCall.attributes["http.response.status_code"]).toBe("200");
    expect(clientCall.attributes["server.port"]).toBe(String(nodes.get("orders")!.httpPort));

    // A plain request from outside the run, answered by billing's own process.
    const billing = nodes.get("billing")!;
    const reply = await fetch(`http://127.0.0.1:${billing.httpPort}/`);
    expect(reply.status).toBe(200);
    expect(await reply.json()).toMatchObject({ nodeId: "billing", pid: billing.pid });

    const counters = await eventually(() => {
      const edge = manager.get(runId).edges.find((e) => e.edgeId === "orders-billing");
      // Each side reports its share every ~500 ms: wait for both.
      return edge && edge.sent >= 1 && edge.delivered >= 1 ? edge : undefined;
    }, "counters of orders-billing");
    expect(counters).toMatchObject({ sent: 1, delivered: 1, failed: 0 });

    // Stand-in for a transport's key: stop must remove everything under the prefix.
    const { redisPrefix } = manager.get(runId);
    expect(redisPrefix).toBe(`ipcplay:${runId}:`);
    await redis.set(`${redisPrefix}probe`, "1");

    const summary = await manager.stop(runId);
    expect(summary.edges.find((edge) => edge.edgeId === "client-orders")).toMatchObject({ sent: 1, delivered: 1 });
    expect(await manager.stop(runId)).toEqual(summary);
    expect(manager.get(runId).state).toBe(RunState.STOPPED);
    for (const node of nodes.values()) expect(processGone(node.pid), `${node.nodeId} pid ${node.pid} gone`).toBe(true);
    for (const port of [nodes.get("orders")!.httpPort, billing.httpPort]) expect(await connectOutcome(port)).toBe("ECONNREFUSED");
    expect(await redis.keys(`${redisPrefix}*`)).toEqual([]);
    await expect(manager.sendMessage(runId, "client", 1)).rejects.toMatchObject({ code: "failed_precondition" });
  });

  it("marks a killed node DOWN, records UNAVAILABLE at its caller, and brings it back on ClearFault", async () => {
    manager = createRunManager({ redisUrl: TEST_REDIS_URL });
    const { runId } = await manager.start(chain(), { detach: false });
    const oldPid = manager.get(runId).nodes.find((node) => node.nodeId === "billing")!.pid;

    const afterKill = await manager.injectFault(runId, { nodeId: "billing", kind: FaultKind.KILL });
    const down = afterKill.nodes.find((node) => node.nodeId === "billing")!;
    expect(down.status).toBe(NodeStatus.DOWN);
    expect(down.error).toMatch(/killed/);
    expect(processGone(oldPid)).toBe(true);

    const [traceId] = await manager.sendMessage(runId, "client", 1);
    const spans = await spansOf(runId, traceId, 4);
    const call = spans.find((span) => span.nodeId === "orders" && span.kind === SpanKind.CLIENT)!;
    expect(call.status).toBe(SpanStatus.UNAVAILABLE);
    expect(call.statusMessage).toBe("ECONNREFUSED");
    // A sync chain couples its members: orders fails its own reply (502) and the client's call fails.
    const served = spans.find((span) => span.nodeId === "orders" && span.kind === SpanKind.SERVER)!;
    expect(served.status).toBe(SpanStatus.ERROR);
    expect(served.statusMessage).toMatch(/^downstream orders-billing failed: ECONNREFUSED/);
    const clientCall = spans.find((span) => span.nodeId === "client" && span.kind === SpanKind.CLIENT)!;
    expect(clientCall.status).toBe(SpanStatus.ERROR);
    expect(clientCall.attributes["http.response.status_code"]).toBe("502");
    for (const edgeId of ["client-orders", "orders-billing"]) {
      await eventually(() => (manager.get(runId).edges.find((e) => e.edgeId === edgeId)!.failed >= 1 ? true : undefined), `failed count of ${edgeId}`);
    }

    const afterClear = await manager.clearFault(runId, { nodeId: "billing" });
    const back = afterClear.nodes.find((node) => node.nodeId === "billing")!;
    expect(back.status).toBe(NodeStatus.UP);
    expect(back.pid).not.toBe(oldPid);
    const [again] = await manager.sendMessage(runId, "client", 1);
    const healed = await spansOf(runId, again, 5);
    expect(healed.find((span) => span.nodeId === "billing")!.pid).toBe(back.pid);
    expect(healed.every((span) => span.status === SpanStatus.OK)).toBe(true);
  });

  it("records TIMEOUT when the callee works longer than the caller waits, and counts the retry", async () => {
    manager = createRunManager({ redisUrl: TEST_REDIS_URL });
    const topology = restTopology({
      services: [{ id: "slow", workMs: 300 }],
      edges: [{ id: "client-slow", source: "client", target: "slow", timeoutMs: 100, retries: 1 }],
    });
    const { runId } = await manager.start(topology, { detach: false });
    const [traceId] = await manager.sendMessage(runId, "client", 1);
    const spans = await spansOf(runId, traceId, 2);
    const call = spans.find((span) => span.kind === SpanKind.CLIENT)!;
    expect(call.status).toBe(SpanStatus.TIMEOUT);
    expect(call.attempt).toBe(2);
    expect(call.durationMs).toBeGreaterThanOrEqual(200);
    expect(call.durationMs).toBeLessThan(300);
    const edge = await eventually(() => {
      const counters = manager.get(runId).edges[0];
      return counters.failed >= 1 ? counters : undefined;
    }, "timeout counted");
    expect(edge).toMatchObject({ sent: 1, failed: 1, retries: 1 });
  });

  it("ends a message going round a cycle with HOP_LIMIT", async () => {
    manager = createRunManager({ redisUrl: TEST_REDIS_URL });
    const topology = restTopology({
      hopLimit: 4,
      services: [{ id: "a" }, { id: "b" }],
      edges: [
        { id: "client-a", source: "client", target: "a" },
        { id: "a-b", source: "a", target: "b" },
        { id: "b-a", source: "b", target: "a" },
      ],
    });
    const { runId } = await manager.start(topology, { detach: false });
    const [traceId] = await manager.sendMessage(runId, "client", 1);
    // send, then per hop 1..4 a CLIENT and a SERVER span, then the HOP_LIMIT span.
    const spans = await spansOf(runId, traceId, 10);
    const ended = spans.filter((span) => span.status === SpanStatus.HOP_LIMIT);
    expect(ended).toHaveLength(1);
    // client→a is hop 1, a→b 2, b→a 3, a→b 4; b would make it 5.
    expect(ended[0]).toMatchObject({ nodeId: "b", edgeId: "b-a", hop: 4 });
    expect(Math.max(...spans.map((span) => span.hop))).toBe(4);
    expect(manager.listTraces(runId, 10)[0]).toMatchObject({ traceId, rootNodeId: "client", status: SpanStatus.HOP_LIMIT });
  });
});

describe("a run over time", () => {
  it("generates a client's traffic by itself and streams spans and RunInfo to watchers", async () => {
    manager = createRunManager({ redisUrl: TEST_REDIS_URL });
    const topology = restTopology({ services: [{ id: "api", workMs: 2 }], edges: [{ id: "client-api", source: "client", target: "api" }] });
    topology.nodes[0].traffic!.ratePerSecond = 50;
    const { runId, run } = await manager.start(topology, { detach: true });
    expect(run.state).toBe(RunState.STARTING);

    const events: RunEvent[] = [];
    const unwatch = manager.watch(runId, (event) => events.push(event));
    expect(events[0]?.event.case).toBe("run");
    const traces = await eventually(() => {
      // The newest traces may still be arriving (each process ships its spans on its own clock).
      const complete = manager.listTraces(runId, 100).filter((trace) => trace.spanCount === 3);
      return complete.length >= 15 ? complete : undefined;
    }, "15 complete traces from automatic traffic");
    expect(traces.every((trace) => trace.rootNodeId === "client" && trace.status === SpanStatus.OK)).toBe(true);
    const edge = await eventually(() => {
      const counters = manager.get(runId).edges[0];
      return counters.sent >= 10 && counters.ratePerSecond > 0 ? counters : undefined;
    }, "edge counters and rate");
    expect(edge.p50Ms).toBeGreaterThanOrEqual(2);
    unwatch();
    expect(events.some((event) => event.event.case === "spans")).toBe(true);
    expect(events.some((event) => event.event.case === "run" && event.event.value.state === RunState.RUNNING)).toBe(true);
  });

  it("pauses a node (its callers time out) and resumes it; a node's kind of fault on an edge is refused", async () => {
    manager = createRunManager({ redisUrl: TEST_REDIS_URL });
    const topology = restTopology({ services: [{ id: "api" }], edges: [{ id: "client-api", source: "client", target: "api", timeoutMs: 150 }] });
    const { runId } = await manager.start(topology, { detach: false });
    const paused = await manager.injectFault(runId, { nodeId: "api", kind: FaultKind.PAUSE });
    expect(paused.nodes.find((node) => node.nodeId === "api")!.status).toBe(NodeStatus.PAUSED);
    const [stuck] = await manager.sendMessage(runId, "client", 1);
    const [call] = (await spansOf(runId, stuck, 2)).filter((span) => span.kind === SpanKind.CLIENT);
    expect(call.status).toBe(SpanStatus.TIMEOUT);

    const resumed = await manager.clearFault(runId, { nodeId: "api" });
    expect(resumed.nodes.find((node) => node.nodeId === "api")!.status).toBe(NodeStatus.UP);
    const [fine] = await manager.sendMessage(runId, "client", 1);
    expect((await spansOf(runId, fine, 3)).every((span) => span.status === SpanStatus.OK)).toBe(true);

    await expect(manager.injectFault(runId, { edgeId: "client-api", kind: FaultKind.PAUSE })).rejects.toMatchObject({
      code: "invalid_argument",
      message: expect.stringContaining("kind: PAUSE is for nodes; edge client-api is a REST edge"),
    });
    await expect(manager.injectFault(runId, { nodeId: "nope", kind: FaultKind.KILL })).rejects.toMatchObject({ code: "not_found" });
    expect(() => manager.get("r-unknown")).toThrow(expect.objectContaining({ code: "not_found" }));
  });
});

describe("limits and failures to start", () => {
  it("refuses a run past maxConcurrentRuns with resource_exhausted", async () => {
    manager = createRunManager({ redisUrl: TEST_REDIS_URL, limits: { maxConcurrentRuns: 1 } });
    await manager.start(chain(), { detach: true });
    const refused = manager.start(chain(), { detach: true });
    await expect(refused).rejects.toBeInstanceOf(RunError);
    await expect(refused).rejects.toMatchObject({ code: "resource_exhausted", message: expect.stringMatching(/at once \(1\)/) });
  });

  it("says to run npm run build:host when the host bundle is missing", async () => {
    manager = createRunManager({ redisUrl: TEST_REDIS_URL, hostBundlePath: "/nonexistent/host.mjs" });
    await expect(manager.start(chain(), { detach: false })).rejects.toMatchObject({
      code: "failed_precondition",
      message: expect.stringContaining("npm run build:host"),
    });
  });

  describe("with hosts that never get ready", () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), "ipcplay-stuck-host-"));
      // Records its pid and then ignores every message: it keeps its IPC channel and never says ready.
      writeFileSync(
        path.join(dir, "stuck-host.mjs"),
        `import { appendFileSync } from "node:fs";\nappendFileSync(${JSON.stringify(path.join(dir, "pids"))}, process.pid + "\\n");\nprocess.on("message", () => {});\n`,
      );
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("stops everything and names the nodes when the start times out", async () => {
      manager = createRunManager({
        redisUrl: TEST_REDIS_URL,
        hostBundlePath: path.join(dir, "stuck-host.mjs"),
        // Generous enough that all three stuck hosts have started (and written their pid) on a busy 2-core machine.
        limits: { startTimeoutMs: 1_500, shutdownGraceMs: 200 },
      });
      const started = manager.start(chain(), { detach: false });
      await expect(started).rejects.toMatchObject({
        code: "unavailable",
        message: expect.stringMatching(/client: not ready within 1500 ms; orders: .*; billing: /),
      });
      const pids = readFileSync(path.join(dir, "pids"), "utf8").trim().split("\n").map(Number);
      expect(pids).toHaveLength(3);
      for (const pid of pids) expect(processGone(pid), `stuck host ${pid} gone`).toBe(true);
    });
  });
});
