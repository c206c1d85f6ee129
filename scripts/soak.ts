/**
 * Soak and chaos: `npm run soak -- --minutes 5 --seed 42` (defaults: 5 minutes,
 * a random seed, printed first so a failure can be replayed).
 *
 * Starts its own redis-server on a spare port (it restarts that one; the shared
 * Redis is never touched) and the real server (`server/main.ts`, no UI) on
 * another, then runs cycles until the time is up. Each cycle starts a random
 * topology (every transport: REST, Connect, queue, pub/sub at-most-once and
 * durable), lets its clients send and sends bursts on demand, and plays a
 * random sequence of faults on it:
 *
 *   kill a service · pause it and resume it · a Redis stall (CLIENT PAUSE) ·
 *   a Redis restart without its data · a server restart (SIGTERM or SIGKILL)
 *
 * then stops traffic and asserts:
 *   - the server answers (ValidateTopology);
 *   - every edge's counts conserve at every reading
 *     (sent = delivered + failed + lost + in flight), and once traffic stopped
 *     nothing stays in flight: every message ended somewhere, named;
 *   - once the run stopped (or its server died), none of its processes, ports
 *     or Redis keys remains;
 * and at the end that the server's memory is back near where it started and
 * Redis holds no key of any run. Prints a summary; exits 1 on any failure.
 */
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { Redis } from "ioredis";
import { freePort, startRedisServer, type RedisServer } from "@/server/redis/resolve-redis";

// ---- arguments and randomness ----------------------------------------------

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}
const MINUTES = Number(argument("minutes") ?? 5);
const SEED = Number(argument("seed") ?? Math.floor(Math.random() * 2 ** 31));
if (!(MINUTES > 0) || !Number.isInteger(SEED)) {
  console.error("usage: npm run soak -- [--minutes N] [--seed S]");
  process.exit(2);
}

/** mulberry32: small, seedable, good enough to pick faults. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(SEED);
const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- the server and Redis under test ---------------------------------------

const root = path.resolve(import.meta.dirname, "..");
let redisServer: RedisServer;
let redisPort = 0;
let serverPort = 0;
let server: ChildProcess | undefined;
let serverOutput = "";

async function startServer(): Promise<void> {
  serverOutput = "";
  const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
    cwd: root,
    env: { ...process.env, PORT: String(serverPort), HOST: "127.0.0.1", IPCPLAY_NO_UI: "1", IPCPLAY_WARM_HOSTS: "0", REDIS_URL: redisServer.url },
    stdio: ["ignore", "pipe", "pipe"],
  });
  server = child;
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      serverOutput += chunk.toString();
      if (/ready on http/.test(serverOutput)) resolve();
    });
    child.stderr!.on("data", (chunk: Buffer) => (serverOutput += chunk.toString()));
    child.once("exit", (code, signal) => reject(new Error(`server exited (${code ?? signal}) before it was ready:\n${serverOutput.slice(-2000)}`)));
  });
}

async function stopServer(signal: "SIGTERM" | "SIGKILL"): Promise<void> {
  const child = server;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill(signal);
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(timer);
}

async function restartRedis(downMs: number): Promise<void> {
  await redisServer.stop();
  await sleep(downMs);
  redisServer = await startRedisServer({ port: redisPort });
}

async function stallRedis(ms: number): Promise<void> {
  const admin = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
  try {
    await admin.call("CLIENT", "PAUSE", String(ms), "ALL");
  } finally {
    admin.disconnect();
  }
  await sleep(ms);
}

function rssMb(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmRSS:"));
    return line ? Math.round(Number(line.split(/\s+/)[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

/** Every process descended from this one (the server, its hosts, redis-server). */
function descendants(): number[] {
  const rows = execFileSync("ps", ["-e", "-o", "pid=,ppid="], { encoding: "utf8" })
    .trim()
    .split("\n")
    .map((row) => row.trim().split(/\s+/).map(Number));
  const found = new Set([process.pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of rows) if (found.has(ppid) && !found.has(pid)) (found.add(pid), (grew = true));
  }
  found.delete(process.pid);
  return [...found];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

// ---- the control plane -----------------------------------------------------

interface Answer {
  status: number;
  json: any;
}

async function rpc(method: string, body: object, token?: string, timeoutMs = 60_000): Promise<Answer> {
  const response = await fetch(`http://127.0.0.1:${serverPort}/ipcplay.v1.PlaygroundService/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = { text };
  }
  if (response.status >= 500 && response.status !== 503) fail(`${method} answered ${response.status}: ${text.slice(0, 300)}`);
  return { status: response.status, json };
}

// ---- random topologies -----------------------------------------------------

const TRANSPORTS = ["rest", "connect", "queue", "pubsub-once", "pubsub-durable"] as const;
type Kind = (typeof TRANSPORTS)[number];

function edgeOf(id: string, source: string, target: string, kind: Kind, channel: string): object {
  const base = { id, source, target };
  switch (kind) {
    case "rest":
      return { ...base, transport: "TRANSPORT_REST", rest: { method: "POST", path: `/${target}`, timeoutMs: 2000, retries: int(0, 1) } };
    case "connect":
      return { ...base, transport: "TRANSPORT_CONNECT", connect: { timeoutMs: 2000, retries: int(0, 1) } };
    case "queue":
      return { ...base, transport: "TRANSPORT_QUEUE", queue: { channel, attempts: int(1, 3), backoffMs: 50 } };
    case "pubsub-once":
      return { ...base, transport: "TRANSPORT_PUBSUB", pubsub: { channel, delivery: "DELIVERY_AT_MOST_ONCE" } };
    case "pubsub-durable":
      return { ...base, transport: "TRANSPORT_PUBSUB", pubsub: { channel, delivery: "DELIVERY_DURABLE" } };
  }
}

/** A client and 2–4 services: a tree from the client, each edge over a random transport; every transport comes round. */
function randomTopology(cycle: number, rate: number): { topology: any; services: string[]; kinds: Kind[] } {
  const count = int(2, 4);
  const services = Array.from({ length: count }, (_, i) => `s${i + 1}`);
  const nodes: object[] = [{ id: "client", label: "client", kind: "NODE_KIND_CLIENT", position: { x: 0, y: 0 }, traffic: { ratePerSecond: rate } }];
  const edges: object[] = [];
  const kinds: Kind[] = [];
  services.forEach((id, index) => {
    nodes.push({
      id,
      label: id,
      kind: "NODE_KIND_SERVICE",
      position: { x: 200 * (index + 1), y: 0 },
      behavior: { workTime: { distribution: "DISTRIBUTION_FIXED", meanMs: int(1, 20) }, errorRate: pick([0, 0, 0.05]), concurrency: 8 },
    });
    const source = index === 0 ? "client" : pick(["client", ...services.slice(0, index)]);
    // The cycle's first edge goes round the transports, so every one is soaked whatever the dice say.
    const kind = index === 0 ? TRANSPORTS[cycle % TRANSPORTS.length] : pick(TRANSPORTS);
    kinds.push(kind);
    edges.push(edgeOf(`${source}-${id}`, source, id, kind, `c${index}`));
  });
  return { topology: { name: `soak ${cycle}`, hopLimit: 8, nodes, edges }, services, kinds };
}

// ---- checks ----------------------------------------------------------------

const failures: string[] = [];
function fail(message: string): void {
  failures.push(message);
  console.log(`  FAIL ${message}`);
}

interface EdgeCounts {
  edgeId: string;
  sent?: number;
  delivered?: number;
  failed?: number;
  lost?: number;
  inFlight?: number;
  failedBy?: Array<{ outcome: string; count: number }>;
  lostBy?: Array<{ outcome: string; count: number }>;
}
const n = (value: number | undefined) => value ?? 0;

/** sent = delivered + failed + lost + in flight, and no count went down since the last reading. */
const lastSeen = new Map<string, EdgeCounts>();
function checkEdges(runId: string, edges: EdgeCounts[], when: string): void {
  for (const edge of edges) {
    const sum = n(edge.delivered) + n(edge.failed) + n(edge.lost) + n(edge.inFlight);
    if (n(edge.sent) !== sum) fail(`${runId} ${edge.edgeId} (${when}): sent ${n(edge.sent)} ≠ delivered ${n(edge.delivered)} + failed ${n(edge.failed)} + lost ${n(edge.lost)} + in flight ${n(edge.inFlight)}`);
    const key = `${runId}/${edge.edgeId}`;
    const before = lastSeen.get(key);
    if (before) {
      for (const field of ["sent", "delivered", "failed", "lost"] as const) {
        if (n(edge[field]) < n(before[field])) fail(`${runId} ${edge.edgeId} (${when}): ${field} went down ${n(before[field])} → ${n(edge[field])}`);
      }
    }
    lastSeen.set(key, edge);
  }
}

const totals = { cycles: 0, runs: 0, sent: 0, delivered: 0, failed: 0, lost: 0, faults: new Map<string, number>(), outcomes: new Map<string, number>() };
function tally(edges: EdgeCounts[]): void {
  for (const edge of edges) {
    totals.sent += n(edge.sent);
    totals.delivered += n(edge.delivered);
    totals.failed += n(edge.failed);
    totals.lost += n(edge.lost);
    for (const entry of [...(edge.failedBy ?? []), ...(edge.lostBy ?? [])]) totals.outcomes.set(entry.outcome, (totals.outcomes.get(entry.outcome) ?? 0) + entry.count);
  }
}

interface Footprint {
  runId: string;
  pids: Set<number>;
  ports: Set<number>;
}
function noteFootprint(footprint: Footprint, run: any): void {
  for (const node of run?.nodes ?? []) {
    if (node.pid) footprint.pids.add(node.pid);
    for (const port of [node.httpPort, node.connectPort]) if (port) footprint.ports.add(port);
  }
}

/** None of the run's processes, ports or Redis keys remains (waits up to `timeoutMs` for a dying server's hosts and the sweep). */
/** Runs whose server was killed with their keys still there: the next server's sweeps remove them (checked at the end). */
const sweptLater = new Set<string>();

async function checkGone(footprint: Footprint, redis: Redis, timeoutMs: number, keysLater = false): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pids = [...footprint.pids].filter(alive);
    const ports: number[] = [];
    for (const port of footprint.ports) if (await listening(port)) ports.push(port);
    const keys = await redis.keys(`ipcplay:${footprint.runId}:*`).catch(() => ["(Redis did not answer)"]);
    const listed = await redis.hexists("ipcplay:runs", footprint.runId).catch(() => 0);
    if (pids.length + ports.length + keys.length + listed === 0) return;
    if (keysLater && pids.length + ports.length === 0 && Date.now() > deadline) {
      // A run the killed server had not listed again since Redis lost its data: two sweeps apart remove it.
      sweptLater.add(footprint.runId);
      return;
    }
    if (Date.now() > deadline) {
      fail(`${footprint.runId} left behind: pids [${pids}], ports [${ports}], ${keys.length} keys (${keys.slice(0, 3).join(", ")}), listed ${listed}`);
      return;
    }
    await sleep(250);
  }
}

// ---- one cycle ---------------------------------------------------------------

const FAULTS = ["kill", "pause", "redis-stall", "redis-restart", "server-restart"] as const;

async function cycle(index: number, redis: Redis): Promise<void> {
  const rate = pick([0, 10, 30, 60]);
  const { topology, services, kinds } = randomTopology(index, rate);
  const started = await rpc("StartRun", { topology });
  if (started.status !== 200) {
    // Refused (admission on a loaded machine, a Redis still coming back): told, not a failure of the soak.
    console.log(`  cycle ${index}: StartRun ${started.status} ${started.json?.code}: ${String(started.json?.message).slice(0, 200)}`);
    await sleep(2_000);
    return;
  }
  totals.runs++;
  const { runId, token } = started.json as { runId: string; token: string };
  const footprint: Footprint = { runId, pids: new Set(), ports: new Set() };
  noteFootprint(footprint, started.json.run);
  const faults = Array.from({ length: int(1, 3) }, () => pick(FAULTS));
  // A server restart ends the run: it goes last.
  faults.sort((a, b) => Number(a === "server-restart") - Number(b === "server-restart"));
  console.log(`cycle ${index}: ${runId} [${kinds.join(", ")}] client ${rate}/s; faults: ${faults.join(", ")}`);

  const getRun = async (when: string) => {
    const answer = await rpc("GetRun", { runId }, token);
    if (answer.status === 200) {
      noteFootprint(footprint, answer.json.run);
      checkEdges(runId, answer.json.run.edges ?? [], when);
    }
    return answer;
  };
  const burst = () => rpc("SendMessage", { runId, nodeId: "client", count: int(5, 50) }, token);

  let serverRestarted = false;
  for (const fault of faults) {
    await burst();
    await sleep(int(300, 1_500));
    await getRun(`before ${fault}`);
    totals.faults.set(fault, (totals.faults.get(fault) ?? 0) + 1);
    switch (fault) {
      case "kill":
      case "pause": {
        const nodeId = pick(services);
        const kind = fault === "kill" ? "FAULT_KIND_KILL" : "FAULT_KIND_PAUSE";
        console.log(`  ${fault} ${nodeId}`);
        await rpc("InjectFault", { runId, nodeId, kind }, token);
        await burst();
        await sleep(int(500, 3_000));
        await rpc("ClearFault", { runId, nodeId }, token);
        break;
      }
      case "redis-stall":
        void burst();
        await stallRedis(int(500, 3_000));
        break;
      case "redis-restart":
        await restartRedis(int(200, 3_000));
        await sleep(1_500); // the hosts reconnect
        break;
      case "server-restart": {
        await stopServer(pick(["SIGTERM", "SIGKILL"] as const));
        serverRestarted = true;
        await startServer();
        break;
      }
    }
    await burst().catch(() => undefined);
    if (!serverRestarted) await getRun(`after ${fault}`);
  }

  if (!serverRestarted) {
    // Traffic stops; then every message must end somewhere, named.
    const quiet = structuredClone(topology);
    quiet.nodes[0].traffic.ratePerSecond = 0;
    const updated = await rpc("UpdateRun", { runId, topology: quiet }, token);
    if (updated.status !== 200) fail(`${runId}: UpdateRun to stop traffic answered ${updated.status} ${updated.json?.message}`);
    const deadline = Date.now() + 45_000;
    let last: EdgeCounts[] = [];
    for (;;) {
      const answer = await getRun("settling");
      last = answer.json?.run?.edges ?? [];
      if (answer.status === 200 && last.every((edge) => n(edge.inFlight) === 0)) break;
      if (Date.now() > deadline) {
        fail(`${runId}: still in flight 45 s after traffic stopped: ${last.filter((e) => n(e.inFlight) > 0).map((e) => `${e.edgeId} ${n(e.inFlight)} of ${n(e.sent)} ${JSON.stringify({ ...e, p50Ms: undefined, p95Ms: undefined, p99Ms: undefined })}`).join(", ")}`);
        break;
      }
      await sleep(500);
    }
    const stopped = await rpc("StopRun", { runId }, token);
    if (stopped.status !== 200) fail(`${runId}: StopRun answered ${stopped.status} ${stopped.json?.message}`);
    const edges: EdgeCounts[] = stopped.json?.summary?.edges ?? last;
    checkEdges(runId, edges, "summary");
    tally(edges);
  } else {
    tally([...lastSeen].filter(([key]) => key.startsWith(`${runId}/`)).map(([, edge]) => edge));
  }
  // The server answers.
  const validated = await rpc("ValidateTopology", { topology });
  if (validated.json?.valid !== true) fail(`ValidateTopology after cycle ${index}: ${validated.status} ${JSON.stringify(validated.json).slice(0, 200)}`);
  // A server killed with its run: its hosts die with it, its keys are swept at the next start.
  await checkGone(footprint, redis, serverRestarted ? 20_000 : 5_000, serverRestarted);
  totals.cycles++;
}

// ---- main --------------------------------------------------------------------

async function main(): Promise<void> {
  console.log(`soak: seed ${SEED}, ${MINUTES} min (replay: npm run soak -- --minutes ${MINUTES} --seed ${SEED})`);
  redisServer = await startRedisServer();
  redisPort = redisServer.port;
  serverPort = await freePort();
  await startServer();
  const redis = new Redis(redisServer.url, { maxRetriesPerRequest: 3 });
  redis.on("error", () => undefined);
  await sleep(2_000);
  const rssStart = rssMb(server!.pid!);
  let rssBaseline = { pid: server!.pid!, mb: rssStart };
  const redisMemory = async () => Number(/used_memory:(\d+)/.exec(await redis.info("memory"))?.[1] ?? 0);
  const redisStart = await redisMemory();
  const stopAt = Date.now() + MINUTES * 60_000;
  let index = 0;
  const peak = { mb: rssStart };
  while (Date.now() < stopAt) {
    const pid = server!.pid!;
    try {
      await cycle(index, redis);
    } catch (error) {
      fail(`cycle ${index} threw: ${(error as Error).stack ?? error}`);
      if (server?.exitCode !== null || server?.signalCode !== null) await startServer().catch((e: Error) => fail(e.message));
    }
    index++;
    const now = rssMb(server!.pid!);
    peak.mb = Math.max(peak.mb, now);
    // A restarted server's memory is measured from its own first idle moment.
    if (server!.pid !== pid) rssBaseline = { pid: server!.pid!, mb: now };
  }
  await sleep(2_000);
  // Runs left to the sweeps of unlisted runs (every 30 s, two sightings): up to 75 s more.
  const sweptBy = Date.now() + 75_000;
  for (const runId of sweptLater) {
    while ((await redis.keys(`ipcplay:${runId}:*`)).length > 0 && Date.now() < sweptBy) await sleep(1_000);
  }
  if (sweptLater.size > 0) console.log(`  ${sweptLater.size} run(s) of killed servers left to the sweep: ${[...sweptLater].join(", ")}`);
  const rssEnd = rssMb(server!.pid!);
  const redisEnd = await redisMemory();
  const leftKeys = (await redis.keys("ipcplay:*")).filter((key) => key !== "ipcplay:runs");
  if (leftKeys.length > 0) fail(`Redis still holds ${leftKeys.length} keys of runs: ${leftKeys.slice(0, 5).join(", ")}`);
  // Memory back near its start: within 64 MB or 50 % of the (last) server's idle RSS.
  if (rssEnd > Math.max(rssBaseline.mb + 64, rssBaseline.mb * 1.5)) fail(`server RSS ${rssEnd} MB at the end, ${rssBaseline.mb} MB at its start`);
  const others = descendants().filter((pid) => pid !== server!.pid && pid !== redisServer.pid);
  // The server's own helpers (e.g. tsx's) are its children; a host would hold an IPC channel and a port.
  const hosts = others.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("host.mjs");
    } catch {
      return false;
    }
  });
  if (hosts.length > 0) fail(`service hosts still running after every run stopped: ${hosts.join(", ")}`);

  console.log("");
  console.log(`soak summary (seed ${SEED}, ${MINUTES} min)`);
  console.log(`  cycles ${totals.cycles} (${totals.runs} runs), faults: ${[...totals.faults].map(([k, v]) => `${k} ${v}`).join(", ")}`);
  console.log(`  messages sent ${totals.sent} (edge hops): delivered ${totals.delivered}, failed ${totals.failed}, lost ${totals.lost}`);
  console.log(`  outcomes: ${[...totals.outcomes].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(", ") || "none but delivered"}`);
  console.log(`  server RSS: ${rssStart} MB at start, ${rssEnd} MB at end (peak ${peak.mb} MB; baseline of the last server ${rssBaseline.mb} MB)`);
  console.log(`  Redis used_memory: ${(redisStart / 1e6).toFixed(1)} MB at start, ${(redisEnd / 1e6).toFixed(1)} MB at end; run keys left ${leftKeys.length}`);
  console.log(`  result: ${failures.length === 0 ? "CLEAN" : `${failures.length} FAILURES`}`);
  for (const failure of failures.slice(0, 30)) console.log(`   - ${failure}`);

  redis.disconnect();
  await stopServer("SIGTERM");
  await redisServer.stop();
  process.exit(failures.length === 0 ? 0 : 1);
}

main().catch(async (error: unknown) => {
  console.error(error);
  await stopServer("SIGKILL").catch(() => undefined);
  await redisServer?.stop().catch(() => undefined);
  process.exit(1);
});
