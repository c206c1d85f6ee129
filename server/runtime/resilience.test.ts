/**
 * Resilience patterns on real processes: a circuit breaker that opens on a
 * dead dependency, short-circuits without touching the network, half-opens
 * and closes once the dependency is back; a retry budget that caps a retry
 * storm; a service's own waiting-line bound (bulkhead); a rate limiter. Every
 * assertion is on counts and states, never on how fast the machine is.
 */
import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { BreakerState, type EdgeCounters, type RunEvent } from "@/lib/gen/ipcplay/v1/playground_pb";
import { FaultKind } from "@/lib/gen/ipcplay/v1/topology_pb";
import { ConnectProtocol, EdgeSchema, Transport, type Edge } from "@/lib/gen/ipcplay/v1/topology_pb";
import { eventually } from "./test-support";
import { POLL, runHarness, topologyOf } from "./transport-harness";

const harness = runHarness();

interface SyncEdgeSpec {
  retries?: number;
  retryBackoffMs?: number;
  retryJitter?: boolean;
  retryBudgetPercent?: number;
  timeoutMs?: number;
  breaker?: { failureRateThreshold: number; minimumCalls: number; windowS: number; openMs: number; halfOpenCalls: number };
}

/** A REST or CONNECT edge with its resilience settings written out, as the gate would. */
function syncEdge(id: string, source: string, target: string, transport: Transport.REST | Transport.CONNECT, spec: SyncEdgeSpec = {}): Edge {
  const common = {
    timeoutMs: spec.timeoutMs ?? 5000,
    retries: spec.retries ?? 0,
    retryBackoffMs: spec.retryBackoffMs ?? 0,
    retryJitter: spec.retryJitter ?? false,
    retryBudgetPercent: spec.retryBudgetPercent ?? 0,
    ...(spec.breaker ? { circuitBreaker: spec.breaker } : {}),
  };
  return create(EdgeSchema, {
    id,
    source,
    target,
    transport,
    settings:
      transport === Transport.REST
        ? { case: "rest", value: { method: "POST", path: `/${target}`, cacheMaxAgeS: 0, ...common } }
        : { case: "connect", value: { protocol: ConnectProtocol.CONNECT, ...common } },
  });
}

function outcome(edge: EdgeCounters, name: string): number {
  return edge.failedBy.find((entry) => entry.outcome === name)?.count ?? 0;
}

/** Messages sent on the edge that have ended, however. */
function ended(edge: EdgeCounters): number {
  return edge.delivered + edge.failed + edge.lost;
}

function expectBooksBalance(edge: EdgeCounters): void {
  expect(edge.sent, edge.edgeId).toBe(edge.delivered + edge.failed + edge.lost + edge.inFlight);
}

describe("circuit breaker", () => {
  it.each([
    ["REST", Transport.REST],
    ["Connect", Transport.CONNECT],
  ] as const)("over %s: opens on a killed dependency, short-circuits without attempts, half-opens and closes once it is back", async (_name, transport) => {
    const breaker = { failureRateThreshold: 0.5, minimumCalls: 4, windowS: 10, openMs: 1500, halfOpenCalls: 2 };
    const topology = topologyOf(
      [{ id: "gw" }, { id: "be" }],
      [syncEdge("client-gw", "client", "gw", Transport.REST), syncEdge("gw-be", "gw", "be", transport, { breaker, timeoutMs: 2000 })],
    );
    const runId = await harness.start(topology);
    const run = harness.manager;
    const logs: string[] = [];
    const unwatch = run.watch(runId, (event: RunEvent) => {
      if (event.event.case === "log") logs.push(event.event.value.message);
    });
    const edge = () => harness.edge(runId, "gw-be");

    // A breaker nobody has called yet is closed (and the edge without one says NONE).
    await expect.poll(() => edge().breaker, POLL).toBe(BreakerState.CLOSED);
    expect(harness.edge(runId, "client-gw").breaker).toBe(BreakerState.NONE);

    // The dependency dies: calls fail unreachable until minimum calls have failed; then the breaker opens.
    await run.injectFault(runId, { nodeId: "be", kind: FaultKind.KILL });
    await run.sendMessage(runId, "client", breaker.minimumCalls);
    await expect.poll(() => edge().sent - edge().inFlight, POLL).toBe(breaker.minimumCalls);
    expect(outcome(edge(), "unreachable")).toBe(breaker.minimumCalls);
    await expect.poll(() => edge().breaker, POLL).toBe(BreakerState.OPEN);

    // Open: calls fail at once, short-circuited, without an attempt on the network.
    const attemptsWhenOpened = edge().attempts;
    await run.sendMessage(runId, "client", 10);
    await expect.poll(() => edge().sent - edge().inFlight, POLL).toBe(breaker.minimumCalls + 10);
    const open = edge();
    // A slow machine may reach the half-open probes within the burst: at most halfOpenCalls of it then try.
    expect(open.shortCircuited).toBeGreaterThanOrEqual(10 - breaker.halfOpenCalls);
    expect(open.attempts - attemptsWhenOpened).toBe(10 - open.shortCircuited);
    expect(outcome(open, "short-circuited")).toBe(open.shortCircuited);
    expectBooksBalance(open);

    // The dependency is back: after openMs the breaker half-opens, its probes succeed, and it closes.
    // Probes are calls: keep calls coming, one at a time, until the caller reports it closed.
    await run.clearFault(runId, { nodeId: "be" });
    const giveUpAt = Date.now() + 20_000;
    while (edge().breaker !== BreakerState.CLOSED) {
      if (Date.now() > giveUpAt) throw new Error(`breaker still ${BreakerState[edge().breaker]}; run log: ${logs.join(" | ")}`);
      await run.sendMessage(runId, "client", 1);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const opened = logs.findIndex((line) => line.startsWith("breaker on edge gw-be opened: 4 of 4 calls failed in 10 s"));
    const halfOpen = logs.findIndex((line, index) => index > opened && line.startsWith("breaker on edge gw-be half-open after 1500 ms"));
    const closedLine = logs.findIndex((line, index) => index > halfOpen && line === "breaker on edge gw-be closed: 2 of 2 probe calls succeeded");
    expect(opened, logs.join("\n")).toBeGreaterThanOrEqual(0);
    expect(halfOpen, logs.join("\n")).toBeGreaterThan(opened);
    expect(closedLine, logs.join("\n")).toBeGreaterThan(halfOpen);

    // Closed again: every call goes through, one attempt each.
    await expect.poll(() => edge().inFlight, POLL).toBe(0);
    const before = edge();
    await run.sendMessage(runId, "client", 5);
    await expect.poll(() => edge().delivered, POLL).toBe(before.delivered + 5);
    const after = edge();
    expect(after.attempts - before.attempts).toBe(5);
    expect(after.shortCircuited).toBe(before.shortCircuited);
    expectBooksBalance(after);
    unwatch();
    const summary = await harness.stop(runId);
    for (const counters of summary.values()) expectBooksBalance(counters);
  });
});

describe("retry budget", () => {
  it("caps a retry storm: with a 20 % budget attempts per message stay well below 1 + retries, and the refused retries are counted", async () => {
    const BURST = 60;
    const topology = topologyOf(
      // Both always fail (REST 500, retryable); the work time keeps many calls active at once.
      [
        { id: "budgeted", workMs: 20, errorRate: 1 },
        { id: "unbudgeted", workMs: 20, errorRate: 1 },
      ],
      [
        syncEdge("client-budgeted", "client", "budgeted", Transport.REST, { retries: 5, retryBudgetPercent: 20, retryBackoffMs: 5, retryJitter: true }),
        syncEdge("client-unbudgeted", "client", "unbudgeted", Transport.REST, { retries: 5 }),
      ],
    );
    const runId = await harness.start(topology);
    await harness.manager.sendMessage(runId, "client", BURST);
    for (const edgeId of ["client-budgeted", "client-unbudgeted"]) {
      await expect.poll(() => harness.edge(runId, edgeId).failed, POLL).toBe(BURST);
    }
    const budgeted = harness.edge(runId, "client-budgeted");
    const unbudgeted = harness.edge(runId, "client-unbudgeted");
    console.log(`budgeted: attempts ${budgeted.attempts} for ${budgeted.sent} sent, ${budgeted.retriesRefused} retries refused`);

    // Without a budget every message makes all its attempts: 6 per message.
    expect(unbudgeted).toMatchObject({ sent: BURST, failed: BURST, attempts: 6 * BURST, retries: 5 * BURST, retriesRefused: 0 });
    // With one, most retries are refused; each refused message ends at once with its last result.
    expect(budgeted.attempts).toBeLessThan(3 * BURST);
    expect(budgeted.retriesRefused).toBeGreaterThan(0);
    expect(budgeted.attempts).toBe(budgeted.sent + budgeted.retries);
    // A message is refused at most once: its refusal ends it.
    expect(budgeted.retriesRefused).toBeLessThanOrEqual(BURST);
    for (const edge of [budgeted, unbudgeted]) {
      expect(outcome(edge, "error reply")).toBe(BURST);
      expectBooksBalance(edge);
    }
    await harness.stop(runId);
  });
});

describe("bulkhead", () => {
  it("a service's max_waiting bounds its own waiting line: the excess is shed as overloaded", async () => {
    const BURST = 30;
    const topology = topologyOf([{ id: "narrow", workMs: 100 }], [syncEdge("client-narrow", "client", "narrow", Transport.REST)]);
    topology.nodes[1].behavior!.concurrency = 1;
    topology.nodes[1].behavior!.maxWaiting = 2;
    // The run's own limit stays at its default (4,096): only the service's setting can shed.
    const runId = await harness.start(topology);
    await harness.manager.sendMessage(runId, "client", BURST);
    await expect.poll(() => ended(harness.edge(runId, "client-narrow")), POLL).toBe(BURST);
    const edge = harness.edge(runId, "client-narrow");
    const overloaded = outcome(edge, "overloaded");
    console.log(`bulkhead: delivered ${edge.delivered}, overloaded ${overloaded}`);
    // One working and two waiting take the first ones; most of the burst is shed at once.
    expect(edge.delivered).toBeGreaterThanOrEqual(3);
    expect(overloaded).toBeGreaterThan(BURST / 2);
    expect(edge).toMatchObject({ sent: BURST, failed: overloaded, shed: overloaded, lost: 0 });
    expect(edge.delivered + overloaded).toBe(BURST);
    await harness.stop(runId);
  });
});

describe("rate limiter", () => {
  it.each([
    ["REST (429)", Transport.REST],
    ["Connect (resource_exhausted)", Transport.CONNECT],
  ] as const)("over %s: refuses past the rate at once, counted rate limited", async (_name, transport) => {
    const RATE = 5;
    const BURST = 40;
    const topology = topologyOf([{ id: "limited" }], [syncEdge("client-limited", "client", "limited", transport)]);
    topology.nodes[1].behavior!.rateLimitPerSecond = RATE;
    const runId = await harness.start(topology);
    const startedAt = Date.now();
    await harness.manager.sendMessage(runId, "client", BURST);
    await expect.poll(() => ended(harness.edge(runId, "client-limited")), POLL).toBe(BURST);
    const elapsedS = (Date.now() - startedAt) / 1000;
    const edge = harness.edge(runId, "client-limited");
    const limited = outcome(edge, "rate limited");
    console.log(`rate limit: delivered ${edge.delivered}, rate limited ${limited} in ${elapsedS.toFixed(2)} s`);
    // The bucket starts with one second's worth; at most RATE more a second came since.
    expect(edge.delivered).toBeGreaterThanOrEqual(RATE);
    expect(edge.delivered).toBeLessThanOrEqual(RATE + Math.ceil(RATE * elapsedS));
    expect(limited).toBe(BURST - edge.delivered);
    expect(edge).toMatchObject({ sent: BURST, failed: limited, shed: 0, lost: 0 });
    // Refused, not retried: the rate limiter's answer is not a failure worth another try.
    expect(edge.attempts).toBe(BURST);
    await harness.stop(runId);
  });
});
