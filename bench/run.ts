/**
 * `npm run bench`: for each transport, the p50/p99 latency of one hop in the
 * playground beside the raw library doing the same hop, measured in the same
 * run on the same machine, and their ratio. Target: ≤ 1.25× at p50.
 *
 * The two sides take turns in ROUNDS blocks each, so a machine that gets
 * busier or quieter during the run shifts both alike.
 *
 * Options (env): BENCH_ITERATIONS (500 per side), BENCH_WARMUP (50), BENCH_ROUNDS (5),
 * BENCH_INTERVAL_MS (10), BENCH_TRANSPORTS (rest,connect,queue,pubsub).
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { resolveRedis } from "@/server/redis/resolve-redis";
import { deleteRunKeys } from "@/server/redis/keys";
import { createRunManager } from "@/server/runtime/orchestrator";
import { startPlaygroundHop } from "./playground-hops";
import { measureRaw, startRawHop, startRawPeer, type BenchTransport } from "./raw-baselines";
import { summarize } from "./stats";

const TARGET_P50_RATIO = 1.25;
const iterations = Number(process.env.BENCH_ITERATIONS ?? 500);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const warmup = Number(process.env.BENCH_WARMUP ?? 50);
const intervalMs = Number(process.env.BENCH_INTERVAL_MS ?? 10);
const transports = (process.env.BENCH_TRANSPORTS ?? "rest,connect,queue,pubsub").split(",") as BenchTransport[];

const RAW_LABEL: Record<BenchTransport, string> = {
  rest: "node:http keep-alive",
  connect: "connect-node h2c",
  queue: "BullMQ add→process",
  pubsub: "ioredis publish→message",
};

const fmt = (ms: number) => `${ms.toFixed(3)} ms`;

/** Warm-up on both sides, then `rounds` alternating blocks of raw and playground hops. */
async function measureInTurns(peer: Awaited<ReturnType<typeof startRawPeer>>, runs: ReturnType<typeof createRunManager>, transport: BenchTransport) {
  const rawHop = await startRawHop(peer, transport);
  const playgroundHop = await startPlaygroundHop(runs, transport);
  try {
    await measureRaw(rawHop, warmup, intervalMs);
    await playgroundHop.measure(warmup, intervalMs);
    const raw: number[] = [];
    const playground: number[] = [];
    const whole: number[] = [];
    const perRound = Math.ceil(iterations / rounds);
    for (let round = 0; round < rounds; round++) {
      raw.push(...(await measureRaw(rawHop, perRound, intervalMs)));
      for (const sample of await playgroundHop.measure(perRound, intervalMs)) {
        playground.push(sample.hop);
        whole.push(sample.whole);
      }
    }
    return { raw: summarize(raw), playground: summarize(playground), whole: summarize(whole) };
  } finally {
    await rawHop.close();
    await playgroundHop.stop();
  }
}

async function main() {
  const redis = await resolveRedis();
  const prefix = `ipcplay:bench-${randomBytes(4).toString("hex")}:`;
  const peer = await startRawPeer(redis.url, prefix.slice(0, -1));
  // No warm pool: its refills would run in the background of the measured hops (deploy time is not measured here).
  const runs = createRunManager({ redisUrl: redis.url, warmHosts: 0 });
  const rows: string[][] = [];
  let worst = 0;
  try {
    for (const transport of transports) {
      const { raw, playground, whole } = await measureInTurns(peer, runs, transport);
      const ratioP50 = playground.p50 / raw.p50;
      worst = Math.max(worst, ratioP50);
      rows.push([
        transport,
        RAW_LABEL[transport],
        fmt(raw.p50),
        fmt(raw.p99),
        fmt(playground.p50),
        fmt(playground.p99),
        `${ratioP50.toFixed(2)}×`,
        `${(playground.p99 / raw.p99).toFixed(2)}×`,
        ratioP50 <= TARGET_P50_RATIO ? "ok" : "over",
        `${fmt(whole.p50)} (${(whole.p50 / raw.p50).toFixed(2)}×)`,
      ]);
      console.error(`${transport}: done (${raw.n} raw, ${playground.n} playground hops)`);
    }
  } finally {
    await runs.shutdown();
    await peer.stop();
    const client = new Redis(redis.url);
    await deleteRunKeys(client, prefix);
    client.disconnect();
    await redis.stop();
  }
  const header = ["transport", "raw baseline", "raw p50", "raw p99", "playground p50", "playground p99", "p50 ratio", "p99 ratio", `≤${TARGET_P50_RATIO}×`, "with bookkeeping p50"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ");
  console.log(
    `\nOne hop, ${iterations} messages per side after ${warmup} warm-up, in ${rounds} alternating rounds, one every ${intervalMs} ms, tracing on:\n`,
  );
  console.log(line(header));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const row of rows) console.log(line(row));
  console.log(`\nWorst p50 ratio: ${worst.toFixed(2)}× (target ≤ ${TARGET_P50_RATIO}×)`);
  console.log(
    "The hop is what its spans show: a CLIENT/PRODUCER span is the library call on the wire, a SERVER/CONSUMER span starts when\n" +
      "the library hands the message over. \"With bookkeeping\" adds the host's own work around the call (from the message's\n" +
      "root span at the client: counting, building the request, the flow), for comparison; the raw side has none.",
  );
}

await main();
