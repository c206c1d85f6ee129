/**
 * The model beside the measurement: from two readings of a service's
 * cumulative queueing counts (NodeRuntime.queueing), the measured arrival
 * rate λ, service rate μ (1 / mean time holding a concurrency slot — the work,
 * not the waits for downstream replies), concurrency c and utilisation
 * ρ = λ/(cμ); the measured wait for a slot beside the M/M/c prediction for the
 * same λ, μ, c (lib/metrics/erlang-c.ts); and Little's law L = λW checked on
 * the measured numbers alone.
 */
import { mmc, type MmcPrediction } from "./erlang-c";

/** The cumulative counts of one reading since the process started (the proto's QueueingCounts; the host ships them as QueueingTotals). */
export interface QueueingReading {
  /** The process's monotonic clock at the reading, ms. */
  atMs: number;
  /** Messages that entered the service (waiting for a slot or at work). */
  arrived: number;
  /** Messages that left it (= handled). */
  completed: number;
  /** Sum over the messages that left of their time in the service (slot wait, work, downstream calls), ms. */
  timeInServiceMs: number;
  /** Integral over time of the messages in the service, message·ms. */
  inServiceArea: number;
  /** Messages that held a concurrency slot, and the sums of their waits for it and of their holding it, ms. */
  slots: number;
  waitMs: number;
  slotMs: number;
  /** The concurrency limit c at the reading. */
  concurrency: number;
}

/** ρ at or past this is flagged: waits grow steeply as ρ nears 1. */
export const UTILISATION_WARNING = 0.8;
/** Little's law is called off when L and λW differ by more than this share (of the larger) … */
export const LITTLE_RELATIVE_TOLERANCE = 0.15;
/** … and by more than this many messages (tiny L's are noisy). */
export const LITTLE_ABSOLUTE_TOLERANCE = 0.05;

export interface QueueingModel {
  windowS: number;
  /** Arrivals per second. */
  lambda: number;
  /** Services per second per slot, or 0 when no slot was held in the window. */
  mu: number;
  c: number;
  /** λ/(cμ); Infinity when μ is unknown but messages arrived. */
  rho: number;
  warning: boolean;
  /** Measured mean wait for a slot, ms (over the messages that got one in the window). */
  measuredWaitMs: number;
  /** The M/M/c prediction for the same λ, μ, c (W_q also in ms); absent until μ is known. */
  predicted?: MmcPrediction & { expectedWaitMs: number };
  little: {
    /** Mean messages in the service over the window. */
    l: number;
    /** Mean time in the service of the messages that left, seconds. */
    wS: number;
    lambdaW: number;
    holds: boolean;
  };
}

/**
 * The model over the window between two readings of one process, or
 * undefined when they cannot be compared (no time between them, or the
 * process was started again: its counts went back).
 */
export function queueingModel(older: QueueingReading, newer: QueueingReading): QueueingModel | undefined {
  const dtMs = newer.atMs - older.atMs;
  const d = (key: keyof QueueingReading) => newer[key] - older[key];
  if (!(dtMs > 0)) return undefined;
  if ((["arrived", "completed", "timeInServiceMs", "inServiceArea", "slots", "waitMs", "slotMs"] as const).some((k) => d(k) < 0)) return undefined;
  const windowS = dtMs / 1000;
  const lambda = d("arrived") / windowS;
  const mu = d("slots") > 0 && d("slotMs") > 0 ? d("slots") / (d("slotMs") / 1000) : 0;
  const c = Math.max(1, newer.concurrency);
  const rho = mu > 0 ? lambda / (c * mu) : lambda > 0 ? Infinity : 0;
  const measuredWaitMs = d("slots") > 0 ? d("waitMs") / d("slots") : 0;
  let predicted: QueueingModel["predicted"];
  if (mu > 0) {
    const p = mmc(lambda, mu, c);
    predicted = { ...p, expectedWaitMs: p.expectedWait * 1000 };
  }
  const l = d("inServiceArea") / dtMs;
  const wS = d("completed") > 0 ? d("timeInServiceMs") / d("completed") / 1000 : 0;
  const lambdaW = lambda * wS;
  return {
    windowS,
    lambda,
    mu,
    c,
    rho,
    warning: rho >= UTILISATION_WARNING,
    measuredWaitMs,
    predicted,
    little: { l, wS, lambdaW, holds: littleHolds(l, lambdaW) },
  };
}

/** Whether L and λW agree within the tolerances. */
export function littleHolds(l: number, lambdaW: number): boolean {
  const diff = Math.abs(l - lambdaW);
  return diff <= LITTLE_ABSOLUTE_TOLERANCE || diff <= LITTLE_RELATIVE_TOLERANCE * Math.max(l, lambdaW);
}

/** "L 3.2 ≈ λW 3.1 ✓", or "≠ … ✗" when off by more than the tolerance. */
export function littleLine(model: QueueingModel): string {
  const { l, lambdaW, holds } = model.little;
  return `L ${formatNumber(l)} ${holds ? "≈" : "≠"} λW ${formatNumber(lambdaW)} ${holds ? "✓" : "✗"}`;
}

/** Two significant figures past 1, two decimals below. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return "∞";
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

/**
 * A window of readings per process: keeps those of the last `windowMs` and
 * answers the model from the oldest to the newest. A reading whose counts
 * went back (a new process) starts the window again.
 */
export class QueueingWindow {
  private readings: QueueingReading[] = [];

  constructor(private readonly windowMs = 10_000) {}

  add(reading: QueueingReading): void {
    const last = this.readings.at(-1);
    if (last && reading.atMs === last.atMs) return;
    if (last && (reading.atMs < last.atMs || reading.arrived < last.arrived)) this.readings = [];
    this.readings.push(reading);
    while (this.readings.length > 2 && reading.atMs - this.readings[1].atMs >= this.windowMs) this.readings.shift();
  }

  model(): QueueingModel | undefined {
    if (this.readings.length < 2) return undefined;
    return queueingModel(this.readings[0], this.readings.at(-1)!);
  }
}
