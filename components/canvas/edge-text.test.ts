import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { EdgeCountersSchema, QueueDepthSchema } from "@/lib/gen/ipcplay/v1/playground_pb";
import { ConnectProtocol, Transport } from "@/lib/gen/ipcplay/v1/topology_pb";
import { createEdge } from "@/lib/topology";
import { badgeText, channelsOf, edgeCaption, liveBadge, sharedChannelNotice, sharingChannel } from "./edge-text";

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
