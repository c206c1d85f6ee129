import { equals } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { TopologySchema } from "@/lib/gen/ipcplay/v1/topology_pb";
import { emptyTopology } from "./factory";
import { topologyFileName, topologyFromFileText, topologyToFileText } from "./file";
import { TEMPLATES } from "./templates";

describe("topology files", () => {
  it.each(TEMPLATES.map((t) => [t.id, t] as const))("exports %s as pretty JSON and imports it back exactly", (_id, template) => {
    const text = topologyToFileText(template.topology);
    expect(text).toContain('\n  "name": ');
    expect(text).toContain('"TRANSPORT_');
    const back = topologyFromFileText(text);
    expect(back.problems).toEqual([]);
    expect(equals(TopologySchema, back.topology!, template.topology)).toBe(true);
  });

  it("names the file after the topology", () => {
    expect(topologyFileName(emptyTopology("Checkout flow (v2)"))).toBe("checkout-flow-v2.json");
    expect(topologyFileName(emptyTopology("  ✨ "))).toBe("topology.json");
  });

  it("refuses text that is not JSON, with one problem", () => {
    const r = topologyFromFileText("{ nope");
    expect(r.topology).toBeUndefined();
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0].message).toMatch(/^the file is not JSON/);
  });

  it("lists every shape problem and gives no topology for a foreign document", () => {
    const r = topologyFromFileText(JSON.stringify({ name: 3, nodes: "many", colour: "red" }));
    expect(r.topology).toBeUndefined();
    expect(r.problems.length).toBeGreaterThanOrEqual(3);
    expect(r.problems.map((p) => p.path)).toEqual(expect.arrayContaining(["name", "nodes", "colour"]));
  });

  it("keeps a decodable topology with its problems, for the canvas to mark", () => {
    const r = topologyFromFileText(JSON.stringify({ name: "half done", nodes: [{ id: "9x", kind: "NODE_KIND_SERVICE" }] }));
    expect(r.ok).toBe(false);
    expect(r.topology?.nodes[0].id).toBe("9x");
    expect(r.problems.some((p) => p.path === "nodes[0].id")).toBe(true);
  });
});
