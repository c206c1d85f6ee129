/**
 * The queueing model on a real run: a client at a known rate into one service
 * with exponential work time and a known concurrency. The measured λ, μ and ρ
 * are near what was configured (wide bands: the machine is shared), and
 * Little's law L = λW holds on the measured numbers.
 */
import { describe, expect, it } from "vitest";
import { Distribution, NodeKind, TrafficPattern } from "@/lib/gen/ipcplay/v1/topology_pb";
import { queueingModel, type QueueingReading } from "@/lib/metrics/queueing-model";
import { restTopology } from "./test-support";
import { POLL, runHarness } from "./transport-harness";

const h = runHarness();

const RATE = 30;
const MEAN_WORK_MS = 40;
const CONCURRENCY = 2;

describe("queueing model, measured", () => {
  it("λ, μ, ρ near the configured values and L ≈ λW", async () => {
    const topology = restTopology({ services: [{ id: "svc" }], edges: [{ id: "c-s", source: "client", target: "svc", timeoutMs: 10_000, retries: 0 }] });
    for (const node of topology.nodes) {
      if (node.kind === NodeKind.CLIENT) {
        node.traffic!.ratePerSecond = RATE;
        node.traffic!.pattern = TrafficPattern.CONSTANT;
      } else {
        node.behavior!.workTime = { ...node.behavior!.workTime!, distribution: Distribution.EXPONENTIAL, meanMs: MEAN_WORK_MS };
        node.behavior!.concurrency = CONCURRENCY;
      }
    }
    const runId = await h.start(topology);
    const reading = (): QueueingReading | undefined => {
      const q = h.manager.get(runId).nodes.find((n) => n.nodeId === "svc")?.queueing;
      return q && q.atMs > 0 ? { ...q } : undefined;
    };
    // Past the start, once the counts flow.
    await expect.poll(() => reading()?.arrived ?? 0, POLL).toBeGreaterThan(RATE);
    const older = reading()!;
    await new Promise((resolve) => setTimeout(resolve, 8_000));
    const newer = reading()!;
    await h.stop(runId);

    const model = queueingModel(older, newer)!;
    expect(model).toBeDefined();
    expect(model.windowS).toBeGreaterThan(6);
    expect(model.c).toBe(CONCURRENCY);
    // λ: the client's rate (its timer may fall behind on a busy machine, never ahead).
    expect(model.lambda).toBeGreaterThan(RATE * 0.6);
    expect(model.lambda).toBeLessThan(RATE * 1.2);
    // μ: 1 / the mean slot time; timers only add to the drawn work, and ~240 exponential draws have a ±13 % standard error.
    const mu = 1000 / MEAN_WORK_MS;
    expect(model.mu).toBeGreaterThan(mu * 0.6);
    expect(model.mu).toBeLessThan(mu * 1.4);
    // ρ = λ/(cμ) as measured, near the configured 0.6.
    expect(model.rho).toBeCloseTo(model.lambda / (CONCURRENCY * model.mu), 9);
    expect(model.rho).toBeGreaterThan(0.35);
    expect(model.rho).toBeLessThan(0.95);
    // Little's law on the measured numbers: the window's edges cut a few messages, so within 15 %.
    expect(model.little.l).toBeGreaterThan(0);
    expect(Math.abs(model.little.l - model.little.lambdaW)).toBeLessThanOrEqual(0.15 * Math.max(model.little.l, model.little.lambdaW) + 0.05);
    expect(model.little.holds).toBe(true);
    // Messages did wait for a slot, and the prediction is a finite number (constant arrivals wait less than Poisson ones).
    expect(model.predicted?.stable).toBe(true);
    expect(model.measuredWaitMs).toBeGreaterThanOrEqual(0);
    expect(model.measuredWaitMs).toBeLessThan(model.predicted!.expectedWaitMs * 3 + 5);
  }, 60_000);
});
