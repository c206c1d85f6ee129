import { clone, create, toJson } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { Delivery, Distribution, EdgeSchema, Transport, TopologySchema, type Topology } from "@/lib/gen/ipcplay/v1/topology_pb";
import { parseTopology } from "@/lib/topology/parse";
import { diffTopologies } from "./topology-diff";
import { liveSentences, planUpdate } from "./update-plan";

/** client → gw (REST) → be (REST), be → worker (queue "jobs"), as the gate fills it. */
function base(): Topology {
  const result = parseTopology({
    name: "t",
    nodes: [
      { id: "client", kind: "NODE_KIND_CLIENT", traffic: { ratePerSecond: 5 } },
      { id: "gw", kind: "NODE_KIND_SERVICE", behavior: { workTime: { distribution: "DISTRIBUTION_FIXED", meanMs: 2 } } },
      { id: "be", kind: "NODE_KIND_SERVICE", behavior: { workTime: { distribution: "DISTRIBUTION_FIXED", meanMs: 2 } } },
      { id: "worker", kind: "NODE_KIND_SERVICE" },
    ],
    edges: [
      { id: "c-gw", source: "client", target: "gw", transport: "TRANSPORT_REST", rest: { timeoutMs: 1000 } },
      { id: "gw-be", source: "gw", target: "be", transport: "TRANSPORT_REST", rest: { timeoutMs: 1000 } },
      { id: "be-w", source: "be", target: "worker", transport: "TRANSPORT_QUEUE", queue: { channel: "jobs" } },
    ],
  });
  expect(result.problems).toEqual([]);
  return result.topology!;
}

function edited(edit: (topology: Topology) => void): { before: Topology; after: Topology } {
  const before = base();
  const after = clone(TopologySchema, before);
  edit(after);
  // Through the gate, as UpdateRun's topology is.
  const gated = parseTopology(toJson(TopologySchema, after));
  expect(gated.problems).toEqual([]);
  return { before, after: gated.topology! };
}

const node = (topology: Topology, id: string) => topology.nodes.find((candidate) => candidate.id === id)!;
const edge = (topology: Topology, id: string) => topology.edges.find((candidate) => candidate.id === id)!;

describe("diffTopologies", () => {
  it("finds nothing between a topology and itself, nor in drawing-only changes", () => {
    const { before, after } = edited((topology) => {
      node(topology, "gw").label = "Gateway";
      node(topology, "gw").position = { $typeName: "ipcplay.v1.Position", x: 999, y: -4 };
      topology.name = "renamed";
      topology.description = "words";
    });
    const diff = diffTopologies(before, after);
    expect(diff.empty).toBe(true);
    expect(diff.sentences).toEqual([]);
  });

  it("says a service's work time, error rate and concurrency changed, in units", () => {
    const { before, after } = edited((topology) => {
      const behavior = node(topology, "be").behavior!;
      behavior.workTime!.meanMs = 50;
      behavior.errorRate = 0.1;
      behavior.concurrency = 4;
    });
    const diff = diffTopologies(before, after);
    expect(diff.changedNodes).toHaveLength(1);
    expect(diff.changedNodes[0].fields).toEqual(expect.arrayContaining(["behavior.workTime", "behavior.errorRate", "behavior.concurrency"]));
    expect(diff.sentences).toEqual(expect.arrayContaining(["be: work time 2 ms → 50 ms", "be: error rate 0 % → 10 %", "be: concurrency 16 → 4"]));
  });

  it("describes a distribution change as one work-time sentence", () => {
    const { before, after } = edited((topology) => {
      node(topology, "gw").behavior!.workTime = { $typeName: "ipcplay.v1.WorkTime", distribution: Distribution.UNIFORM, meanMs: 0, minMs: 1, maxMs: 5, stddevMs: 0 };
    });
    expect(diffTopologies(before, after).sentences).toEqual(["gw: work time 2 ms → uniform 1 ms–5 ms"]);
  });

  it("says a client's rate and pattern changed", () => {
    const { before, after } = edited((topology) => {
      node(topology, "client").traffic!.ratePerSecond = 50;
    });
    expect(diffTopologies(before, after).sentences).toEqual(["client: rate 5 msg/s → 50 msg/s"]);
  });

  it("says an edge's timeout and retries changed, and that it is not rewired", () => {
    const { before, after } = edited((topology) => {
      const settings = edge(topology, "gw-be").settings;
      if (settings.case !== "rest") throw new Error("rest expected");
      settings.value.timeoutMs = 200;
      settings.value.retries = 2;
    });
    const diff = diffTopologies(before, after);
    expect(diff.changedEdges).toEqual([
      expect.objectContaining({ edgeId: "gw-be", rewired: false, sentences: ["edge gw-be: timeout 1000 ms → 200 ms", "edge gw-be: retries 0 → 2"] }),
    ]);
  });

  it("names a settings field it has no label for from its JSON name", () => {
    const { before, after } = edited((topology) => {
      const settings = edge(topology, "gw-be").settings;
      if (settings.case !== "rest") throw new Error("rest expected");
      settings.value.retryBudgetPercent = 20;
    });
    expect(diffTopologies(before, after).sentences).toEqual(["edge gw-be: retry budget 0 % → 20 %"]);
  });

  it("spells out a circuit breaker that was not there before, one setting a sentence", () => {
    const { before, after } = edited((topology) => {
      const settings = edge(topology, "gw-be").settings;
      if (settings.case !== "rest") throw new Error("rest expected");
      settings.value.circuitBreaker = { $typeName: "ipcplay.v1.CircuitBreaker", failureRateThreshold: 0.5, minimumCalls: 10, windowS: 10, openMs: 5000, halfOpenCalls: 1 };
    });
    const sentences = diffTopologies(before, after).sentences;
    expect(sentences).toContain("edge gw-be: circuit breaker failure rate none → 50 %");
    expect(sentences).toContain("edge gw-be: circuit breaker open time none → 5000 ms");
    expect(diffTopologies(before, after).changedEdges[0].rewired).toBe(false);
  });

  it("marks re-pointed, re-channelled and re-transported edges as rewired", () => {
    const retargeted = edited((topology) => (edge(topology, "gw-be").target = "worker"));
    expect(diffTopologies(retargeted.before, retargeted.after).changedEdges[0]).toMatchObject({ rewired: true, sentences: ["edge gw-be: target be → worker"] });

    const rechannelled = edited((topology) => {
      const settings = edge(topology, "be-w").settings;
      if (settings.case !== "queue") throw new Error("queue expected");
      settings.value.channel = "other";
    });
    expect(diffTopologies(rechannelled.before, rechannelled.after).changedEdges[0]).toMatchObject({ rewired: true, sentences: ["edge be-w: channel jobs → other"] });

    const retransported = edited((topology) => {
      const index = topology.edges.findIndex((candidate) => candidate.id === "gw-be");
      topology.edges[index] = create(EdgeSchema, { id: "gw-be", source: "gw", target: "be", transport: Transport.PUBSUB, settings: { case: "pubsub", value: { channel: "t", delivery: Delivery.DURABLE } } });
    });
    const change = diffTopologies(retransported.before, retransported.after).changedEdges[0];
    expect(change.rewired).toBe(true);
    expect(change.sentences).toEqual(["edge gw-be: gw → be over REST → gw → be over pub/sub t"]);
  });

  it("lists added and removed nodes and edges", () => {
    const { before, after } = edited((topology) => {
      topology.nodes = topology.nodes.filter((candidate) => candidate.id !== "worker");
      topology.edges = topology.edges.filter((candidate) => candidate.id !== "be-w");
      topology.nodes.push(clone(TopologySchema.field.nodes.message!, node(topology, "be")) as never);
      topology.nodes[topology.nodes.length - 1].id = "audit";
      topology.edges.push(create(EdgeSchema, { id: "be-audit", source: "be", target: "audit", transport: Transport.REST, settings: { case: "rest", value: { timeoutMs: 500 } } }));
    });
    const diff = diffTopologies(before, after);
    expect(diff).toMatchObject({ addedNodes: ["audit"], removedNodes: ["worker"], addedEdges: ["be-audit"], removedEdges: ["be-w"] });
    expect(diff.sentences).toEqual(["worker: removed", "audit: added", "edge be-w: removed", "edge be-audit: added (be → audit over REST)"]);
  });

  it("reports a hop limit change", () => {
    const { before, after } = edited((topology) => (topology.hopLimit = 3));
    expect(diffTopologies(before, after).runSentences).toEqual(["hop limit 8 → 3"]);
  });
});

describe("planUpdate", () => {
  it("keeps every process for settings changes, queue job options included", () => {
    const { before, after } = edited((topology) => {
      node(topology, "be").behavior!.workTime!.meanMs = 50;
      node(topology, "client").traffic!.ratePerSecond = 9;
      const settings = edge(topology, "be-w").settings;
      if (settings.case === "queue") settings.value.attempts = 7;
    });
    const plan = planUpdate(before, after, diffTopologies(before, after));
    expect(plan).toMatchObject({ start: [], stop: [], keep: ["client", "gw", "be", "worker"] });
    expect(plan.restart.size).toBe(0);
  });

  it("starts only a new node that a running node now calls over REST", () => {
    const { before, after } = edited((topology) => {
      topology.nodes.push({ ...clone(TopologySchema.field.nodes.message!, node(topology, "be")), id: "audit" } as never);
      topology.edges.push(create(EdgeSchema, { id: "be-audit", source: "be", target: "audit", transport: Transport.REST, settings: { case: "rest", value: { timeoutMs: 500 } } }));
    });
    const plan = planUpdate(before, after, diffTopologies(before, after));
    expect(plan.start).toEqual(["audit"]);
    expect(plan.restart.size).toBe(0);
    expect(plan.keep).toContain("be");
  });

  it("starts again a node that gains an inbound edge or stops consuming a channel", () => {
    const gains = edited((topology) => {
      topology.edges.push(create(EdgeSchema, { id: "c-be", source: "client", target: "be", transport: Transport.REST, settings: { case: "rest", value: { timeoutMs: 500 } } }));
    });
    expect([...planUpdate(gains.before, gains.after, diffTopologies(gains.before, gains.after)).restart.keys()]).toEqual(["be"]);

    const drops = edited((topology) => (topology.edges = topology.edges.filter((candidate) => candidate.id !== "be-w")));
    expect([...planUpdate(drops.before, drops.after, diffTopologies(drops.before, drops.after)).restart.keys()]).toEqual(["worker"]);

    // A REST callee that loses its caller needs nothing.
    const loses = edited((topology) => (topology.edges = topology.edges.filter((candidate) => candidate.id !== "gw-be")));
    expect(planUpdate(loses.before, loses.after, diffTopologies(loses.before, loses.after)).restart.size).toBe(0);
  });

  it("starts again a queue consumer whose concurrency changes", () => {
    const { before, after } = edited((topology) => (node(topology, "worker").behavior!.concurrency = 2));
    expect([...planUpdate(before, after, diffTopologies(before, after)).restart.keys()]).toEqual(["worker"]);
  });

  it("starts again a producer whose channel gains an edge, or that returns to a channel it used", () => {
    const { before, after } = edited((topology) => {
      topology.edges.push(create(EdgeSchema, { id: "be-gw", source: "be", target: "gw", transport: Transport.QUEUE, settings: { case: "queue", value: { channel: "jobs", attempts: 3, backoffMs: 200 } } }));
    });
    const restart = planUpdate(before, after, diffTopologies(before, after)).restart;
    // be's sender to "jobs" changes; gw gains an inbound edge.
    expect([...restart.keys()].sort()).toEqual(["be", "gw"]);

    const fresh = edited((topology) => {
      topology.edges.push(create(EdgeSchema, { id: "gw-w", source: "gw", target: "worker", transport: Transport.QUEUE, settings: { case: "queue", value: { channel: "more", attempts: 3, backoffMs: 200 } } }));
    });
    const diff = diffTopologies(fresh.before, fresh.after);
    expect([...planUpdate(fresh.before, fresh.after, diff).restart.keys()]).toEqual(["worker"]);
    const used = new Map([["gw", new Set([`${Transport.QUEUE}:more`])]]);
    expect([...planUpdate(fresh.before, fresh.after, diff, used).restart.keys()].sort()).toEqual(["gw", "worker"]);
  });

  it("stops removed nodes", () => {
    const { before, after } = edited((topology) => {
      topology.nodes = topology.nodes.filter((candidate) => candidate.id !== "worker");
      topology.edges = topology.edges.filter((candidate) => candidate.id !== "be-w");
    });
    const plan = planUpdate(before, after, diffTopologies(before, after));
    expect(plan.stop).toEqual(["worker"]);
    expect(plan.restart.size).toBe(0);
  });
});

describe("liveSentences (UpdateRun's applied)", () => {
  it("lists what reached a kept process, never a restarted, started or stopped node's changes", () => {
    const { before, after } = edited((topology) => {
      node(topology, "be").behavior!.workTime!.meanMs = 50; // kept: live
      node(topology, "worker").behavior!.concurrency = 2; // restarted: not live
      topology.nodes.push({ ...clone(TopologySchema.field.nodes.message!, node(topology, "be")), id: "audit" } as never);
      topology.edges.push(create(EdgeSchema, { id: "be-audit", source: "be", target: "audit", transport: Transport.REST, settings: { case: "rest", value: { timeoutMs: 500 } } }));
    });
    const diff = diffTopologies(before, after);
    const plan = planUpdate(before, after, diff);
    expect([...plan.restart.keys()]).toEqual(["worker"]);
    expect(plan.start).toEqual(["audit"]);
    expect(diff.sentences).toEqual(expect.arrayContaining(["audit: added", expect.stringMatching(/^worker: /)]));
    // be's new sender to audit is live in be's process; audit's start and worker's new concurrency are not.
    expect(liveSentences(before, after, diff, plan)).toEqual(["be: work time 2 ms → 50 ms", expect.stringMatching(/^edge be-audit: added/)]);
  });
});
