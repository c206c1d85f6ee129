/**
 * The caller's HTTP cache on a GET edge: the callee answers Cache-Control
 * max-age (the edge's cache_max_age_s), the caller stores the reply and
 * answers later calls from it without a request — counted as cache hits,
 * delivered, and with no SERVER span at the callee. Real processes.
 */
import { describe, expect, it } from "vitest";
import { SpanKind } from "@/lib/gen/ipcplay/v1/playground_pb";
import { POLL, restEdge, runHarness, topologyOf } from "./transport-harness";

const run = runHarness();

function getEdge(cacheMaxAgeS: number) {
  const edge = restEdge("client-catalog", "client", "catalog");
  if (edge.settings.case === "rest") Object.assign(edge.settings.value, { method: "GET", cacheMaxAgeS });
  return edge;
}

/** Sends one message at a time, each after the previous one's CLIENT span ended (so its reply is stored). */
async function sendOneByOne(runId: string, count: number): Promise<string[]> {
  const traceIds: string[] = [];
  for (let i = 0; i < count; i++) {
    const [traceId] = await run.manager.sendMessage(runId, "client", 1);
    await expect.poll(() => run.manager.getTrace(runId, traceId).some((span) => span.kind === SpanKind.CLIENT), POLL).toBe(true);
    traceIds.push(traceId);
  }
  return traceIds;
}

describe("the caller's HTTP cache", () => {
  it("answers GETs from a fresh stored reply: one request, the rest hits, all delivered", async () => {
    const runId = await run.start(topologyOf([{ id: "catalog" }], [getEdge(60)]));
    const traceIds = await sendOneByOne(runId, 6);
    await expect.poll(() => run.edge(runId, "client-catalog").delivered, POLL).toBe(6);
    expect(run.edge(runId, "client-catalog")).toMatchObject({ sent: 6, delivered: 6, failed: 0, cacheMisses: 1, cacheHits: 5 });

    const [first, ...rest] = traceIds.map((traceId) => run.manager.getTrace(runId, traceId));
    expect(first.find((span) => span.kind === SpanKind.CLIENT)?.attributes["ipcplay.cache"]).toBe("miss");
    expect(first.some((span) => span.kind === SpanKind.SERVER && span.nodeId === "catalog")).toBe(true);
    for (const spans of rest) {
      const call = spans.find((span) => span.kind === SpanKind.CLIENT)!;
      expect(call.attributes).toMatchObject({ "ipcplay.cache": "hit", "http.response.status_code": "200", "ipcplay.attempts": "0" });
      // Answered by the cache: the callee never saw it.
      expect(spans.some((span) => span.nodeId === "catalog")).toBe(false);
    }
    const summary = await run.stop(runId);
    expect(summary.get("client-catalog")).toMatchObject({ sent: 6, delivered: 6, cacheHits: 5, cacheMisses: 1 });
  });

  it("sends every GET when the callee does not allow caching (cache_max_age_s 0)", async () => {
    const runId = await run.start(topologyOf([{ id: "catalog" }], [getEdge(0)]));
    await sendOneByOne(runId, 4);
    await expect.poll(() => run.edge(runId, "client-catalog").delivered, POLL).toBe(4);
    expect(run.edge(runId, "client-catalog")).toMatchObject({ cacheHits: 0, cacheMisses: 4 });
    await run.stop(runId);
  });
});
