/**
 * Counted, then sampled: every message is counted exactly whatever the trace
 * budget, traces past the budget are sampled at their root (whole or absent),
 * failed traces are kept whole across processes, and the run says what share
 * it shows. Real processes, real sockets.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { SpanKind, SpanStatus } from "@/lib/gen/ipcplay/v1/playground_pb";
import { createRunManager } from "./orchestrator";
import type { RunManager } from "./run-manager";
import { buildHostBundle, eventually, restTopology, TEST_REDIS_URL } from "./test-support";

let manager: RunManager;

beforeAll(() => buildHostBundle());
afterEach(async () => {
  await manager?.shutdown();
});

/** client → gw → be over REST; be fails a share of its messages. */
const chain = (beErrorRate: number) =>
  restTopology({
    services: [{ id: "gw" }, { id: "be", errorRate: beErrorRate }],
    // Long timeouts: on a busy machine a timeout would fail messages this test wants delivered.
    edges: [
      { id: "client-gw", source: "client", target: "gw", timeoutMs: 20_000 },
      { id: "gw-be", source: "gw", target: "be", timeoutMs: 20_000 },
    ],
  });

/** Sent in SENDS calls of MESSAGES / SENDS, SEND_GAP_MS apart: a second of traffic at 400/s, far past the budget. */
const MESSAGES = 400;
const SENDS = 20;
const SEND_GAP_MS = 50;
/** The head budget of the run: its one client gets all of it. */
const BUDGET = 20;
/** client: send + CLIENT; gw: SERVER + CLIENT; be: SERVER. */
const SPANS_PER_TRACE = 5;

describe("trace sampling", () => {
  it("counts every message, ships about the budget of whole traces, and keeps every failed one whole", async () => {
    manager = createRunManager({
      redisUrl: TEST_REDIS_URL,
      // A keep budget no burst here exhausts: every failed trace must be kept.
      limits: { traceBudgetPerSecond: BUDGET, keepBudgetPerSecond: 30_000 },
    });
    const { runId } = await manager.start(chain(0.1), { detach: false });
    for (let i = 0; i < SENDS; i++) {
      await manager.sendMessage(runId, "client", MESSAGES / SENDS);
      await new Promise((resolve) => setTimeout(resolve, SEND_GAP_MS));
    }

    const edges = await eventually(() => {
      const info = manager.get(runId);
      const byId = new Map(info.edges.map((edge) => [edge.edgeId, edge]));
      // Each process reports on its own schedule: wait for the sender's and the receiver's share of both edges.
      const done = ["client-gw", "gw-be"].every((id) => byId.get(id)!.sent === MESSAGES && byId.get(id)!.inFlight === 0);
      return done ? byId : undefined;
    }, "every message ended on both edges", 40_000);
    // Counters never depend on sampling: exact, on both edges, and be's failures reach the client through gw
    // (a sync chain), one for one.
    const failed = edges.get("gw-be")!.failed;
    expect(edges.get("gw-be")).toMatchObject({ sent: MESSAGES, delivered: MESSAGES - failed, failedBy: [{ outcome: "error reply", count: failed }] });
    expect(edges.get("client-gw")).toMatchObject({ sent: MESSAGES, delivered: MESSAGES - failed, failedBy: [{ outcome: "error reply", count: failed }] });
    expect(failed).toBeGreaterThan(10); // 10 % of 400, give or take

    const sampling = await eventually(() => {
      const current = manager.get(runId).sampling;
      return current && current.started === MESSAGES && current.kept > 0 ? current : undefined;
    }, "sampling counts of every root", 10_000);
    // 400 in a second is far past the budget: about the budget, saved up and refilled, is traced in full.
    expect(sampling.sampled).toBeGreaterThanOrEqual(BUDGET);
    expect(sampling.sampled).toBeLessThan(MESSAGES / 4);
    expect(sampling.oneIn).toBeGreaterThan(1);
    expect(sampling.budgetPerSecond).toBe(BUDGET);

    // Every failed message's trace is shown whole (5 spans, one root), and at least every sampled trace is whole.
    // (A trace kept for being slow may miss spans that ended more than the hold before the keep.)
    const shown = await eventually(() => {
      const traces = manager.listTraces(runId, 2_000);
      const complete = traces.filter((trace) => trace.spanCount >= SPANS_PER_TRACE && trace.rootSeen);
      const failedWhole = complete.filter((trace) => trace.status !== SpanStatus.OK).length;
      const current = manager.get(runId).sampling!;
      const settled = traces.length === current.sampled + current.kept;
      return settled && failedWhole >= failed && complete.length >= current.sampled ? traces : undefined;
    }, "whole traces, the failed ones included", 10_000);
    expect(shown.length).toBeLessThan(MESSAGES); // sampled: not every trace is shown
    for (const trace of shown.filter((summary) => summary.status !== SpanStatus.OK)) {
      const spans = manager.getTrace(runId, trace.traceId);
      expect(spans).toHaveLength(SPANS_PER_TRACE);
      expect(new Set(spans.map((span) => span.nodeId))).toEqual(new Set(["client", "gw", "be"]));
      expect(spans.find((span) => span.nodeId === "be" && span.kind === SpanKind.SERVER)?.status).toBe(SpanStatus.ERROR);
    }
    // Shown = sampled + kept: a kept trace was not sampled, and is counted once.
    const final = manager.get(runId).sampling!;
    expect(shown.length).toBe(final.sampled + final.kept);

    const summary = await manager.stop(runId);
    expect(summary.sampling?.started).toBe(MESSAGES);
    // End to end, over the sampled traces only (a kept trace failed or was slow: it would skew the percentiles).
    expect(summary.endToEnd?.traces).toBe(final.sampled);
    const { p50Ms, p95Ms, p99Ms, maxMs } = summary.endToEnd!;
    expect(p50Ms).toBeGreaterThan(0);
    expect(p50Ms).toBeLessThanOrEqual(p95Ms);
    expect(p95Ms).toBeLessThanOrEqual(p99Ms);
    expect(p99Ms).toBeLessThanOrEqual(maxMs);
    // The slowest trace shown is at least as slow as the slowest sampled one.
    expect(Math.max(...shown.map((trace) => trace.durationMs))).toBeGreaterThanOrEqual(maxMs);
  });
});
