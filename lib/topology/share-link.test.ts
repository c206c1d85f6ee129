import { create, equals, toBinary, toJson } from "@bufbuild/protobuf";
import { zlibSync } from "fflate";
import { describe, expect, it } from "vitest";
import { NodeKind, TopologySchema, Transport, type Topology } from "@/lib/gen/ipcplay/v1/topology_pb";
import { createEdge, createNode, emptyTopology, uniqueEdgeId } from "./factory";
import { LIMITS } from "./limits";
import { parseTopology } from "./parse";
import { decodeShareFragment, encodeShareFragment, SHARE_FORMAT_TAG } from "./share-link";
import { TEMPLATES } from "./templates";

const TRANSPORTS = [Transport.REST, Transport.CONNECT, Transport.QUEUE, Transport.PUBSUB];
const NAMES = [
  "gateway", "orders", "billing", "inventory", "pricing", "shipping", "email", "analytics", "search",
  "catalog", "payments", "fraud", "ledger", "notifications", "reviews", "recommendations", "auth", "profile",
];

/** A plausible large topology: 2 clients and 18 services in columns, 25 edges of every transport. */
function largeTopology(): Topology {
  const t = emptyTopology("A larger shop");
  t.description = "Twenty nodes and twenty-five edges, as a person might draw them.";
  t.nodes.push(createNode(NodeKind.CLIENT, "web", { x: 0, y: 0 }), createNode(NodeKind.CLIENT, "mobile", { x: 0, y: 140 }));
  NAMES.forEach((name, i) => {
    // Dragged positions are rarely round numbers.
    const node = createNode(NodeKind.SERVICE, name, { x: 240 * (1 + Math.floor(i / 4)) + i * 1.37, y: 140 * (i % 4) - i * 0.61 });
    node.label = name[0].toUpperCase() + name.slice(1);
    t.nodes.push(node);
  });
  const ids = t.nodes.map((n) => n.id);
  for (let i = 0; i < 25; i++) {
    const source = i < 2 ? ids[i] : ids[2 + ((i * 7) % 18)];
    const target = ids[2 + ((i * 5 + 3) % 18)];
    t.edges.push(createEdge(uniqueEdgeId(t, source, target), source, target, TRANSPORTS[i % 4]));
  }
  return t;
}

/** The fragment of a hand-made payload, for testing what the decoder refuses. */
function fragmentOf(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return SHARE_FORMAT_TAG + btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function onlyProblem(fragment: string): string {
  const result = decodeShareFragment(fragment);
  expect(result.ok).toBe(false);
  expect(result.topology).toBeUndefined();
  expect(result.problems).toHaveLength(1);
  expect(result.problems[0].path).toBe("");
  return result.problems[0].message;
}

describe("share links", () => {
  it.each(TEMPLATES.map((t) => [t.id, t] as const))("round-trips the %s template", (_id, template) => {
    const fragment = encodeShareFragment(template.topology);
    expect(fragment.startsWith(SHARE_FORMAT_TAG)).toBe(true);
    expect(fragment).toMatch(/^[A-Za-z0-9._-]+$/); // safe in a URL fragment as it is
    const result = decodeShareFragment(fragment);
    expect(result.problems).toEqual([]);
    expect(equals(TopologySchema, template.topology, result.topology!)).toBe(true);
  });

  it("keeps a 20-node / 25-edge topology under 2000 characters", () => {
    const t = largeTopology();
    expect(validProblems(t)).toEqual([]);
    const fragment = encodeShareFragment(t);
    console.log(`share fragment of a 20-node / 25-edge topology: ${fragment.length} characters`);
    expect(fragment.length).toBeLessThan(2000);
    const back = decodeShareFragment(`#topology=${fragment}`);
    expect(equals(TopologySchema, t, back.topology!)).toBe(true);
  });

  it("accepts the fragment with or without '#' and 'topology='", () => {
    const fragment = encodeShareFragment(TEMPLATES[0].topology);
    for (const form of [fragment, `#${fragment}`, `topology=${fragment}`, `#topology=${fragment}`]) {
      expect(decodeShareFragment(form).ok).toBe(true);
    }
  });

  it("passes a decoded topology through the gate: defaults filled, problems listed", () => {
    const bare = create(TopologySchema, {
      nodes: [{ id: "c", kind: NodeKind.CLIENT }, { id: "s", kind: NodeKind.SERVICE }],
      edges: [{ id: "c-s", source: "c", target: "ghost", transport: Transport.QUEUE }],
    });
    const result = decodeShareFragment(fragmentOf(zlibSync(toBinary(TopologySchema, bare))));
    expect(result.topology?.version).toBe(1);
    expect(result.topology?.nodes[1].behavior?.concurrency).toBe(16);
    expect(result.problems).toEqual([{ path: "edges[0].target", message: 'no node has id "ghost"' }]);
  });

  it("refuses a link with a character flipped", () => {
    const fragment = encodeShareFragment(TEMPLATES[2].topology);
    const at = Math.floor(fragment.length / 2);
    const flipped = fragment.slice(0, at) + (fragment[at] === "A" ? "B" : "A") + fragment.slice(at + 1);
    expect(onlyProblem(flipped)).toMatch(/^the link is damaged: /);
  });

  it("refuses a truncated link", () => {
    const fragment = encodeShareFragment(TEMPLATES[3].topology);
    for (const cut of [fragment.length - 1, fragment.length - 10, Math.floor(fragment.length / 2), SHARE_FORMAT_TAG.length + 2]) {
      expect(onlyProblem(fragment.slice(0, cut))).toMatch(/^the link is damaged: /);
    }
  });

  it("refuses characters that base64url never has", () => {
    expect(onlyProblem(`${SHARE_FORMAT_TAG}abc+/=`)).toContain("characters a link of ours never has");
  });

  it("refuses a foreign string", () => {
    for (const foreign of ["", "#", "section-2", "#topology=eJzLSM3JyQcABiwCFQ", "t2.abc"]) {
      expect(onlyProblem(foreign)).toContain('it should start with "t1."');
    }
  });

  it("refuses an over-long link before decoding it", () => {
    const long = SHARE_FORMAT_TAG + "A".repeat(LIMITS.maxShareFragmentChars);
    expect(onlyProblem(long)).toContain(`at most ${LIMITS.maxShareFragmentChars}`);
  });

  it("stops inflating a zip bomb at the cap", () => {
    const bomb = zlibSync(new Uint8Array(LIMITS.maxShareInflatedBytes * 8), { level: 9 });
    const fragment = fragmentOf(bomb);
    expect(fragment.length).toBeLessThan(LIMITS.maxShareFragmentChars);
    expect(onlyProblem(fragment)).toContain("unpacks to more than 256 KiB");
  });

  it("refuses intact zlib data that is not a topology", () => {
    const text = new TextEncoder().encode("hello, this is not protobuf \u00ff\u00fe");
    expect(onlyProblem(fragmentOf(zlibSync(text)))).toContain("its topology cannot be read");
  });
});

function validProblems(t: Topology) {
  return parseTopology(toJson(TopologySchema, t)).problems;
}
