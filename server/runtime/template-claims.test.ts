/**
 * The templates' guides make claims about what happens; these tests run the
 * shipped templates as a person would (their own traffic, their own settings)
 * and check the claims on real processes, brokers and counters.
 */
import { describe, expect, it } from "vitest";
import { FaultKind } from "@/lib/gen/ipcplay/v1/topology_pb";
import { findTemplate } from "@/lib/topology/templates";
import { POLL, runHarness } from "./transport-harness";

const run = runHarness();

function templateTopology(id: string) {
  const template = findTemplate(id);
  if (!template) throw new Error(`no template ${id}`);
  return template.topology;
}

describe("the templates' claims", () => {
  it("Sync vs async: killing the sync worker fails the client's sync calls; the async path keeps accepting and drains after a restart", async () => {
    const runId = await run.start(templateTopology("sync-vs-async"));
    const edge = (id: string) => run.edge(runId, id);
    const syncEdge = "client-sync-api";
    const asyncEdge = "client-async-api";
    const queueEdge = "async-api-async-worker";
    // Both paths carry the client's traffic while everything is up.
    await expect.poll(() => edge(syncEdge).delivered, POLL).toBeGreaterThanOrEqual(2);
    expect(edge(syncEdge).failed).toBe(0);

    await run.manager.injectFault(runId, { nodeId: "sync-worker", kind: FaultKind.KILL });
    await run.manager.injectFault(runId, { nodeId: "async-worker", kind: FaultKind.KILL });
    const failedBefore = edge(syncEdge).failed;
    const sentBefore = edge(asyncEdge).sent;
    // "those errors reach the client": the client's own sync edge fails.
    await expect.poll(() => edge(syncEdge).failed - failedBefore, POLL).toBeGreaterThanOrEqual(3);
    // "the client notices nothing": its async calls go on succeeding; the queue grows instead.
    await expect.poll(() => edge(queueEdge).queue?.waiting ?? 0, POLL).toBeGreaterThanOrEqual(3);
    await expect.poll(() => edge(asyncEdge).sent - sentBefore, POLL).toBeGreaterThanOrEqual(3);
    expect(edge(asyncEdge).failed).toBe(0);

    // "when the worker is back it works through the backlog".
    await run.manager.clearFault(runId, { nodeId: "async-worker" });
    await expect.poll(() => edge(queueEdge).queue?.waiting ?? -1, POLL).toBe(0);
    expect(edge(queueEdge).delivered).toBeGreaterThanOrEqual(3);
    await run.stop(runId);
  });

  it("Queue with competing workers: each order is worked by exactly one worker; killed, one worker falls behind; back, both drain it", async () => {
    const runId = await run.start(templateTopology("queue-workers"));
    const channel = () => run.manager.get(runId).channels.find((candidate) => candidate.channel === "orders")!;
    const share = (id: string) => run.edge(runId, id).delivered;
    // One queue: the channel keeps the books, each worker took its share of them — exactly once each.
    await expect.poll(() => Math.min(share("orders-worker-a"), share("orders-worker-b")), POLL).toBeGreaterThanOrEqual(1);
    expect(run.edge(runId, "orders-worker-a").sharedWith).toEqual(["orders-worker-b"]);
    expect(share("orders-worker-a") + share("orders-worker-b")).toBeLessThanOrEqual(channel().delivered);

    // "Kill worker-b: the queue depth badge starts to grow".
    await run.manager.injectFault(runId, { nodeId: "worker-b", kind: FaultKind.KILL });
    await expect.poll(() => channel().queued, { ...POLL, timeout: 30_000 }).toBeGreaterThanOrEqual(3);
    // "bring it back and watch both drain the backlog".
    await run.manager.clearFault(runId, { nodeId: "worker-b" });
    await expect.poll(() => channel().queued, { ...POLL, timeout: 30_000 }).toBeLessThanOrEqual(1);
    const summary = await run.stop(runId);
    const books = channel();
    expect(books.sent).toBe(books.delivered + books.failed + books.lost + books.inFlight);
    expect(summary.get("orders-worker-a")!.sent).toBe(books.sent);
  });

  it("Pub/sub fan-out: killed for a while, email loses what was published meanwhile (no subscriber); shipping catches up on all of it", async () => {
    const runId = await run.start(templateTopology("pubsub-fanout"));
    const edge = (id: string) => run.edge(runId, id);
    await expect.poll(() => edge("checkout-shipping").delivered, POLL).toBeGreaterThanOrEqual(1);
    await run.manager.injectFault(runId, { nodeId: "email", kind: FaultKind.KILL });
    await run.manager.injectFault(runId, { nodeId: "shipping", kind: FaultKind.KILL });
    const sentBefore = edge("checkout-shipping").sent;
    await expect.poll(() => edge("checkout-shipping").sent - sentBefore, { ...POLL, timeout: 30_000 }).toBeGreaterThanOrEqual(3);
    // Shipping's messages wait in its stream meanwhile: queued in the broker.
    await expect.poll(() => edge("checkout-shipping").queued, POLL).toBeGreaterThanOrEqual(3);
    await run.manager.clearFault(runId, { nodeId: "email" });
    await run.manager.clearFault(runId, { nodeId: "shipping" });

    // Email: gone for good, and counted by name.
    const noSubscriber = () => edge("checkout-email").lostBy.find((entry) => entry.outcome === "no subscriber")?.count ?? 0;
    await expect.poll(noSubscriber, POLL).toBeGreaterThanOrEqual(3);
    // Shipping: everything it missed is delivered once it is back.
    const caughtUp = edge("checkout-shipping").sent;
    await expect.poll(() => edge("checkout-shipping").delivered, { ...POLL, timeout: 30_000 }).toBeGreaterThanOrEqual(caughtUp);
    expect(edge("checkout-shipping").lost).toBe(0);
    await run.stop(runId);
  });

  it("REST chain: with billing killed, the failure travels back to the client", async () => {
    const runId = await run.start(templateTopology("rest-chain"));
    await expect.poll(() => run.edge(runId, "client-gateway").delivered, POLL).toBeGreaterThanOrEqual(1);
    await run.manager.injectFault(runId, { nodeId: "billing", kind: FaultKind.KILL });
    const failedBefore = run.edge(runId, "client-gateway").failed;
    await expect.poll(() => run.edge(runId, "client-gateway").failed - failedBefore, POLL).toBeGreaterThanOrEqual(2);
    await run.stop(runId);
  });
});
