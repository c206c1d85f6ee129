/**
 * ListDeadLetters and RedriveDeadLetters as scripts and curl see them: JSON
 * POSTs on a real server, token-checked like every run method, with the
 * documented error codes. Real processes and real Redis behind it.
 */
import { describe, expect, it } from "vitest";
import { controlPlane, fixture } from "./control-test-support";

const { post } = controlPlane();

/** The REST chain of the fixtures, plus a queue edge to a service that always fails (two attempts). */
function topology() {
  const chain = fixture("rest-chain.json");
  chain.nodes.push({ id: "flaky", label: "Flaky", kind: "NODE_KIND_SERVICE", position: { x: 240, y: 200 }, behavior: { errorRate: 1 } });
  chain.edges.push({ id: "client-flaky", source: "client", target: "flaky", transport: "TRANSPORT_QUEUE", queue: { channel: "bad", attempts: 2, backoffMs: 10 } });
  return chain;
}

describe("dead letters over plain JSON", () => {
  it("lists and redrives a queue edge's dead letters with the run's token; wrong edges and stopped runs get their codes", async () => {
    const started = await post("StartRun", { topology: topology() });
    expect(started.status).toBe(200);
    const { runId, token } = started.json as { runId: string; token: string };
    const sent = await post("SendMessage", { runId, nodeId: "client", count: 3 }, token);
    expect(sent.json.traceIds).toHaveLength(3);

    expect((await post("ListDeadLetters", { runId, edgeId: "client-flaky" })).json.code).toBe("unauthenticated");
    expect((await post("RedriveDeadLetters", { runId, edgeId: "client-flaky" }, "not-the-token")).json.code).toBe("permission_denied");

    await expect
      .poll(async () => (await post("ListDeadLetters", { runId, edgeId: "client-flaky" }, token)).json.total ?? 0, { timeout: 20_000, interval: 50 })
      .toBe(3);
    const listed = await post("ListDeadLetters", { runId, edgeId: "client-flaky", limit: 2 }, token);
    expect(listed.status).toBe(200);
    expect(listed.json.total).toBe(3);
    expect(listed.json.deadLetters).toHaveLength(2);
    for (const letter of listed.json.deadLetters) {
      expect(letter).toMatchObject({ edgeId: "client-flaky", failedReason: "error rate", attempts: 2 });
      expect(sent.json.traceIds).toContain(letter.traceId);
      expect(letter.jobId).toMatch(/\S/);
      expect(letter.failedUnixMs).toBeGreaterThan(0);
    }

    const notQueue = await post("ListDeadLetters", { runId, edgeId: "client-orders" }, token);
    expect(notQueue.json.code).toBe("invalid_argument");
    expect(notQueue.json.message).toContain("client-orders");
    expect((await post("RedriveDeadLetters", { runId, edgeId: "no-such-edge" }, token)).json.code).toBe("not_found");

    const redriven = await post("RedriveDeadLetters", { runId, edgeId: "client-flaky", jobIds: [listed.json.deadLetters[0].jobId] }, token);
    expect(redriven.status).toBe(200);
    expect(redriven.json.redriven).toBe(1);
    expect(redriven.json.run.edges.find((edge: { edgeId: string }) => edge.edgeId === "client-flaky")).toMatchObject({ sent: 4, redriven: 1 });

    const stopped = await post("StopRun", { runId }, token);
    expect(stopped.status).toBe(200);
    const flaky = stopped.json.summary.edges.find((edge: { edgeId: string }) => edge.edgeId === "client-flaky");
    expect(flaky).toMatchObject({ sent: 4, redriven: 1 });
    expect(flaky.sent).toBe((flaky.delivered ?? 0) + (flaky.failed ?? 0) + (flaky.lost ?? 0) + (flaky.inFlight ?? 0));
    expect((await post("ListDeadLetters", { runId, edgeId: "client-flaky" }, token)).json.code).toBe("failed_precondition");
  });
});
