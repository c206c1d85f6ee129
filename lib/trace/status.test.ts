import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { SpanKind, SpanSchema, SpanStatus } from "@/lib/gen/ipcplay/v1/playground_pb";
import { Transport } from "@/lib/gen/ipcplay/v1/topology_pb";
import { spanKindLabel, spanStatusLabel, statusTone, transportLabel, worseStatus, worstStatus } from "./status";

const withStatus = (...statuses: SpanStatus[]) => statuses.map((status) => create(SpanSchema, { status }));

describe("worstStatus", () => {
  it("is UNSPECIFIED for no spans", () => {
    expect(worstStatus([])).toBe(SpanStatus.UNSPECIFIED);
  });

  it.each([
    [[SpanStatus.OK, SpanStatus.OK], SpanStatus.OK],
    [[SpanStatus.OK, SpanStatus.HOP_LIMIT], SpanStatus.HOP_LIMIT],
    [[SpanStatus.HOP_LIMIT, SpanStatus.ERROR, SpanStatus.OK], SpanStatus.ERROR],
    [[SpanStatus.TIMEOUT, SpanStatus.ERROR], SpanStatus.TIMEOUT],
    [[SpanStatus.UNAVAILABLE, SpanStatus.TIMEOUT], SpanStatus.UNAVAILABLE],
    [[SpanStatus.OK, SpanStatus.DEAD_LETTER, SpanStatus.UNAVAILABLE], SpanStatus.DEAD_LETTER],
    [[SpanStatus.UNSPECIFIED, SpanStatus.OK], SpanStatus.OK],
  ])("of %j is %s", (statuses, worst) => {
    expect(worstStatus(withStatus(...statuses))).toBe(worst);
  });

  it("keeps the first of two equally bad statuses and ignores unknown numbers", () => {
    expect(worseStatus(SpanStatus.ERROR, 99 as SpanStatus)).toBe(SpanStatus.ERROR);
  });
});

describe("labels", () => {
  it("names statuses, transports and span kinds for people", () => {
    expect(spanStatusLabel(SpanStatus.TIMEOUT)).toBe("Timed out");
    expect(spanStatusLabel(SpanStatus.DEAD_LETTER)).toBe("Dead letter");
    expect(spanStatusLabel(42 as SpanStatus)).toBe("Status 42");
    expect(transportLabel(Transport.CONNECT)).toBe("Connect/gRPC");
    expect(transportLabel(Transport.PUBSUB)).toBe("Pub/sub");
    expect(transportLabel(Transport.UNSPECIFIED)).toBe("Internal");
    expect(spanKindLabel(SpanKind.PRODUCER)).toBe("Producer");
  });

  it("sorts statuses into tones", () => {
    expect(statusTone(SpanStatus.OK)).toBe("ok");
    expect(statusTone(SpanStatus.HOP_LIMIT)).toBe("warning");
    expect(statusTone(SpanStatus.UNAVAILABLE)).toBe("failure");
    expect(statusTone(SpanStatus.UNSPECIFIED)).toBe("unknown");
  });
});
