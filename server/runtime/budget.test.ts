/**
 * A run's budget, enforced by the runtime on real processes and a real Redis
 * (issue 11): SendMessage past the pending bound or the run's rate is refused
 * whole with resource_exhausted and the numbers; automatic traffic past the
 * run's rate is shed and booked "over budget" on its edges, so
 * sent = delivered + failed + lost + in flight still holds.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import os from "node:os";
import { NodeStatus } from "@/lib/gen/ipcplay/v1/playground_pb";
import { TrafficPattern } from "@/lib/gen/ipcplay/v1/topology_pb";
import { RunError } from "./run-manager";
import { eventually, restTopology } from "./test-support";
import { queueEdge, restEdge, runHarness, topologyOf } from "./transport-harness";

const harness = runHarness();

/** A client that sends only on demand, and a slow service that holds what it is sent (16 at work, the rest waiting). */
function slowTopology() {
  const topology = topologyOf([{ id: "slow", workMs: 3_000 }], [restEdge("client-slow", "client", "slow", 30_000)]);
  return topology;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

/** Fires every call at once; the admitted calls' trace counts and the refusals. */
async function flood(calls: Array<() => Promise<string[]>>) {
  const results = await Promise.allSettled(calls.map((call) => call()));
  const admitted = results.filter((result) => result.status === "fulfilled").map((result) => (result as PromiseFulfilledResult<string[]>).value.length);
  const refused = results.filter((result) => result.status === "rejected").map((result) => (result as PromiseRejectedResult).reason as RunError);
  return { admitted, refused };
}

describe("run budget", () => {
  it("refuses SendMessage past the run's pending bound with resource_exhausted and the numbers; nothing queues unbounded", async () => {
    const runId = await harness.start(slowTopology(), { maxPendingSendsPerRun: 3_000, maxWaitingPerService: 10_000 });
    const run = harness.manager;
    const pids = run.get(runId).nodes.map((node) => node.pid);
    const before = pids.map(rssMb);

    // The issue's row: many calls × 1,000 messages at once.
    const { admitted, refused } = await flood(Array.from({ length: 50 }, () => () => run.sendMessage(runId, "client", 1000)));
    console.log(`pending bound 3,000: ${admitted.length} calls admitted, ${refused.length} refused; e.g. "${refused[0]?.message}"`);
    expect(admitted).toEqual([1000, 1000, 1000]);
    expect(refused).toHaveLength(47);
    for (const error of refused) {
      expect(error).toBeInstanceOf(RunError);
      expect(error.code).toBe("resource_exhausted");
      expect(error.message).toMatch(/3,000 messages are pending in this run .* this call adds 1,000; the run allows 3,000 pending/);
    }

    const after = pids.map(rssMb);
    console.log(`RSS (MB) before ${before.map((mb) => mb.toFixed(0)).join(" / ")}, after the flood ${after.map((mb) => mb.toFixed(0)).join(" / ")}`);
    for (const [index, mb] of after.entries()) expect(mb - before[index]).toBeLessThan(150);

    // Every admitted message went out; the refused ones never did.
    await eventually(() => (harness.edge(runId, "client-slow").sent === 3000 ? true : undefined), "the admitted messages sent", 20_000);
    const summary = await harness.stop(runId);
    const edge = summary.get("client-slow")!;
    expect(edge.sent).toBe(3000);
    expect(edge.sent).toBe(edge.delivered + edge.failed + edge.lost + edge.inFlight);
  });

  it("refuses SendMessage whose payload would pass the run's pending bytes (5 calls × 1,000 × 60 KB)", async () => {
    const runId = await harness.start(slowTopology(), {});
    const run = harness.manager;
    const pids = run.get(runId).nodes.map((node) => node.pid);
    const before = pids.map(rssMb);
    const payload = "y".repeat(60 * 1024);
    const { admitted, refused } = await flood(Array.from({ length: 5 }, () => () => run.sendMessage(runId, "client", 1000, payload)));
    console.log(`5 × 1,000 × 60 KB: ${admitted.length} admitted, refused: "${refused[0]?.message}"`);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const after = pids.map(rssMb);
    console.log(`RSS (MB) before ${before.map((mb) => mb.toFixed(0)).join(" / ")}, 1.5 s after ${after.map((mb) => mb.toFixed(0)).join(" / ")}`);
    expect(admitted).toEqual([1000]);
    expect(refused).toHaveLength(4);
    for (const error of refused) {
      expect(error.code).toBe("resource_exhausted");
      expect(error.message).toMatch(/58\.6 MiB of payload is pending in this run and this call adds 58\.6 MiB; the run allows 64\.0 MiB pending/);
    }
    await harness.stop(runId);
  });

  it("refuses SendMessage past the run's messages per second", async () => {
    const topology = topologyOf([{ id: "fast" }], [restEdge("client-fast", "client", "fast")]);
    const runId = await harness.start(topology, { runMessagesPerSecond: 2_000 });
    const run = harness.manager;
    const { admitted, refused } = await flood(Array.from({ length: 10 }, () => () => run.sendMessage(runId, "client", 1000)));
    console.log(`2,000 msg/s: ${admitted.length} calls admitted at once, refused: "${refused[0]?.message}"`);
    expect(admitted).toEqual([1000, 1000]);
    expect(refused).toHaveLength(8);
    for (const error of refused) expect(error.message).toMatch(/the run's budget is 2,000 messages per second, all sources together/);
    // A second later the budget has room again.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await run.sendMessage(runId, "client", 1000)).toHaveLength(1000);
    await harness.stop(runId);
  });

  it("sheds automatic traffic past the run's rate, booked over budget on its edge, and leaves SendMessage nothing", async () => {
    const topology = restTopology({ services: [{ id: "fast" }], edges: [{ id: "client-fast", source: "client", target: "fast" }] });
    topology.nodes[0].traffic!.ratePerSecond = 400;
    topology.nodes[0].traffic!.pattern = TrafficPattern.CONSTANT;
    const runId = await harness.start(topology, { runMessagesPerSecond: 100 });
    const run = harness.manager;
    const edge = await eventually(() => {
      const counters = harness.edge(runId, "client-fast");
      return counters.sent >= 800 ? counters : undefined;
    }, "two seconds of traffic", 10_000);
    const overBudget = edge.failedBy.find((entry) => entry.outcome === "over budget")?.count ?? 0;
    console.log(`400 msg/s against a budget of 100: sent ${edge.sent}, delivered ${edge.delivered}, over budget ${overBudget}`);
    expect(overBudget).toBeGreaterThan(edge.sent * 0.4);
    expect(edge.delivered).toBeLessThan(edge.sent * 0.6);
    await expect(run.sendMessage(runId, "client", 100)).rejects.toMatchObject({ code: "resource_exhausted", message: expect.stringMatching(/automatic traffic included/) });
    const summary = await harness.stop(runId);
    const final = summary.get("client-fast")!;
    expect(final.sent).toBe(final.delivered + final.failed + final.lost + final.inFlight);
    expect(final.failedBy.find((entry) => entry.outcome === "over budget")?.count).toBeGreaterThanOrEqual(overBudget);
  });

  it("sheds automatic traffic past the run's pending bound, booked over budget, and refuses SendMessage on top of it", async () => {
    const topology = slowTopology();
    topology.nodes[0].traffic!.ratePerSecond = 200;
    const runId = await harness.start(topology, { maxPendingSendsPerRun: 100 });
    const edge = await eventually(() => {
      const counters = harness.edge(runId, "client-slow");
      return counters.sent >= 300 ? counters : undefined;
    }, "1.5 s of traffic", 10_000);
    const overBudget = edge.failedBy.find((entry) => entry.outcome === "over budget")?.count ?? 0;
    console.log(`200 msg/s into a service that holds each 3 s, 100 pending allowed: sent ${edge.sent}, over budget ${overBudget}, in flight ${edge.inFlight}`);
    expect(edge.inFlight).toBeLessThanOrEqual(100);
    expect(overBudget).toBe(edge.sent - edge.inFlight - edge.delivered);
    expect(overBudget).toBeGreaterThan(100);
    await expect(harness.manager.sendMessage(runId, "client", 1)).rejects.toMatchObject({ code: "resource_exhausted", message: expect.stringMatching(/100 messages are pending in this run/) });
    const summary = await harness.stop(runId);
    const final = summary.get("client-slow")!;
    expect(final.sent).toBe(final.delivered + final.failed + final.lost + final.inFlight);
  });

  it("caps one message's sends from a service: 3 REST self-loops, hop limit 6, cap 50 — 50 deliveries, the rest fan-out capped", async () => {
    const topology = restTopology({
      services: [{ id: "s" }],
      edges: [{ id: "c-s", source: "client", target: "s" }, ...[1, 2, 3].map((index) => ({ id: `loop${index}`, source: "s", target: "s", path: `/loop${index}` }))],
      hopLimit: 6,
    });
    const runId = await harness.start(topology, { maxDeliveriesPerMessage: 50 });
    await harness.manager.sendMessage(runId, "client", 1);
    const loops = await eventually(() => {
      const edges = ["loop1", "loop2", "loop3"].map((edgeId) => harness.edge(runId, edgeId));
      const settled = harness.edge(runId, "c-s").delivered === 1 && edges.every((edge) => edge.inFlight === 0);
      return settled ? edges : undefined;
    }, "the message's tree ended", 20_000);
    const sum = (pick: (edge: (typeof loops)[number]) => number) => loops.reduce((total, edge) => total + pick(edge), 0);
    const capped = sum((edge) => edge.failedBy.find((entry) => entry.outcome === "fan-out capped")?.count ?? 0);
    console.log(`one message, 3 self-loops, hop limit 6 (363 sends uncapped): delivered ${sum((edge) => edge.delivered)}, fan-out capped ${capped}, sent ${sum((edge) => edge.sent)}`);
    expect(sum((edge) => edge.delivered)).toBe(50);
    expect(capped).toBeGreaterThan(0);
    expect(sum((edge) => edge.sent)).toBe(50 + capped);
    const summary = await harness.stop(runId);
    for (const edge of summary.values()) expect(edge.sent).toBe(edge.delivered + edge.failed + edge.lost + edge.inFlight);
  });

  it("refuses jobs past a queue edge's waiting cap, booked queue full", async () => {
    const topology = topologyOf([{ id: "worker", workMs: 1_000 }], [queueEdge("jobs", "client", "worker", "jobs", { attempts: 1 })]);
    topology.nodes[1].behavior!.concurrency = 1;
    const runId = await harness.start(topology, { maxQueueWaiting: 20 });
    await harness.manager.sendMessage(runId, "client", 200);
    const edge = await eventually(() => {
      const counters = harness.edge(runId, "jobs");
      return counters.sent === 200 ? counters : undefined;
    }, "200 sends", 10_000);
    const full = edge.failedBy.find((entry) => entry.outcome === "queue full")?.count ?? 0;
    console.log(`200 jobs on a queue capped at 20 waiting: queue full ${full}, accepted ${edge.sent - full}`);
    expect(full).toBe(180);
    const summary = await harness.stop(runId);
    const final = summary.get("jobs")!;
    expect(final.sent).toBe(final.delivered + final.failed + final.lost + final.inFlight);
  });

  it("restarts a host whose memory passes its limit, says why, and leaves one that keeps passing it down", async () => {
    const topology = topologyOf([{ id: "fast" }], [restEdge("client-fast", "client", "fast")]);
    const runId = await harness.start(topology, { maxHostRssBytes: 1024 * 1024 });
    const logs: string[] = [];
    harness.manager.watch(runId, (event) => {
      if (event.event.case === "log") logs.push(event.event.value.message);
    });
    const firstPid = harness.manager.get(runId).nodes.find((node) => node.nodeId === "fast")!.pid;
    const restarted = await eventually(() => {
      const node = harness.manager.get(runId).nodes.find((entry) => entry.nodeId === "fast")!;
      return node.pid !== firstPid && node.status === NodeStatus.UP ? node : undefined;
    }, "a restart for memory", 20_000);
    console.log(`restarted: "${restarted.lastRestart}"; log: "${logs.find((line) => line.startsWith("fast is restarted"))}"`);
    expect(restarted.lastRestart).toMatch(/restarted: its memory \(RSS \d+ MB\) passed the limit of 1 MB per service/);
    expect(logs).toContainEqual(expect.stringMatching(/^fast is restarted: its memory \(RSS \d+ MB\) passed the limit of 1 MB per service/));
    const down = await eventually(() => {
      const node = harness.manager.get(runId).nodes.find((entry) => entry.nodeId === "fast")!;
      return node.status === NodeStatus.DOWN ? node : undefined;
    }, "left down after 3 restarts", 40_000);
    console.log(`left down: "${down.error}"`);
    expect(down.error).toMatch(/^left down: its memory .* 4 times within 60 s/);
    await harness.stop(runId);
  }, 60_000);

  it("refuses a run that would not fit the machine's memory, with the numbers", async () => {
    const topology = topologyOf([{ id: "fast" }], [restEdge("client-fast", "client", "fast")]);
    const start = harness.start(topology, { admission: { serviceBytes: 4 * os.totalmem() } });
    await expect(start).rejects.toMatchObject({
      code: "resource_exhausted",
      message: expect.stringMatching(/^This run would not fit the machine's memory: 2 processes × [\d,]+ MB \(estimate for a fresh service\) = [\d,]+ MB, and the machine has [\d,]+ MB free of which it keeps 256 MB in reserve, with 0 runs \(0 service processes\) up now/),
    });
  });

  it("refuses a second run while the machine's CPUs are saturated, never the first", async () => {
    const topology = topologyOf([{ id: "fast" }], [restEdge("client-fast", "client", "fast")]);
    // With no run of this server up, a busy machine is busy with other work: the first run starts
    // even at a limit any load (even 0.00) is over.
    const first = await harness.start(topology, { admission: { maxLoadPerCpu: -1 } });
    await expect(harness.manager.start(topology, { detach: false })).rejects.toMatchObject({
      code: "resource_exhausted",
      message: expect.stringMatching(/^The machine's CPUs are saturated: load average [\d.]+ on \d+ CPUs .* with 1 run \(\d+ service processes\) up now/),
    });
    await harness.stop(first);
  });
});
