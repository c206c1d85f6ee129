/**
 * One step of the saturation search — a chain held at one offered rate for a
 * warm-up and a measured window — on either side, and the search over steps.
 *
 * A step passes when:
 * - be took ≥ 99 % of what the clients sent (counter deltas over the measured window),
 * - the clients' round trip on the first hop has p99 < 100 ms (it includes the
 *   second hop when that is synchronous),
 * - for queue and pub/sub, the hand-off → consumer start wait has p99 < 100 ms,
 *   (both p99s over the runtime's live latency window, LATENCY_WINDOW_MS, ending
 *   with the measured window, on both sides),
 * - and the clients sent ≥ 95 % of the offered messages: an open-loop
 *   generator that falls behind means the machine, not the chain, set the rate.
 */
import { randomBytes } from "node:crypto";
import os from "node:os";
import type { Redis } from "ioredis";
import { LIMITS } from "@/lib/topology/limits";
import { COUNTERS_REPORT_MS } from "@/server/host/counters";
import { deleteRunKeys, runKeys } from "@/server/redis/keys";
import { LATENCY_WINDOW_MS } from "@/server/trace/edge-latency";
import type { RunManager } from "@/server/runtime/run-manager";
import { ASYNC, startPlaygroundChain } from "./playground-load";
import type { BenchTransport } from "./raw-baselines";
import { nowMs } from "./clock";
import { startRawChain } from "./raw-load-chain";
import type { Samples } from "./raw-load-protocol";
import { percentile } from "./stats";

export const MIN_DELIVERED_SHARE = 0.99;
export const MAX_P99_MS = 100;
export const MIN_SENT_SHARE = 0.95;
/** Service concurrency in both chains (a BullMQ Worker's concurrency on the raw side). */
export const CONCURRENCY = 256;

export type Side = "raw" | "playground";

export interface StepOptions {
  warmupMs: number;
  windowMs: number;
  /** Offered msg/s per client process; a step uses ceil(rate / this) clients on both sides. */
  clientRate: number;
  timeoutMs: number;
}

export interface StepResult {
  side: Side;
  transport: BenchTransport;
  rate: number;
  clients: number;
  sent: number;
  delivered: number;
  failed: number;
  deliveredShare: number;
  sentShare: number;
  /** Client round trip on the first hop; NaN when none was seen. */
  p99Ms: number;
  /** Queue/pub-sub hand-off → consumer start; undefined for sync transports; NaN when none was seen. */
  waitP99Ms?: number;
  /** Where the p99s come from, in words. */
  latencySource: string;
  pass: boolean;
  /** Why it failed, or "" when it passed. */
  why: string;
  /** The machine's 1-minute load average when the window ended: other work on a shared machine shows here. */
  load1: number;
}

/**
 * The measured window rounded up to whole counter reports: hosts report their
 * counts every COUNTERS_REPORT_MS with a fixed phase, so a window of whole
 * reports sees the same lag at both ends in every process and the deltas of
 * different processes cover the same length of time.
 */
export function alignedWindowMs(seconds: number): number {
  return Math.ceil((seconds * 1000) / COUNTERS_REPORT_MS) * COUNTERS_REPORT_MS;
}

export const clientsFor = (rate: number, clientRate: number) =>
  Math.max(1, Math.ceil(rate / Math.min(clientRate, LIMITS.maxRatePerSecond)));

/** Samples that ended at or after `since` (wall-clock ms). */
function endedSince(batches: readonly Samples[], since: number): number[] {
  return batches.flatMap((batch) => batch.ms.filter((_, i) => batch.endedAt[i] >= since));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Measured {
  sent: number;
  delivered: number;
  failed: number;
  p99Ms: number;
  waitP99Ms?: number;
  latencySource: string;
}

function judge(side: Side, transport: BenchTransport, rate: number, clients: number, windowMs: number, m: Measured): StepResult {
  const offered = (rate * windowMs) / 1000;
  const deliveredShare = m.sent > 0 ? m.delivered / m.sent : 0;
  const sentShare = m.sent / offered;
  const reasons: string[] = [];
  if (!(deliveredShare >= MIN_DELIVERED_SHARE)) reasons.push(`delivered ${(deliveredShare * 100).toFixed(1)} %`);
  if (!(m.p99Ms < MAX_P99_MS)) reasons.push(`p99 ${m.p99Ms.toFixed(1)} ms`);
  if (m.waitP99Ms !== undefined && !(m.waitP99Ms < MAX_P99_MS)) reasons.push(`wait p99 ${m.waitP99Ms.toFixed(1)} ms`);
  if (!(sentShare >= MIN_SENT_SHARE)) reasons.push(`clients sent only ${(sentShare * 100).toFixed(1)} % of offered`);
  return {
    side,
    transport,
    rate,
    clients,
    ...m,
    deliveredShare,
    sentShare,
    pass: reasons.length === 0,
    why: reasons.join(", "),
    load1: os.loadavg()[0],
  };
}

export interface StepContext {
  runs: RunManager;
  redis: Redis;
  redisUrl: string;
  /** Every raw step's Redis names start with `ipcplay:<this>`, so one sweep at exit removes what a step left. */
  rawRunIdRoot: string;
  /** Resolves when background work of earlier steps (the warm pool's refills) is done; awaited before each step. */
  settle: () => Promise<void>;
  options: StepOptions;
}

/** The raw libraries in the chain's shape; every name under a fresh prefix removed afterwards. */
export async function rawStep(ctx: StepContext, transport: BenchTransport, rate: number): Promise<StepResult> {
  const { warmupMs, windowMs, clientRate, timeoutMs } = ctx.options;
  const clients = clientsFor(rate, clientRate);
  await ctx.settle();
  const keys = runKeys(`${ctx.rawRunIdRoot}${randomBytes(4).toString("hex")}`);
  const chain = await startRawChain({
    transport,
    clients,
    ratePerSecond: rate,
    redisUrl: ctx.redisUrl,
    bullmqPrefix: keys.bullmqPrefix,
    queueName: keys.queueName("be"),
    channel: keys.pubsubChannel("events"),
    concurrency: CONCURRENCY,
    timeoutMs,
  });
  try {
    await sleep(warmupMs);
    const before = await chain.snapshot();
    await sleep(windowMs);
    const after = await chain.snapshot();
    const since = nowMs() - LATENCY_WINDOW_MS;
    const roundTrips = endedSince([before.roundTrips, after.roundTrips], since);
    return judge("raw", transport, rate, clients, windowMs, {
      sent: after.sent - before.sent,
      delivered: after.taken - before.taken,
      failed: after.failed - before.failed,
      p99Ms: percentile(roundTrips, 99),
      waitP99Ms: ASYNC.has(transport) ? percentile(endedSince([before.waits, after.waits], since), 99) : undefined,
      latencySource: `every message of the last ${LATENCY_WINDOW_MS / 1000} s (${roundTrips.length} round trips)`,
    });
  } finally {
    await chain.stop();
    await deleteRunKeys(ctx.redis, keys.prefix);
  }
}

/** The playground in the same shape, through the RunManager API; the run removes its own keys at stop. */
export async function playgroundStep(ctx: StepContext, transport: BenchTransport, rate: number): Promise<StepResult> {
  const { warmupMs, windowMs, clientRate } = ctx.options;
  const clients = clientsFor(rate, clientRate);
  await ctx.settle();
  const chain = await startPlaygroundChain(ctx.runs, { transport, clients, ratePerSecond: rate, concurrency: CONCURRENCY });
  try {
    await sleep(warmupMs);
    const before = chain.snapshot();
    await sleep(windowMs);
    const after = chain.snapshot();
    // The edges' live percentiles when filled; else the kept traces of the window (sampled, and
    // biased towards slow and failed messages, which tail sampling keeps).
    const fromSpans =
      after.clientP99Ms === 0 || (ASYNC.has(transport) && after.waitP99Ms === 0) ? chain.spanLatencies(Date.now() - LATENCY_WINDOW_MS) : undefined;
    const p99Ms = after.clientP99Ms > 0 ? after.clientP99Ms : percentile(fromSpans?.roundTripsMs ?? [], 99);
    const waitP99Ms = !ASYNC.has(transport) ? undefined : after.waitP99Ms > 0 ? after.waitP99Ms : percentile(fromSpans?.waitsMs ?? [], 99);
    const sources = [after.clientP99Ms > 0 ? "round trip: EdgeCounters.p99Ms" : `round trip: spans of ${fromSpans?.roundTripsMs.length ?? 0} kept traces`];
    if (ASYNC.has(transport)) sources.push(after.waitP99Ms > 0 ? "wait: EdgeCounters.waitP99Ms" : `wait: spans of ${fromSpans?.waitsMs.length ?? 0} kept traces`);
    return judge("playground", transport, rate, clients, windowMs, {
      sent: after.sent - before.sent,
      delivered: after.delivered - before.delivered,
      failed: after.failed - before.failed,
      p99Ms,
      waitP99Ms,
      latencySource: sources.join("; "),
    });
  } finally {
    await chain.stop();
  }
}

export interface SearchResult {
  /** Highest rate that passed; 0 when none did. */
  max: number;
  /** Lowest rate that failed; undefined when every tried rate passed. */
  firstFail?: number;
  steps: StepResult[];
}

/** Rates a bisection would try between a pass and a fail, rounded to a readable step. */
const BISECT_ROUNDING = 100;

/**
 * Climbs `rates` on both sides in turn (raw then playground at each rate, so
 * drift in machine load hits both), each side stopping at its first failing
 * step; then one bisection per side between its last pass and first fail.
 * `onStep` sees every step as it ends.
 */
export async function searchBothSides(
  rates: readonly number[],
  measure: (side: Side, rate: number) => Promise<StepResult>,
  onStep: (step: StepResult) => void,
  bisect: boolean,
): Promise<Record<Side, SearchResult>> {
  const result: Record<Side, SearchResult> = { raw: { max: 0, steps: [] }, playground: { max: 0, steps: [] } };
  const sides: Side[] = ["raw", "playground"];
  const run = async (side: Side, rate: number) => {
    const step = await measure(side, rate);
    onStep(step);
    result[side].steps.push(step);
    return step;
  };
  for (const rate of rates) {
    const open = sides.filter((side) => result[side].firstFail === undefined && (side === "raw" || rate <= LIMITS.maxRunRatePerSecond));
    if (open.length === 0) break;
    for (const side of open) {
      const step = await run(side, rate);
      if (step.pass) result[side].max = rate;
      else result[side].firstFail = rate;
    }
  }
  if (!bisect) return result;
  for (const side of sides) {
    const { max, firstFail } = result[side];
    if (firstFail === undefined || max === 0) continue;
    const middle = Math.round((max + firstFail) / 2 / BISECT_ROUNDING) * BISECT_ROUNDING;
    if (middle <= max || middle >= firstFail) continue;
    const step = await run(side, middle);
    if (step.pass) result[side].max = middle;
    else result[side].firstFail = middle;
  }
  return result;
}
