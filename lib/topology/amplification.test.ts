import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { FanOut, NodeKind, TopologySchema, Transport, type Topology } from "@/lib/gen/ipcplay/v1/topology_pb";
import { amplificationProblems, worstAmplification } from "./amplification";
import { parseTopology } from "./parse";
import { TEMPLATES } from "./templates";
import { toJson } from "@bufbuild/protobuf";

/** A client → s, and `loops` REST self-loops on s with the given fan-out. */
function selfLoops(loops: number, hopLimit: number, fanOut = FanOut.ALL): Topology {
  return create(TopologySchema, {
    name: "loops",
    version: 1,
    hopLimit,
    nodes: [
      { id: "c", label: "c", kind: NodeKind.CLIENT, traffic: { ratePerSecond: 0 } },
      { id: "s", label: "s", kind: NodeKind.SERVICE, behavior: { concurrency: 1, fanOut } },
    ],
    edges: [
      { id: "c-s", source: "c", target: "s", transport: Transport.REST, settings: { case: "rest", value: { method: "POST", path: "/", timeoutMs: 1000 } } },
      ...Array.from({ length: loops }, (_, index) => ({
        id: `loop${index + 1}`,
        source: "s",
        target: "s",
        transport: Transport.REST,
        settings: { case: "rest" as const, value: { method: "POST", path: "/", timeoutMs: 1000 } },
      })),
    ],
  });
}

describe("fan-out amplification", () => {
  it("counts the issue's 3 self-loops, hop limit 6: 1,092 deliveries from s (364 from the client)", () => {
    const worst = worstAmplification(selfLoops(3, 6));
    expect(worst).toMatchObject({ deliveries: 1092, from: "s", cycle: ["s", "s"] });
  });

  it("refuses 63 self-loops with fan-out ALL and hop limit 64, naming the cycle", () => {
    const problems = amplificationProblems(selfLoops(63, 64));
    expect(problems).toHaveLength(1);
    expect(problems[0].path).toBe("nodes[1].behavior.fanOut");
    expect(problems[0].message).toMatch(/^one message sent to "s" can cause up to about 1\.\de\+115 deliveries, at most 1,000 are allowed: the cycle s → s \(edges loop1, loop2, loop3, loop4, loop5 and 58 more\) repeats it on every hop up to the hop limit of 64/);
    // Through the whole gate too.
    const gate = parseTopology(toJson(TopologySchema, selfLoops(63, 64)));
    expect(gate.ok).toBe(false);
    expect(gate.problems.map((problem) => problem.path)).toContain("nodes[1].behavior.fanOut");
  });

  it("lets the same loops through with ROUND_ROBIN fan-out (one message, one path)", () => {
    expect(worstAmplification(selfLoops(63, 64, FanOut.ROUND_ROBIN)).deliveries).toBe(64);
    expect(amplificationProblems(selfLoops(63, 64, FanOut.ROUND_ROBIN))).toEqual([]);
  });

  it("counts a publish once per subscriber and a shared queue's job once", () => {
    const t = selfLoops(0, 8);
    t.nodes.push(...["a", "b", "d"].map((id) => create(TopologySchema, { nodes: [{ id, label: id, kind: NodeKind.SERVICE, behavior: { concurrency: 1 } }] }).nodes[0]));
    for (const target of ["a", "b"]) t.edges.push({ ...t.edges[0], id: `s-${target}`, source: "s", target, transport: Transport.PUBSUB, settings: { case: "pubsub", value: { channel: "topic", delivery: 0 } } } as never);
    for (const target of ["a", "d"]) t.edges.push({ ...t.edges[0], id: `q-${target}`, source: "s", target, transport: Transport.QUEUE, settings: { case: "queue", value: { channel: "jobs", attempts: 1, backoffMs: 0 } } } as never);
    // From c: c→s, then s publishes to a and b (2) and adds one job (1).
    expect(worstAmplification(t)).toMatchObject({ deliveries: 4, from: "c" });
  });

  it("leaves every template valid, each well under the cap", () => {
    for (const template of TEMPLATES) {
      const worst = worstAmplification(template.topology);
      console.log(`${template.id}: worst case ${worst.deliveries} deliveries per message (from ${worst.from})`);
      expect(amplificationProblems(template.topology), template.id).toEqual([]);
    }
  });
});
