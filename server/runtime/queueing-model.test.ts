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

/** Runs a client at RATE into one service with exponential work, and reads the model over `windowMs` of it. */
async function measure(pattern: TrafficPattern, windowMs: number) {
  const topology = restTopology({ services: [{ id: "svc" }], edges: [{ id: "c-s", source: "client", target: "svc", timeoutMs: 10_000, retries: 0 }] });
  for (const node of topology.nodes) {
    if (node.kind === NodeKind.CLIENT) {
      node.traffic!.ratePerSecond = RATE;
      node.traffic!.pattern = pattern;
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
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  const newer = reading()!;
  await h.stop(runId);
  return queueingModel(older, newer)!;
}

describe("queueing model, measured", () => {
  it("λ, μ, ρ near the configured values and L ≈ λW", async () => {
    const model = await measure(TrafficPattern.CONSTANT, 8_000);
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

  it("with Poisson arrivals (the model's own assumption) the measured wait for a slot is near the M/M/c prediction", async () => {
    const model = await measure(TrafficPattern.POISSON, 10_000);
    expect(model.lambda).toBeGreaterThan(RATE * 0.6);
    expect(model.lambda).toBeLessThan(RATE * 1.4);
    expect(model.little.holds).toBe(true);
    const predicted = model.predicted!;
    expect(predicted.stable).toBe(true);
    console.log(`M/M/c: λ ${model.lambda.toFixed(1)}/s μ ${model.mu.toFixed(1)}/s c ${model.c} ρ ${model.rho.toFixed(2)}: wait measured ${model.measuredWaitMs.toFixed(1)} ms, predicted ${predicted.expectedWaitMs.toFixed(1)} ms`);
    // A wide band: ~300 arrivals make a noisy mean wait, but evenly spaced arrivals (the other test) wait several times less.
    expect(model.measuredWaitMs).toBeGreaterThan(predicted.expectedWaitMs * 0.35);
    expect(model.measuredWaitMs).toBeLessThan(predicted.expectedWaitMs * 3);
  }, 60_000);
});
