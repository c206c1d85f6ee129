/**
 * Test support for the runner cluster's integration tests: runner processes
 * started as `npm run runner` starts them, Connect calls, polling, key scans.
 * Each test file owns a unique cluster prefix in the shared Redis.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Redis } from "ioredis";

export const root = path.resolve(import.meta.dirname, "../..");

export interface StartedRunner {
  id: string;
  process: ChildProcess;
  output: () => string;
}

/** Starts `server/runner/main.ts` with `env` over the test's environment; resolves once it says it is ready. */
export function startRunnerProcess(id: string, env: Record<string, string>, started: StartedRunner[]): Promise<StartedRunner> {
  const child = spawn(process.execPath, ["--import", "tsx", "server/runner/main.ts"], {
    cwd: root,
    env: { ...process.env, ...env, IPCPLAY_RUNNER_ID: id },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const runner = { id, process: child, output: () => output };
  started.push(runner);
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(`runner ${id} ready`)) resolve(runner);
    });
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => reject(new Error(`runner ${id} exited with ${code} before it was ready:\n${output}`)));
  });
}

export async function post(base: string, method: string, body: object, token?: string) {
  const response = await fetch(`${base}/ipcplay.v1.PlaygroundService/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, any> };
}

export function parentPid(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

/** The pids whose parent is `pid` (from /proc). */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function keysUnder(redis: Redis, pattern: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 500);
    cursor = next;
    found.push(...keys);
  } while (cursor !== "0");
  return found;
}

/** Removes whatever a test left under `prefix` and of the given runs (their own keys and registry entries). */
export async function cleanUp(redis: Redis, prefix: string, runIds: readonly string[]): Promise<void> {
  for (const runId of runIds) {
    const left = await keysUnder(redis, `ipcplay:${runId}:*`);
    if (left.length > 0) await redis.unlink(...left);
    await redis.hdel("ipcplay:runs", runId);
  }
  const ours = await keysUnder(redis, `${prefix}:*`);
  if (ours.length > 0) await redis.unlink(...ours);
}
