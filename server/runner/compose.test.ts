/**
 * docker-compose.yml, checked on a machine without Docker: parsed, its shape
 * held to what docs/runners.md says (web x2 in remote mode, runner x2, redis,
 * one image), and the commands it names started as plain processes — its own
 * redis-server on a free port, the runners and the web instances with its
 * environment (only the Redis address, ports and the cluster prefix are this
 * machine's; no UI, as there is no Next build here) — then a run placed from
 * web-1 is answered by web-2 and hosted by a runner, and SIGTERM stops all cleanly.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { diesWithServer } from "@/server/runtime/die-with-server";
import { exited } from "@/server/server-process-support";

const root = path.resolve(import.meta.dirname, "../..");
type Service = { image?: string; build?: string; command: string[]; environment?: Record<string, string> };
const compose = parseYaml(readFileSync(path.join(root, "docker-compose.yml"), "utf8")) as { services: Record<string, Service> };
const children: ChildProcess[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Starts `command` (argv) with `env` over this process's; resolves with what `ready` matched in its output. */
function start(argv: string[], env: Record<string, string>, ready: RegExp): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  const { command, args } = diesWithServer(argv[0], argv.slice(1));
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let output = "";
  return new Promise((resolve, reject) => {
    const look = (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match) resolve({ child, match });
    };
    child.stdout!.on("data", look);
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => reject(new Error(`${argv.join(" ")} exited with ${code} before it was ready:\n${output}`)));
  });
}

async function post(base: string, method: string, body: object, token?: string) {
  const response = await fetch(`${base}/ipcplay.v1.PlaygroundService/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, any> };
}

const parentPid = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
};

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

describe("docker-compose.yml", () => {
  const services = compose.services;
  const names = (prefix: string) => Object.keys(services).filter((name) => name.startsWith(prefix));

  it("describes web x2 in remote mode, runner x2 and redis, with one image for web and runners", () => {
    expect(names("web-")).toEqual(["web-1", "web-2"]);
    expect(names("runner-")).toEqual(["runner-1", "runner-2"]);
    expect(services.redis.command[0]).toBe("redis-server");
    const app = [...names("web-"), ...names("runner-")].map((name) => services[name]);
    expect(new Set(app.map((s) => s.image)).size).toBe(1);
    expect(app.filter((s) => s.build === ".")).toHaveLength(1);
    for (const name of names("web-")) {
      expect(services[name].command).toEqual(["node", "--import", "tsx", "server/main.ts"]);
      expect(services[name].environment?.IPCPLAY_RUNNERS).toBe("remote");
    }
    for (const name of names("runner-")) expect(services[name].command).toEqual(["node", "--import", "tsx", "server/runner/main.ts"]);
    for (const name of [...names("web-"), ...names("runner-")]) expect(services[name].environment?.REDIS_URL).toBe("redis://redis:6379");
  });

  it("runs as plain processes: a run placed from web-1 is hosted by a runner and answered by web-2", async () => {
    const redisPort = await freePort();
    await start([...services.redis.command, "--port", String(redisPort), "--bind", "127.0.0.1"], {}, /Ready to accept connections/);
    const here = {
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      IPCPLAY_CLUSTER_PREFIX: `ipcplay:compose-${randomUUID().slice(0, 8)}`,
      // The machine is shared: other work's load average must not refuse the run (admission has its own tests).
      IPCPLAY_ADMIT_MAX_LOAD_PER_CPU: "1000",
    };
    const local = (service: Service, extra: Record<string, string> = {}) => ({ ...service.environment, ...here, ...extra });

    const runnerProcs = await Promise.all(
      names("runner-").map((name) => start(services[name].command, local(services[name]), new RegExp(`runner ${name} ready`))),
    );
    const webs = await Promise.all(
      names("web-").map((name) =>
        start(services[name].command, local(services[name], { PORT: "0", HOST: "127.0.0.1", IPCPLAY_NO_UI: "1" }), /ready on (http:\/\/\S+)/),
      ),
    );
    const [web1, web2] = webs.map((w) => w.match[1].replace("localhost", "127.0.0.1"));

    const topology = JSON.parse(readFileSync(path.join(root, "server/control/fixtures/rest-chain.json"), "utf8"));
    const startRun = await post(web1, "StartRun", { topology });
    expect(startRun.status, JSON.stringify(startRun.json)).toBe(200);
    const { runId, token } = startRun.json;
    const pid = startRun.json.run.nodes[0].pid as number;
    expect(runnerProcs.map((r) => r.child.pid)).toContain(parentPid(pid));
    const got = await post(web2, "GetRun", { runId }, token);
    expect(got.json.run.state).toBe("RUN_STATE_RUNNING");
    const stopped = await post(web2, "StopRun", { runId }, token);
    expect(stopped.status).toBe(200);

    // docker compose down: SIGTERM to each; all exit cleanly.
    const apps = [...webs, ...runnerProcs].map((p) => p.child);
    for (const child of apps) child.kill("SIGTERM");
    expect(await Promise.all(apps.map((child) => exited(child)))).toEqual(apps.map(() => 0));
    const redis = new Redis(here.REDIS_URL);
    expect(await redis.keys(`ipcplay:${runId}:*`)).toEqual([]);
    await redis.quit();
  }, 90_000);
});
