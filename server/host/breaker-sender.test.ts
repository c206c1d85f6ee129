/**
 * The breaker around a sender, with a fake sender and clock: what a
 * short-circuited send looks like, and that a refused call never reaches the
 * sender.
 */
import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { SpanKind, SpanStatus } from "@/lib/gen/ipcplay/v1/playground_pb";
import { EdgeSchema, Transport } from "@/lib/gen/ipcplay/v1/topology_pb";
import { withBreaker } from "./breaker-sender";
import type { SendOutcome, Sender } from "./transports/transport";

function edge(failureRateThreshold: number) {
  return create(EdgeSchema, {
    id: "gw-be",
    source: "gw",
    target: "be",
    transport: Transport.REST,
    settings: {
      case: "rest",
      value: { method: "POST", path: "/", timeoutMs: 100, circuitBreaker: { failureRateThreshold, minimumCalls: 2, windowS: 10, openMs: 500, halfOpenCalls: 1 } },
    },
  });
}

function fakeSender() {
  const state = { ok: false, sends: 0 };
  const sender: Sender = {
    spanName: "POST /",
    spanKind: SpanKind.CLIENT,
    async send(): Promise<SendOutcome> {
      state.sends++;
      return state.ok
        ? { status: SpanStatus.OK, statusMessage: "", attempts: 1, attributes: {} }
        : { status: SpanStatus.UNAVAILABLE, statusMessage: "ECONNREFUSED", attempts: 1, outcome: "unreachable", attributes: {} };
    },
    close: async () => {},
  };
  return { sender, state };
}

const message = { traceId: "t", spanId: "s", hop: 1, payload: "", sampled: true };

describe("withBreaker", () => {
  it("returns the sender itself when the edge has no breaker", () => {
    const { sender } = fakeSender();
    expect(withBreaker(edge(0), sender, { log: () => {} })).toBe(sender);
  });

  it("opens, short-circuits without sending, half-opens and closes; logs each change; reports its state", async () => {
    const clock = { now: 0 };
    const lines: string[] = [];
    const { sender, state } = fakeSender();
    const guarded = withBreaker(edge(0.5), sender, { log: (_level, line) => lines.push(line) }, () => clock.now);
    expect(await guarded.gauges!()).toEqual({ breaker: "closed" });
    await guarded.send(message);
    await guarded.send(message);
    expect(await guarded.gauges!()).toEqual({ breaker: "open" });

    const refused = await guarded.send(message);
    expect(state.sends).toBe(2);
    expect(refused).toMatchObject({
      status: SpanStatus.UNAVAILABLE,
      statusMessage: "circuit breaker open",
      attempts: 0,
      outcome: "short-circuited",
      attributes: { "ipcplay.breaker": "open" },
    });

    clock.now = 500;
    state.ok = true;
    const probe = await guarded.send(message);
    expect(probe.status).toBe(SpanStatus.OK);
    expect(state.sends).toBe(3);
    expect(await guarded.gauges!()).toEqual({ breaker: "closed" });
    expect(lines).toEqual([
      "breaker on edge gw-be opened: 2 of 2 calls failed in 10 s; calls fail at once for 500 ms",
      "breaker on edge gw-be half-open after 500 ms: letting 1 probe call through",
      "breaker on edge gw-be closed: 1 of 1 probe call succeeded",
    ]);
  });
});
