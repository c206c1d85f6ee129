/**
 * GetMetrics as scripts and curl see it: a JSON POST on a real server,
 * token-checked like GetRun, answering columns (one time array, one value
 * array per series), for a live run and for a stopped one the server keeps.
 * Real processes and real Redis behind it.
 */
import { describe, expect, it } from "vitest";
import { controlPlane, fixture } from "./control-test-support";

const { post } = controlPlane();

interface SeriesJson {
  subject: string;
  id: string;
  metric: string;
  values?: number[];
}


describe("GetMetrics over plain JSON", () => {
  it("answers a run's series as columns with its token, live and after the stop; no token or a wrong one is refused", async () => {
    const started = await post("StartRun", { topology: fixture("rest-chain.json") });
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
