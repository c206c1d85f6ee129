import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { TopologySchema } from "@/lib/gen/ipcplay/v1/topology_pb";
import { problemTargets } from "./problem-targets";

const t = create(TopologySchema, {
  nodes: [{ id: "client" }, { id: "api" }, { id: "api" }],
  edges: [{ id: "client-api" }, { id: "api-db" }],
});

describe("problemTargets", () => {
  it("maps item paths to ids and keeps the rest for the document", () => {
    const problems = [
      { path: "nodes[1].behavior.errorRate", message: "a" },
      { path: "edges[1].target", message: "b" },
      { path: "edges[1]", message: "c" },
      { path: "nodes[0]", message: "d" },
      { path: "hopLimit", message: "e" },
      { path: "", message: "f" },
      { path: "nodes", message: "g" },
      { path: "edges[7].id", message: "h" },
      { path: "nodes[10x]", message: "i" },
    ];
    const targets = problemTargets(t, problems);
    expect([...targets.nodes.keys()]).toEqual(["api", "client"]);
    expect(targets.nodes.get("api")?.map((p) => p.message)).toEqual(["a"]);
    expect(targets.nodes.get("client")?.map((p) => p.message)).toEqual(["d"]);
    expect(targets.edges.get("api-db")?.map((p) => p.message)).toEqual(["b", "c"]);
    expect(targets.edges.has("client-api")).toBe(false);
    expect(targets.document.map((p) => p.message)).toEqual(["e", "f", "g", "h", "i"]);
  });

  it("collects problems of two items that share an id under that id", () => {
    const targets = problemTargets(t, [
      { path: "nodes[1].label", message: "first" },
      { path: "nodes[2].id", message: "second" },
    ]);
    expect(targets.nodes.get("api")?.map((p) => p.message)).toEqual(["first", "second"]);
  });
});
