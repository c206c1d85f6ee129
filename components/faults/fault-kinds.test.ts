import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { FaultKind, NodeKind, TopologySchema, Transport } from "@/lib/gen/ipcplay/v1/topology_pb";
import { validateFault } from "@/lib/faults/validate";
import { defaultParams, type FaultTarget, fits, kindsFor, kindWord, paramsOf, sameAs, targetOf } from "./fault-kinds";

const topology = create(TopologySchema, {
  nodes: [
    { id: "client", kind: NodeKind.CLIENT },
    { id: "api", kind: NodeKind.SERVICE },
    { id: "worker", kind: NodeKind.SERVICE },
  ],
  edges: [
    { id: "r", source: "client", target: "api", transport: Transport.REST },
    { id: "c", source: "client", target: "api", transport: Transport.CONNECT },
    { id: "q", source: "api", target: "worker", transport: Transport.QUEUE },
    { id: "p", source: "api", target: "worker", transport: Transport.PUBSUB },
  ],
});

/** One target of every sort, by its ids in the topology above. */
const TARGETS: readonly { ids: { nodeId?: string; edgeId?: string }; target: FaultTarget }[] = [
  { ids: { nodeId: "api" }, target: { type: "node", client: false } },
  { ids: { nodeId: "client" }, target: { type: "node", client: true } },
  { ids: { edgeId: "r" }, target: { type: "edge", transport: Transport.REST } },
  { ids: { edgeId: "c" }, target: { type: "edge", transport: Transport.CONNECT } },
  { ids: { edgeId: "q" }, target: { type: "edge", transport: Transport.QUEUE } },
  { ids: { edgeId: "p" }, target: { type: "edge", transport: Transport.PUBSUB } },
];

const KINDS = Object.values(FaultKind).filter((k): k is FaultKind => typeof k === "number" && k !== FaultKind.UNSPECIFIED);

describe("which kinds a target is offered", () => {
  it("reads the target off the topology", () => {
    for (const { ids, target } of TARGETS) expect(targetOf(topology, ids)).toEqual(target);
    expect(targetOf(topology, { edgeId: "gone" })).toBeUndefined();
  });

  it("agrees with the gate for every kind on every sort of target, and the defaults pass it", () => {
    expect(KINDS).toHaveLength(12);
    for (const { ids, target } of TARGETS) {
      for (const kind of KINDS) {
        const name = `${FaultKind[kind]} on ${JSON.stringify(ids)}`;
        const check = validateFault(topology, { ...ids, kind, ...defaultParams(kind, target) });
        // A refusal is about the kind, never about the defaults.
        if (!check.ok) expect(check.message, name).toMatch(/^kind:/);
        expect(fits(kind, target), name).toBe(check.ok);
        expect(kindsFor(target).includes(kind), name).toBe(check.ok && sameAs(kind, target) === undefined);
      }
    }
  });

  it("lists another name for a kind only through the kind itself", () => {
    for (const { target } of TARGETS) {
      for (const kind of KINDS.filter((k) => fits(k, target) && sameAs(k, target) !== undefined)) {
        expect(kindsFor(target)).toContain(sameAs(kind, target));
      }
    }
    expect(sameAs(FaultKind.PARTITION, { type: "edge", transport: Transport.QUEUE })).toBe(FaultKind.DISCONNECT);
    expect(sameAs(FaultKind.PARTITION, { type: "edge", transport: Transport.REST })).toBeUndefined();
  });
});

describe("words and parameters", () => {
  it("names every offered kind, each differently on its target", () => {
    for (const { target } of TARGETS) {
      const words = kindsFor(target).map((k) => kindWord(k, target));
      expect(words).not.toContain("fault");
      expect(new Set(words).size).toBe(words.length);
    }
    expect(kindWord(FaultKind.LATENCY, { type: "node", client: false })).toBe("slow down");
    expect(kindWord(FaultKind.LATENCY, { type: "edge", transport: Transport.REST })).toBe("latency");
    expect(kindWord(FaultKind.LATENCY, { type: "edge", transport: Transport.PUBSUB })).toBe("broker latency");
    expect(kindWord(FaultKind.ERRORS, { type: "edge", transport: Transport.QUEUE })).toBe("poison");
    expect(kindWord(FaultKind.ERRORS, { type: "edge", transport: Transport.CONNECT })).toBe("errors");
    expect(kindWord(FaultKind.BLACKHOLE, undefined)).toBe("black hole");
  });

  it("sets a default for each parameter a kind takes, and nothing else", () => {
    for (const { target } of TARGETS) {
      for (const kind of kindsFor(target)) {
        const p = defaultParams(kind, target);
        const set = (Object.keys(p) as (keyof typeof p)[]).filter((k) => p[k] !== 0);
        expect(set, `${FaultKind[kind]}`).toEqual(paramsOf(kind, target).filter((n) => n !== "jitterMs"));
      }
    }
    expect(defaultParams(FaultKind.ERRORS, { type: "edge", transport: Transport.CONNECT }).statusCode).toBe(14);
    expect(defaultParams(FaultKind.ERRORS, { type: "edge", transport: Transport.REST }).statusCode).toBe(503);
    expect(paramsOf(FaultKind.ERRORS, { type: "node", client: false })).toEqual(["errorRate"]);
  });
});
