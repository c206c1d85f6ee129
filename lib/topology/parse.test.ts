import { create, equals, toJson, type JsonObject } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import {
  ConnectProtocol,
  Delivery,
  Distribution,
  FanOut,
  NodeKind,
  TopologySchema,
  TrafficPattern,
  Transport,
} from "@/lib/gen/ipcplay/v1/topology_pb";
import type { Problem } from "@/lib/run/problem";
import { parseTopology } from "./parse";

/** A small valid topology in JSON form: client → api (REST) → worker (QUEUE). */
function validJson(): JsonObject & { nodes: JsonObject[]; edges: JsonObject[] } {
  return {
    version: 1,
    name: "Test",
    nodes: [
      { id: "client", kind: "NODE_KIND_CLIENT", traffic: { ratePerSecond: 2 } },
      { id: "api", kind: "NODE_KIND_SERVICE", behavior: { workTime: { meanMs: 10 } } },
      { id: "worker", kind: "NODE_KIND_SERVICE" },
    ],
    edges: [
      { id: "client-api", source: "client", target: "api", transport: "TRANSPORT_REST" },
      { id: "api-worker", source: "api", target: "worker", transport: "TRANSPORT_QUEUE" },
    ],
  };
}

/** The one problem at `path`, failing with the full list when there is not exactly one. */
function problemAt(problems: Problem[], path: string): Problem {
  const found = problems.filter((p) => p.path === path);
  expect(found, JSON.stringify(problems, null, 2)).toHaveLength(1);
  return found[0];
}

function problemsOf(input: unknown): Problem[] {
  return parseTopology(input).problems;
}

describe("parseTopology: structure", () => {
  it("accepts a valid topology with no problems", () => {
    const result = parseTopology(validJson());
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.topology?.nodes.map((n) => n.id)).toEqual(["client", "api", "worker"]);
  });

  it.each([
    [null, "null"],
    [[1, 2], "a list"],
    ["topology", 'the string "topology"'],
    [42, "the number 42"],
  ])("rejects the non-object %j", (input, described) => {
    const result = parseTopology(input);
    expect(result.ok).toBe(false);
    expect(result.topology).toBeUndefined();
    expect(result.problems).toEqual([{ path: "", message: `must be an object, got ${described}` }]);
  });

  it("lists every wrong type, unknown field and bad enum name with its path", () => {
    const json = validJson();
    json.nodes[1] = { id: 7, kind: "SERVCE", behavior: { errorRate: "lots", colour: "red" } };
    json.edges[0] = { ...json.edges[0], transport: "TRANSPORT_HTTP", rest: { timeoutMs: -5 } };
    json.hopLimit = 2.5;
    json.extra = true;
    const result = parseTopology(json);
    expect(result.ok).toBe(false);
    expect(result.topology).toBeUndefined();
    const problems = result.problems;
    expect(problemAt(problems, "nodes[1].id").message).toBe("must be a string, got the number 7");
    expect(problemAt(problems, "nodes[1].kind").message).toContain('unknown value "SERVCE"');
    expect(problemAt(problems, "nodes[1].kind").message).toContain("NODE_KIND_SERVICE, NODE_KIND_CLIENT");
    expect(problemAt(problems, "nodes[1].behavior.errorRate").message).toBe('must be a number, got the string "lots"');
    expect(problemAt(problems, "nodes[1].behavior.colour").message).toContain('unknown field "colour"');
    expect(problemAt(problems, "edges[0].transport").message).toContain('unknown value "TRANSPORT_HTTP"');
    expect(problemAt(problems, "edges[0].rest.timeoutMs").message).toBe(
      "must be a whole number from 0 to 4294967295, got the number -5",
    );
    expect(problemAt(problems, "hopLimit").message).toContain("got the number 2.5");
    expect(problemAt(problems, "extra").message).toContain('unknown field "extra"');
    expect(problems).toHaveLength(8);
  });

  it("suggests the right spelling of near-miss fields and short enum names", () => {
    const json = validJson();
    json.nodes[0] = { id: "client", kind: "client", traffic: { rate_per_sec: 1, RatePerSecond: 2 } };
    const problems = problemsOf(json);
    expect(problemAt(problems, "nodes[0].kind").message).toBe('unknown value "client": did you mean "NODE_KIND_CLIENT"?');
    expect(problemAt(problems, "nodes[0].traffic.RatePerSecond").message).toBe(
      'unknown field "RatePerSecond": did you mean "ratePerSecond"?',
    );
    expect(problemAt(problems, "nodes[0].traffic.rate_per_sec").message).toContain("known: ratePerSecond");
  });

  it("rejects lists that are not lists, null items, unknown enum numbers and two settings at once", () => {
    const json = validJson();
    json.edges = [
      { id: "a", source: "client", target: "api", transport: 9, rest: {}, queue: {} },
      null as unknown as JsonObject,
    ];
    json.nodes = { id: "x" } as unknown as JsonObject[];
    const problems = problemsOf(json);
    expect(problemAt(problems, "nodes").message).toBe("must be a list, got an object");
    expect(problemAt(problems, "edges[0].transport").message).toContain("unknown value 9");
    expect(problemAt(problems, "edges[0].queue").message).toContain('"rest" is already set');
    expect(problemAt(problems, "edges[1]").message).toBe("must not be null");
  });

  it("accepts proto field names, enum numbers, numeric strings and null as the JSON mapping allows", () => {
    const json = validJson();
    json.hop_limit = "4";
    json.nodes[0] = { id: "client", kind: 2, traffic: null };
    const result = parseTopology(json);
    expect(result.problems).toEqual([]);
    expect(result.topology?.hopLimit).toBe(4);
    expect(result.topology?.nodes[0].kind).toBe(NodeKind.CLIENT);
  });
});

describe("parseTopology: migration and defaults", () => {
  it("migrates version 0 and an absent version to 1", () => {
    for (const version of [0, undefined]) {
      const json = validJson();
      if (version === undefined) delete json.version;
      else json.version = version;
      const result = parseTopology(json);
      expect(result.problems).toEqual([]);
      expect(result.topology?.version).toBe(1);
    }
  });

  it("keeps a newer version's document but says the playground is too old", () => {
    const json = validJson();
    json.version = 3;
    const result = parseTopology(json);
    expect(result.ok).toBe(false);
    expect(result.topology?.version).toBe(3);
    expect(problemAt(result.problems, "version").message).toContain("newer than this playground understands");
  });

  it("fills every default so the result is explicit", () => {
    const json = validJson();
    delete json.name;
    json.edges.push(
      { id: "api-pricing", source: "api", target: "worker", transport: "TRANSPORT_CONNECT" },
      { id: "api-events", source: "api", target: "worker", transport: "TRANSPORT_PUBSUB", pubsub: {} },
    );
    const t = parseTopology(json).topology!;
    expect(t.name).toBe("Untitled topology");
    expect(t.hopLimit).toBe(8);
    const [client, api, worker] = t.nodes;
    expect(client.label).toBe("client");
    expect(client.position).toMatchObject({ x: 0, y: 0 });
    expect(client.behavior).toBeUndefined();
    expect(client.traffic).toMatchObject({
      ratePerSecond: 2,
      pattern: TrafficPattern.CONSTANT,
      burstSize: 10,
      rampSeconds: 10,
    });
    expect(api.traffic).toBeUndefined();
    expect(api.behavior).toMatchObject({ concurrency: 16, fanOut: FanOut.ALL, errorRate: 0 });
    expect(api.behavior?.workTime).toMatchObject({ distribution: Distribution.FIXED, meanMs: 10 });
    expect(worker.behavior?.workTime?.distribution).toBe(Distribution.FIXED);
    const [rest, queue, connect, pubsub] = t.edges.map((e) => e.settings);
    expect(rest).toMatchObject({ case: "rest", value: { method: "POST", path: "/", timeoutMs: 1000, retries: 0 } });
    expect(queue).toMatchObject({ case: "queue", value: { channel: "worker", attempts: 3, backoffMs: 200 } });
    expect(connect).toMatchObject({
      case: "connect",
      value: { protocol: ConnectProtocol.CONNECT, timeoutMs: 1000 },
    });
    expect(pubsub).toMatchObject({ case: "pubsub", value: { channel: "events", delivery: Delivery.AT_MOST_ONCE } });
  });

  it("keeps values that are given, and upper-cases a REST method", () => {
    const json = validJson();
    json.hopLimit = 3;
    json.edges[0].rest = { method: "get", path: "/orders", timeoutMs: 250, retries: 2 };
    const t = parseTopology(json).topology!;
    expect(t.hopLimit).toBe(3);
    expect(t.edges[0].settings).toMatchObject({
      case: "rest",
      value: { method: "GET", path: "/orders", timeoutMs: 250, retries: 2 },
    });
  });

  it("round-trips a normalized topology through toJson unchanged", () => {
    const first = parseTopology(validJson()).topology!;
    const second = parseTopology(toJson(TopologySchema, first));
    expect(second.problems).toEqual([]);
    expect(equals(TopologySchema, first, second.topology!)).toBe(true);
  });

  it("does not modify a topology message handed to it", () => {
    const original = create(TopologySchema, { nodes: [{ id: "a", kind: NodeKind.SERVICE }] });
    parseTopology(toJson(TopologySchema, original));
    expect(original.nodes[0].behavior).toBeUndefined();
  });
});

describe("parseTopology: semantic problems keep the topology", () => {
  it("returns the decoded topology alongside its problems", () => {
    const json = validJson();
    json.edges[0].target = "nowhere";
    const result = parseTopology(json);
    expect(result.ok).toBe(false);
    expect(result.topology?.edges[0].target).toBe("nowhere");
    expect(result.problems).toEqual([{ path: "edges[0].target", message: 'no node has id "nowhere"' }]);
  });

  it("lists problems from different nodes and edges together", () => {
    const json = validJson();
    json.nodes[1].behavior = { errorRate: 2, concurrency: 999 };
    json.edges[1].transport = "TRANSPORT_UNSPECIFIED";
    const problems = problemsOf(json);
    expect(problems.map((p) => p.path)).toEqual([
      "nodes[1].behavior.errorRate",
      "nodes[1].behavior.concurrency",
      "edges[1].transport",
    ]);
    expect(problems.every((p) => p.message.length > 10)).toBe(true);
  });

  it("reports an edge whose transport is missing but whose settings are given", () => {
    const json = validJson();
    json.edges[1] = { id: "api-worker", source: "api", target: "worker", queue: { channel: "jobs" } };
    expect(problemAt(problemsOf(json), "edges[1].transport").message).toBe(
      "choose a transport: REST, CONNECT, QUEUE or PUBSUB",
    );
  });

  it("fills a queue channel from the target even for settings given without one", () => {
    const json = validJson();
    json.edges[1].queue = { attempts: 5 };
    const t = parseTopology(json).topology!;
    expect(t.edges[1].settings).toMatchObject({ case: "queue", value: { channel: "worker", attempts: 5 } });
    expect(t.edges[1].transport).toBe(Transport.QUEUE);
  });
});
