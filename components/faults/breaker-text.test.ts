import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { BreakerState, EdgeCountersSchema } from "@/lib/gen/ipcplay/v1/playground_pb";
import { EdgeSchema, Transport } from "@/lib/gen/ipcplay/v1/topology_pb";
import { breakerLook, breakerSentence, resilienceLines } from "./breaker-text";

const withBreaker = create(EdgeSchema, {
  id: "a-b",
  transport: Transport.REST,
  settings: { case: "rest", value: { circuitBreaker: { failureRateThreshold: 0.5, minimumCalls: 10, windowS: 10 } } },
});
const without = create(EdgeSchema, { id: "a-b", transport: Transport.REST, settings: { case: "rest", value: {} } });

describe("breakerLook", () => {
  it("follows the live state, else the settings", () => {
    expect(breakerLook(withBreaker, undefined)).toBe("configured");
    expect(breakerLook(without, undefined)).toBeNull();
    expect(breakerLook(withBreaker, create(EdgeCountersSchema, { breaker: BreakerState.OPEN }))).toBe("open");
    expect(breakerLook(withBreaker, create(EdgeCountersSchema, { breaker: BreakerState.HALF_OPEN }))).toBe("half-open");
    expect(breakerLook(withBreaker, create(EdgeCountersSchema, { breaker: BreakerState.CLOSED }))).toBe("closed");
    expect(breakerLook(without, create(EdgeCountersSchema, { breaker: BreakerState.NONE }))).toBeNull();
    // A server that does not report breakers yet: the settings decide.
    expect(breakerLook(withBreaker, create(EdgeCountersSchema, {}))).toBe("configured");
  });
  it("explains itself", () => {
    expect(breakerSentence("open", undefined, 12)).toContain("12 so far");
    expect(breakerSentence("closed", { failureRateThreshold: 0.5, minimumCalls: 10, windowS: 10 } as never)).toContain("50 % of at least 10 calls in 10 s");
  });
});

describe("resilienceLines", () => {
  it("shows attempts per message and what was refused", () => {
    const lines = resilienceLines(create(EdgeCountersSchema, { sent: 100, attempts: 250, retriesRefused: 3, shortCircuited: 7 }), true);
    expect(lines.map((l) => [l.key, l.value, l.note ?? ""])).toEqual([
      ["attempts", "250", "2.50 per message"],
      ["retries-refused", "3", ""],
      ["short-circuited", "7", ""],
    ]);
    expect(lines[0].alarm).toBe(true);
    expect(resilienceLines(create(EdgeCountersSchema, { duplicates: 4 }), false)).toEqual([{ key: "duplicates", label: "Duplicates delivered", value: "4" }]);
  });

  it("says how many calls the caller's HTTP cache answered", () => {
    const lines = resilienceLines(create(EdgeCountersSchema, { sent: 10, attempts: 1, cacheHits: 9, cacheMisses: 1 }), true);
    expect(lines.at(-1)).toEqual({ key: "cache-hits", label: "Answered from cache", value: "9", note: "of 10 calls (90 %)" });
    expect(resilienceLines(create(EdgeCountersSchema, { sent: 10, attempts: 10 }), true).map((l) => l.key)).not.toContain("cache-hits");
  });
});
