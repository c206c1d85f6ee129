import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { ActiveFaultSchema, InjectFaultRequestSchema } from "@/lib/gen/ipcplay/v1/playground_pb";
import { FaultKind, Transport } from "@/lib/gen/ipcplay/v1/topology_pb";
import { faultLabel } from "@/components/experiment/fault-words";
import { defaultParams, faultTone, kindsFor, kindWord } from "./fault-kinds";
import { defaultValues, type FaultTarget, faultBadge, faultOptions, faultsOn, injectFields, timeLeft, valueProblems } from "./fault-spec";

const rest = { type: "edge", transport: Transport.REST } as const;
const connect = { type: "edge", transport: Transport.CONNECT } as const;
const queue = { type: "edge", transport: Transport.QUEUE } as const;
const service = { type: "node", client: false } as const;

describe("faultOptions", () => {
  it("offers a service kill, pause, slow down, errors and crash loop", () => {
    expect(faultOptions(service).map((o) => o.kind)).toEqual([FaultKind.KILL, FaultKind.PAUSE, FaultKind.LATENCY, FaultKind.ERRORS, FaultKind.CRASH_LOOP]);
    expect(faultOptions(service).find((o) => o.kind === FaultKind.LATENCY)?.label).toBe("Slow down");
  });
  it("offers a client no work faults", () => {
    expect(faultOptions({ type: "node", client: true }).map((o) => o.kind)).toEqual([FaultKind.KILL, FaultKind.PAUSE, FaultKind.CRASH_LOOP]);
  });
  it("offers wire faults on REST and Connect edges", () => {
    for (const t of [rest, connect]) {
      expect(faultOptions(t).map((o) => o.label)).toEqual(["Latency", "Errors", "Black hole", "Bandwidth", "Reset", "Partition"]);
    }
  });
  it("offers broker faults on queue and topic edges", () => {
    for (const t of [queue, { type: "edge", transport: Transport.PUBSUB } as const]) {
      expect(faultOptions(t).map((o) => o.label)).toEqual(["Disconnect", "Slow consumer", "Poison", "Duplicate", "Broker latency"]);
      expect(faultOptions(t).find((o) => o.label === "Poison")?.kind).toBe(FaultKind.ERRORS);
    }
  });
});

describe("defaults and requests", () => {
  it("defaults errors to 503 on REST and UNAVAILABLE on Connect", () => {
    expect(defaultValues(FaultKind.ERRORS, rest).statusCode).toBe(503);
    expect(defaultValues(FaultKind.ERRORS, connect).statusCode).toBe(14);
    expect(defaultValues(FaultKind.DUPLICATE, queue).errorPercent).toBe(100);
  });
  it("sends only the kind's own parameters", () => {
    const latency = faultOptions(rest)[0];
    const v = { ...defaultValues(latency.kind, rest), jitterMs: 50, durationS: 30 };
    expect(injectFields({ edgeId: "a-b" }, latency, v)).toEqual({ kind: FaultKind.LATENCY, edgeId: "a-b", latencyMs: 300, jitterMs: 50, durationMs: 30_000 });
    const errors = faultOptions(rest)[1];
    expect(injectFields({ edgeId: "a-b" }, errors, { ...defaultValues(errors.kind, rest), errorPercent: 12.5 })).toEqual({
      kind: FaultKind.ERRORS,
      edgeId: "a-b",
      errorRate: 0.125,
      statusCode: 503,
    });
    const kill = faultOptions(service)[0];
    expect(injectFields({ nodeId: "b" }, kill, { ...defaultValues(kill.kind, service), durationS: 9 })).toEqual({ kind: FaultKind.KILL, nodeId: "b" });
    const loop = faultOptions(service).at(-1)!;
    expect(injectFields({ nodeId: "b" }, loop, defaultValues(loop.kind, service)).intervalMs).toBe(3000);
  });
  it("finds values out of range", () => {
    const latency = faultOptions(rest)[0];
    expect(valueProblems(latency, { ...defaultValues(latency.kind, rest), jitterMs: 400 }, rest)).toHaveProperty("jitterMs");
    expect(valueProblems(latency, { ...defaultValues(latency.kind, rest), latencyMs: 0 }, rest)).toHaveProperty("latencyMs");
    expect(valueProblems(latency, { ...defaultValues(latency.kind, rest), durationS: -1 }, rest)).toHaveProperty("durationS");
    expect(valueProblems(latency, defaultValues(latency.kind, rest), rest)).toEqual({});
    const errors = faultOptions(connect)[1];
    expect(valueProblems(errors, { ...defaultValues(errors.kind, connect), statusCode: 503 }, connect)).toHaveProperty("statusCode");
    expect(valueProblems(errors, { ...defaultValues(errors.kind, connect), errorPercent: 0 }, connect)).toHaveProperty("errorPercent");
  });
});

describe("faultBadge", () => {
  const f = (init: Partial<Parameters<typeof faultBadge>[0]>) => create(InjectFaultRequestSchema, init);
  it("says what each fault is, short", () => {
    expect(faultBadge(f({ kind: FaultKind.LATENCY, latencyMs: 300 }), rest)).toMatchObject({ icon: "⚡", text: "300 ms" });
    expect(faultBadge(f({ kind: FaultKind.LATENCY, latencyMs: 300, jitterMs: 50 }), rest).text).toBe("300±50 ms");
    expect(faultBadge(f({ kind: FaultKind.LATENCY, latencyMs: 300 }), service).text).toBe("+300 ms");
    expect(faultBadge(f({ kind: FaultKind.PARTITION }), rest)).toMatchObject({ icon: "✕", text: "partition" });
    expect(faultBadge(f({ kind: FaultKind.BLACKHOLE }), rest)).toMatchObject({ icon: "◌", text: "black hole" });
    expect(faultBadge(f({ kind: FaultKind.PAUSE }), service)).toMatchObject({ icon: "⏸", text: "paused" });
    expect(faultBadge(f({ kind: FaultKind.ERRORS, errorRate: 0.5, statusCode: 503 }), rest).text).toBe("50 % 503");
    expect(faultBadge(f({ kind: FaultKind.ERRORS, errorRate: 0.5 }), connect).text).toBe("50 % unavailable");
    expect(faultBadge(f({ kind: FaultKind.ERRORS, errorRate: 0.1 }), queue).text).toBe("10 % poison");
    expect(faultBadge(f({ kind: FaultKind.LATENCY, latencyMs: 300 }), rest).sentence).toContain("on the wire");
  });
});

describe("timeLeft and faultsOn", () => {
  it("counts down", () => {
    expect(timeLeft(0, 1000)).toBe("until cleared");
    expect(timeLeft(26_000, 1_000)).toBe("clears in 25 s");
    expect(timeLeft(126_000, 1_000)).toBe("clears in 2 min 5 s");
    expect(timeLeft(500, 1_000)).toBe("clears in 0 s");
  });
  it("picks a target's faults and stands in for an unlisted pause", () => {
    const a = create(ActiveFaultSchema, { fault: { nodeId: "b", kind: FaultKind.LATENCY, latencyMs: 10 } });
    const e = create(ActiveFaultSchema, { fault: { edgeId: "a-b", kind: FaultKind.RESET } });
    expect(faultsOn([a, e], { nodeId: "b" })).toEqual([a]);
    expect(faultsOn([a, e], { edgeId: "a-b" })).toEqual([e]);
    expect(faultsOn([a], { nodeId: "b" }, true).map((x) => x.fault?.kind)).toEqual([FaultKind.LATENCY, FaultKind.PAUSE]);
    expect(faultsOn(undefined, { nodeId: "c" }, false)).toEqual([]);
  });
});

describe("one vocabulary with the experiment strip", () => {
  const targets: FaultTarget[] = [service, { type: "node", client: true }, rest, connect, queue, { type: "edge", transport: Transport.PUBSUB }];
  it("offers the kinds the strip offers, by the same words, and the chip and the bar name them alike", () => {
    for (const target of targets) {
      expect(faultOptions(target).map((o) => o.kind)).toEqual(kindsFor(target));
      for (const o of faultOptions(target)) {
        const word = kindWord(o.kind, target);
        expect(o.label).toBe(word.charAt(0).toUpperCase() + word.slice(1));
        const f = create(InjectFaultRequestSchema, { kind: o.kind, ...defaultParams(o.kind, target) });
        expect(faultLabel(f, target).startsWith(word)).toBe(true);
        const badge = faultBadge(f, target);
        expect(badge.tone).toBe(faultTone(o.kind));
        // The sentence opens with the kind's word, or the state it leaves the target in.
        const state = { [FaultKind.KILL]: "Killed", [FaultKind.PAUSE]: "Paused", [FaultKind.DISCONNECT]: "Disconnected" } as Partial<Record<FaultKind, string>>;
        const head = state[o.kind] ?? (o.kind === FaultKind.LATENCY && target.type === "node" ? "Slowed down" : o.label);
        expect(badge.sentence.startsWith(`${head}:`), badge.sentence).toBe(true);
      }
    }
  });
  it("reads the figures alike", () => {
    const f = create(InjectFaultRequestSchema, { kind: FaultKind.ERRORS, errorRate: 0.25 });
    expect(faultBadge(f, queue).text).toBe("25 % poison");
    expect(faultLabel(f, queue)).toBe("poison 25 %");
    const slow = create(InjectFaultRequestSchema, { kind: FaultKind.LATENCY, latencyMs: 1000, jitterMs: 20 });
    expect(faultBadge(slow, service).sentence).toBe("Slowed down: every message takes 1000 ms ± 20 ms more work.");
    expect(faultLabel(slow, service)).toBe("slow down +1000 ms ± 20 ms");
  });
});
