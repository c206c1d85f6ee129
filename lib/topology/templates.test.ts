import { equals, toJson } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { Delivery, NodeKind, TopologySchema, Transport } from "@/lib/gen/ipcplay/v1/topology_pb";
import { parseTopology } from "./parse";
import { COLUMN_PX, findTemplate, ROW_PX, TEMPLATES } from "./templates";

describe("templates", () => {
  it("has the five tours and the four experiments, with one-line summaries", () => {
    expect(TEMPLATES.map((t) => t.id)).toEqual([
      "rest-chain",
      "grpc-chain",
      "queue-workers",
      "pubsub-fanout",
      "sync-vs-async",
      "retry-storm",
      "circuit-breaker",
      "bulkhead",
      "consumer-outage",
    ]);
    // The experiments carry their faults: a share link or file of one runs the whole experiment.
    expect(TEMPLATES.filter((t) => t.topology.schedule.length > 0).map((t) => t.id)).toEqual([
      "retry-storm",
      "circuit-breaker",
      "bulkhead",
      "consumer-outage",
    ]);
    for (const t of TEMPLATES) {
      expect(t.summary).not.toContain("\n");
      expect(t.explanation.length).toBeGreaterThan(200);
      expect(t.topology.description).toBe(t.explanation);
      expect(t.topology.name).toBe(t.title);
    }
  });

  it.each(TEMPLATES.map((t) => [t.id, t] as const))("%s passes the gate unchanged", (_id, template) => {
    const result = parseTopology(toJson(TopologySchema, template.topology));
    expect(result.problems).toEqual([]);
    expect(equals(TopologySchema, template.topology, result.topology!)).toBe(true);
  });

  it.each(TEMPLATES.map((t) => [t.id, t] as const))("%s is laid out left to right on the 340 × 140 grid", (_id, template) => {
    for (const node of template.topology.nodes) {
      expect(node.position!.x % COLUMN_PX).toBe(0);
      expect(node.position!.y % (ROW_PX / 2)).toBe(0);
      expect(node.label).not.toBe(node.id);
    }
    for (const edge of template.topology.edges) {
      const x = (id: string) => template.topology.nodes.find((n) => n.id === id)!.position!.x;
      expect(x(edge.target)).toBeGreaterThan(x(edge.source));
    }
    // Tours are gentle; an experiment needs enough traffic for its effect to show, and no more.
    const maxRate = template.topology.schedule.length > 0 ? 40 : 5;
    for (const client of template.topology.nodes.filter((n) => n.kind === NodeKind.CLIENT)) {
      expect(client.traffic!.ratePerSecond).toBeGreaterThanOrEqual(2);
      expect(client.traffic!.ratePerSecond).toBeLessThanOrEqual(maxRate);
    }
  });

  it("wires the queue template's workers to one shared channel", () => {
    const edges = findTemplate("queue-workers")!.topology.edges.filter((e) => e.transport === Transport.QUEUE);
    expect(edges.map((e) => e.target)).toEqual(["worker-a", "worker-b"]);
    expect(edges.map((e) => e.settings.case === "queue" && e.settings.value.channel)).toEqual(["orders", "orders"]);
  });

  it("subscribes shipping durably and the others at most once to order-placed", () => {
    const subscriptions = findTemplate("pubsub-fanout")!
      .topology.edges.filter((e) => e.settings.case === "pubsub")
      .map((e) => (e.settings.case === "pubsub" ? [e.target, e.settings.value.channel, e.settings.value.delivery] : []));
    expect(subscriptions).toEqual([
      ["email", "order-placed", Delivery.AT_MOST_ONCE],
      ["analytics", "order-placed", Delivery.AT_MOST_ONCE],
      ["shipping", "order-placed", Delivery.DURABLE],
    ]);
  });

  it("gives both sync-vs-async workers the same 300 ms", () => {
    const t = findTemplate("sync-vs-async")!.topology;
    for (const id of ["sync-worker", "async-worker"]) {
      expect(t.nodes.find((n) => n.id === id)!.behavior!.workTime!.meanMs).toBe(300);
    }
  });

  it("finds nothing for an unknown id", () => {
    expect(findTemplate("nope")).toBeUndefined();
  });
});
