import { create } from "@bufbuild/protobuf";
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
import {
  createEdge,
  createNode,
  defaultSettings,
  emptyTopology,
  slugifyId,
  uniqueEdgeId,
  uniqueNodeId,
} from "./factory";
import { validateTopology } from "./validate";

describe("emptyTopology", () => {
  it("is explicit: version, hop limit and name are written in", () => {
    expect(emptyTopology()).toMatchObject({ name: "Untitled topology", version: 1, hopLimit: 8, nodes: [], edges: [] });
    expect(emptyTopology("Checkout").name).toBe("Checkout");
  });
});

describe("createNode", () => {
  it("makes a service that works 20 ms, never fails and forwards to all", () => {
    const node = createNode(NodeKind.SERVICE, "orders", { x: 10, y: 20 });
    expect(node).toMatchObject({ id: "orders", label: "orders", kind: NodeKind.SERVICE, position: { x: 10, y: 20 } });
    expect(node.behavior).toMatchObject({ errorRate: 0, concurrency: 16, fanOut: FanOut.ALL, replyBytes: 0 });
    expect(node.behavior?.workTime).toMatchObject({ distribution: Distribution.FIXED, meanMs: 20 });
    expect(node.traffic).toBeUndefined();
  });

  it("makes a client that sends 2 messages of 128 bytes per second", () => {
    const node = createNode(NodeKind.CLIENT, "web", { x: 0, y: 0 });
    expect(node.traffic).toMatchObject({
      ratePerSecond: 2,
      pattern: TrafficPattern.CONSTANT,
      payloadBytes: 128,
      burstSize: 10,
      rampSeconds: 10,
    });
    expect(node.behavior).toBeUndefined();
  });
});

describe("createEdge and defaultSettings", () => {
  it("fills the full settings of each transport", () => {
    expect(createEdge("a-b", "a", "b", Transport.REST).settings).toMatchObject({
      case: "rest",
      value: { method: "POST", path: "/", timeoutMs: 1000, retries: 0, cacheMaxAgeS: 0 },
    });
    expect(defaultSettings(Transport.CONNECT)).toMatchObject({
      case: "connect",
      value: { protocol: ConnectProtocol.CONNECT, timeoutMs: 1000, retries: 0 },
    });
    expect(defaultSettings(Transport.QUEUE, "orders")).toMatchObject({
      case: "queue",
      value: { channel: "orders", attempts: 3, backoffMs: 200 },
    });
    expect(defaultSettings(Transport.PUBSUB)).toMatchObject({
      case: "pubsub",
      value: { channel: "events", delivery: Delivery.AT_MOST_ONCE },
    });
    expect(defaultSettings(Transport.UNSPECIFIED)).toEqual({ case: undefined });
  });

  it("builds topologies that pass validation", () => {
    const t = emptyTopology();
    t.nodes.push(createNode(NodeKind.CLIENT, "c", { x: 0, y: 0 }), createNode(NodeKind.SERVICE, "s", { x: 240, y: 0 }));
    t.edges.push(createEdge("c-s", "c", "s", Transport.QUEUE));
    expect(validateTopology(t)).toEqual([]);
  });
});

describe("ids", () => {
  it.each([
    ["Orders API", "orders-api"],
    ["  Billing   service!! ", "billing-service"],
    ["Ünïcode Café #2", "unicode-cafe-2"],
    ["42 workers", "workers"],
    ["!!!", ""],
    ["a".repeat(40), "a".repeat(32)],
  ])("slugifyId(%j) is %j", (label, id) => {
    expect(slugifyId(label)).toBe(id);
  });

  it("numbers node ids past the ones taken", () => {
    const t = create(TopologySchema, { nodes: [{ id: "service" }, { id: "service-2" }, { id: "orders-api" }] });
    expect(uniqueNodeId(t, "service")).toBe("service-3");
    expect(uniqueNodeId(t, "Orders API")).toBe("orders-api-2");
    expect(uniqueNodeId(t, "Billing")).toBe("billing");
    expect(uniqueNodeId(t, "???")).toBe("node");
  });

  it("keeps numbered ids within 32 characters", () => {
    const long = "x".repeat(32);
    const t = create(TopologySchema, { nodes: [{ id: long }] });
    const id = uniqueNodeId(t, long);
    expect(id).toBe(`${"x".repeat(30)}-2`);
  });

  it("names edges after their ends", () => {
    const t = create(TopologySchema, { edges: [{ id: "client-orders" }] });
    expect(uniqueEdgeId(t, "client", "orders")).toBe("client-orders-2");
    expect(uniqueEdgeId(t, "orders", "billing")).toBe("orders-billing");
    expect(uniqueEdgeId(t, "a".repeat(32), "b".repeat(32))).toHaveLength(32);
  });
});
