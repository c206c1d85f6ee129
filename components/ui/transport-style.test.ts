import { describe, expect, it } from "vitest";
import { Transport } from "@/lib/gen/ipcplay/v1/topology_pb";
import { ENABLED_TRANSPORTS, TRANSPORT_ORDER, TRANSPORT_STYLES, transportStyle } from "./transport-style";

describe("transport styles", () => {
  it("gives each transport its own colour", () => {
    const colors = TRANSPORT_ORDER.map((t) => TRANSPORT_STYLES[t].color);
    expect(new Set(colors).size).toBe(colors.length);
  });
  it("draws the async transports dashed and dotted, the sync ones solid", () => {
    expect(transportStyle(Transport.REST).line).toBe("solid");
    expect(transportStyle(Transport.CONNECT).line).toBe("solid");
    expect(transportStyle(Transport.QUEUE).dash).toBeDefined();
    expect(transportStyle(Transport.PUBSUB).line).toBe("dotted");
  });
  it("enables all four transports", () => {
    for (const t of TRANSPORT_ORDER) expect(ENABLED_TRANSPORTS.has(t)).toBe(true);
  });
});
