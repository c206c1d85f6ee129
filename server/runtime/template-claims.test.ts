/**
 * The templates' guides make claims about what happens; these tests run the
 * shipped templates as a person would (their own traffic, their own settings)
 * and check the claims on real processes, brokers and counters.
 */
import { describe, expect, it } from "vitest";
import { BreakerState, NodeStatus } from "@/lib/gen/ipcplay/v1/playground_pb";
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

/**
 * The experiment templates run their own fault schedule (injected 5 s after
 * the run is up); these tests watch it happen as a person would and check
 * each guide's claim while the fault is in force and after it ends.
 */
describe("the experiments' claims", () => {
  const LONG = { ...POLL, timeout: 45_000 };
  const faultOn = (runId: string, target: string) => run.manager.get(runId).faults.some((f) => (f.fault?.nodeId || f.fault?.edgeId) === target);
  const node = (runId: string, id: string) => run.manager.get(runId).nodes.find((n) => n.nodeId === id)!;

  it("Retry storm: without a budget attempts per message climb past 2.5; with a 20% budget they stay under 1.8 and refused retries are counted", async () => {
    const runId = await run.start(templateTopology("retry-storm"));
    const edge = (id: string) => run.edge(runId, id);
    await expect.poll(() => faultOn(runId, "db-a") && faultOn(runId, "db-b"), LONG).toBe(true);
    const before = { a: { ...edge("api-a-db-a") }, b: { ...edge("api-b-db-b") } };
    // A window of the fault: at least 60 messages along each database edge.
    await expect.poll(() => Math.min(edge("api-a-db-a").sent - before.a.sent, edge("api-b-db-b").sent - before.b.sent), LONG).toBeGreaterThanOrEqual(60);
    expect(faultOn(runId, "db-a")).toBe(true);
    const perMessage = (id: string, from: typeof before.a) => {
      const now = edge(id);
      return (now.attempts - from.attempts) / (now.sent - from.sent);
    };
    const stormA = perMessage("api-a-db-a", before.a);
    const stormB = perMessage("api-b-db-b", before.b);
    console.log(`retry storm: attempts per message without a budget ${stormA.toFixed(2)}, with a 20% budget ${stormB.toFixed(2)}`);
    expect(stormA).toBeGreaterThan(2.5);
    expect(stormB).toBeLessThan(1.8);
    expect(edge("api-b-db-b").retriesRefused - before.b.retriesRefused).toBeGreaterThan(0);
    expect(edge("api-a-db-a").retriesRefused).toBe(0);
    await run.stop(runId);
  });

  it("Circuit breaker: once pricing turns slow the breaker opens and short-circuits; when the slowdown ends it closes again", async () => {
    const runId = await run.start(templateTopology("circuit-breaker"));
    const edge = () => run.edge(runId, "shop-pricing");
    await expect.poll(() => edge().breaker, LONG).toBe(BreakerState.CLOSED);
    await expect.poll(() => faultOn(runId, "pricing"), LONG).toBe(true);
    await expect.poll(() => edge().breaker, LONG).toBe(BreakerState.OPEN);
    await expect.poll(() => edge().shortCircuited, LONG).toBeGreaterThanOrEqual(5);
    // Short-circuited calls fail at once and never reach pricing: they are failures of their own name.
    const books = edge(); // one reading: the counts move between two
    expect(books.failedBy.find((entry) => entry.outcome === "short-circuited")?.count).toBe(books.shortCircuited);
    // The shop falls back, so its callers keep getting answers.
    expect(run.edge(runId, "client-shop").failed).toBe(0);
    await expect.poll(() => faultOn(runId, "pricing"), LONG).toBe(false);
    await expect.poll(() => edge().breaker, LONG).toBe(BreakerState.CLOSED);
    const delivered = edge().delivered;
    await expect.poll(() => edge().delivered - delivered, LONG).toBeGreaterThanOrEqual(5);
    await run.stop(runId);
  });

  it("Bulkhead: while recommendations are slow, store A's median page takes its timeout and A's line grows; store B's stays fast and its line stays within the bulkhead", async () => {
    const runId = await run.start(templateTopology("bulkhead"));
    await expect.poll(() => faultOn(runId, "recs-a") && faultOn(runId, "recs-b"), LONG).toBe(true);
    const overloaded = () => run.edge(runId, "store-b-recs-b").failedBy.find((entry) => entry.outcome === "overloaded")?.count ?? 0;
    await expect.poll(overloaded, LONG).toBeGreaterThanOrEqual(20);
    await expect.poll(() => node(runId, "recs-a").waiting, LONG).toBeGreaterThanOrEqual(20);
    expect(node(runId, "recs-b").waiting).toBeLessThanOrEqual(2);
    await expect.poll(() => run.edge(runId, "client-store-a").p50Ms, LONG).toBeGreaterThanOrEqual(900);
    const a = run.edge(runId, "client-store-a").p50Ms;
    const b = run.edge(runId, "client-store-b").p50Ms;
    console.log(`bulkhead: client p50 store A ${a.toFixed(0)} ms, store B ${b.toFixed(0)} ms`);
    expect(b).toBeLessThan(a / 2);
    // Both fall back: the client sees no failure on either path.
    expect(run.edge(runId, "client-store-a").failed + run.edge(runId, "client-store-b").failed).toBe(0);
    await run.stop(runId);
  });

  it("Consumer outage: while both workers are down the sync path fails and the queue keeps every order, which is delivered after — none lost", async () => {
    const runId = await run.start(templateTopology("consumer-outage"));
    const edge = (id: string) => run.edge(runId, id);
    await expect.poll(() => faultOn(runId, "fulfil-sync") && faultOn(runId, "fulfil-async"), LONG).toBe(true);
    await expect.poll(() => edge("orders-sync-fulfil-sync").failed, LONG).toBeGreaterThanOrEqual(3);
    await expect.poll(() => edge("client-orders-sync").failed, LONG).toBeGreaterThanOrEqual(3);
    await expect.poll(() => edge("orders-async-fulfil-async").queued, LONG).toBeGreaterThanOrEqual(3);
    expect(edge("client-orders-async").failed).toBe(0);
    // The schedule starts them again; the queue drains.
    await expect.poll(() => faultOn(runId, "fulfil-async"), LONG).toBe(false);
    await expect.poll(() => node(runId, "fulfil-async").status, LONG).toBe(NodeStatus.UP);
    await expect.poll(() => edge("orders-async-fulfil-async").queued, LONG).toBeLessThanOrEqual(1);
    const summary = await run.stop(runId);
    const queue = summary.get("orders-async-fulfil-async")!;
    expect(queue).toMatchObject({ failed: 0, lost: 0 });
    expect(queue.delivered + queue.inFlight).toBe(queue.sent);
    expect(summary.get("client-orders-async")!.failed).toBe(0);
  });
});
