/**
 * Overload, on real processes: a service whose waiting line is full sheds at
 * once (REST 503, Connect resource_exhausted), an AT_MOST_ONCE subscriber
 * drops what it cannot take — and every one of those messages is on the books
 * by name ("overloaded"), so sent = delivered + failed + lost + in flight holds
 * with nothing in flight once the burst is over.
 */
import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { ConnectProtocol, Delivery, EdgeSchema, Transport } from "@/lib/gen/ipcplay/v1/topology_pb";
import { eventually, restTopology } from "./test-support";
import { pubsubEdge, restEdge, runHarness } from "./transport-harness";

const harness = runHarness();

/** A small waiting line, so a burst of BURST overflows it at once. */
const MAX_WAITING = 5;
const BURST = 60;

describe("overload", () => {
  it("sheds past a full waiting line and books every shed message as overloaded, over REST, Connect and a topic", async () => {
    const topology = restTopology({ services: [{ id: "rest", workMs: 40 }, { id: "rpc", workMs: 40 }, { id: "sub", workMs: 40 }], edges: [] });
    for (const node of topology.nodes) if (node.behavior) node.behavior.concurrency = 1;
    topology.edges = [
      restEdge("client-rest", "client", "rest", 30_000),
      create(EdgeSchema, { id: "client-rpc", source: "client", target: "rpc", transport: Transport.CONNECT, settings: { case: "connect", value: { protocol: ConnectProtocol.GRPC, timeoutMs: 30_000, retries: 0 } } }),
      pubsubEdge("client-sub", "client", "sub", "burst", Delivery.AT_MOST_ONCE),
    ];
    const runId = await harness.start(topology, { maxWaitingPerService: MAX_WAITING });
    const run = harness.manager;
    await run.sendMessage(runId, "client", BURST);

    const edges = await eventually(() => {
      const all = run.get(runId).edges;
      return all.every((edge) => edge.sent === BURST && edge.inFlight === 0) ? all : undefined;
    }, "every message of the burst ended", 30_000);
    for (const edge of edges) {
      const overloaded = edge.failedBy.find((entry) => entry.outcome === "overloaded")?.count ?? 0;
      console.log(`${edge.edgeId}: sent ${edge.sent}, delivered ${edge.delivered}, overloaded ${overloaded}`);
      // One working and MAX_WAITING waiting take the first ones; most of a burst of 60 is shed.
      expect(overloaded, edge.edgeId).toBeGreaterThan(BURST / 2);
      expect(edge.delivered, edge.edgeId).toBeGreaterThanOrEqual(1 + MAX_WAITING);
      expect(edge, edge.edgeId).toMatchObject({ failed: overloaded, lost: 0, shed: overloaded });
      expect(edge.delivered + edge.failed).toBe(BURST);
    }
    const summary = await run.stop(runId);
    for (const edge of summary.edges) expect(edge.sent).toBe(edge.delivered + edge.failed + edge.lost + edge.inFlight);
  });
});
