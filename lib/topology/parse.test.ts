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
import { formatProblems, type Problem } from "@/lib/run/problem";
import { LIMITS } from "./limits";
import { parseTopology, parseTopologyText } from "./parse";
import { ID_RULE } from "./rules";

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

describe("parseTopology: resilience settings", () => {
  /** validJson with a third edge, a CONNECT one, so paths name edges[0] (REST) and edges[2] (CONNECT). */
  function withConnect() {
    const json = validJson();
    json.edges.push({ id: "api-rpc", source: "api", target: "worker", transport: "TRANSPORT_CONNECT", connect: {} });
    return json;
  }

  it("fills a breaker's defaults once its threshold is set, on REST and Connect", () => {
    const json = withConnect();
    json.edges[0].rest = { circuitBreaker: { failureRateThreshold: 0.5 } };
    json.edges[2].connect = { circuitBreaker: { failureRateThreshold: 0.25, openMs: 500 } };
    const result = parseTopology(json);
    expect(result.problems).toEqual([]);
    const [rest, , connect] = result.topology!.edges.map((e) => e.settings.value);
    const defaults = { minimumCalls: 10, windowS: 10, openMs: 5000, halfOpenCalls: 3 };
    expect(rest?.$typeName === "ipcplay.v1.RestSettings" && rest.circuitBreaker).toMatchObject({ failureRateThreshold: 0.5, ...defaults });
    expect(connect?.$typeName === "ipcplay.v1.ConnectSettings" && connect.circuitBreaker).toMatchObject({ failureRateThreshold: 0.25, ...defaults, openMs: 500 });
  });

  it("leaves a breaker with threshold 0 off, its numbers as written", () => {
    const json = validJson();
    json.edges[0].rest = { circuitBreaker: { failureRateThreshold: 0, windowS: 0 } };
    const result = parseTopology(json);
    expect(result.problems).toEqual([]);
    expect(result.topology!.edges[0].settings).toMatchObject({ case: "rest", value: { circuitBreaker: { failureRateThreshold: 0, windowS: 0, minimumCalls: 0 } } });
  });

  it("accepts retry backoff, jitter, budget, a bulkhead and a rate limit in range", () => {
    const json = withConnect();
    json.edges[0].rest = { retries: 3, retryBackoffMs: 100, retryJitter: true, retryBudgetPercent: 20 };
    json.edges[2].connect = { retries: 5, retryBackoffMs: 60_000, retryBudgetPercent: 100 };
    json.nodes[1].behavior = { maxWaiting: 2, rateLimitPerSecond: 12.5 };
    const result = parseTopology(json);
    expect(result.problems).toEqual([]);
    expect(result.topology!.nodes[1].behavior).toMatchObject({ maxWaiting: 2, rateLimitPerSecond: 12.5 });
    expect(result.topology!.edges[0].settings).toMatchObject({ value: { retryBackoffMs: 100, retryJitter: true, retryBudgetPercent: 20 } });
  });

  it.each([
    ["the threshold above 1", (j: ReturnType<typeof withConnect>) => (j.edges[2].connect = { circuitBreaker: { failureRateThreshold: 1.5 } }), "edges[2].connect.circuitBreaker.failureRateThreshold", "must be a number from 0 to 1, got 1.5"],
    ["a negative threshold", (j: ReturnType<typeof withConnect>) => (j.edges[0].rest = { circuitBreaker: { failureRateThreshold: -0.1 } }), "edges[0].rest.circuitBreaker.failureRateThreshold", "must be a number from 0 to 1, got -0.1"],
    ["too many minimum calls", (j: ReturnType<typeof withConnect>) => (j.edges[0].rest = { circuitBreaker: { failureRateThreshold: 0.5, minimumCalls: 10_001 } }), "edges[0].rest.circuitBreaker.minimumCalls", "must be a whole number from 1 to 10000 calls, got 10001"],
    ["a window too long", (j: ReturnType<typeof withConnect>) => (j.edges[0].rest = { circuitBreaker: { failureRateThreshold: 0.5, windowS: 601 } }), "edges[0].rest.circuitBreaker.windowS", "must be a whole number from 1 to 600 s, got 601"],
    ["open too long", (j: ReturnType<typeof withConnect>) => (j.edges[2].connect = { circuitBreaker: { failureRateThreshold: 0.5, openMs: 600_001 } }), "edges[2].connect.circuitBreaker.openMs", "must be a whole number from 1 to 600000 ms, got 600001"],
    ["too many probes", (j: ReturnType<typeof withConnect>) => (j.edges[2].connect = { circuitBreaker: { failureRateThreshold: 0.5, halfOpenCalls: 1001 } }), "edges[2].connect.circuitBreaker.halfOpenCalls", "must be a whole number from 1 to 1000 calls, got 1001"],
    ["a budget above 100 %", (j: ReturnType<typeof withConnect>) => (j.edges[0].rest = { retryBudgetPercent: 101 }), "edges[0].rest.retryBudgetPercent", "must be a whole number from 0 to 100 %, got 101"],
    ["a Connect budget above 100 %", (j: ReturnType<typeof withConnect>) => (j.edges[2].connect = { retryBudgetPercent: 150 }), "edges[2].connect.retryBudgetPercent", "must be a whole number from 0 to 100 %, got 150"],
    ["a backoff above 60 s", (j: ReturnType<typeof withConnect>) => (j.edges[0].rest = { retryBackoffMs: 60_001 }), "edges[0].rest.retryBackoffMs", "must be a whole number from 0 to 60000 ms, got 60001"],
    ["a Connect backoff above 60 s", (j: ReturnType<typeof withConnect>) => (j.edges[2].connect = { retryBackoffMs: 70_000 }), "edges[2].connect.retryBackoffMs", "must be a whole number from 0 to 60000 ms, got 70000"],
    ["a waiting line too long", (j: ReturnType<typeof withConnect>) => (j.nodes[1].behavior = { maxWaiting: 100_001 }), "nodes[1].behavior.maxWaiting", "must be a whole number from 0 to 100000 messages, got 100001"],
    ["a rate limit too high", (j: ReturnType<typeof withConnect>) => (j.nodes[1].behavior = { rateLimitPerSecond: 100_001 }), "nodes[1].behavior.rateLimitPerSecond", "must be a number from 0 to 100000 messages per second, got 100001"],
    ["a negative rate limit", (j: ReturnType<typeof withConnect>) => (j.nodes[2].behavior = { rateLimitPerSecond: -1 }), "nodes[2].behavior.rateLimitPerSecond", "must be a number from 0 to 100000 messages per second, got -1"],
  ])("reports %s with its path", (_name, change, path, message) => {
    const json = withConnect();
    change(json);
    const problems = problemsOf(json);
    expect(problemAt(problems, path).message).toBe(message);
    expect(problems, JSON.stringify(problems)).toHaveLength(1);
  });
});

describe("parseTopology: hostile input costs little and forges nothing", () => {
  it("refuses a list far past its cap with one line, judging nothing else", () => {
    const input = { ...validJson(), nodes: Array.from({ length: 30_000 }, () => ({ id: "x" })) };
    const started = performance.now();
    const result = parseTopology(input);
    expect(performance.now() - started).toBeLessThan(50);
    expect(result.topology).toBeUndefined();
    expect(result.problems).toEqual([{ path: "nodes", message: "has 30000 entries; at most 24 are allowed" }]);
  });

  it("lists at most LIMITS.maxProblems problems and counts the rest", () => {
    // 90 nodes (under the huge-list cut) with three mistakes each.
    const nodes = Array.from({ length: 90 }, () => ({ id: 1, kind: 7.5, colour: "red" }));
    const { problems } = parseTopology({ ...validJson(), nodes });
    expect(problems).toHaveLength(LIMITS.maxProblems + 1);
    expect(problems.at(-1)).toEqual({ path: "", message: "… and 170 more problems" });
  });

  it("rejects an id with a newline and quotes it, so the list gains no forged line", () => {
    const input = validJson();
    input.nodes[1].id = 'x\nnodes[0].id: "client" is fine';
    const { problems } = parseTopology(input);
    const problem = problemAt(problems, "nodes[1].id");
    expect(problem.message).toBe(`"x\\nnodes[0].id: \\"client\\" is fine" is not a valid id; ${ID_RULE}`);
    expect(formatProblems(problems).split("\n")).toHaveLength(problems.length);
  });

  it("quotes an unknown key in the path the JSON way", () => {
    const input = validJson();
    (input.nodes[1] as Record<string, unknown>)["a\nb"] = 1;
    const { problems } = parseTopology(input);
    expect(problems.map((p) => p.path)).toEqual(['nodes[1]["a\\nb"]']);
    expect(formatProblems(problems)).not.toContain("\n");
  });

  it("refuses a REST path with control characters", () => {
    const input = validJson();
    input.edges[0].rest = { path: "/a\u001b[31mb" };
    expect(problemAt(parseTopology(input).problems, "edges[0].rest.path").message).toContain('"/a\\u001b[31mb" is not a path');
  });
});

describe("parseTopologyText", () => {
  it("refuses text over the byte cap unread, counting UTF-8 bytes", () => {
    // Under the cap in characters, over it in bytes: "é" is two bytes.
    const text = JSON.stringify({ name: "é".repeat(LIMITS.maxTopologyBytes / 2 + 10) });
    expect(text.length).toBeLessThan(LIMITS.maxTopologyBytes);
    const result = parseTopologyText(text);
    expect(result.problems).toEqual([{ path: "", message: "the topology is 257 KiB; at most 256 KiB are allowed" }]);
  });

  it("reads text within the cap through the gate", () => {
    expect(parseTopologyText(JSON.stringify(validJson())).ok).toBe(true);
    expect(parseTopologyText("{ nope").problems[0].message).toMatch(/^the topology is not JSON/);
  });
});
