import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { EdgeCountersSchema, QueueDepthSchema } from "@/lib/gen/ipcplay/v1/playground_pb";
import { ConnectProtocol, Transport } from "@/lib/gen/ipcplay/v1/topology_pb";
import { createEdge } from "@/lib/topology";
import { badgeText, channelsOf, counterParts, edgeCaption, IN_FLIGHT_PILE_UP, liveBadge, sharedChannelNotice, sharingChannel } from "./edge-text";

describe("edgeCaption", () => {
  it("says method and path for REST", () => {
    expect(edgeCaption(createEdge("e", "a", "b", Transport.REST))).toBe("POST /");
  });
  it("says the protocol for Connect/gRPC", () => {
    const e = createEdge("e", "a", "b", Transport.CONNECT);
    expect(edgeCaption(e)).toBe("Connect");
    if (e.settings.case === "connect") e.settings.value.protocol = ConnectProtocol.GRPC_WEB;
    expect(edgeCaption(e)).toBe("gRPC-web");
  });
  it("names the queue and the topic", () => {
    expect(edgeCaption(createEdge("e", "a", "orders", Transport.QUEUE))).toBe('queue "orders"');
    const p = createEdge("e", "a", "b", Transport.PUBSUB);
    if (p.settings.case === "pubsub") p.settings.value.channel = "order-placed";
    expect(edgeCaption(p)).toBe('topic "order-placed"');
  });
});

describe("liveBadge", () => {
  it("shows queue depth with dead letters as an alarm", () => {
    const c = create(EdgeCountersSchema, { queue: create(QueueDepthSchema, { waiting: 12, active: 1, deadLetters: 2 }) });
    const parts = liveBadge(Transport.QUEUE, c)!;
    expect(badgeText(parts)).toBe("12 waiting · 1 active · 2 DLQ");
    expect(parts.find((p) => p.key === "dlq")?.alarm).toBe(true);
    expect(parts.find((p) => p.key === "waiting")?.alarm).toBeFalsy();
  });
  it("abbreviates big figures rather than let the pill grow under the cards", () => {
    const c = create(EdgeCountersSchema, { queue: create(QueueDepthSchema, { waiting: 12_345, active: 2 }), lost: 0 });
    expect(badgeText(liveBadge(Transport.QUEUE, c)!)).toBe("12.3k waiting · 2 active · 0 DLQ");
    expect(badgeText(liveBadge(Transport.PUBSUB, create(EdgeCountersSchema, { subscribers: 2, lost: 1_500_000 }))!)).toBe("2 subs · 1.5M lost");
  });
  it("mentions delayed retries only when there are some", () => {
    const c = create(EdgeCountersSchema, { queue: create(QueueDepthSchema, { waiting: 0, delayed: 3 }) });
    expect(badgeText(liveBadge(Transport.QUEUE, c)!)).toBe("0 waiting · 0 active · 3 retrying · 0 DLQ");
    expect(liveBadge(Transport.QUEUE, c)!.find((p) => p.key === "dlq")?.alarm).toBe(false);
  });
  it("shows subscribers and losses for pub/sub", () => {
    expect(badgeText(liveBadge(Transport.PUBSUB, create(EdgeCountersSchema, { subscribers: 3, lost: 5 }))!)).toBe("3 subs · 5 lost");
    const one = liveBadge(Transport.PUBSUB, create(EdgeCountersSchema, { subscribers: 1 }))!;
    expect(badgeText(one)).toBe("1 sub · 0 lost");
    expect(one[1].alarm).toBe(false);
  });
  it("has no badge for synchronous edges or before counters arrive", () => {
    expect(liveBadge(Transport.REST, create(EdgeCountersSchema))).toBeNull();
    expect(liveBadge(Transport.CONNECT, create(EdgeCountersSchema))).toBeNull();
    expect(liveBadge(Transport.QUEUE, undefined)).toBeNull();
  });
});

describe("counterParts", () => {
  const text = (transport: Transport, fields: Parameters<typeof create<typeof EdgeCountersSchema>>[1], live = true) =>
    badgeText(counterParts(transport, create(EdgeCountersSchema, fields), live));

  it("counts sends, failures and losses, the bad ones in red", () => {
    const parts = counterParts(Transport.REST, create(EdgeCountersSchema, { sent: 37_417, delivered: 36_000, failed: 1_203, lost: 2, p50Ms: 12 }), true);
    expect(badgeText(parts)).toBe("37.4k sent · 1,203 failed · 2 lost · p50 12 ms");
    expect(parts.filter((p) => p.alarm).map((p) => p.key)).toEqual(["failed", "lost"]);
    expect(parts[0].title).toBe("37,417 sent");
    expect(text(Transport.REST, { sent: 3 })).toBe("3 sent");
  });

  it("says what a competing consumer took of its shared queue, never the queue's sent as its own", () => {
    const shared = { sent: 12_000, delivered: 5_000, failed: 10, lost: 0, inFlight: 40, sharedWith: ["orders-worker-b"], p50Ms: 1 };
    expect(text(Transport.QUEUE, shared)).toBe("took 5,010 of 12k · 10 failed · p50 1 ms");
    // Its in flight is the queue's: not told on one consumer's pill, even after the run.
    expect(text(Transport.QUEUE, shared, false)).not.toContain("in flight");
    expect(counterParts(Transport.QUEUE, create(EdgeCountersSchema, shared), true)[0].title).toContain("took 5,010 of the 12,000");
  });

  it("mentions in flight when calls pile up while running, and whatever is left once stopped", () => {
    expect(text(Transport.REST, { sent: 10, delivered: 9, inFlight: 1 })).toBe("10 sent");
    expect(text(Transport.REST, { sent: 10, delivered: 10 - IN_FLIGHT_PILE_UP, inFlight: IN_FLIGHT_PILE_UP })).toContain(`${IN_FLIGHT_PILE_UP} in flight`);
    // A queue's live badge already shows its waiting and active jobs.
    expect(text(Transport.QUEUE, { sent: 100, delivered: 50, inFlight: 50 })).not.toContain("in flight");
    expect(text(Transport.QUEUE, { sent: 100, delivered: 99, inFlight: 1 }, false)).toContain("1 in flight");
  });

  it("leaves a running topic's losses to its badge, and tells them after the run", () => {
    expect(text(Transport.PUBSUB, { sent: 10, delivered: 5, lost: 5 })).toBe("10 sent");
    expect(text(Transport.PUBSUB, { sent: 10, delivered: 5, lost: 5 }, false)).toBe("10 sent · 5 lost");
  });
});

describe("channels", () => {
  it("lists each channel once and finds edges that share one", () => {
    const a = createEdge("a", "x", "orders", Transport.QUEUE);
    const b = createEdge("b", "y", "orders", Transport.QUEUE);
    const c = createEdge("c", "y", "mail", Transport.QUEUE);
    const d = createEdge("d", "y", "z", Transport.PUBSUB);
    expect(channelsOf([a, b, c, d], "queue")).toEqual(["mail", "orders"]);
    expect(channelsOf([a, b, c, d], "pubsub")).toEqual(["events"]);
    expect(sharingChannel([a, b, c, d], a).map((e) => e.id)).toEqual(["b"]);
    expect(sharingChannel([a, b, c, d], createEdge("r", "x", "y", Transport.REST))).toEqual([]);
  });
});

describe("sharedChannelNotice", () => {
  const q = (id: string, channel: string) => createEdge(id, "a", channel, Transport.QUEUE);
  it("names the queues and topics a paste shares with the canvas", () => {
    const existing = [q("a-b", "orders")];
    expect(sharedChannelNotice(existing, [q("a-2-b-2", "orders")])).toContain('queue "orders"');
    const t = createEdge("p", "a", "b", Transport.PUBSUB);
    const t2 = createEdge("p2", "a", "b", Transport.PUBSUB);
    expect(sharedChannelNotice([...existing, t], [q("c", "orders"), t2])).toMatch(/queue "orders" and topic ".+" like/);
    expect(sharedChannelNotice(existing, [q("a-2-b-2", "other")])).toBeNull();
    expect(sharedChannelNotice([], [q("x", "orders")])).toBeNull();
  });
});
