import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { SpanSchema } from "@/lib/gen/ipcplay/v1/playground_pb";
import { Transport } from "@/lib/gen/ipcplay/v1/topology_pb";
import { spanFacts, transportKey } from "./span-facts";

const facts = (transport: Transport, attributes: Record<string, string>, attempt = 0) =>
  Object.fromEntries(spanFacts(create(SpanSchema, { transport, attributes, attempt })).map((f) => [f.label, f.value]));

describe("spanFacts", () => {
  it("names the RPC system and method of a Connect span", () => {
    expect(facts(Transport.CONNECT, { "rpc.system": "grpc_web", "rpc.service": "ipcplay.v1.SimService", "rpc.method": "Handle" })).toEqual({
      "RPC system": "gRPC-web (grpc_web)",
      Method: "ipcplay.v1.SimService/Handle",
    });
  });
  it("gives a queue's name, wait in ms and the attempt", () => {
    const f = facts(Transport.QUEUE, {
      "messaging.system": "bullmq",
      "messaging.destination.name": "orders",
      "ipcplay.queue_wait_ms": "12.345",
      "ipcplay.attempt": "2",
    });
    expect(f).toEqual({ Queue: "orders", Broker: "BullMQ", "Waited in queue": "12 ms", Attempt: "2" });
  });
  it("spells out a topic's delivery", () => {
    expect(facts(Transport.PUBSUB, { "messaging.destination.name": "order-placed", "ipcplay.delivery": "DURABLE" })).toEqual({
      Topic: "order-placed",
      Delivery: "durable (Streams)",
    });
  });
  it("does not mention a first attempt", () => {
    expect(facts(Transport.REST, { "http.request.method": "POST", "ipcplay.attempts": "1" }, 1)).toEqual({ Method: "POST" });
  });
});

describe("transportKey", () => {
  it("is a stable word per transport", () => {
    expect([Transport.REST, Transport.CONNECT, Transport.QUEUE, Transport.PUBSUB, Transport.UNSPECIFIED].map(transportKey)).toEqual([
      "rest",
      "connect",
      "queue",
      "pubsub",
      "internal",
    ]);
  });
});
