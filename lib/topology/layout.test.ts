import { clone } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { NodeKind, TopologySchema, Transport } from "@/lib/gen/ipcplay/v1/topology_pb";
import { createEdge, createNode, emptyTopology } from "./factory";
import { autoLayout, DEFAULT_LAYOUT } from "./layout";
import { TEMPLATES } from "./templates";

function chain(ids: string[], at = (i: number) => ({ x: 500 - i * 37, y: i * 211 })) {
  const t = emptyTopology("chain");
  ids.forEach((id, i) => t.nodes.push(createNode(i === 0 ? NodeKind.CLIENT : NodeKind.SERVICE, id, at(i))));
  for (let i = 1; i < ids.length; i++) t.edges.push(createEdge(`${ids[i - 1]}-${ids[i]}`, ids[i - 1], ids[i], Transport.REST));
  return t;
}

function overlaps(a: { x: number; y: number }, b: { x: number; y: number }): boolean {
  return Math.abs(a.x - b.x) < DEFAULT_LAYOUT.nodeWidth && Math.abs(a.y - b.y) < DEFAULT_LAYOUT.nodeHeight;
}

describe("autoLayout", () => {
  it("lays a chain out left to right on one row, a column apart", () => {
    const at = autoLayout(chain(["client", "a", "b", "c"]));
    const xs = ["client", "a", "b", "c"].map((id) => at.get(id)!.x);
    const ys = new Set(["client", "a", "b", "c"].map((id) => at.get(id)!.y));
    expect(ys.size).toBe(1);
    for (let i = 1; i < xs.length; i++) expect(xs[i] - xs[i - 1]).toBeGreaterThanOrEqual(DEFAULT_LAYOUT.nodeWidth + 100);
  });

  it("keeps the drawing's top-left corner and snaps to the grid", () => {
    const t = chain(["client", "a", "b"]);
    const at = autoLayout(t);
    const minX = Math.min(...t.nodes.map((n) => n.position!.x));
    const minY = Math.min(...t.nodes.map((n) => n.position!.y));
    const all = [...at.values()];
    expect(Math.min(...all.map((p) => p.x))).toBe(Math.round(minX / 20) * 20);
    expect(Math.min(...all.map((p) => p.y))).toBe(Math.round(minY / 20) * 20);
    for (const p of all) expect([p.x % 20, p.y % 20].map(Math.abs)).toEqual([0, 0]);
  });

  it.each(TEMPLATES.map((t) => [t.id, t] as const))("puts every edge of %s left to right, without overlaps", (_id, template) => {
    const at = autoLayout(template.topology);
    expect(at.size).toBe(template.topology.nodes.length);
    for (const e of template.topology.edges) expect(at.get(e.target)!.x).toBeGreaterThan(at.get(e.source)!.x);
    const ps = [...at.values()];
    for (let i = 0; i < ps.length; i++) for (let j = i + 1; j < ps.length; j++) expect(overlaps(ps[i], ps[j])).toBe(false);
  });

  it("is pure and deterministic, and survives cycles, self-loops and dangling edges", () => {
    const t = chain(["client", "a", "b"]);
    t.edges.push(createEdge("b-a", "b", "a", Transport.QUEUE), createEdge("a-a", "a", "a", Transport.REST));
    t.edges.push(createEdge("a-ghost", "a", "ghost", Transport.REST));
    const before = clone(TopologySchema, t);
    const first = autoLayout(t);
    expect(t).toEqual(before);
    expect([...autoLayout(t)]).toEqual([...first]);
    expect(first.size).toBe(3);
  });

  it("returns nothing for an empty topology", () => {
    expect(autoLayout(emptyTopology()).size).toBe(0);
  });
});
