import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { SpanKind, SpanStatus } from "@/lib/gen/ipcplay/v1/playground_pb";
import { EdgeSchema, Transport, type Edge } from "@/lib/gen/ipcplay/v1/topology_pb";
import { retire, swapSenders, trackSends, type TrackedEdge } from "./live-update";
import type { Sender, SendOutcome } from "./transports/transport";

const rest = (id: string, timeoutMs = 1000) =>
  create(EdgeSchema, { id, source: "a", target: "b", transport: Transport.REST, settings: { case: "rest", value: { method: "POST", path: "/", timeoutMs } } });
const queue = (id: string, channel: string, attempts = 3) =>
  create(EdgeSchema, { id, source: "a", target: "b", transport: Transport.QUEUE, settings: { case: "queue", value: { channel, attempts, backoffMs: 200 } } });

/** A sender whose sends end when the test says; records whether it was closed. */
function fakeSender(name: string) {
  const pending: Array<(outcome: SendOutcome) => void> = [];
  const state = { closed: false };
  const sender: Sender = {
    spanName: name,
    spanKind: SpanKind.CLIENT,
    send: () => new Promise<SendOutcome>((resolve) => pending.push(resolve)),
    close: async () => {
      state.closed = true;
    },
  };
  const endAll = () => {
    for (const resolve of pending.splice(0)) resolve({ status: SpanStatus.OK, statusMessage: "", attempts: 1, attributes: {} });
  };
  return { sender: trackSends(sender), state, endAll };
}

function outgoingOf(edges: Edge[]): TrackedEdge[] {
  return edges.map((edge) => ({ edge, sender: fakeSender(edge.id).sender }));
}

describe("swapSenders", () => {
  it("keeps unchanged edges' senders, renews changed synchronous ones, retires removed ones", () => {
    const before = [rest("x"), rest("y"), rest("z")];
    const current = outgoingOf(before);
    const after = [rest("x"), rest("y", 200), rest("new")];
    const swap = swapSenders(current, before, after, (edge) => fakeSender(`${edge.id}'`).sender);
    expect(swap.renewed).toEqual(["y", "new"]);
    expect(swap.outgoing.map((outgoing) => outgoing.sender.spanName)).toEqual(["x", "y'", "new'"]);
    expect(swap.retired.map((sender) => sender.spanName)).toEqual(["y", "z"]);
    expect(swap.outgoing[1].edge).toBe(after[1]);
  });

  it("keeps an asynchronous sender when only its job options change, and renews it for another channel", () => {
    const before = [queue("q", "jobs", 3)];
    const current = outgoingOf(before);
    const kept = swapSenders(current, before, [queue("q", "jobs", 5)], (edge) => fakeSender(`${edge.id}'`).sender);
    expect(kept.renewed).toEqual([]);
    expect(kept.retired).toEqual([]);
    const moved = swapSenders(current, before, [queue("q", "other", 3)], (edge) => fakeSender(`${edge.id}'`).sender);
    expect(moved.renewed).toEqual(["q"]);
  });
});

describe("retire", () => {
  it("closes a replaced sender only once the sends it carries have ended", async () => {
    const { sender, state, endAll } = fakeSender("old");
    const send = sender.send({ traceId: "t", spanId: "s", hop: 1, payload: "", sampled: true });
    const retired = retire(sender, () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(state.closed).toBe(false);
    endAll();
    await send;
    await retired;
    expect(state.closed).toBe(true);
  });
});
