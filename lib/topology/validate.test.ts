import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import {
  Delivery,
  Distribution,
  NodeKind,
  TopologySchema,
  Transport,
  type Topology,
} from "@/lib/gen/ipcplay/v1/topology_pb";
import { createEdge, createNode, emptyTopology } from "./factory";
import { LIMITS } from "./limits";
import { validateTopology } from "./validate";

/**
 * client → api (REST) → worker (QUEUE "jobs"), api → audit (PUBSUB "audit"):
 * valid, with one edge of each settings kind the checks look into.
 */
function valid(): Topology {
  const t = emptyTopology("Test");
  t.nodes.push(
    createNode(NodeKind.CLIENT, "client", { x: 0, y: 0 }),
    createNode(NodeKind.SERVICE, "api", { x: 240, y: 0 }),
    createNode(NodeKind.SERVICE, "worker", { x: 480, y: 0 }),
    createNode(NodeKind.SERVICE, "audit", { x: 480, y: 140 }),
  );
  t.edges.push(
    createEdge("client-api", "client", "api", Transport.REST),
    createEdge("api-worker", "api", "worker", Transport.QUEUE),
    createEdge("api-audit", "api", "audit", Transport.PUBSUB),
    createEdge("api-grpc", "api", "worker", Transport.CONNECT),
  );
  return t;
}

function settings<C extends "rest" | "connect" | "queue" | "pubsub">(t: Topology, index: number, which: C) {
  const s = t.edges[index].settings;
  if (s.case !== which) throw new Error(`edges[${index}] has ${s.case} settings, not ${which}`);
  return s.value as Extract<Topology["edges"][number]["settings"], { case: C }>["value"];
}

const service = (t: Topology) => t.nodes[1].behavior!;
const traffic = (t: Topology) => t.nodes[0].traffic!;

describe("validateTopology", () => {
  it("finds nothing wrong with a valid topology", () => {
    expect(validateTopology(valid())).toEqual([]);
  });

  it("says an empty topology needs a client and a service", () => {
    expect(validateTopology(emptyTopology())).toEqual([
      { path: "nodes", message: "the topology is empty: add at least one client and one service" },
    ]);
  });

  type Case = [name: string, mutate: (t: Topology) => void, path: string, message: string];
  const cases: Case[] = [
    ["no client", (t) => { t.nodes.splice(0, 1); t.edges.splice(0, 1); }, "nodes", "add at least one client"],
    ["no service", (t) => { t.nodes.splice(1, 3); t.edges = []; }, "nodes", "add at least one service"],
    ["too many nodes", (t) => { for (let i = 0; i < LIMITS.maxNodes; i++) t.nodes.push(createNode(NodeKind.SERVICE, `s${i}`, { x: 0, y: 0 })); }, "nodes", `has ${LIMITS.maxNodes + 4} nodes; at most ${LIMITS.maxNodes}`],
    ["too many edges", (t) => { for (let i = 0; i <= LIMITS.maxEdges; i++) t.edges.push(createEdge(`e${i}`, "api", "worker", Transport.REST)); }, "edges", `at most ${LIMITS.maxEdges} are allowed`],
    ["bad node id", (t) => { t.nodes[2].id = "Worker_1"; t.edges[1].target = "Worker_1"; t.edges[3].target = "Worker_1"; }, "nodes[2].id", '"Worker_1" is not a valid id; use 1 to 32 characters: lowercase letters'],
    ["empty node id", (t) => { t.nodes[3].id = ""; t.edges.splice(2, 1); }, "nodes[3].id", "is empty; use 1 to 32 characters"],
    ["too long node id", (t) => { t.nodes[3].id = "a".repeat(33); t.edges[2].target = t.nodes[3].id; }, "nodes[3].id", "is not a valid id"],
    ["duplicate node id", (t) => { t.nodes[3].id = "worker"; t.edges[2].target = "worker"; }, "nodes[3].id", '"worker" is already the id of nodes[2]; ids must be unique'],
    ["duplicate edge id", (t) => { t.edges[3].id = "client-api"; }, "edges[3].id", '"client-api" is already the id of edges[0]'],
    ["bad edge id", (t) => { t.edges[3].id = "9lives"; }, "edges[3].id", '"9lives" is not a valid id'],
    ["unspecified kind", (t) => { t.nodes[3].kind = NodeKind.UNSPECIFIED; }, "nodes[3].kind", "choose a kind: SERVICE or CLIENT"],
    ["unknown kind", (t) => { t.nodes[3].kind = 7 as NodeKind; }, "nodes[3].kind", "unknown kind 7; choose one: SERVICE or CLIENT"],
    ["unknown source", (t) => { t.edges[2].source = "ghost"; }, "edges[2].source", 'no node has id "ghost"'],
    ["unknown target", (t) => { t.edges[3].target = "x"; }, "edges[3].target", 'no node has id "x"'],
    ["empty source", (t) => { t.edges[3].source = ""; }, "edges[3].source", "is empty; name the node the edge starts from"],
    ["edge into a client", (t) => { t.edges[3].target = "client"; }, "edges[3].target", '"client" is a client; clients only send, so no edge may end at one'],
    ["client self-loop", (t) => { t.edges.push(createEdge("loop", "client", "client", Transport.REST)); }, "edges[4].target", "a client cannot send to itself"],
    ["client with nowhere to send", (t) => { t.nodes.push(createNode(NodeKind.CLIENT, "idle", { x: 0, y: 0 })); }, "nodes[4]", 'this client has nowhere to send: draw an edge from "idle"'],
    ["transport unspecified", (t) => { t.edges[0].transport = Transport.UNSPECIFIED; }, "edges[0].transport", "choose a transport: REST, CONNECT, QUEUE or PUBSUB"],
    ["settings of another transport", (t) => { t.edges[0].transport = Transport.CONNECT; }, "edges[0].rest", "these are rest settings but the edge's transport is CONNECT"],
    ["settings missing", (t) => { t.edges[0].settings = { case: undefined }; }, "edges[0].rest", "is missing: a REST edge needs its settings"],
    ["error rate over 1", (t) => { service(t).errorRate = 1.5; }, "nodes[1].behavior.errorRate", "must be a number from 0 to 1, got 1.5"],
    ["error rate NaN", (t) => { service(t).errorRate = Number.NaN; }, "nodes[1].behavior.errorRate", "got NaN"],
    ["negative work time", (t) => { service(t).workTime!.meanMs = -1; }, "nodes[1].behavior.workTime.meanMs", `from 0 to ${LIMITS.maxWorkMs} ms, got -1`],
    ["work time over the limit", (t) => { service(t).workTime!.stddevMs = LIMITS.maxWorkMs + 1; }, "nodes[1].behavior.workTime.stddevMs", "must be a number from 0"],
    ["uniform min over max", (t) => { Object.assign(service(t).workTime!, { distribution: Distribution.UNIFORM, minMs: 50, maxMs: 10 }); }, "nodes[1].behavior.workTime.maxMs", "must be at least minMs (50 ms), got 10"],
    ["unspecified distribution", (t) => { service(t).workTime!.distribution = Distribution.UNSPECIFIED; }, "nodes[1].behavior.workTime.distribution", "choose a distribution: FIXED, UNIFORM, NORMAL or EXPONENTIAL"],
    ["concurrency 0", (t) => { service(t).concurrency = 0; }, "nodes[1].behavior.concurrency", `must be a whole number from 1 to ${LIMITS.maxConcurrency}, got 0`],
    ["concurrency fractional", (t) => { service(t).concurrency = 2.5; }, "nodes[1].behavior.concurrency", "whole number"],
    ["reply too large", (t) => { service(t).replyBytes = LIMITS.maxPayloadBytes + 1; }, "nodes[1].behavior.replyBytes", "bytes, got"],
    ["service without behavior", (t) => { t.nodes[1].behavior = undefined; }, "nodes[1].behavior", "a service needs a behavior"],
    ["rate over the limit", (t) => { traffic(t).ratePerSecond = LIMITS.maxRatePerSecond + 1; }, "nodes[0].traffic.ratePerSecond", "messages per second"],
    ["clients over the run's total rate", (t) => { traffic(t).ratePerSecond = LIMITS.maxRatePerSecond; for (let i = 0; i < 2; i++) { const c = createNode(NodeKind.CLIENT, `c${i}`, { x: 0, y: 0 }); c.traffic!.ratePerSecond = LIMITS.maxRatePerSecond; t.nodes.push(c); t.edges.push(createEdge(`ce${i}`, `c${i}`, "api", Transport.REST)); } }, "nodes", `per run are allowed`],
    ["negative rate", (t) => { traffic(t).ratePerSecond = -2; }, "nodes[0].traffic.ratePerSecond", "got -2"],
    ["payload too large", (t) => { traffic(t).payloadBytes = LIMITS.maxPayloadBytes * 2; }, "nodes[0].traffic.payloadBytes", `from 0 to ${LIMITS.maxPayloadBytes} bytes`],
    ["burst size over the limit", (t) => { traffic(t).burstSize = LIMITS.maxBurstSize + 1; }, "nodes[0].traffic.burstSize", "whole number from 1"],
    ["ramp over the limit", (t) => { traffic(t).rampSeconds = LIMITS.maxRampSeconds + 1; }, "nodes[0].traffic.rampSeconds", "s, got"],
    ["client without traffic", (t) => { t.nodes[0].traffic = undefined; }, "nodes[0].traffic", "a client needs traffic settings"],
    ["position not finite", (t) => { t.nodes[0].position!.y = Number.POSITIVE_INFINITY; }, "nodes[0].position.y", "must be a finite number"],
    ["timeout 0", (t) => { settings(t, 0, "rest").timeoutMs = 0; }, "edges[0].rest.timeoutMs", `from 1 to ${LIMITS.maxTimeoutMs} ms, got 0`],
    ["too many retries", (t) => { settings(t, 0, "rest").retries = LIMITS.maxRetries + 1; }, "edges[0].rest.retries", `from 0 to ${LIMITS.maxRetries}`],
    ["REST method", (t) => { settings(t, 0, "rest").method = "FETCH"; }, "edges[0].rest.method", '"FETCH" is not allowed; use GET, POST, PUT, PATCH, DELETE'],
    ["REST path without slash", (t) => { settings(t, 0, "rest").path = "orders"; }, "edges[0].rest.path", 'must start with "/"'],
    ["REST path with a query", (t) => { settings(t, 0, "rest").path = "/orders?id=1"; }, "edges[0].rest.path", 'no spaces, "?" or "#"'],
    ["REST path too long", (t) => { settings(t, 0, "rest").path = `/${"a".repeat(LIMITS.maxPathLength)}`; }, "edges[0].rest.path", `at most ${LIMITS.maxPathLength}`],
    ["cache on a POST", (t) => { settings(t, 0, "rest").cacheMaxAgeS = 30; }, "edges[0].rest.cacheMaxAgeS", "only GET responses are cached"],
    ["cache too long", (t) => { Object.assign(settings(t, 0, "rest"), { method: "GET", cacheMaxAgeS: LIMITS.maxCacheMaxAgeS + 1 }); }, "edges[0].rest.cacheMaxAgeS", `from 0 to ${LIMITS.maxCacheMaxAgeS} s`],
    ["connect protocol", (t) => { settings(t, 3, "connect").protocol = 0; }, "edges[3].connect.protocol", "choose a protocol: CONNECT, GRPC or GRPC_WEB"],
    ["connect deadline", (t) => { settings(t, 3, "connect").timeoutMs = LIMITS.maxTimeoutMs + 1; }, "edges[3].connect.timeoutMs", "ms, got"],
    ["queue channel name", (t) => { settings(t, 1, "queue").channel = "my queue"; }, "edges[1].queue.channel", '"my queue" is not a valid channel name; use 1 to 64 characters'],
    ["queue attempts 0", (t) => { settings(t, 1, "queue").attempts = 0; }, "edges[1].queue.attempts", `from 1 to ${LIMITS.maxAttempts}`],
    ["queue backoff", (t) => { settings(t, 1, "queue").backoffMs = LIMITS.maxBackoffMs + 1; }, "edges[1].queue.backoffMs", "ms, got"],
    ["topic name", (t) => { settings(t, 2, "pubsub").channel = "a:b"; }, "edges[2].pubsub.channel", "is not a valid channel name"],
    ["delivery unspecified", (t) => { settings(t, 2, "pubsub").delivery = Delivery.UNSPECIFIED; }, "edges[2].pubsub.delivery", "choose a delivery: AT_MOST_ONCE or DURABLE"],
    ["channel both queue and topic", (t) => { settings(t, 2, "pubsub").channel = "worker"; }, "edges[2].pubsub.channel", '"worker" is already a queue (edges[1]); a channel is either a queue or a topic'],
    ["one subscriber, two deliveries", (t) => { t.edges.push(createEdge("api-audit-2", "client", "audit", Transport.PUBSUB)); settings(t, 4, "pubsub").delivery = Delivery.DURABLE; settings(t, 4, "pubsub").channel = "events"; }, "edges[4].pubsub.delivery", '"audit" already subscribes to "events" with AT_MOST_ONCE delivery (edges[2])'],
    ["hop limit 0", (t) => { t.hopLimit = 0; }, "hopLimit", `from 1 to ${LIMITS.maxHopLimit} hops, got 0`],
    ["hop limit over", (t) => { t.hopLimit = LIMITS.maxHopLimit + 1; }, "hopLimit", "hops"],
    ["label too long", (t) => { t.nodes[1].label = "x".repeat(LIMITS.maxLabelLength + 1); }, "nodes[1].label", `is ${LIMITS.maxLabelLength + 1} characters long; at most ${LIMITS.maxLabelLength}`],
    ["name too long", (t) => { t.name = "n".repeat(LIMITS.maxNameLength + 1); }, "name", `at most ${LIMITS.maxNameLength} are allowed`],
    ["description too long", (t) => { t.description = "d".repeat(LIMITS.maxDescriptionLength + 1); }, "description", "characters long"],
  ];

  it.each(cases)("%s → a problem at its path", (_name, mutate, path, message) => {
    const t = valid();
    mutate(t);
    const problems = validateTopology(t);
    const here = problems.filter((p) => p.path === path);
    expect(here, JSON.stringify(problems, null, 2)).toHaveLength(1);
    expect(here[0].message).toContain(message);
  });

  it("lets queue edges share a channel with different attempts and backoff", () => {
    const t = valid();
    t.edges.push(createEdge("client-worker", "client", "audit", Transport.QUEUE));
    Object.assign(settings(t, 4, "queue"), { channel: "worker", attempts: 7, backoffMs: 50 });
    expect(validateTopology(t)).toEqual([]);
  });

  it("lets durable and at-most-once subscribers share a topic", () => {
    const t = valid();
    t.edges.push(createEdge("api-worker-events", "api", "worker", Transport.PUBSUB));
    settings(t, 4, "pubsub").delivery = Delivery.DURABLE;
    expect(settings(t, 2, "pubsub").channel).toBe(settings(t, 4, "pubsub").channel);
    expect(validateTopology(t)).toEqual([]);
  });

  it("allows cycles and self-loops between services", () => {
    const t = valid();
    t.edges.push(createEdge("worker-api", "worker", "api", Transport.REST), createEdge("audit-audit", "audit", "audit", Transport.QUEUE));
    expect(validateTopology(t)).toEqual([]);
  });

  it("lists every problem, not just the first", () => {
    const t = valid();
    t.edges[0].target = "nope";
    service(t).errorRate = -1;
    t.hopLimit = 0;
    t.nodes[3].id = "Bad";
    expect(validateTopology(t).map((p) => p.path)).toEqual([
      "hopLimit",
      "nodes[1].behavior.errorRate",
      "nodes[3].id",
      "edges[0].target",
      "edges[2].target",
    ]);
  });

  it("works on a bare message too, reporting the zeros a gate would have filled", () => {
    const t = create(TopologySchema, {
      nodes: [{ id: "c", kind: NodeKind.CLIENT, traffic: {} }],
    });
    const paths = validateTopology(t).map((p) => p.path);
    expect(paths).toContain("hopLimit");
    expect(paths).toContain("nodes[0].traffic.burstSize");
  });
});
