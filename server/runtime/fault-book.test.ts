import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { FaultKind, TopologySchema, Transport } from "@/lib/gen/ipcplay/v1/topology_pb";
import type { FaultSpec } from "@/lib/faults/spec";
import { FaultBook } from "./fault-book";

const topology = create(TopologySchema, {
  nodes: [{ id: "client" }, { id: "api" }, { id: "worker" }],
  edges: [
    { id: "r", source: "client", target: "api", transport: Transport.REST },
    { id: "q", source: "api", target: "worker", transport: Transport.QUEUE },
  ],
});

function fault(spec: Partial<FaultSpec> & Pick<FaultSpec, "kind">): FaultSpec {
  return { latencyMs: 0, jitterMs: 0, errorRate: 0, statusCode: 0, bandwidthKbps: 0, durationMs: 0, intervalMs: 0, ...spec };
}

describe("FaultBook", () => {
  it("keeps one fault per target and kind; a second inject replaces the first", () => {
    const book = new FaultBook(() => topology);
    book.put(fault({ edgeId: "r", kind: FaultKind.LATENCY, latencyMs: 100 }), 1_000);
    const { replaced } = book.put(fault({ edgeId: "r", kind: FaultKind.LATENCY, latencyMs: 300, durationMs: 500 }), 2_000);
    expect(replaced?.fault.latencyMs).toBe(100);
    const [active] = book.list();
    expect(book.list()).toHaveLength(1);
    expect(active.fault).toMatchObject({ edgeId: "r", latencyMs: 300, nodeId: "" });
    expect(active).toMatchObject({ startedUnixMs: 2_000, endsUnixMs: 2_500 });
  });

  it("tells each host what acts on it: its node's faults (not the process ones) and its edges' as sender or receiver", () => {
    const book = new FaultBook(() => topology);
    book.put(fault({ edgeId: "r", kind: FaultKind.BLACKHOLE }));
    book.put(fault({ edgeId: "q", kind: FaultKind.PARTITION }));
    book.put(fault({ nodeId: "api", kind: FaultKind.LATENCY, latencyMs: 5 }));
    book.put(fault({ nodeId: "api", kind: FaultKind.PAUSE }));
    expect(book.forHost("client").map((spec) => spec.kind)).toEqual([FaultKind.BLACKHOLE]);
    expect(book.forHost("api").map((spec) => spec.kind)).toEqual([FaultKind.BLACKHOLE, FaultKind.PARTITION, FaultKind.LATENCY]);
    expect(book.forHost("worker").map((spec) => spec.kind)).toEqual([FaultKind.PARTITION]);
  });

  it("takes one kind off a target, or all of them", () => {
    const book = new FaultBook(() => topology);
    book.put(fault({ edgeId: "r", kind: FaultKind.LATENCY, latencyMs: 5 }));
    book.put(fault({ edgeId: "r", kind: FaultKind.ERRORS, errorRate: 1 }));
    book.put(fault({ nodeId: "api", kind: FaultKind.KILL }));
    expect(book.take({ edgeId: "r" }, FaultKind.ERRORS).map((entry) => entry.fault.kind)).toEqual([FaultKind.ERRORS]);
    expect(book.has({ edgeId: "r" }, FaultKind.LATENCY)).toBe(true);
    expect(book.take({ edgeId: "r" }, FaultKind.UNSPECIFIED)).toHaveLength(1);
    expect(book.list().map((active) => active.fault?.kind)).toEqual([FaultKind.KILL]);
  });

  it("keeps what ended, oldest first, with when it ended (replaced, cleared, or stopped with the run)", () => {
    const book = new FaultBook(() => topology);
    book.put(fault({ edgeId: "r", kind: FaultKind.LATENCY, latencyMs: 5 }), 1_000, { scheduled: true });
    book.put(fault({ edgeId: "r", kind: FaultKind.LATENCY, latencyMs: 9 }), 2_000);
    book.take({ edgeId: "r" }, FaultKind.LATENCY, 3_000);
    book.put(fault({ nodeId: "api", kind: FaultKind.KILL }), 4_000);
    book.takeAll(5_000);
    expect(book.list()).toEqual([]);
    expect(book.listPast().map((past) => [past.fault?.latencyMs, past.startedUnixMs, past.endsUnixMs, past.scheduled])).toEqual([
      [5, 1_000, 2_000, true],
      [9, 2_000, 3_000, false],
      [0, 4_000, 5_000, false],
    ]);
  });
});
