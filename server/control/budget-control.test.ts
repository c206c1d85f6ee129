/**
 * The run budget and the admission check as a script sees them over plain
 * JSON: Connect `resource_exhausted` (HTTP 429) with a message that gives the
 * numbers, set through the environment as a deployment would (README, "Run
 * budgets").
 */
import { afterEach, describe, expect, it } from "vitest";
import { startPlayground, type Playground } from "@/server/app";
import { buildHostBundle } from "@/server/runtime/test-support";
import { fixture } from "./control-test-support";

let playground: Playground | undefined;

/** A server whose run manager reads these variables (restored once it has started). */
async function serverWith(env: Record<string, string>): Promise<Playground> {
  const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  Object.assign(process.env, env);
  try {
    playground = await startPlayground({ port: 0, host: "127.0.0.1", next: false, log: () => undefined });
    return playground;
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

async function post(server: Playground, method: string, body: object, token?: string) {
  const response = await fetch(`${server.url}/ipcplay.v1.PlaygroundService/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, any> };
}

afterEach(async () => {
  await playground?.close();
  playground = undefined;
});

describe("run budgets over the control plane", () => {
  it("answers SendMessage past the run's rate with resource_exhausted (429) and the numbers; nothing of it is sent", async () => {
    buildHostBundle();
    const server = await serverWith({ IPCPLAY_RUN_MESSAGES_PER_SECOND: "1000" });
    const started = await post(server, "StartRun", { topology: fixture("rest-chain.json") });
    expect(started.status).toBe(200);
    const { runId, token } = started.json as { runId: string; token: string };
    const calls = await Promise.all(Array.from({ length: 20 }, () => post(server, "SendMessage", { runId, nodeId: "client", count: 1000 }, token)));
    const admitted = calls.filter((call) => call.status === 200);
    const refused = calls.filter((call) => call.status !== 200);
    console.log(`20 × 1,000 at 1,000 msg/s: ${admitted.length} admitted; ${refused.length} refused, e.g. ${refused[0]?.status} ${refused[0]?.json.code}: ${refused[0]?.json.message}`);
    expect(admitted).toHaveLength(1);
    expect(refused).toHaveLength(19);
    for (const call of refused) {
      expect(call.status).toBe(429);
      expect(call.json.code).toBe("resource_exhausted");
      expect(call.json.message).toMatch(/SendMessage refused, nothing was sent: the run's budget is 1,000 messages per second, all sources together/);
    }
    const stopped = await post(server, "StopRun", { runId }, token);
    const client = (stopped.json.summary.edges as Array<{ edgeId: string; sent?: number }>).find((edge) => edge.edgeId.startsWith("client"));
    expect(client?.sent).toBe(1000);
  });

  it("answers StartRun that would not fit the machine with resource_exhausted (429) and the numbers", async () => {
    const server = await serverWith({ IPCPLAY_ADMIT_SERVICE_MB: "100000000" });
    const started = await post(server, "StartRun", { topology: fixture("rest-chain.json") });
    console.log(`StartRun: ${started.status} ${started.json.code}: ${started.json.message}`);
    expect(started.status).toBe(429);
    expect(started.json.code).toBe("resource_exhausted");
    expect(started.json.message).toMatch(/This run would not fit the machine's memory: 3 processes × 100,000,000 MB \(estimate for a fresh service\) = 300,000,000 MB, and the machine has [\d,]+ MB free/);
  });
});
