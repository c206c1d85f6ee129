/**
 * How long a run takes to deploy and to stop: a client and `services` services
 * wired as a binary tree whose edges take turns being REST, Connect, queue and
 * pub/sub, started with `RunManager.start(…, { detach: false })` (resolves when
 * every node is UP) and stopped with `RunManager.stop` (resolves when every
 * process has exited and the run's Redis keys are gone). After each stop it
 * checks that nothing stayed behind: no process, no listening port, no key.
 *
 *   node --import tsx bench/deploy.ts [services] [repeats]
 */
import net from "node:net";
import { Redis } from "ioredis";
import { toJson } from "@bufbuild/protobuf";
import { NodeKind, TopologySchema, Transport, type Topology } from "@/lib/gen/ipcplay/v1/topology_pb";
import { createEdge, createNode, emptyTopology } from "@/lib/topology/factory";
import { parseTopology } from "@/lib/topology/parse";
import type { RunManager } from "@/server/runtime/run-manager";
import { percentile } from "./stats";

/** The edge transports in the order the tree's edges take them. */
const MIXED_TRANSPORTS = [Transport.REST, Transport.CONNECT, Transport.QUEUE, Transport.PUBSUB] as const;
/** Pause before each start, so the previous run's processes are gone and the machine has settled. */
export const PAUSE_BETWEEN_RUNS_MS = 2_000;
/** Messages per second the client sends once the run is up, so the stop has work in flight and counters to flush. */
export const CLIENT_RATE_PER_SECOND = 5;
/** How long each run carries traffic before it is stopped. */
export const HOLD_BEFORE_STOP_MS = 1_500;
/** How long a stopped run's processes get to be gone before the bench calls it a leak. */
const LEAK_CHECK_TIMEOUT_MS = 2_000;

const serviceId = (index: number) => `s${String(index + 1).padStart(2, "0")}`;

/**
 * client → s01, then s(i) feeds s(2i) and s(2i+1): every service has one inbound
 * edge, so each opens exactly one kind of listener and the four kinds are spread
 * over the run. Queue and pub/sub edges get a channel of their own.
 */
export function mixedTopology(services: number): Topology {
  const topology = emptyTopology(`deploy ${services} services`);
  const client = createNode(NodeKind.CLIENT, "client", { x: 0, y: 0 });
  // Traffic starts once every node is up, so it does not slow the start it follows.
  client.traffic!.ratePerSecond = CLIENT_RATE_PER_SECOND;
  topology.nodes.push(client);
  for (let index = 0; index < services; index++) {
    topology.nodes.push(createNode(NodeKind.SERVICE, serviceId(index), { x: 240 * (index + 1), y: 0 }));
    const source = index === 0 ? "client" : serviceId(Math.floor((index - 1) / 2));
    const edge = createEdge(`e${index + 1}`, source, serviceId(index), MIXED_TRANSPORTS[index % MIXED_TRANSPORTS.length]);
    if (edge.settings.case === "queue" || edge.settings.case === "pubsub") edge.settings.value.channel = serviceId(index);
    topology.edges.push(edge);
  }
  const parsed = parseTopology(toJson(TopologySchema, topology));
  if (!parsed.ok || !parsed.topology) throw new Error(`deploy topology invalid: ${JSON.stringify(parsed.problems)}`);
  return parsed.topology;
}

export interface DeployFigures {
  services: number;
  /** Milliseconds from StartRun to every node UP, one per repeat. */
  readyMs: number[];
  /** Milliseconds from StopRun to the summary, one per repeat. */
  stopMs: number[];
  readyMedianMs: number;
  stopMedianMs: number;
  /** What a stopped run left behind, per repeat (empty when nothing). */
  leftovers: string[][];
  /** Messages the client's edge counted as sent and delivered in each run's summary: the hosts' last counters arrived. */
  firstEdgeCounts: { sent: number; delivered: number }[];
}

/**
 * Starts and stops the mixed topology `repeats` times on `runs`, timing both.
 *
 * @example const figures = await measureDeploy({ runs, services: 20, repeats: 3 });
 */
export async function measureDeploy(options: {
  runs: RunManager;
  services: number;
  repeats: number;
  redisUrl?: string;
  pauseMs?: number;
  /** Awaited before each start, e.g. until a warm pool is full again. */
  beforeEachRun?: () => Promise<void>;
}): Promise<DeployFigures> {
  const topology = mixedTopology(options.services);
  const redis = new Redis(options.redisUrl ?? process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  const figures: DeployFigures = {
    services: options.services,
    readyMs: [],
    stopMs: [],
    readyMedianMs: 0,
    stopMedianMs: 0,
    leftovers: [],
    firstEdgeCounts: [],
  };
  try {
    for (let repeat = 0; repeat < options.repeats; repeat++) {
      await options.beforeEachRun?.();
      await sleep(options.pauseMs ?? PAUSE_BETWEEN_RUNS_MS);
      const startedAt = performance.now();
      const { runId, run } = await options.runs.start(topology, { detach: false });
      figures.readyMs.push(performance.now() - startedAt);
      const pids = run.nodes.map((node) => node.pid);
      const ports = run.nodes.flatMap((node) => [node.httpPort, node.connectPort].filter((port) => port > 0));

      await sleep(HOLD_BEFORE_STOP_MS);
      const stoppingAt = performance.now();
      const summary = await options.runs.stop(runId);
      figures.stopMs.push(performance.now() - stoppingAt);
      const firstEdge = summary.edges.find((edge) => edge.edgeId === "e1");
      figures.firstEdgeCounts.push({ sent: firstEdge?.sent ?? 0, delivered: firstEdge?.delivered ?? 0 });
      figures.leftovers.push(await leftoversOf(redis, runId, pids, ports));
    }
  } finally {
    await redis.quit();
  }
  figures.readyMedianMs = percentile(figures.readyMs, 50);
  figures.stopMedianMs = percentile(figures.stopMs, 50);
  return figures;
}

/** Processes still alive, ports still accepting, keys still under the run's prefix. */
async function leftoversOf(redis: Redis, runId: string, pids: number[], ports: number[]): Promise<string[]> {
  const deadline = Date.now() + LEAK_CHECK_TIMEOUT_MS;
  let alive = pids.filter(isAlive);
  while (alive.length > 0 && Date.now() < deadline) {
    await sleep(50);
    alive = alive.filter(isAlive);
  }
  const open = (await Promise.all(ports.map(async (port) => ((await accepts(port)) ? port : undefined)))).filter((port) => port !== undefined);
  const keys = await redis.keys(`ipcplay:${runId}:*`);
  return [
    ...alive.map((pid) => `pid ${pid} alive`),
    ...open.map((port) => `port ${port} open`),
    ...keys.map((key) => `key ${key}`),
  ];
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function formatDeploy(figures: DeployFigures): string {
  const list = (values: number[]) => values.map((value) => value.toFixed(0)).join(", ");
  const leaks = figures.leftovers.flat();
  return [
    `deploy ${figures.services} mixed services: ready p50 ${figures.readyMedianMs.toFixed(0)} ms (${list(figures.readyMs)})`,
    `stop: p50 ${figures.stopMedianMs.toFixed(0)} ms (${list(figures.stopMs)}); client edge sent/delivered per run: ${figures.firstEdgeCounts
      .map((counts) => `${counts.sent}/${counts.delivered}`)
      .join(", ")}`,
    leaks.length === 0 ? "left behind: nothing" : `left behind: ${leaks.join("; ")}`,
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { createRunManager, DEFAULT_HOST_BUNDLE } = await import("@/server/runtime/orchestrator");
  const { HostPool, warmHostsFromEnv } = await import("@/server/runtime/host-pool");
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const pool = new HostPool({ bundlePath: DEFAULT_HOST_BUNDLE, size: warmHostsFromEnv() });
  const runs = createRunManager({ redisUrl, hostPool: pool });
  try {
    const figures = await measureDeploy({
      runs,
      redisUrl,
      services: Number(process.argv[2] ?? 20),
      repeats: Number(process.argv[3] ?? 3),
      // Each start from a full pool, as after a server's boot or a minute of editing.
      beforeEachRun: () => pool.whenFull(),
    });
    console.log(`warm hosts: ${pool.size}`);
    console.log(formatDeploy(figures));
  } finally {
    await runs.shutdown();
  }
}
