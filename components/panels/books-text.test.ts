import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { EdgeCountersSchema, OutcomeCountSchema, SharedChannelSchema } from "@/lib/gen/ipcplay/v1/playground_pb";
import {
  breakdownText,
  channelOf,
  inFlightText,
  ledgerLines,
  listWords,
  outcomeText,
  shareLines,
  sharedSentence,
  summaryRows,
  timingStats,
  tookText,
} from "./books-text";
import { shortCount } from "@/components/canvas/short-count";

const outcome = (name: string, count: number) => create(OutcomeCountSchema, { outcome: name, count });

describe("ledgerLines", () => {
  const c = create(EdgeCountersSchema, {
    sent: 1234,
    delivered: 1200,
    failed: 20,
    lost: 4,
    inFlight: 10,
    queued: 3,
    failedBy: [outcome("timed out", 15), outcome("unreachable", 5)],
    lostBy: [outcome("caller died", 4)],
  });

  it("lists the books in order, each named outcome under its total", () => {
    const lines = ledgerLines(c, 7);
    expect(lines.map((l) => `${l.sub ? "  " : ""}${l.label} ${l.value}${l.note ? ` (${l.note})` : ""}`)).toEqual([
      "Sent 1,234",
      "Delivered 1,200",
      "Failed 20",
      "  timed out 15",
      "  unreachable 5",
      "Lost 4",
      "  caller died 4",
      "In flight 10 (3 queued)",
      "Retries 7 (extra attempts, not messages)",
    ]);
  });

  it("marks failures and losses red, zeros quiet, and leaves retries out when not asked", () => {
    const lines = ledgerLines(c);
    expect(lines.filter((l) => l.alarm).map((l) => l.key)).toEqual(["failed", "failed:timed out", "failed:unreachable", "lost", "lost:caller died"]);
    expect(lines.some((l) => l.key === "retries")).toBe(false);
    const clean = ledgerLines(create(EdgeCountersSchema, { sent: 5, delivered: 5 }));
    expect(clean.filter((l) => l.alarm)).toEqual([]);
    expect(clean.filter((l) => l.quiet).map((l) => l.key)).toEqual(["failed", "lost", "in-flight"]);
    expect(clean.find((l) => l.key === "in-flight")?.note).toBeUndefined();
  });

  it("leaves out outcomes counted zero", () => {
    const lines = ledgerLines(create(EdgeCountersSchema, { sent: 2, failed: 2, failedBy: [outcome("error reply", 2), outcome("timed out", 0)] }));
    expect(lines.filter((l) => l.sub).map((l) => l.label)).toEqual(["error reply"]);
  });
});

describe("a competing consumer's share", () => {
  const a = create(EdgeCountersSchema, {
    edgeId: "orders-worker-a",
    sent: 100,
    delivered: 40,
    failed: 5,
    lost: 0,
    inFlight: 12,
    failedBy: [outcome("processing failed", 5)],
    sharedWith: ["orders-worker-b"],
  });

  it("says what it took of the channel, never its sent as if the rest were lost", () => {
    expect(tookText(a)).toBe("took 45 of 100");
    expect(tookText({ ...a, delivered: 40_000, sent: 120_000 }, shortCount)).toBe("took 40k of 120k");
    expect(sharedSentence("orders", ["Orders → Worker B"], a)).toBe('Shares queue "orders" with Orders → Worker B — this consumer took 45 of 100');
    expect(sharedSentence("jobs", ["A → B", "A → C"], a)).toBe('Shares queue "jobs" with A → B and A → C — this consumer took 45 of 100');
  });

  it("its ledger has Took and its ends, not the channel's sent and in flight", () => {
    const lines = shareLines(a, 2);
    expect(lines.map((l) => l.key)).toEqual(["took", "delivered", "failed", "failed:processing failed", "lost", "retries"]);
    expect(lines[0]).toMatchObject({ label: "Took", value: "45", note: "of 100 sent" });
  });

  it("finds its channel", () => {
    const ch = create(SharedChannelSchema, { channel: "orders", edgeIds: ["orders-worker-a", "orders-worker-b"] });
    expect(channelOf("orders-worker-b", [ch])?.channel).toBe("orders");
    expect(channelOf("client-orders", [ch])).toBeUndefined();
  });
});

describe("summaryRows", () => {
  it("puts a shared channel's row once, before its consumers, which follow it together", () => {
    const edges = ["client-orders", "orders-a", "other", "orders-b"].map((edgeId) =>
      create(EdgeCountersSchema, { edgeId, sharedWith: edgeId.startsWith("orders-") ? [edgeId === "orders-a" ? "orders-b" : "orders-a"] : [] }),
    );
    const ch = create(SharedChannelSchema, { channel: "orders", edgeIds: ["orders-a", "orders-b"] });
    const rows = summaryRows(edges, [ch]);
    expect(rows.map((r) => (r.kind === "channel" ? `#${r.channel.channel}` : `${r.counters.edgeId}${r.channel ? "*" : ""}`))).toEqual([
      "client-orders",
      "#orders",
      "orders-a*",
      "orders-b*",
      "other",
    ]);
  });

  it("keeps a shared edge whose channel the server did not send as a plain row", () => {
    const rows = summaryRows([create(EdgeCountersSchema, { edgeId: "x", sharedWith: ["y"] })], []);
    expect(rows).toEqual([{ kind: "edge", counters: expect.objectContaining({ edgeId: "x" }) }]);
  });
});

describe("outcome words", () => {
  it("names each outcome with its count, zeros left out", () => {
    expect(outcomeText([outcome("timed out", 3), outcome("unreachable", 0), outcome("overloaded", 1200)])).toBe("timed out 3 · overloaded 1,200");
    expect(breakdownText({ failedBy: [outcome("error reply", 2)], lostBy: [outcome("no subscriber", 1)] })).toBe("error reply 2 · no subscriber 1");
    expect(breakdownText({ failedBy: [], lostBy: [] })).toBe("");
  });

  it("says how many of those in flight wait in the broker", () => {
    expect(inFlightText(5, 0)).toBe("5");
    expect(inFlightText(1500, 2)).toBe("1,500 (2 queued)");
  });

  it("lists words", () => {
    expect(listWords([])).toBe("");
    expect(listWords(["a"])).toBe("a");
    expect(listWords(["a", "b", "c"])).toBe("a, b and c");
  });
});

describe("timingStats", () => {
  const c = create(EdgeCountersSchema, { p50Ms: 2, p95Ms: 5, p99Ms: 9, waitP50Ms: 30, waitP99Ms: 400, workP50Ms: 0, workP99Ms: 410 });
  it("calls a synchronous edge's latency the call and has no wait", () => {
    const rows = timingStats(c, false);
    expect(rows.map((r) => r.map((s) => s.label))).toEqual([["Call p50", "Call p95", "Call p99"], ["Work p50", "Work p99"]]);
  });
  it("calls an asynchronous edge's latency the hand-off, and shows its wait", () => {
    const rows = timingStats(c, true);
    expect(rows.map((r) => r.map((s) => s.label))).toEqual([["Hand-off p50", "Hand-off p95", "Hand-off p99"], ["Wait p50", "Wait p99"], ["Work p50", "Work p99"]]);
    expect(rows[1].map((s) => s.ms)).toEqual([30, 400]);
  });
  it("has no figure, rather than 0 ms, when nothing was measured", () => {
    expect(timingStats(c, true)[2][0].ms).toBeNull();
  });
});
