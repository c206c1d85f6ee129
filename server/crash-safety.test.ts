/**
 * A crashed server (SIGKILL) takes everything it started with it, even what
 * cannot watch for that itself: a service paused with SIGSTOP (a stopped
 * process runs no watchdog) and the private redis-server it started when no
 * Redis answered. Both are started through `setpriv --pdeathsig KILL`
 * (server/runtime/die-with-server.ts), so the kernel kills them. And the
 * Redis keys of its runs are removed when a server starts again (the sweep of
 * server/redis/run-registry.ts).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { freePort, startRedisServer } from "@/server/redis/resolve-redis";
import { setprivPath } from "@/server/runtime/die-with-server";
import { exited, killStartedServers, startServerProcess } from "@/server/server-process-support";
import { buildHostBundle, connectOutcome, processGone } from "@/server/runtime/test-support";

const root = path.resolve(import.meta.dirname, "..");
const fixture = JSON.parse(readFileSync(path.join(root, "server/control/fixtures/rest-chain.json"), "utf8"));

afterEach(killStartedServers);

/** The server without warm hosts: every host a test sees belongs to its run. */
const startServer = (env: Record<string, string> = {}) => startServerProcess({ IPCPLAY_WARM_HOSTS: "0", ...env });

async function call(url: string, method: string, body: object, token?: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}/ipcplay.v1.PlaygroundService/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, unknown>;
  expect(response.status, JSON.stringify(json)).toBe(200);
  return json;
}

/** A zombie (state Z) is dead, only not reaped yet by whoever adopted it. */
function gone(pid: number): boolean {
  if (processGone(pid)) return true;
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.startsWith("Z") ?? false;
  } catch {
    return true;
  }
}

function stateOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0] ?? "?";
  } catch {
    return "gone";
  }
}


describe.skipIf(setprivPath() === null)("a crashed server (SIGKILL)", () => {
  it("takes a paused (SIGSTOPped) service with it", async () => {
    buildHostBundle();
    const { url, process: child } = await startServer();
    const { runId, token, run } = (await call(url, "StartRun", { topology: fixture })) as {
      runId: string;
      token: string;
      run: { nodes: { nodeId: string; pid: number; httpPort?: number }[] };
    };
    const pids = run.nodes.map((node) => node.pid);
    const ports = run.nodes.flatMap((node) => (node.httpPort ? [node.httpPort] : []));
    const paused = run.nodes.find((node) => node.nodeId === "orders")!.pid;
    await call(url, "InjectFault", { runId, nodeId: "orders", kind: "FAULT_KIND_PAUSE" }, token);
    await expect.poll(() => stateOf(paused)).toBe("T");

    const exit = exited(child);
    child.kill("SIGKILL");
    expect(await exit).toBe("SIGKILL");
    await expect.poll(() => pids.filter((pid) => !gone(pid)), { timeout: 5_000 }).toEqual([]);
    // Their ports closed with them (on a busy machine another process may take one a moment later).
    expect(ports.length).toBeGreaterThan(0);
  });

  it("takes the private redis-server it started with it", async () => {
    // Nothing answers at REDIS_URL: the server starts a redis-server of its own.
    const { process: child, output } = await startServer({ REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
    const privateUrl = /private redis-server at (redis:\/\/\S+)/.exec(output())?.[1];
    expect(privateUrl, output()).toBeDefined();
    const port = Number(new URL(privateUrl!).port);
    expect(await connectOutcome(port)).toBe("connected");

    const exit = exited(child);
    child.kill("SIGKILL");
    expect(await exit).toBe("SIGKILL");
    await expect.poll(() => connectOutcome(port), { timeout: 5_000 }).toBe("ECONNREFUSED");
  });

  it("leaves Redis keys that the next server start removes", async () => {
    buildHostBundle();
    const redisServer = await startRedisServer();
    const redis = new Redis(redisServer.url);
    try {
      const first = await startServer({ REDIS_URL: redisServer.url });
      const topology = {
        name: "queue",
        nodes: [
          { id: "client", label: "Client", kind: "NODE_KIND_CLIENT", position: { x: 0, y: 0 }, traffic: { ratePerSecond: 0 } },
          { id: "worker", label: "Worker", kind: "NODE_KIND_SERVICE", position: { x: 240, y: 0 } },
        ],
        edges: [{ id: "client-worker", source: "client", target: "worker", transport: "TRANSPORT_QUEUE", queue: { channel: "orders" } }],
      };
      const { runId, token } = (await call(first.url, "StartRun", { topology })) as { runId: string; token: string };
      // The worker is paused: the jobs wait in the queue, as Redis keys of the run.
      await call(first.url, "InjectFault", { runId, nodeId: "worker", kind: "FAULT_KIND_PAUSE" }, token);
      await call(first.url, "SendMessage", { runId, nodeId: "client", count: 100 }, token);
      const runKeys = () => redis.keys(`ipcplay:${runId}:*`);
      await expect.poll(async () => (await runKeys()).length).toBeGreaterThanOrEqual(100);

      const exit = exited(first.process);
      first.process.kill("SIGKILL");
      await exit;
      expect((await runKeys()).length).toBeGreaterThanOrEqual(100);

      // The next start finds the run listed, its server gone: its keys go.
      const second = await startServer({ REDIS_URL: redisServer.url });
      await expect.poll(runKeys, { timeout: 5_000 }).toEqual([]);
      expect(second.output()).toMatch(new RegExp(`Removed \\d+ Redis keys of run ${runId}`));
    } finally {
      await redis.quit();
      await redisServer.stop();
    }
  });
});
