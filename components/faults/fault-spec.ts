/**
 * Which faults fit a target, their parameters and defaults, the request that
 * injects one, and the words a fault shows on the canvas and in the inspector.
 * Pure, so the inspector, the canvas badges and the tests agree. The meaning of
 * every kind per target is FaultKind in proto/ipcplay/v1/playground.proto.
 */
import { create } from "@bufbuild/protobuf";
import { type ActiveFault, ActiveFaultSchema, type InjectFaultRequest } from "@/lib/gen/ipcplay/v1/playground_pb";
import { FaultKind, Transport } from "@/lib/gen/ipcplay/v1/topology_pb";

/** What a fault acts on. */
export type FaultTarget =
  | { type: "node"; client: boolean }
  | { type: "edge"; transport: Transport };

/** The parameters a fault kind takes (InjectFaultRequest fields, in the units a person types). */
export type FaultParam = "latencyMs" | "jitterMs" | "errorPercent" | "statusCode" | "bandwidthKbps" | "intervalS";

export interface FaultOption {
  kind: FaultKind;
  /** Button text: "Latency", "Black hole". */
  label: string;
  params: readonly FaultParam[];
  /** What it does to this target, one sentence. */
  hint: string;
  /** A fault that lasts (can take a duration); KILL is a one-off the server undoes on Clear. */
  lasting: boolean;
}

/** The values of a fault form: every parameter, in UI units. */
export interface FaultValues {
  latencyMs: number;
  jitterMs: number;
  /** 0..100. */
  errorPercent: number;
  statusCode: number;
  bandwidthKbps: number;
  intervalS: number;
  /** 0 = until cleared. */
  durationS: number;
}

export const HTTP_STATUS_DEFAULT = 503;
/** gRPC UNAVAILABLE. */
export const GRPC_CODE_DEFAULT = 14;

/** HTTP statuses offered for an ERRORS fault on a REST edge. */
export const HTTP_STATUSES: readonly { value: number; label: string }[] = [
  { value: 503, label: "503 Service unavailable" },
  { value: 500, label: "500 Internal server error" },
  { value: 502, label: "502 Bad gateway" },
  { value: 504, label: "504 Gateway timeout" },
  { value: 429, label: "429 Too many requests" },
  { value: 408, label: "408 Request timeout" },
  { value: 404, label: "404 Not found" },
  { value: 400, label: "400 Bad request" },
];

/** gRPC status codes 1..16 by their canonical names. */
export const GRPC_CODES: readonly string[] = [
  "",
  "canceled",
  "unknown",
  "invalid_argument",
  "deadline_exceeded",
  "not_found",
  "already_exists",
  "permission_denied",
  "resource_exhausted",
  "failed_precondition",
  "aborted",
  "out_of_range",
  "unimplemented",
  "internal",
  "unavailable",
  "data_loss",
  "unauthenticated",
];

export function grpcCodeName(code: number): string {
  return GRPC_CODES[code] || `code ${code}`;
}

const SYNC = (t: Transport) => t === Transport.REST || t === Transport.CONNECT;

/**
 * The faults that fit a target, in the order the inspector offers them.
 *
 * @example faultOptions({ type: "edge", transport: Transport.QUEUE }).map((o) => o.label)
 * // ["Disconnect", "Slow consumer", "Poison", "Duplicate", "Broker latency"]
 */
export function faultOptions(target: FaultTarget): FaultOption[] {
  if (target.type === "node") {
    const options: FaultOption[] = [
      { kind: FaultKind.KILL, label: "Kill", params: [], hint: "SIGKILL its process; Clear starts it again.", lasting: false },
      { kind: FaultKind.PAUSE, label: "Pause", params: [], hint: "SIGSTOP its process: it neither reads nor answers until resumed.", lasting: true },
    ];
    if (!target.client) {
      options.push(
        { kind: FaultKind.LATENCY, label: "Slow down", params: ["latencyMs", "jitterMs"], hint: "Every message takes this much more work.", lasting: true },
        { kind: FaultKind.ERRORS, label: "Errors", params: ["errorPercent"], hint: "This share of messages fail, on top of its own error rate.", lasting: true },
      );
    }
    options.push({
      kind: FaultKind.CRASH_LOOP,
      label: "Crash loop",
      params: ["intervalS"],
      hint: "Killed, started again, and killed again this long after it is up, until cleared.",
      lasting: true,
    });
    return options;
  }
  if (SYNC(target.transport)) {
    const rest = target.transport === Transport.REST;
    return [
      { kind: FaultKind.LATENCY, label: "Latency", params: ["latencyMs", "jitterMs"], hint: "Each request waits this long on the wire.", lasting: true },
      {
        kind: FaultKind.ERRORS,
        label: "Errors",
        params: ["errorPercent", "statusCode"],
        hint: rest ? "This share of requests are answered with the HTTP status." : "This share of calls are answered with the gRPC code.",
        lasting: true,
      },
      { kind: FaultKind.BLACKHOLE, label: "Black hole", params: [], hint: "Requests are read and never answered: the caller's own timeout fires.", lasting: true },
      { kind: FaultKind.BANDWIDTH, label: "Bandwidth", params: ["bandwidthKbps"], hint: "Bytes flow at most this fast each way.", lasting: true },
      { kind: FaultKind.RESET, label: "Reset", params: [], hint: "The connection is reset (TCP RST) when a request arrives.", lasting: true },
      { kind: FaultKind.PARTITION, label: "Partition", params: [], hint: "Connections are refused (ECONNREFUSED).", lasting: true },
    ];
  }
  return [
    {
      kind: FaultKind.DISCONNECT,
      label: "Disconnect",
      params: [],
      hint:
        target.transport === Transport.QUEUE
          ? "The consumer is cut off from the broker: jobs wait for it."
          : "The subscriber is cut off: durable entries wait, at-most-once messages are missed.",
      lasting: true,
    },
    { kind: FaultKind.SLOW_CONSUMER, label: "Slow consumer", params: ["latencyMs", "jitterMs"], hint: "The consumer takes this much more per message.", lasting: true },
    { kind: FaultKind.ERRORS, label: "Poison", params: ["errorPercent"], hint: "This share of messages fail every attempt.", lasting: true },
    { kind: FaultKind.DUPLICATE, label: "Duplicate", params: ["errorPercent"], hint: "This share of messages are delivered twice.", lasting: true },
    {
      kind: FaultKind.LATENCY,
      label: "Broker latency",
      params: ["latencyMs", "jitterMs"],
      hint: target.transport === Transport.QUEUE ? "Each job reaches the broker this much later." : "Each message reaches its subscriber this much later.",
      lasting: true,
    },
  ];
}

/** A form's starting values for a kind on a target: 300 ms, 50 % (100 % duplicates), 503 / UNAVAILABLE, 64 kB/s, every 3 s. */
export function defaultValues(kind: FaultKind, target: FaultTarget): FaultValues {
  return {
    latencyMs: 300,
    jitterMs: 0,
    errorPercent: kind === FaultKind.DUPLICATE ? 100 : 50,
    statusCode: target.type === "edge" && target.transport === Transport.CONNECT ? GRPC_CODE_DEFAULT : HTTP_STATUS_DEFAULT,
    bandwidthKbps: 64,
    intervalS: 3,
    durationS: 0,
  };
}

/** Longest self-clearing duration offered, in seconds. */
export const MAX_DURATION_S = 3600;

/**
 * What is wrong with a form's values for a kind, by parameter (empty when it
 * can be sent). The ranges are InjectFaultRequest's.
 */
export function valueProblems(option: FaultOption, v: FaultValues, target: FaultTarget): Partial<Record<FaultParam | "durationS", string>> {
  const out: Partial<Record<FaultParam | "durationS", string>> = {};
  const whole = (n: number) => Number.isInteger(n);
  for (const p of option.params) {
    switch (p) {
      case "latencyMs":
        if (!whole(v.latencyMs) || v.latencyMs < 1 || v.latencyMs > 60_000) out.latencyMs = "From 1 to 60,000 ms";
        break;
      case "jitterMs":
        if (!whole(v.jitterMs) || v.jitterMs < 0 || v.jitterMs > v.latencyMs) out.jitterMs = "From 0 to the latency";
        break;
      case "errorPercent":
        if (!(v.errorPercent > 0 && v.errorPercent <= 100)) out.errorPercent = "More than 0, up to 100 %";
        break;
      case "statusCode": {
        const connect = target.type === "edge" && target.transport === Transport.CONNECT;
        if (connect ? v.statusCode < 1 || v.statusCode > 16 : v.statusCode < 400 || v.statusCode > 599) {
          out.statusCode = connect ? "A gRPC code from 1 to 16" : "An HTTP status from 400 to 599";
        }
        break;
      }
      case "bandwidthKbps":
        if (!whole(v.bandwidthKbps) || v.bandwidthKbps < 1) out.bandwidthKbps = "At least 1 kB/s";
        break;
      case "intervalS":
        if (!(v.intervalS >= 0.5) || v.intervalS > 600) out.intervalS = "From 0.5 to 600 s";
        break;
    }
  }
  if (option.lasting && (!(v.durationS >= 0) || v.durationS > MAX_DURATION_S || !whole(v.durationS))) {
    out.durationS = `0 (until cleared) to ${MAX_DURATION_S.toLocaleString("en-US")} s`;
  }
  return out;
}

/** The fields of an InjectFaultRequest (run id aside) for a form: only the kind's own parameters are set. */
export function injectFields(
  ids: { nodeId?: string; edgeId?: string },
  option: FaultOption,
  v: FaultValues,
): Omit<Partial<InjectFaultRequest>, "$typeName" | "runId"> {
  const req: Omit<Partial<InjectFaultRequest>, "$typeName" | "runId"> = { kind: option.kind, ...ids };
  for (const p of option.params) {
    if (p === "latencyMs") req.latencyMs = v.latencyMs;
    if (p === "jitterMs") req.jitterMs = v.jitterMs;
    if (p === "errorPercent") req.errorRate = Math.round(v.errorPercent * 10) / 1000;
    if (p === "statusCode") req.statusCode = v.statusCode;
    if (p === "bandwidthKbps") req.bandwidthKbps = v.bandwidthKbps;
    if (p === "intervalS") req.intervalMs = Math.round(v.intervalS * 1000);
  }
  if (option.lasting && v.durationS > 0) req.durationMs = v.durationS * 1000;
  return req;
}

/** The short text and the sentence a fault shows: on the canvas badge, and its tooltip and aria-label. */
export interface FaultBadge {
  kind: FaultKind;
  icon: string;
  text: string;
  /** "Latency fault: every request waits 300 ms ± 50 ms on the wire." */
  sentence: string;
  /** Red for faults that break traffic, amber for those that degrade it. */
  tone: "red" | "amber";
}

const pct = (rate: number) => `${Math.round((rate || 0) * 1000) / 10} %`;
const ms = (n: number) => `${n.toLocaleString("en-US")} ms`;
const spread = (f: Pick<InjectFaultRequest, "latencyMs" | "jitterMs">) => (f.jitterMs > 0 ? `${ms(f.latencyMs)} ± ${ms(f.jitterMs)}` : ms(f.latencyMs));

/**
 * A fault's badge on its target.
 *
 * @example faultBadge(latency300, { type: "edge", transport: Transport.REST }).text // "300 ms"
 */
export function faultBadge(f: Pick<InjectFaultRequest, "kind" | "latencyMs" | "jitterMs" | "errorRate" | "statusCode" | "bandwidthKbps" | "intervalMs">, target: FaultTarget): FaultBadge {
  const edge = target.type === "edge";
  const sync = edge && SYNC(target.transport);
  const base = { kind: f.kind };
  switch (f.kind) {
    case FaultKind.KILL:
      return { ...base, icon: "✕", text: "killed", sentence: "Killed: its process was SIGKILLed; Clear starts it again.", tone: "red" };
    case FaultKind.PAUSE:
      return { ...base, icon: "⏸", text: "paused", sentence: "Paused: its process is stopped (SIGSTOP); it neither reads nor answers.", tone: "amber" };
    case FaultKind.CRASH_LOOP: {
      const every = (f.intervalMs || 3000) / 1000;
      return { ...base, icon: "↻", text: `crash loop ${every} s`, sentence: `Crash loop: killed ${every} s after each start, until cleared.`, tone: "red" };
    }
    case FaultKind.LATENCY: {
      const short = f.jitterMs > 0 ? `${f.latencyMs}±${f.jitterMs} ms` : ms(f.latencyMs);
      if (!edge) return { ...base, icon: "⚡", text: `+${short}`, sentence: `Slowed down: every message takes ${spread(f)} more work.`, tone: "amber" };
      const where = sync ? "every request waits" : target.transport === Transport.QUEUE ? "every job reaches the broker" : "every message reaches its subscriber";
      return { ...base, icon: "⚡", text: short, sentence: `Latency: ${where} ${spread(f)}${sync ? " on the wire" : " late"}.`, tone: "amber" };
    }
    case FaultKind.ERRORS: {
      if (!edge) return { ...base, icon: "⚠", text: `${pct(f.errorRate)} errors`, sentence: `Errors: ${pct(f.errorRate)} of messages fail.`, tone: "red" };
      if (sync) {
        const rest = target.transport === Transport.REST;
        const code = rest ? String(f.statusCode || HTTP_STATUS_DEFAULT) : grpcCodeName(f.statusCode || GRPC_CODE_DEFAULT);
        return { ...base, icon: "⚠", text: `${pct(f.errorRate)} ${code}`, sentence: `Errors: ${pct(f.errorRate)} of requests are answered ${code}.`, tone: "red" };
      }
      return { ...base, icon: "☠", text: `${pct(f.errorRate)} poison`, sentence: `Poison: ${pct(f.errorRate)} of messages fail every attempt.`, tone: "red" };
    }
    case FaultKind.PARTITION:
      return { ...base, icon: "✕", text: "partition", sentence: sync ? "Partition: connections are refused." : "Partition: the consumer is cut off from the broker.", tone: "red" };
    case FaultKind.BLACKHOLE:
      return { ...base, icon: "◌", text: "black hole", sentence: "Black hole: requests are read and never answered; the caller's timeout fires.", tone: "red" };
    case FaultKind.BANDWIDTH:
      return { ...base, icon: "⇣", text: `${f.bandwidthKbps} kB/s`, sentence: `Bandwidth: at most ${f.bandwidthKbps} kB/s each way.`, tone: "amber" };
    case FaultKind.RESET:
      return { ...base, icon: "↯", text: "reset", sentence: "Reset: the connection is reset (TCP RST) when a request arrives.", tone: "red" };
    case FaultKind.SLOW_CONSUMER:
      return { ...base, icon: "⧗", text: `slow +${f.jitterMs > 0 ? `${f.latencyMs}±${f.jitterMs}` : f.latencyMs} ms`, sentence: `Slow consumer: ${spread(f)} more per message.`, tone: "amber" };
    case FaultKind.DISCONNECT:
      return { ...base, icon: "⊘", text: "disconnected", sentence: "Disconnected: the consumer is cut off from the broker.", tone: "red" };
    case FaultKind.DUPLICATE:
      return { ...base, icon: "⧉", text: `${pct(f.errorRate || 1)} dup`, sentence: `Duplicate: ${pct(f.errorRate || 1)} of messages are delivered twice.`, tone: "amber" };
    default:
      return { ...base, icon: "!", text: "fault", sentence: "A fault is in force.", tone: "red" };
  }
}

/** "clears in 25 s", "clears in 2 min 5 s", or "until cleared". */
export function timeLeft(endsUnixMs: number, nowMs: number): string {
  if (!endsUnixMs) return "until cleared";
  const s = Math.max(0, Math.ceil((endsUnixMs - nowMs) / 1000));
  if (s < 60) return `clears in ${s} s`;
  const m = Math.floor(s / 60);
  return `clears in ${m} min${s % 60 ? ` ${s % 60} s` : ""}`;
}

/**
 * The faults in force on one node or edge. A node the server reports PAUSED
 * with no PAUSE fault listed (a server that does not list faults yet) gets one,
 * so its badge and Clear button show either way.
 */
export function faultsOn(
  faults: readonly ActiveFault[] | undefined,
  target: { nodeId?: string; edgeId?: string },
  paused = false,
): ActiveFault[] {
  const mine = (faults ?? []).filter(
    (a) => a.fault && (target.nodeId ? a.fault.nodeId === target.nodeId && !a.fault.edgeId : a.fault.edgeId === target.edgeId),
  );
  if (paused && target.nodeId && !mine.some((a) => a.fault?.kind === FaultKind.PAUSE)) {
    mine.push(create(ActiveFaultSchema, { fault: { nodeId: target.nodeId, kind: FaultKind.PAUSE } }));
  }
  return mine;
}
