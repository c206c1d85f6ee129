/**
 * `npm run bench:load`: how much the playground carries before it saturates,
 * beside the raw libraries in the same shape, in one run on one machine —
 * plus deploy time and UI frame times while a run is watched.
 *
 * 1. Saturation, per transport on the second hop: client(s) →REST→ gw →X→ be,
 *    climbing offered rates on both sides in turn (see load-steps.ts).
 * 2. Deploy: bench/deploy.ts's measureDeploy (20 mixed services, median of 3).
 * 3. UI: frame times in Chromium while a 1,000 msg/s REST chain runs
 *    (load-ui.ts), when BENCH_UI=1 or a built UI (.next/BUILD_ID) exists.
 * 4. A README-ready markdown summary.
 *
 * Options (env):
 * - BENCH_TRANSPORTS  rest,connect,queue,pubsub
 * - BENCH_RATES       1000,2000,3000,4000,6000,8000,10000 (offered msg/s; sorted)
 * - BENCH_STEP_SECONDS 10 (measured window per step, rounded up to whole counter reports;
 *   10 s = the runtime's live latency window, so the p99s cover exactly the measured window)
 * - BENCH_WARMUP_SECONDS 10 (freshly started processes at full rate have a cold-start storm of
 *   a few seconds — JIT, connections opened under load — on both sides; this measures steady state)
 * - BENCH_CLIENT_RATE 1000 (offered msg/s per client process, both sides)
 * - BENCH_BISECT      1 (0: no bisection after the first failing step)
 * - BENCH_UI          unset: run the UI section when .next/BUILD_ID exists; 1: require it; 0: skip
 * - BENCH_DEPLOY      1 (0: skip the deploy section)
 * - IPCPLAY_WARM_HOSTS the playground's warm pool of hosts, as for the server
 * - BENCH_HOST_BUNDLE  dist/host.mjs (another build of the host, e.g. an older commit's, to compare)
 */
import { randomBytes } from "node:crypto";
import os from "node:os";
import { Redis } from "ioredis";
import { DEFAULTS } from "@/lib/topology/limits";
import { deleteRunKeys, runKeys } from "@/server/redis/keys";
import { resolveRedis } from "@/server/redis/resolve-redis";
import { LATENCY_WINDOW_MS } from "@/server/trace/edge-latency";
import { HostPool, warmHostsFromEnv } from "@/server/runtime/host-pool";
import { createRunManager, DEFAULT_HOST_BUNDLE } from "@/server/runtime/orchestrator";
import type { RunManager } from "@/server/runtime/run-manager";
import {
  markdownTable,
  SATURATION_HEADER,
  saturationLegend,
  saturationRow,
  STEP_HEADER,
  stepLine,
  stepRows,
  table,
} from "./load-report";
import { alignedWindowMs, playgroundStep, rawStep, searchBothSides, type SearchResult, type Side, type StepContext, type StepResult } from "./load-steps";
import { measureUiWhileRunning, UI_LEGEND, UI_RATE, uiSectionWanted, type UiResult } from "./load-ui";
import { formatDeploy, measureDeploy } from "./deploy";
import type { BenchTransport } from "./raw-baselines";

const ALL_TRANSPORTS: BenchTransport[] = ["rest", "connect", "queue", "pubsub"];
// Coarse above 1,000: the bisection after the first failing step finds the rate between two steps.
const DEFAULT_RATES = [1000, 2000, 3000, 4000, 6000, 8000, 10000];

function numberList(value: string | undefined, fallback: number[]): number[] {
  if (!value) return fallback;
  const list = value.split(",").map(Number);
  if (list.some((n) => !(n > 0))) throw new Error(`expected positive numbers separated by commas, got "${value}"`);
  return [...list].sort((a, b) => a - b);
}

function transportList(value: string | undefined): BenchTransport[] {
  if (!value) return ALL_TRANSPORTS;
  const list = value.split(",").map((t) => t.trim());
  const unknown = list.filter((t) => !ALL_TRANSPORTS.includes(t as BenchTransport));
  if (unknown.length > 0) throw new Error(`BENCH_TRANSPORTS: unknown ${unknown.join(", ")} (know ${ALL_TRANSPORTS.join(", ")})`);
  return list as BenchTransport[];
}

const options = {
  transports: transportList(process.env.BENCH_TRANSPORTS),
  rates: numberList(process.env.BENCH_RATES, DEFAULT_RATES),
  windowMs: alignedWindowMs(Number(process.env.BENCH_STEP_SECONDS ?? 10)),
  warmupMs: Number(process.env.BENCH_WARMUP_SECONDS ?? 10) * 1000,
  clientRate: Number(process.env.BENCH_CLIENT_RATE ?? 1000),
  bisect: process.env.BENCH_BISECT !== "0",
  deploy: process.env.BENCH_DEPLOY !== "0",
};

const log = (line: string) => console.error(line);
const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** A step that could not run (a process did not start, Redis went away) is a failing step that says why. */
async function measureOrFail(ctx: StepContext, side: Side, transport: BenchTransport, rate: number): Promise<StepResult> {
  try {
    return await (side === "raw" ? rawStep(ctx, transport, rate) : playgroundStep(ctx, transport, rate));
  } catch (error) {
    return {
      side,
      transport,
      rate,
      clients: 0,
      sent: 0,
      delivered: 0,
      failed: 0,
      deliveredShare: 0,
      sentShare: 0,
      p99Ms: Number.NaN,
      latencySource: "none",
      load1: os.loadavg()[0],
      pass: false,
      why: `could not run: ${errorText(error)}`,
    };
  }
}

interface DeploySection {
  lines: string[];
  markdownRows: string[][];
}

const DEPLOY_SERVICES = 20;
const DEPLOY_REPEATS = 3;

/** bench/deploy.ts's measurement (20 mixed services, median of 3), each start from a full warm pool as its own CLI does. */
async function deploySection(runs: RunManager, redisUrl: string, settle: () => Promise<void>): Promise<DeploySection> {
  const figures = await measureDeploy({ runs, redisUrl, services: DEPLOY_SERVICES, repeats: DEPLOY_REPEATS, beforeEachRun: settle });
  const left = figures.leftovers.flat();
  const list = (values: number[]) => values.map((value) => value.toFixed(0)).join(", ");
  return {
    lines: [formatDeploy(figures)],
    markdownRows: [
      [`deploy ${figures.services} mixed services: StartRun → every node up (median of ${figures.readyMs.length})`, `${figures.readyMedianMs.toFixed(0)} ms (${list(figures.readyMs)})`],
      ["StopRun → every process gone, keys removed (median)", `${figures.stopMedianMs.toFixed(0)} ms (${list(figures.stopMs)})`],
      ["left behind after stop", left.length === 0 ? "nothing" : left.join("; ")],
    ],
  };
}

/** Figures taken while the machine was busy with other work are not comparable to a quiet run's; say so. */
function machineNote(steps: readonly StepResult[]): string {
  const cores = os.availableParallelism();
  const loads = steps.map((step) => step.load1);
  const worst = Math.max(0, ...loads);
  const where = `${cores} cores, 1-minute load average ${Math.min(...loads).toFixed(1)}–${worst.toFixed(1)} during the steps`;
  return worst > cores
    ? `_Measured on ${where}: other work shared the machine, so both sides' rates are lower than on a quiet machine (the sides took turns, so both were hit, though not necessarily alike)._`
    : `_Measured on ${where}._`;
}

/** A pool that cannot refill (e.g. no host bundle) must not stall the bench: wait this long at most. */
const POOL_SETTLE_TIMEOUT_MS = 20_000;

/**
 * Waits until the warm pool has refilled after the previous run, so its forks
 * land in no step's measured window — neither the playground's nor the raw
 * side's that follows it.
 */
async function settlePool(pool: HostPool): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), POOL_SETTLE_TIMEOUT_MS)));
  const late = await Promise.race([pool.whenFull().then(() => false), timedOut]);
  clearTimeout(timer);
  if (late) log(`the warm pool did not refill within ${POOL_SETTLE_TIMEOUT_MS / 1000} s; going on`);
}

async function main() {
  const startedAt = Date.now();
  const redis = await resolveRedis();
  const redisClient = new Redis(redis.url, { maxRetriesPerRequest: null });
  // The warm pool the server keeps (same size, from the same env), held here so the bench can wait for its refills.
  const bundlePath = process.env.BENCH_HOST_BUNDLE || DEFAULT_HOST_BUNDLE;
  const pool = new HostPool({ bundlePath, size: warmHostsFromEnv() });
  const runs = createRunManager({ redisUrl: redis.url, hostPool: pool, hostBundlePath: bundlePath });
  const settle = () => settlePool(pool);
  const rawRunIdRoot = `bench-load-${randomBytes(4).toString("hex")}-`;
  const cleanUp = async () => {
    await runs.shutdown();
    await deleteRunKeys(redisClient, runKeys(rawRunIdRoot).prefix.slice(0, -1));
    redisClient.disconnect();
    await redis.stop();
  };
  // Ctrl-C: stop the runs and remove the keys before going (raw processes exit when their IPC channel closes).
  process.once("SIGINT", () => {
    log("interrupted: stopping runs and removing the bench's Redis keys…");
    cleanUp().then(
      () => process.exit(130),
      (error: unknown) => {
        log(`clean-up after interrupt failed: ${errorText(error)}`);
        process.exit(1);
      },
    );
  });
  const ctx: StepContext = {
    runs,
    redis: redisClient,
    redisUrl: redis.url,
    rawRunIdRoot,
    settle,
    options: { warmupMs: options.warmupMs, windowMs: options.windowMs, clientRate: options.clientRate, timeoutMs: DEFAULTS.timeoutMs },
  };
  const saturation = new Map<BenchTransport, Record<Side, SearchResult>>();
  let deploy: DeploySection | string = "deploy section skipped (BENCH_DEPLOY=0)";
  let ui: UiResult | string = "UI section skipped";
  try {
    log(
      `Saturation: ${options.transports.join(", ")} at ${options.rates.join(", ")} msg/s offered, ` +
        `${options.warmupMs / 1000} s warm-up + ${options.windowMs / 1000} s measured per step, raw and playground in turn.`,
    );
    for (const transport of options.transports) {
      const result = await searchBothSides(options.rates, (side, rate) => measureOrFail(ctx, side, transport, rate), (step) => log(`[+${((Date.now() - startedAt) / 1000).toFixed(0)} s] ${stepLine(step)}`), options.bisect);
      saturation.set(transport, result);
    }
    // A section that breaks says so in the report instead of losing the saturation figures.
    if (options.deploy) {
      log("Deploy…");
      deploy = await deploySection(runs, redis.url, settle).catch((error: unknown) => `deploy section failed: ${errorText(error)}`);
    }
    const wanted = uiSectionWanted();
    if (wanted.run) {
      log(`UI: frames while a REST chain runs at ${UI_RATE.toLocaleString("en-US")} msg/s…`);
      ui = await measureUiWhileRunning().catch((error: unknown) => `UI section failed: ${errorText(error)}`);
    } else ui = wanted.why;
  } finally {
    await cleanUp();
  }

  const lowest = options.rates[0];
  const steps = [...saturation.values()].flatMap((r) => [...r.raw.steps, ...r.playground.steps]);
  const saturationRows = [...saturation.entries()].map(([transport, result]) => saturationRow(transport, result, lowest));
  console.log("\nEvery step (first hop client → gw is REST in all of them; the transport is gw → be):\n");
  console.log(table(STEP_HEADER, stepRows(steps)));
  console.log("\nSaturation, side by side (first hop client → gw is REST; the transport named is the second hop gw → be):\n");
  console.log(table(SATURATION_HEADER, saturationRows));
  console.log(`\nDeploy: ${typeof deploy === "string" ? deploy : deploy.lines.join("\n")}`);
  console.log(`UI: ${typeof ui === "string" ? ui : ui.lines.join("\nUI: ")}`);

  const legend = saturationLegend({ ...options, latencyWindowMs: LATENCY_WINDOW_MS });
  const markdown = [
    "README-ready (markdown):",
    "",
    markdownTable(SATURATION_HEADER, saturationRows),
    "",
    ...legend,
    "",
    typeof deploy === "string" ? `- **Deploy:** ${deploy}.` : `\n${markdownTable(["deploy", "value"], deploy.markdownRows)}\n`,
    typeof ui === "string" ? `- **UI while watching:** ${ui}.` : `\n${markdownTable(ui.header, ui.rows)}\n\n${UI_LEGEND}`,
    "",
    machineNote(steps),
  ];
  console.log(`\n${markdown.join("\n")}`);
  console.log(`\nbench:load took ${((Date.now() - startedAt) / 1000).toFixed(0)} s.`);
}

await main();
