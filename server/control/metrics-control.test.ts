/**
 * GetMetrics as scripts and curl see it: a JSON POST on a real server,
 * token-checked like GetRun, answering columns (one time array, one value
 * array per series), for a live run and for a stopped one the server keeps.
 * Real processes and real Redis behind it.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPlayground, type Playground } from "@/server/app";

let playground: Playground;

beforeAll(async () => {
  playground = await startPlayground({ port: 0, host: "127.0.0.1", next: false, log: () => undefined });
});

afterAll(async () => {
  await playground?.close();
});

async function post(method: string, body: object, token?: string) {
  const response = await fetch(`${playground.url}/ipcplay.v1.PlaygroundService/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, any> };
}

interface SeriesJson {
  subject: string;
  id: string;
  metric: string;
  values?: number[];
}

const fixture = () => JSON.parse(readFileSync(path.join(import.meta.dirname, "fixtures", "rest-chain.json"), "utf8"));

describe("GetMetrics over plain JSON", () => {
  it("answers a run's series as columns with its token, live and after the stop; no token or a wrong one is refused", async () => {
    const started = await post("StartRun", { topology: fixture() });
    expect(started.status).toBe(200);
    const { runId, token } = started.json as { runId: string; token: string };

    const noToken = await post("GetMetrics", { runId });
    expect(noToken.json.code).toBe("unauthenticated");
    const wrongToken = await post("GetMetrics", { runId }, "not-the-token");
    expect(wrongToken.json.code).toBe("permission_denied");
    // Another run's id with this token: the same answer, so nobody learns which run ids exist.
    const otherRun = await post("GetMetrics", { runId: "no-such-run" }, token);
    expect(otherRun.json.code).toBe("permission_denied");

    await post("SendMessage", { runId, nodeId: "client", count: 5 }, token);
    await expect
      .poll(async () => {
        const { json } = await post("GetMetrics", { runId }, token);
        const sent = (json.metrics.series as SeriesJson[] | undefined)?.find((s) => s.subject === "edge" && s.id === "client-orders" && s.metric === "sent");
        return (sent?.values ?? []).reduce((a, b) => a + b, 0);
      }, { timeout: 10_000 })
      .toBe(5);
    const live = (await post("GetMetrics", { runId }, token)).json.metrics as { timestampsUnixMs: number[]; series: SeriesJson[] };
    expect(live.timestampsUnixMs.length).toBeGreaterThan(0);
    for (const series of live.series) expect(series.values ?? []).toHaveLength(live.timestampsUnixMs.length);
    expect(new Set(live.series.map((s) => s.subject))).toEqual(new Set(["edge", "node"]));

    const stopped = await post("StopRun", { runId }, token);
    expect(stopped.status).toBe(200);
    const last = (await post("GetMetrics", { runId }, token)).json.metrics as { timestampsUnixMs: number[]; series: SeriesJson[] };
    expect(last.timestampsUnixMs.length).toBeGreaterThan(live.timestampsUnixMs.length);
    const billing = last.series.find((s) => s.id === "orders-billing" && s.metric === "delivered")!;
    expect((billing.values ?? []).reduce((a, b) => a + b, 0)).toBe(5);
    const since = (await post("GetMetrics", { runId, sinceUnixMs: last.timestampsUnixMs.at(-2) }, token)).json.metrics;
    expect(since.timestampsUnixMs).toEqual([last.timestampsUnixMs.at(-1)]);
  });
});
