/**
 * The warm pool with real processes: a run's hosts come from the pool, the
 * pool refills behind it, and no pool host outlives its pool — closed by
 * `shutdown()`, or with the server SIGKILLed, loaded or still loading.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RunState } from "@/lib/gen/ipcplay/v1/playground_pb";
import { HostPool, warmHostsFromEnv, DEFAULT_WARM_HOSTS } from "./host-pool";
import { createRunManager, DEFAULT_HOST_BUNDLE } from "./orchestrator";
import type { RunManager } from "./run-manager";
import { buildHostBundle, eventually, processGone, restTopology, TEST_REDIS_URL } from "./test-support";

/** How long pool hosts get to be gone after their pool or server is. */
const GONE_TIMEOUT_MS = 5_000;

let manager: RunManager | undefined;
let server: ChildProcess | undefined;
let dir: string;

beforeAll(() => {
  buildHostBundle();
  dir = mkdtempSync(path.join(os.tmpdir(), "ipcplay-host-pool-"));
});

afterEach(async () => {
  await manager?.shutdown();
  manager = undefined;
  if (server && server.exitCode === null && server.signalCode === null) server.kill("SIGKILL");
  server = undefined;
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const chain = () =>
  restTopology({
    services: [{ id: "orders" }, { id: "billing" }],
    edges: [
      { id: "client-orders", source: "client", target: "orders" },
      { id: "orders-billing", source: "orders", target: "billing" },
    ],
  });

const allGone = (pids: readonly number[]) =>
  eventually(() => (pids.every(processGone) ? true : undefined), `pids ${pids.join(", ")} to be gone`, GONE_TIMEOUT_MS);

describe("a run manager with a warm pool", () => {
  it("starts a run on hosts that were forked before StartRun, refills, and kills the pool on shutdown", async () => {
    const pool = new HostPool({ bundlePath: DEFAULT_HOST_BUNDLE, size: 3 });
    manager = createRunManager({ redisUrl: TEST_REDIS_URL, hostPool: pool });
    await pool.whenFull();
    const warmBefore = pool.pids;
    expect(warmBefore).toHaveLength(3);

    const { runId, run } = await manager.start(chain(), { detach: false });
    expect(run.state).toBe(RunState.RUNNING);
    const runPids = run.nodes.map((node) => node.pid);
    expect(runPids.sort()).toEqual([...warmBefore].sort());

    // The pool refills with new processes while the run goes on; they are not the run's.
    await pool.whenFull();
    const refilled = pool.pids;
    expect(refilled).toHaveLength(3);
    for (const pid of refilled) expect(runPids).not.toContain(pid);
    for (const pid of refilled) expect(processGone(pid)).toBe(false);

    // The hosts really became the nodes: a message crosses all three.
    const [traceId] = await manager.sendMessage(runId, "client", 1);
    await eventually(() => (manager!.getTrace(runId, traceId).length >= 5 ? true : undefined), "the trace through three hosts");

    await manager.shutdown();
    manager = undefined;
    await allGone([...runPids, ...refilled]);
  });

  it("forks hosts itself when the pool is empty (IPCPLAY_WARM_HOSTS=0)", async () => {
    const pool = new HostPool({ bundlePath: DEFAULT_HOST_BUNDLE, size: 0 });
    manager = createRunManager({ redisUrl: TEST_REDIS_URL, hostPool: pool });
    const { run } = await manager.start(chain(), { detach: false });
    expect(run.state).toBe(RunState.RUNNING);
    expect(pool.pids).toEqual([]);
    expect(run.nodes.every((node) => node.pid > 0)).toBe(true);
  });
});

describe("pool hosts and a server that dies", () => {
  /** Runs a pool of two in its own process, as the server would; reports its pids when it forked and when full. */
  function startPoolServer(): { process: ChildProcess; lines: AsyncIterator<string> } {
    // .mts: outside this package a .ts file would be CommonJS, where top-level await is refused.
    const script = path.join(dir, "pool-server.mts");
    writeFileSync(
      script,
      [
        `import { HostPool } from ${JSON.stringify(path.resolve(import.meta.dirname, "host-pool.ts"))};`,
        `const pool = new HostPool({ bundlePath: ${JSON.stringify(DEFAULT_HOST_BUNDLE)}, size: 2 });`,
        `console.log("loading " + pool.pids.join(","));`,
        `await pool.whenFull();`,
        `console.log("full " + pool.pids.join(","));`,
        `setInterval(() => {}, 1_000);`,
      ].join("\n"),
    );
    const child = spawn(process.execPath, ["--import", "tsx", script], {
      cwd: path.resolve(import.meta.dirname, "../.."),
      stdio: ["ignore", "pipe", "inherit"],
    });
    server = child;
    return { process: child, lines: readline.createInterface({ input: child.stdout! })[Symbol.asyncIterator]() };
  }

  async function pidsAfter(lines: AsyncIterator<string>, word: string): Promise<number[]> {
    for (;;) {
      const { value, done } = await lines.next();
      if (done) throw new Error(`the pool server exited before it said "${word}"`);
      if (value.startsWith(`${word} `)) return value.slice(word.length + 1).split(",").map(Number);
    }
  }

  it("takes its loaded, idle hosts with it when it is SIGKILLed", async () => {
    const { process: child, lines } = startPoolServer();
    const pids = await pidsAfter(lines, "full");
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(processGone(pid)).toBe(false);
    child.kill("SIGKILL");
    await allGone(pids);
  });

  it("takes a host that is still loading with it when it is SIGKILLed", async () => {
    const { process: child, lines } = startPoolServer();
    const pids = await pidsAfter(lines, "loading");
    expect(pids).toHaveLength(1);
    child.kill("SIGKILL");
    await allGone(pids);
  });
});

describe("IPCPLAY_WARM_HOSTS", () => {
  it("sets the pool size, 0 turns it off, and anything else is refused", () => {
    expect(warmHostsFromEnv({})).toBe(DEFAULT_WARM_HOSTS);
    expect(warmHostsFromEnv({ IPCPLAY_WARM_HOSTS: "0" })).toBe(0);
    expect(warmHostsFromEnv({ IPCPLAY_WARM_HOSTS: " 6 " })).toBe(6);
    expect(() => warmHostsFromEnv({ IPCPLAY_WARM_HOSTS: "lots" })).toThrow(/whole number/);
    expect(() => warmHostsFromEnv({ IPCPLAY_WARM_HOSTS: "-1" })).toThrow(/whole number/);
  });
});
