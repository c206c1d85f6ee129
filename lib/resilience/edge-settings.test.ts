import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { EdgeSchema, Transport, type Edge } from "@/lib/gen/ipcplay/v1/topology_pb";
import { breakerOf, retriesOf } from "./edge-settings";

function restEdge(value: Record<string, unknown>): Edge {
  return create(EdgeSchema, { id: "e", source: "a", target: "b", transport: Transport.REST, settings: { case: "rest", value } });
}

describe("breakerOf", () => {
  it("is undefined without a breaker or with threshold 0", () => {
    expect(breakerOf(restEdge({}))).toBeUndefined();
    expect(breakerOf(restEdge({ circuitBreaker: { failureRateThreshold: 0, minimumCalls: 5 } }))).toBeUndefined();
  });

  it("fills the defaults a document left at 0", () => {
    expect(breakerOf(restEdge({ circuitBreaker: { failureRateThreshold: 0.5, openMs: 500 } }))).toEqual({
      failureRateThreshold: 0.5,
      minimumCalls: 10,
      windowS: 10,
      openMs: 500,
      halfOpenCalls: 3,
    });
  });

  it("reads a Connect edge's breaker, and none of a queue edge", () => {
    const connect = create(EdgeSchema, { transport: Transport.CONNECT, settings: { case: "connect", value: { circuitBreaker: { failureRateThreshold: 1 } } } });
    expect(breakerOf(connect)?.failureRateThreshold).toBe(1);
    const queue = create(EdgeSchema, { transport: Transport.QUEUE, settings: { case: "queue", value: { channel: "q" } } });
    expect(breakerOf(queue)).toBeUndefined();
  });
});

describe("retriesOf", () => {
  it("reads retries, backoff, jitter and budget", () => {
    expect(retriesOf(restEdge({ retries: 3, retryBackoffMs: 100, retryJitter: true, retryBudgetPercent: 20 }))).toEqual({
      retries: 3,
      backoffMs: 100,
      jitter: true,
      budgetPercent: 20,
    });
    expect(retriesOf(restEdge({}))).toEqual({ retries: 0, backoffMs: 0, jitter: false, budgetPercent: 0 });
  });
});
