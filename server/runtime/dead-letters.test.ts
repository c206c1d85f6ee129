/**
 * Dead letters and their redrive, end to end: real hosts, real BullMQ queues in
 * real Redis. A redriven job is a message sent again, so the books count it in
 * `sent` (and `redriven`), and its second end — dead-lettered again, or
 * delivered once its consumer is healthy — keeps
 * sent = delivered + failed + lost + in flight at every reading and in the
 * summary, on a plain queue edge and on a shared channel (competing consumers).
 */
import { describe, expect, it } from "vitest";
import { RunState, SpanStatus, type EdgeCounters, type RunInfo, type SharedChannel } from "@/lib/gen/ipcplay/v1/playground_pb";
import { FaultKind } from "@/lib/gen/ipcplay/v1/topology_pb";
import { RunError } from "./run-manager";
import { POLL, queueEdge, restEdge, runHarness, topologyOf } from "./transport-harness";

const run = runHarness();

type Books = Pick<EdgeCounters | SharedChannel, "sent" | "delivered" | "failed" | "lost" | "inFlight">;

/** sent = delivered + failed + lost + in flight (in flight is clamped at 0 in RunInfo, so a negative one breaks this too). */
function balanced(books: Books): boolean {
  return books.sent === books.delivered + books.failed + books.lost + books.inFlight;
}

/**
 * Reads the run's books every few milliseconds until stopped, recording every
 * edge's or shared channel's reading whose books do not add up (none is expected).
 */
function watchBooks(runId: string): { stop: () => string[]; readings: () => number } {
  const broken: string[] = [];
  let readings = 0;
  const timer = setInterval(() => {
    let info: RunInfo;
    try {
      info = run.manager.get(runId);
    } catch {
      return;
    }
    if (info.state !== RunState.RUNNING) return;
    readings++;
    // An edge of a shared channel shows its consumer's share of the channel's ends: the channel's books are the ones that add up.
    for (const books of [...info.edges.filter((edge) => edge.sharedWith.length === 0), ...info.channels]) {
      if (!balanced(books)) broken.push(JSON.stringify({ sent: books.sent, delivered: books.delivered, failed: books.failed, lost: books.lost, inFlight: books.inFlight }));
    }
  }, 10);
  return {
    stop: () => {
      clearInterval(timer);
      return broken;
    },
    readings: () => readings,
  };
}

async function runErrorOf(promise: Promise<unknown>): Promise<RunError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(RunError);
  return error as RunError;
}

describe("dead letters", () => {
  it("lists a queue edge's dead letters with their traces and reasons; redriven while the consumer still fails, they dead-letter again and the books count both rounds", async () => {
    const topology = topologyOf(
      [{ id: "flaky", errorRate: 1 }, { id: "r" }],
      [queueEdge("client-flaky", "client", "flaky", "bad", { attempts: 2, backoffMs: 10 }), restEdge("client-r", "client", "r")],
    );
    const runId = await run.start(topology);
    const n = 12;
    const traceIds = await run.manager.sendMessage(runId, "client", n);
    await expect.poll(() => run.edge(runId, "client-flaky").deadLettered, POLL).toBe(n);

    const listed = await run.manager.listDeadLetters(runId, "client-flaky", 0);
    expect(listed.total).toBe(n);
    expect(listed.deadLetters).toHaveLength(n);
    expect(new Set(listed.deadLetters.map((letter) => letter.traceId))).toEqual(new Set(traceIds));
    for (const letter of listed.deadLetters) {
      expect(letter).toMatchObject({ edgeId: "client-flaky", failedReason: "error rate", attempts: 2, payloadBytes: 16 });
      expect(letter.jobId).toMatch(/\S/);
      expect(letter.failedUnixMs).toBeGreaterThan(0);
    }
    // Newest first.
    const times = listed.deadLetters.map((letter) => letter.failedUnixMs);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const firstThree = await run.manager.listDeadLetters(runId, "client-flaky", 3);
    expect(firstThree).toMatchObject({ total: n });
    expect(firstThree.deadLetters.map((letter) => letter.jobId)).toEqual(listed.deadLetters.slice(0, 3).map((letter) => letter.jobId));

    // Wrong edges.
    expect((await runErrorOf(run.manager.listDeadLetters(runId, "nope", 0))).code).toBe("not_found");
    const notQueue = await runErrorOf(run.manager.redriveDeadLetters(runId, "client-r", []));
    expect(notQueue.code).toBe("invalid_argument");
    expect(notQueue.message).toContain("client-r");

    // Redrive all: each is sent again and, its consumer still failing, dead-letters again.
    const watch = watchBooks(runId);
    const all = await run.manager.redriveDeadLetters(runId, "client-flaky", []);
    expect(all.redriven).toBe(n);
    expect(all.run.edges.find((edge) => edge.edgeId === "client-flaky")).toMatchObject({ sent: 2 * n, redriven: n });
    await expect.poll(() => run.edge(runId, "client-flaky").deadLettered, POLL).toBe(2 * n);
    expect(run.edge(runId, "client-flaky")).toMatchObject({ sent: 2 * n, redriven: n, delivered: 0, failed: 2 * n, inFlight: 0, retries: 2 * n });
    // The same jobs are dead letters again, with their full attempts made again.
    const again = await run.manager.listDeadLetters(runId, "client-flaky", 0);
    expect(again.total).toBe(n);
    expect(new Set(again.deadLetters.map((letter) => letter.jobId))).toEqual(new Set(listed.deadLetters.map((letter) => letter.jobId)));
    for (const letter of again.deadLetters) expect(letter.attempts).toBe(2);
    // Each trace shows both ends: two DEAD_LETTER spans.
    const [traceId] = traceIds;
    await expect
      .poll(() => run.manager.getTrace(runId, traceId).filter((span) => span.status === SpanStatus.DEAD_LETTER).length, POLL)
      .toBe(2);

    // One named job (and one that is no dead letter): only the dead letter goes.
    const one = await run.manager.redriveDeadLetters(runId, "client-flaky", [again.deadLetters[0].jobId, "no-such-job"]);
    expect(one.redriven).toBe(1);
    await expect.poll(() => run.edge(runId, "client-flaky").deadLettered, POLL).toBe(2 * n + 1);
    const broken = watch.stop();
    expect(watch.readings()).toBeGreaterThan(0);
    expect(broken).toEqual([]);

    const summary = await run.stop(runId);
    const flaky = summary.get("client-flaky")!;
    expect(flaky).toMatchObject({ sent: 2 * n + 1, redriven: n + 1, delivered: 0, failed: 2 * n + 1, deadLettered: 2 * n + 1, lost: 0, inFlight: 0 });
    expect(balanced(flaky)).toBe(true);
    // A stopped run has no queue to read.
    expect((await runErrorOf(run.manager.listDeadLetters(runId, "client-flaky", 0))).code).toBe("failed_precondition");
  });

  it("redriven after the cause is fixed, dead letters are delivered: sent = original + redriven, each message ended once", async () => {
    // b's jobs fail while its dependency c is down (its REST call is refused); KILL c, then start it again.
    const topology = topologyOf(
      [{ id: "b" }, { id: "c" }],
      [queueEdge("client-b", "client", "b", "work", { attempts: 2, backoffMs: 10 }), restEdge("b-c", "b", "c", 500)],
    );
    const runId = await run.start(topology);
    await run.manager.injectFault(runId, { nodeId: "c", kind: FaultKind.KILL });
    const n = 10;
    const traceIds = await run.manager.sendMessage(runId, "client", n);
    await expect.poll(() => run.edge(runId, "client-b").deadLettered, POLL).toBe(n);
    const listed = await run.manager.listDeadLetters(runId, "client-b", 0);
    expect(listed.total).toBe(n);
    for (const letter of listed.deadLetters) expect(letter.failedReason).toMatch(/^downstream b-c failed: /);

    await run.manager.clearFault(runId, { nodeId: "c" });
    const watch = watchBooks(runId);
    const redrivenAt = Date.now();
    expect((await run.manager.redriveDeadLetters(runId, "client-b", [])).redriven).toBe(n);
    await expect.poll(() => run.edge(runId, "client-b").delivered, POLL).toBe(n);
    // Each redriven job's wait starts at its redrive, not when it was first sent; its span says it was redriven.
    for (const traceId of traceIds) {
      const redrivenSpan = () =>
        run.manager.getTrace(runId, traceId).find((span) => span.nodeId === "b" && span.attributes["ipcplay.redriven"] === "true");
      await expect.poll(() => redrivenSpan()?.status, POLL).toBe(SpanStatus.OK);
      // The wait ends when the consumer starts (its span's start): at most the time since the redrive (5 ms for two clocks' reading).
      const span = redrivenSpan()!;
      expect(Number(span.attributes["ipcplay.queue_wait_ms"])).toBeLessThanOrEqual(span.startUnixMs - redrivenAt + 5);
    }
    expect(run.edge(runId, "client-b")).toMatchObject({ sent: 2 * n, redriven: n, delivered: n, failed: n, deadLettered: n, inFlight: 0 });
    expect((await run.manager.listDeadLetters(runId, "client-b", 0)).total).toBe(0);
    expect(watch.stop()).toEqual([]);

    const summary = await run.stop(runId);
    expect(summary.get("client-b")).toMatchObject({ sent: 2 * n, redriven: n, delivered: n, failed: n, lost: 0, inFlight: 0 });
    // Each attempt of the first round called c in vain; the redriven round reached it.
    expect(summary.get("b-c")).toMatchObject({ sent: 3 * n, delivered: n, failed: 2 * n });
  });

  it("on a shared channel (competing consumers) a redrive is a send of the channel, and its books hold", async () => {
    const topology = topologyOf(
      [{ id: "w1", errorRate: 1 }, { id: "w2", errorRate: 1 }],
      [
        queueEdge("client-w1", "client", "w1", "jobs", { attempts: 2, backoffMs: 10 }),
        queueEdge("client-w2", "client", "w2", "jobs", { attempts: 2, backoffMs: 10 }),
      ],
    );
    const runId = await run.start(topology);
    const n = 10;
    await run.manager.sendMessage(runId, "client", n);
    const channel = () => run.manager.get(runId).channels.find((candidate) => candidate.channel === "jobs")!;
    await expect.poll(() => channel().failed, POLL).toBe(n);
    // Either edge lists the channel's dead letters, each named by the producer's edge that carried it.
    const viaW1 = await run.manager.listDeadLetters(runId, "client-w1", 0);
    const viaW2 = await run.manager.listDeadLetters(runId, "client-w2", 0);
    expect(viaW1.total).toBe(n);
    expect(viaW2.deadLetters.map((letter) => letter.jobId).sort()).toEqual(viaW1.deadLetters.map((letter) => letter.jobId).sort());
    for (const letter of viaW1.deadLetters) expect(letter.edgeId).toBe("client-w1");

    const watch = watchBooks(runId);
    expect((await run.manager.redriveDeadLetters(runId, "client-w2", [])).redriven).toBe(n);
    await expect.poll(() => channel().failed, POLL).toBe(2 * n);
    expect(channel()).toMatchObject({ sent: 2 * n, redriven: n, delivered: 0, failed: 2 * n, lost: 0, inFlight: 0 });
    for (const edgeId of ["client-w1", "client-w2"]) expect(run.edge(runId, edgeId)).toMatchObject({ sent: 2 * n, redriven: n });
    // The consumers' shares add up to the channel's ends.
    expect(run.edge(runId, "client-w1").deadLettered + run.edge(runId, "client-w2").deadLettered).toBe(2 * n);
    expect(watch.stop()).toEqual([]);

    const { redisPrefix } = run.manager.get(runId);
    const summary = await run.manager.stop(runId);
    expect(await run.redis.keys(`${redisPrefix}*`)).toEqual([]);
    const shared = summary.channels.find((candidate) => candidate.channel === "jobs")!;
    expect(shared).toMatchObject({ sent: 2 * n, redriven: n, failed: 2 * n, inFlight: 0 });
    expect(balanced(shared)).toBe(true);
  });
});
