/**
 * The real entry point as a person runs it: Ctrl-C (SIGINT) stops every run
 * and exits; a crashed server (SIGKILL) takes its service processes with it,
 * because each host exits when its IPC channel to the server closes. Either way
 * no child process and no listening port stays behind.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { rawRequest } from "@/server/control/control-test-support";
import { exited, killStartedServers, startServerProcess } from "@/server/server-process-support";
import { buildHostBundle, connectOutcome, processGone } from "@/server/runtime/test-support";

const root = path.resolve(import.meta.dirname, "..");
const fixture = JSON.parse(readFileSync(path.join(root, "server/control/fixtures/rest-chain.json"), "utf8"));

afterEach(killStartedServers);

const startServer = startServerProcess;

async function startRun(url: string): Promise<{ pids: number[]; ports: number[] }> {
  const response = await fetch(`${url}/ipcplay.v1.PlaygroundService/StartRun`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ topology: fixture }),
  });
  expect(response.status).toBe(200);
  const { run } = (await response.json()) as { run: { nodes: { pid: number; httpPort?: number }[] } };
  const pids = run.nodes.map((node) => node.pid);
  const ports = run.nodes.flatMap((node) => (node.httpPort ? [node.httpPort] : []));
  expect(pids).toHaveLength(3);
  expect(ports).toHaveLength(2);
  for (const pid of pids) expect(processGone(pid)).toBe(false);
  return { pids, ports };
}

async function expectNothingLeft(pids: number[], ports: number[]): Promise<void> {
  await expect.poll(() => pids.filter((pid) => !processGone(pid)), { timeout: 10_000 }).toEqual([]);
  for (const port of ports) expect(await connectOutcome(port)).toBe("ECONNREFUSED");
}


describe("the server process", () => {
  it("stops every run and exits cleanly on Ctrl-C (SIGINT)", async () => {
    buildHostBundle();
    const { url, process: child } = await startServer();
    const { pids, ports } = await startRun(url);
    const exit = exited(child);
    child.kill("SIGINT");
    expect(await exit).toBe(0);
    await expectNothingLeft(pids, ports);
  });

  it("leaves no service process or port behind when it crashes (SIGKILL)", async () => {
    buildHostBundle();
    const { url, process: child } = await startServer();
    const { pids, ports } = await startRun(url);
    const exit = exited(child);
    child.kill("SIGKILL");
    expect(await exit).toBe("SIGKILL");
    await expectNothingLeft(pids, ports);
  });

  it("answers the names a deployment gives in IPCPLAY_ALLOWED_HOSTS and IPCPLAY_ALLOWED_ORIGINS, and no others", async () => {
    const { url, process: child } = await startServer({ IPCPLAY_ALLOWED_HOSTS: "play.example.com", IPCPLAY_ALLOWED_ORIGINS: "https://docs.example.com" });
    const port = Number(new URL(url).port);
    const ask = (headers: Record<string, string>) => rawRequest(port, { path: "/", headers }).then((answer) => answer.status);
    expect(await ask({ host: "play.example.com" })).toBe(404); // answered: this server has no UI
    expect(await ask({ host: "play.example.com", origin: "https://docs.example.com" })).toBe(404);
    expect(await ask({ host: "play.example.com", origin: "https://evil.example" })).toBe(403);
    expect(await ask({ host: "evil.example" })).toBe(403);
    const exit = exited(child);
    child.kill("SIGINT");
    expect(await exit).toBe(0);
  });
});
