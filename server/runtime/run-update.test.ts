/**
 * UpdateRun end to end: real processes, real sockets. Each change is checked
 * by what the processes do after it (spans, counters, pids), with lower bounds
 * only, so a slow machine cannot fail them.
 */
import { clone, create } from "@bufbuild/protobuf";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { NodeStatus, SpanKind, SpanStatus, type RunEvent, type Span } from "@/lib/gen/ipcplay/v1/playground_pb";
import { FaultKind } from "@/lib/gen/ipcplay/v1/topology_pb";
import { Delivery, EdgeSchema, NodeSchema, TopologySchema, Transport, type Topology } from "@/lib/gen/ipcplay/v1/topology_pb";
import { createRunManager } from "./orchestrator";
import type { RunManager } from "./run-manager";
import { buildHostBundle, eventually, processGone, restTopology, TEST_REDIS_URL } from "./test-support";

let manager: RunManager;

beforeAll(() => buildHostBundle());

afterEach(async () => {
  await manager?.shutdown();
});

function spansOf(runId: string, traceId: string, count: number): Promise<Span[]> {
  return eventually(() => {
    const spans = manager.getTrace(runId, traceId);
    return spans.length >= count ? spans : undefined;
  }, `${count} spans of trace ${traceId}`);
}

const pids = (runId: string) => new Map(manager.get(runId).nodes.map((node) => [node.nodeId, node.pid]));
const edgeOf = (runId: string, edgeId: string) => manager.get(runId).edges.find((edge) => edge.edgeId === edgeId);

/** client → gw → be over REST. */
function chain(beWorkMs: number, gwBeTimeoutMs = 1000): Topology {
  return restTopology({
    services: [{ id: "gw", workMs: 0 }, { id: "be", workMs: beWorkMs }],
    edges: [
      { id: "c-gw", source: "client", target: "gw" },
      { id: "gw-be", source: "gw", target: "be", timeoutMs: gwBeTimeoutMs },
    ],
  });
}

function edited(topology: Topology, edit: (copy: Topology) => void): Topology {
  const copy = clone(TopologySchema, topology);
  edit(copy);
  return copy;
}

/** Sends one message at the client and answers be's SERVER span of it. */
async function serverSpanAtBe(runId: string): Promise<Span> {
  const [traceId] = await manager.sendMessage(runId, "client", 1);
  const spans = await spansOf(runId, traceId, 5);
  return spans.find((span) => span.nodeId === "be" && span.kind === SpanKind.SERVER)!;
}

describe("UpdateRun", () => {
  it("changes a running service's work time within a second, in the same process, and logs it", async () => {
    manager = createRunManager({ redisUrl: TEST_REDIS_URL });
    const topology = chain(2);
    const { runId } = await manager.start(topology, { detach: false });
    const logs: string[] = [];
    manager.watch(runId, (event: RunEvent) => {
      if (event.event.case === "log") logs.push(event.event.value.message);
    });
    const before = pids(runId);
    const old = await serverSpanAtBe(runId);
    expect(old.attributes["ipcplay.work_ms"]).toBe("2.000");

    const update = await manager.updateRun(runId, edited(topology, (copy) => (copy.nodes[2].behavior!.workTime!.meanMs = 60)));
    const answeredAt = Date.now();
    expect(update).toMatchObject({ applied: ["be: work time 2 ms → 60 ms"], restarted: [], started: [], stopped: [] });
    expect(pids(runId)).toEqual(before);
    expect(update.run.nodes.every((node) => node.status === NodeStatus.UP)).toBe(true);

    // The first message sent within a second of the answer already takes the new time.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(Date.now() - answeredAt).toBeLessThan(1000);
    for (let index = 0; index < 3; index++) {
      const span = await serverSpanAtBe(runId);
      expect(span.attributes["ipcplay.work_ms"]).toBe("60.000");
      // Node's timers count whole milliseconds: a 60 ms wait may measure 59.99 ms on the span's finer clock.
      expect(span.durationMs).toBeGreaterThanOrEqual(59);
      expect(span.pid).toBe(before.get("be"));
    }
    expect(logs).toContain("update: be: work time 2 ms → 60 ms");
  });

  it("lowers an edge's timeout live: a slow callee now times out", async () => {
    manager = createRunManager({ redisUrl: TEST_REDIS_URL });
    const topology = chain(150, 1000);
    const { runId } = await manager.start(topology, { detach: false });
    const before = pids(runId);
    const [okTrace] = await manager.sendMessage(runId, "client", 1);
    const okSpans = await spansOf(runId, okTrace, 5);
    expect(okSpans.find((span) => span.nodeId === "gw" && span.kind === SpanKind.CLIENT)!.status).toBe(SpanStatus.OK);

    const lowered = edited(topology, (copy) => {
      const settings = copy.edges[1].settings;
      if (settings.case === "rest") settings.value.timeoutMs = 50;
    });
    const update = await manager.updateRun(runId, lowered);
    expect(update.applied).toEqual(["edge gw-be: timeout 1000 ms → 50 ms"]);
    expect(pids(runId)).toEqual(before);

    const [trace] = await manager.sendMessage(runId, "client", 1);
    const spans = await spansOf(runId, trace, 4);
    const call = spans.find((span) => span.nodeId === "gw" && span.kind === SpanKind.CLIENT)!;
    expect(call.status).toBe(SpanStatus.TIMEOUT);
    expect(call.pid).toBe(before.get("gw"));
    await eventually(() => (edgeOf(runId, "gw-be")!.failedBy.some((entry) => entry.outcome === "timed out") ? true : undefined), "a timeout on gw-be's books");
  });

  it("adds a node and an edge: only the new node starts, and messages reach it", async () => {
    manager = createRunManager({ redisUrl: TEST_REDIS_URL });
    const topology = chain(0);
    const { runId } = await manager.start(topology, { detach: false });
    const before = pids(runId);
    await manager.sendMessage(runId, "client", 2);
    await eventually(() => ((edgeOf(runId, "gw-be")?.delivered ?? 0) >= 2 ? true : undefined), "2 messages through the chain");

    const grown = edited(topology, (copy) => {
      copy.nodes.push(create(NodeSchema, { ...clone(NodeSchema, copy.nodes[2]), id: "audit", label: "audit" }));
      copy.edges.push(create(EdgeSchema, { id: "be-audit", source: "be", target: "audit", transport: Transport.REST, settings: { case: "rest", value: { method: "POST", path: "/audit", timeoutMs: 1000 } } }));
    });
    const update = await manager.updateRun(runId, grown);
    expect(update).toMatchObject({ started: ["audit"], restarted: [], stopped: [] });
    expect(update.applied).toEqual(["edge be-audit: added (be → audit over REST)"]);
    const after = pids(runId);
    for (const [nodeId, pid] of before) expect(after.get(nodeId), `${nodeId}'s pid`).toBe(pid);
    expect(after.get("audit")).toBeGreaterThan(0);
    expect(new Set(after.values()).size).toBe(4);
    // The new edge is on the books at once; the old edges' counts are intact.
    expect(edgeOf(runId, "be-audit")).toMatchObject({ sent: 0, delivered: 0 });
    expect(edgeOf(runId, "c-gw")).toMatchObject({ sent: 2, delivered: 2 });

    const [traceId] = await manager.sendMessage(runId, "client", 1);
    const spans = await spansOf(runId, traceId, 7);
    const audit = spans.find((span) => span.nodeId === "audit" && span.kind === SpanKind.SERVER)!;
    expect(audit).toMatchObject({ status: SpanStatus.OK, pid: after.get("audit"), edgeId: "be-audit" });
    await eventually(() => {
      const edge = edgeOf(runId, "be-audit");
      return edge && edge.sent >= 1 && edge.delivered >= 1 ? edge : undefined;
    }, "be-audit counted");
    const summary = await manager.stop(runId);
    expect(summary.edges.map((edge) => edge.edgeId)).toEqual(["c-gw", "gw-be", "be-audit"]);
    expect(summary.edges.find((edge) => edge.edgeId === "be-audit")).toMatchObject({ sent: 1, delivered: 1, inFlight: 0 });
    for (const edgeId of ["c-gw", "gw-be"]) {
      expect(summary.edges.find((edge) => edge.edgeId === edgeId), edgeId).toMatchObject({ sent: 3, delivered: 3, failed: 0, lost: 0, inFlight: 0 });
    }
  });

  it("removes an edge and its node: traffic stops along it and the node's process ends", async () => {
    manager = createRunManager({ redisUrl: TEST_REDIS_URL });
    const topology = restTopology({
      services: [{ id: "gw" }, { id: "be" }, { id: "audit" }],
      edges: [
        { id: "c-gw", source: "client", target: "gw" },
        { id: "gw-be", source: "gw", target: "be" },
        { id: "gw-audit", source: "gw", target: "audit" },
      ],
    });
    const { runId } = await manager.start(topology, { detach: false });
    const before = pids(runId);
    await manager.sendMessage(runId, "client", 2);
    await eventually(() => ((edgeOf(runId, "gw-audit")?.delivered ?? 0) >= 2 ? true : undefined), "gw-audit carrying");

    const shrunk = edited(topology, (copy) => {
      copy.nodes = copy.nodes.filter((node) => node.id !== "audit");
      copy.edges = copy.edges.filter((edge) => edge.id !== "gw-audit");
    });
    const update = await manager.updateRun(runId, shrunk);
    expect(update).toMatchObject({ stopped: ["audit"], started: [], restarted: [] });
    expect(update.applied).toEqual(["edge gw-audit: removed"]);
    expect(processGone(before.get("audit")!)).toBe(true);
    const after = pids(runId);
    expect([...after.keys()]).toEqual(["client", "gw", "be"]);
    for (const [nodeId, pid] of after) expect(pid, `${nodeId}'s pid`).toBe(before.get(nodeId));
    expect(edgeOf(runId, "gw-audit")).toBeUndefined();

    const traceIds = await manager.sendMessage(runId, "client", 3);
    for (const traceId of traceIds) {
      const spans = await spansOf(runId, traceId, 5);
      expect(spans.every((span) => span.status === SpanStatus.OK)).toBe(true);
      expect(spans.some((span) => span.edgeId === "gw-audit" || span.nodeId === "audit")).toBe(false);
    }
    await eventually(() => ((edgeOf(runId, "gw-be")?.delivered ?? 0) >= 5 ? true : undefined), "gw-be carrying on");
  });

  it("changes a client's rate live: it starts sending at the new rate, and stops at 0", async () => {
    manager = createRunManager({ redisUrl: TEST_REDIS_URL });
    const topology = chain(0);
    const { runId } = await manager.start(topology, { detach: false });
    const before = pids(runId);
    const sent = () => edgeOf(runId, "c-gw")?.sent ?? 0;
    expect(sent()).toBe(0);

    const update = await manager.updateRun(runId, edited(topology, (copy) => (copy.nodes[0].traffic!.ratePerSecond = 40)));
    expect(update.applied).toEqual(["client: rate 0 msg/s → 40 msg/s"]);
    const from = Date.now();
    // The schedule is cumulative: after t seconds 40·t messages are due; at least half of those after 1.5 s.
    await eventually(() => (sent() >= 30 ? true : undefined), "30 messages at 40 msg/s", 5_000);
    expect(Date.now() - from).toBeGreaterThanOrEqual(30 / 40 * 1000 - 50);
    expect(pids(runId)).toEqual(before);

    await manager.updateRun(runId, topology);
    await new Promise((resolve) => setTimeout(resolve, 600));
    const stopped = sent();
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(sent()).toBe(stopped);
  });

  it("starts again only a node that gains an inbound edge, and says so", async () => {
    manager = createRunManager({ redisUrl: TEST_REDIS_URL });
    const topology = chain(0);
    const { runId } = await manager.start(topology, { detach: false });
    const before = pids(runId);

    const wider = edited(topology, (copy) => {
      copy.edges.push(create(EdgeSchema, { id: "c-be", source: "client", target: "be", transport: Transport.REST, settings: { case: "rest", value: { method: "POST", path: "/be", timeoutMs: 1000 } } }));
    });
    const update = await manager.updateRun(runId, wider);
    expect(update).toMatchObject({ restarted: ["be"], started: [], stopped: [], applied: ["edge c-be: added (client → be over REST)"] });
    const after = pids(runId);
    expect(after.get("be")).not.toBe(before.get("be"));
    expect(after.get("client")).toBe(before.get("client"));
    expect(after.get("gw")).toBe(before.get("gw"));
    expect(update.run.nodes.every((node) => node.status === NodeStatus.UP)).toBe(true);

    // The client fans out to both edges: be hears from it directly now.
    const [traceId] = await manager.sendMessage(runId, "client", 1);
    const spans = await spansOf(runId, traceId, 7).catch((error: Error) => {
      const seen = manager.getTrace(runId, traceId).map((span) => `${span.nodeId} ${SpanKind[span.kind]} ${span.edgeId} ${SpanStatus[span.status]} ${span.statusMessage}`);
      throw new Error(`${error.message}; spans: ${seen.join(" | ")}`);
    });
    expect(spans.find((span) => span.nodeId === "be" && span.edgeId === "c-be")).toMatchObject({ status: SpanStatus.OK, pid: after.get("be") });
    await eventually(() => ((edgeOf(runId, "c-be")?.delivered ?? 0) >= 1 ? true : undefined), "c-be counted");
  });

  it("changes a queue edge's job options for the next jobs, in the same producer", async () => {
    manager = createRunManager({ redisUrl: TEST_REDIS_URL });
    const topology = restTopology({ services: [{ id: "gw" }, { id: "worker" }], edges: [{ id: "c-gw", source: "client", target: "gw" }] });
    topology.edges.push(create(EdgeSchema, { id: "gw-w", source: "gw", target: "worker", transport: Transport.QUEUE, settings: { case: "queue", value: { channel: "jobs", attempts: 3, backoffMs: 200 } } }));
    const { runId } = await manager.start(topology, { detach: false });
    const before = pids(runId);
    const producerSpan = async () => {
      const [traceId] = await manager.sendMessage(runId, "client", 1);
      const spans = await spansOf(runId, traceId, 5);
      return spans.find((span) => span.nodeId === "gw" && span.kind === SpanKind.PRODUCER)!;
    };
    expect((await producerSpan()).attributes["ipcplay.attempts_allowed"]).toBe("3");

    const update = await manager.updateRun(
      runId,
      edited(topology, (copy) => {
        const settings = copy.edges[1].settings;
        if (settings.case === "queue") settings.value.attempts = 5;
      }),
    );
    expect(update).toMatchObject({ applied: ["edge gw-w: attempts 3 → 5"], restarted: [], started: [], stopped: [] });
    const span = await producerSpan();
    expect(span.attributes["ipcplay.attempts_allowed"]).toBe("5");
    expect(pids(runId)).toEqual(before);
    await eventually(() => ((edgeOf(runId, "gw-w")?.delivered ?? 0) >= 2 ? true : undefined), "both jobs delivered");
  });

  it("raises a service's concurrency live: messages that waited for a slot now work at once", async () => {
    manager = createRunManager({ redisUrl: TEST_REDIS_URL });
    // Work long enough that three messages sent at once arrive well within one work time, however busy the machine.
    const topology = edited(chain(1000), (copy) => (copy.nodes[2].behavior!.concurrency = 1));
    const { runId } = await manager.start(topology, { detach: false });
    const before = pids(runId);
    /** be's work of three messages sent at once: when each started working (after its wait for a slot) and ended. */
    const work = async () => {
      const traceIds = await manager.sendMessage(runId, "client", 3);
      const traces = await Promise.all(traceIds.map((traceId) => spansOf(runId, traceId, 5)));
      return traces.map((spans) => {
        const span = spans.find((candidate) => candidate.nodeId === "be" && candidate.kind === SpanKind.SERVER)!;
        const start = span.startUnixMs + Number(span.attributes["ipcplay.concurrency_wait_ms"]);
        return { start, end: start + Number(span.attributes["ipcplay.work_ms"]) };
      });
    };
    // One slot: one after the other.
    const serial = (await work()).sort((a, b) => a.start - b.start);
    for (let index = 1; index < serial.length; index++) expect(serial[index].start).toBeGreaterThanOrEqual(serial[index - 1].end - 1);

    const update = await manager.updateRun(runId, edited(topology, (copy) => (copy.nodes[2].behavior!.concurrency = 8)));
    expect(update.applied).toEqual(["be: concurrency 1 → 8"]);
    expect(pids(runId)).toEqual(before);
    // Eight slots: side by side (each starts before any other ends).
    const parallel = await work();
    expect(Math.max(...parallel.map((interval) => interval.start))).toBeLessThan(Math.min(...parallel.map((interval) => interval.end)));
  });

  it("adds a queue consumer of a new channel: only it starts, and the producer hands it jobs", async () => {
    manager = createRunManager({ redisUrl: TEST_REDIS_URL });
    const topology = chain(0);
    const { runId } = await manager.start(topology, { detach: false });
    const before = pids(runId);
    const grown = edited(topology, (copy) => {
      copy.nodes.push(create(NodeSchema, { ...clone(NodeSchema, copy.nodes[2]), id: "worker", label: "worker" }));
      copy.edges.push(create(EdgeSchema, { id: "gw-w", source: "gw", target: "worker", transport: Transport.QUEUE, settings: { case: "queue", value: { channel: "jobs", attempts: 3, backoffMs: 200 } } }));
    });
    const update = await manager.updateRun(runId, grown);
    expect(update).toMatchObject({ started: ["worker"], restarted: [], stopped: [] });
    for (const [nodeId, pid] of before) expect(pids(runId).get(nodeId), `${nodeId}'s pid`).toBe(pid);
    await manager.sendMessage(runId, "client", 3);
    const edge = await eventually(() => {
      const counters = edgeOf(runId, "gw-w");
      return counters && counters.delivered >= 3 ? counters : undefined;
    }, "3 jobs delivered on gw-w");
    expect(edge).toMatchObject({ sent: 3, delivered: 3, failed: 0, lost: 0 });
  });

  it("adds a subscriber to a topic: it starts, the publisher starts again (its sender's edges change), both subscribers get every message", async () => {
    manager = createRunManager({ redisUrl: TEST_REDIS_URL });
    const topic = (id: string, target: string) =>
      create(EdgeSchema, { id, source: "gw", target, transport: Transport.PUBSUB, settings: { case: "pubsub", value: { channel: "events", delivery: Delivery.DURABLE } } });
    const topology = restTopology({ services: [{ id: "gw" }, { id: "s1" }], edges: [{ id: "c-gw", source: "client", target: "gw" }] });
    topology.edges.push(topic("gw-s1", "s1"));
    const { runId } = await manager.start(topology, { detach: false });
    const before = pids(runId);

    const grown = edited(topology, (copy) => {
      copy.nodes.push(create(NodeSchema, { ...clone(NodeSchema, copy.nodes[2]), id: "s2", label: "s2" }));
      copy.edges.push(topic("gw-s2", "s2"));
    });
    const update = await manager.updateRun(runId, grown);
    expect(update).toMatchObject({ started: ["s2"], restarted: ["gw"], stopped: [] });
    const after = pids(runId);
    expect(after.get("gw")).not.toBe(before.get("gw"));
    expect(after.get("client")).toBe(before.get("client"));
    expect(after.get("s1")).toBe(before.get("s1"));

    await manager.sendMessage(runId, "client", 3);
    for (const edgeId of ["gw-s1", "gw-s2"]) {
      await eventually(() => ((edgeOf(runId, edgeId)?.delivered ?? 0) >= 3 ? true : undefined), `3 messages delivered on ${edgeId}`);
    }
    expect(edgeOf(runId, "gw-s2")).toMatchObject({ sent: 3, delivered: 3, lost: 0 });
  });

  it("updates a paused node without waiting for it; it applies the update when resumed", async () => {
    manager = createRunManager({ redisUrl: TEST_REDIS_URL });
    const topology = chain(2);
    const { runId } = await manager.start(topology, { detach: false });
    const pid = pids(runId).get("be");
    await manager.injectFault(runId, { kind: FaultKind.PAUSE, nodeId: "be" });
    const update = await manager.updateRun(runId, edited(topology, (copy) => (copy.nodes[2].behavior!.workTime!.meanMs = 35)));
    expect(update.applied).toEqual(["be: work time 2 ms → 35 ms"]);
    expect(update.run.nodes.find((node) => node.nodeId === "be")!.status).toBe(NodeStatus.PAUSED);
    await manager.clearFault(runId, { nodeId: "be" });
    const span = await serverSpanAtBe(runId);
    expect(span).toMatchObject({ pid });
    expect(span.attributes["ipcplay.work_ms"]).toBe("35.000");
  });

  it("applies one update at a time, each against the one before it", async () => {
    manager = createRunManager({ redisUrl: TEST_REDIS_URL });
    const topology = chain(2);
    const { runId } = await manager.start(topology, { detach: false });
    const [first, second] = await Promise.all([
      manager.updateRun(runId, edited(topology, (copy) => (copy.nodes[2].behavior!.workTime!.meanMs = 30))),
      manager.updateRun(runId, edited(topology, (copy) => (copy.nodes[2].behavior!.workTime!.meanMs = 60))),
    ]);
    expect(first.applied).toEqual(["be: work time 2 ms → 30 ms"]);
    expect(second.applied).toEqual(["be: work time 30 ms → 60 ms"]);
    expect((await serverSpanAtBe(runId)).attributes["ipcplay.work_ms"]).toBe("60.000");
  });

  it("starts a node killed after an update with the updated settings", async () => {
    manager = createRunManager({ redisUrl: TEST_REDIS_URL });
    const topology = chain(2);
    const { runId } = await manager.start(topology, { detach: false });
    await manager.updateRun(runId, edited(topology, (copy) => (copy.nodes[2].behavior!.workTime!.meanMs = 45)));
    const oldPid = pids(runId).get("be");
    await manager.injectFault(runId, { kind: FaultKind.KILL, nodeId: "be" });
    await manager.clearFault(runId, { nodeId: "be" });
    const span = await serverSpanAtBe(runId);
    expect(span.pid).not.toBe(oldPid);
    expect(span.attributes["ipcplay.work_ms"]).toBe("45.000");
  });

  it("refuses an update while the run starts and after it stopped", async () => {
    manager = createRunManager({ redisUrl: TEST_REDIS_URL });
    const topology = chain(0);
    const { runId } = await manager.start(topology, { detach: true });
    await expect(manager.updateRun(runId, topology)).rejects.toMatchObject({ code: "failed_precondition" });
    await eventually(() => (manager.get(runId).nodes.every((node) => node.status === NodeStatus.UP) ? true : undefined), "the run up");
    await manager.stop(runId);
    await expect(manager.updateRun(runId, topology)).rejects.toMatchObject({ code: "failed_precondition" });
  });
});
