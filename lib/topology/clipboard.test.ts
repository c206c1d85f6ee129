import { clone } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { TopologySchema } from "@/lib/gen/ipcplay/v1/topology_pb";
import { copyNodes, pasteNodes } from "./clipboard";
import { validateTopology } from "./validate";
import { findTemplate } from "./templates";

const queueWorkers = () => clone(TopologySchema, findTemplate("queue-workers")!.topology);

describe("copy and paste of nodes", () => {
  it("copies the chosen nodes and only the edges between them", () => {
    const clip = copyNodes(queueWorkers(), ["orders", "worker-a"]);
    expect(clip.nodes.map((n) => n.id)).toEqual(["orders", "worker-a"]);
    expect(clip.edges.map((e) => e.id)).toEqual(["orders-worker-a"]);
  });

  it("pastes with fresh ids, offset positions and the inner edges re-wired", () => {
    const t = queueWorkers();
    const before = clone(TopologySchema, t);
    const clip = copyNodes(t, ["orders", "worker-a", "worker-b"]);
    const pasted = pasteNodes(t, clip, { x: 40, y: 40 });
    expect(t).toEqual(before);
    expect(pasted.nodes.map((n) => n.id)).toEqual(["orders-2", "worker-a-2", "worker-b-2"]);
    expect(pasted.nodes.map((n) => n.label)).toEqual(["Orders", "Worker A", "Worker B"]);
    const orders = t.nodes.find((n) => n.id === "orders")!;
    expect(pasted.nodes[0].position).toMatchObject({ x: orders.position!.x + 40, y: orders.position!.y + 40 });
    expect(pasted.edges.map((e) => [e.id, e.source, e.target])).toEqual([
      ["orders-2-worker-a-2", "orders-2", "worker-a-2"],
      ["orders-2-worker-b-2", "orders-2", "worker-b-2"],
    ]);
    // Settings are kept: the pasted workers consume the same queue.
    expect(pasted.edges[0].settings).toEqual(t.edges[1].settings);
    t.nodes.push(...pasted.nodes);
    t.edges.push(...pasted.edges);
    expect(validateTopology(t)).toEqual([]);
  });

  it("pasting twice gives two sets of distinct ids", () => {
    const t = queueWorkers();
    const clip = copyNodes(t, ["worker-a"]);
    const first = pasteNodes(t, clip, { x: 40, y: 40 });
    t.nodes.push(...first.nodes);
    const second = pasteNodes(t, clip, { x: 80, y: 80 });
    expect([first.nodes[0].id, second.nodes[0].id]).toEqual(["worker-a-2", "worker-a-3"]);
  });
});
