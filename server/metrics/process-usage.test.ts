/**
 * The sampler against real processes: a real run's service hosts, a child
 * that burns a core, the server itself, and the machine.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import { RunState } from "@/lib/gen/ipcplay/v1/playground_pb";
import { parseProcStatusRss } from "@/lib/metrics/proc-text";
import { createRunManager } from "@/server/runtime/orchestrator";
import type { RunManager } from "@/server/runtime/run-manager";
import { buildHostBundle, eventually, restTopology, TEST_REDIS_URL } from "@/server/runtime/test-support";
import { UsageSampler } from "./process-usage";

const linux = process.platform === "linux";
let manager: RunManager | undefined;
let child: ChildProcess | undefined;
let sampler: UsageSampler | undefined;

afterEach(async () => {
  await manager?.shutdown();
  manager = undefined;
  child?.kill("SIGKILL");
  child = undefined;
  sampler?.stop();
  sampler = undefined;
});

function vmRssOf(pid: number): number {
  return parseProcStatusRss(readFileSync(`/proc/${pid}/status`, "utf8")) ?? Number.NaN;
}

describe.runIf(linux)("a live run's RunInfo", () => {
  it("carries each service process's CPU and memory, the server's, and the machine's", async () => {
    buildHostBundle();
    manager = createRunManager({ redisUrl: TEST_REDIS_URL });
    const running = manager;
    const topology = restTopology({
      services: [{ id: "orders", workMs: 2 }, { id: "billing", workMs: 2 }],
      edges: [
        { id: "client-orders", source: "client", target: "orders" },
        { id: "orders-billing", source: "orders", target: "billing" },
      ],
    });
    const { runId, run } = await running.start(topology, { detach: false });
    expect(run.state).toBe(RunState.RUNNING);

    // The first question starts the sampler; CPU needs a second reading a second later.
    const info = await eventually(() => {
      const now = running.get(runId);
      return now.machine && now.nodes.every((node) => node.usage) ? now : undefined;
    }, "usage of every node and the machine", 5_000);

    for (const node of info.nodes) {
      const usage = node.usage;
      expect(node.pid).toBeGreaterThan(0);
      expect(usage?.rssBytes).toBeGreaterThan(0);
      // Memory moves a little between the sample and this read, not by half.
      const vmRss = vmRssOf(node.pid);
      expect(Math.abs((usage?.rssBytes ?? 0) - vmRss) / vmRss).toBeLessThan(0.5);
      expect(usage?.cpuPercent).toBeGreaterThanOrEqual(0);
      expect(usage?.cpuPercent).toBeLessThan(100 * os.cpus().length + 1);
    }

    const machine = info.machine;
    expect(machine?.cores).toBe(os.cpus().length);
    expect(machine?.memoryTotalBytes).toBe(os.totalmem());
    expect(machine?.memoryUsedBytes).toBeGreaterThan(0);
    expect(machine?.memoryUsedBytes).toBeLessThan(machine?.memoryTotalBytes ?? 0);
    expect(machine?.cpuPercent).toBeGreaterThanOrEqual(0);
    expect(machine?.cpuPercent).toBeLessThanOrEqual(100);
    const serverRss = process.memoryUsage.rss();
    expect(Math.abs((machine?.server?.rssBytes ?? 0) - serverRss) / serverRss).toBeLessThan(0.5);
    expect(machine?.busy ? machine.busyReason : "").toMatch(machine?.busy ? /\.$/ : /^$/);

    await running.stop(runId);
  });
});

describe.runIf(linux)("the sampler", () => {
  it("sees a process that burns a core as about 100 % of one core", async () => {
    child = spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" });
    const pid = child.pid ?? 0;
    sampler = new UsageSampler({ intervalMs: 250 });
    const s = sampler;
    // Two cores shared with other work: a spinning process gets most of one, not all.
    const usage = await eventually(() => {
      const u = s.processUsage(pid);
      return u && u.cpuPercent > 50 ? u : undefined;
    }, "the spinner's CPU above 50 %", 5_000);
    expect(usage.cpuPercent).toBeLessThan(120);
    expect(s.stats().lastTickReads).toBe(2 + 2);
  });

  it("forgets a process that exited instead of showing it idle", async () => {
    child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60_000)"], { stdio: "ignore" });
    const pid = child.pid ?? 0;
    sampler = new UsageSampler({ intervalMs: 100 });
    const s = sampler;
    await eventually(() => s.processUsage(pid), "usage of the sleeper");
    child.kill("SIGKILL");
    await eventually(() => (s.processUsage(pid) === undefined ? true : undefined), "the sleeper's usage to go");
  });

  it("stops by itself when nobody asks, and starts again on the next question", async () => {
    sampler = new UsageSampler({ intervalMs: 50, idleStopMs: 200 });
    const s = sampler;
    s.machineLoad();
    expect(s.stats().running).toBe(true);
    await eventually(() => s.machineLoad(), "a machine sample");
    await eventually(() => (s.stats().running ? undefined : true), "the sampler to stop", 2_000);
    expect(s.machineLoad()).toBeUndefined();
    expect(s.stats().running).toBe(true);
  });
});

describe("the sampler off Linux", () => {
  it("reads the machine and the server from the os module and leaves processes unset", async () => {
    sampler = new UsageSampler({ intervalMs: 100, platform: "darwin" });
    const s = sampler;
    const machine = await eventually(() => s.machineLoad(), "a machine sample");
    expect(machine.cores).toBe(os.cpus().length);
    expect(machine.memoryTotalBytes).toBe(os.totalmem());
    expect(machine.server?.rssBytes).toBeGreaterThan(0);
    expect(s.processUsage(process.pid)).toBeUndefined();
    expect(s.stats().lastTickReads).toBe(0);
  });
});
