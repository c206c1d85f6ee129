/**
 * The inspector's side of faults: the options its Faults section offers on a
 * target (with a hint and whether they last), its form's values in the units a
 * person types, the request that injects one, and the chip a fault shows on the
 * canvas. Which kinds fit, their words, parameters and defaults come from
 * fault-kinds.ts, shared with the experiment strip, so both say the same thing.
 */
import { create } from "@bufbuild/protobuf";
import { type ActiveFault, ActiveFaultSchema, type InjectFaultRequest } from "@/lib/gen/ipcplay/v1/playground_pb";
import { FaultKind, Transport } from "@/lib/gen/ipcplay/v1/topology_pb";
import { MAX_BANDWIDTH_KBPS, MAX_FAULT_LATENCY_MS, MIN_CRASH_LOOP_INTERVAL_MS } from "@/lib/faults/validate";
import {
  bandwidthText,
  capital,
  defaultParams,
  duplicateRate,
  type FaultParams,
  type FaultTarget,
  faultTone,
  intervalSeconds,
  kindLabel,
  kindsFor,
  kindWord,
  latencyText,
  type ParamName,
  paramsOf,
  percentText,
  statusText,
} from "./fault-kinds";

export type { FaultTarget };

/** The parameters of the inspector's form, in the units a person types (a percent, seconds between kills). */
export type FaultParam = "latencyMs" | "jitterMs" | "errorPercent" | "statusCode" | "bandwidthKbps" | "intervalS";

/** The form field of each request parameter. */
export const FORM_PARAM: Record<ParamName, FaultParam> = {
  latencyMs: "latencyMs",
  jitterMs: "jitterMs",
  errorRate: "errorPercent",
  statusCode: "statusCode",
  bandwidthKbps: "bandwidthKbps",
  intervalMs: "intervalS",
};

export interface FaultOption {
  kind: FaultKind;
  /** Button text: "Latency", "Black hole" (kindLabel). */
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

/** What a kind does to a target, one sentence, for the form's hint. */
function hintOf(kind: FaultKind, target: FaultTarget): string {
  const queue = target.type === "edge" && target.transport === Transport.QUEUE;
  const rest = target.type === "edge" && target.transport === Transport.REST;
  const sync = target.type === "edge" && (rest || target.transport === Transport.CONNECT);
  switch (kind) {
    case FaultKind.KILL:
      return "SIGKILL its process; Clear starts it again.";
    case FaultKind.PAUSE:
      return "SIGSTOP its process: it neither reads nor answers until resumed.";
    case FaultKind.CRASH_LOOP:
      return "Killed, started again, and killed again this long after it is up, until cleared.";
    case FaultKind.LATENCY:
      if (target.type === "node") return "Every message takes this much more work.";
      if (sync) return "Each request waits this long on the wire.";
      return queue ? "Each job reaches the broker this much later." : "Each message reaches its subscriber this much later.";
    case FaultKind.ERRORS:
      if (target.type === "node") return "This share of messages fail, on top of its own error rate.";
      if (sync) return rest ? "This share of requests are answered with the HTTP status." : "This share of calls are answered with the gRPC code.";
      return "This share of messages fail every attempt.";
    case FaultKind.BLACKHOLE:
      return "Requests are read and never answered: the caller's own timeout fires.";
    case FaultKind.BANDWIDTH:
      return "Bytes flow at most this fast each way.";
    case FaultKind.RESET:
      return "The connection is reset (TCP RST) when a request arrives.";
    case FaultKind.PARTITION:
      return sync ? "Connections are refused (ECONNREFUSED)." : "As disconnect: the consumer is cut off from the broker.";
    case FaultKind.DISCONNECT:
      return queue ? "The consumer is cut off from the broker: jobs wait for it." : "The subscriber is cut off: durable entries wait, at-most-once messages are missed.";
    case FaultKind.SLOW_CONSUMER:
      return "The consumer takes this much more per message.";
    case FaultKind.DUPLICATE:
      return "This share of messages are delivered twice.";
    default:
      return "";
  }
}

/**
 * The faults offered on a target, in the order the inspector lists them
 * (kindsFor: the kinds the gate takes there).
 *
 * @example faultOptions({ type: "edge", transport: Transport.QUEUE }).map((o) => o.label)
 * // ["Disconnect", "Slow consumer", "Poison", "Duplicate", "Broker latency"]
 */
export function faultOptions(target: FaultTarget): FaultOption[] {
  return kindsFor(target).map((kind) => ({
    kind,
    label: kindLabel(kind, target),
    params: paramsOf(kind, target).map((p) => FORM_PARAM[p]),
    hint: hintOf(kind, target),
    lasting: kind !== FaultKind.KILL,
  }));
}

/** A form's starting values for a kind on a target: defaultParams in the form's units, until cleared. */
export function defaultValues(kind: FaultKind, target: FaultTarget): FaultValues {
  const p = defaultParams(kind, target);
  return {
    latencyMs: p.latencyMs,
    jitterMs: p.jitterMs,
    errorPercent: p.errorRate * 100,
    statusCode: p.statusCode,
    bandwidthKbps: p.bandwidthKbps,
    intervalS: p.intervalMs / 1000,
    durationS: 0,
  };
}

/** Longest self-clearing duration offered, in seconds. */
export const MAX_DURATION_S = 3600;
/** A crash loop's time up between kills, in seconds: the gate's least, and at most ten minutes. */
export const MIN_INTERVAL_S = MIN_CRASH_LOOP_INTERVAL_MS / 1000;
export const MAX_INTERVAL_S = 600;

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
        if (!whole(v.latencyMs) || v.latencyMs < 1 || v.latencyMs > MAX_FAULT_LATENCY_MS) out.latencyMs = `From 1 to ${MAX_FAULT_LATENCY_MS.toLocaleString("en-US")} ms`;
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
        if (!whole(v.bandwidthKbps) || v.bandwidthKbps < 1 || v.bandwidthKbps > MAX_BANDWIDTH_KBPS) {
          out.bandwidthKbps = `From 1 to ${MAX_BANDWIDTH_KBPS.toLocaleString("en-US")} KB/s`;
        }
        break;
      case "intervalS":
        if (!(v.intervalS >= MIN_INTERVAL_S) || v.intervalS > MAX_INTERVAL_S) out.intervalS = `From ${MIN_INTERVAL_S} to ${MAX_INTERVAL_S} s`;
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
  /** "Latency: every request waits 300 ms ± 50 ms on the wire." */
  sentence: string;
  /** Red for faults that break traffic, amber for those that degrade it (faultTone). */
  tone: "red" | "amber";
}

/** The chip's compact latency: "300 ms", "300±50 ms". */
const shortLatency = (f: Pick<FaultParams, "latencyMs" | "jitterMs">) => (f.jitterMs > 0 ? `${f.latencyMs}±${f.jitterMs} ms` : `${f.latencyMs} ms`);

/**
 * A fault's badge on its target. Its sentence opens with the kind's word
 * (kindWord), or for a fault that leaves the target in a state, that state
 * ("Killed", "Paused", "Disconnected", "Slowed down").
 *
 * @example faultBadge(latency300, { type: "edge", transport: Transport.REST }).text // "300 ms"
 */
export function faultBadge(f: FaultParams, target: FaultTarget): FaultBadge {
  const edge = target.type === "edge";
  const sync = edge && (target.transport === Transport.REST || target.transport === Transport.CONNECT);
  const word = kindWord(f.kind, target);
  const head = capital(word);
  const base = { kind: f.kind, tone: faultTone(f.kind) };
  switch (f.kind) {
    case FaultKind.KILL:
      return { ...base, icon: "✕", text: "killed", sentence: "Killed: its process was SIGKILLed; Clear starts it again." };
    case FaultKind.PAUSE:
      return { ...base, icon: "⏸", text: "paused", sentence: "Paused: its process is stopped (SIGSTOP); it neither reads nor answers." };
    case FaultKind.CRASH_LOOP: {
      const every = intervalSeconds(f.intervalMs);
      return { ...base, icon: "↻", text: `${word} ${every} s`, sentence: `${head}: killed ${every} s after each start, until cleared.` };
    }
    case FaultKind.LATENCY: {
      if (!edge) return { ...base, icon: "⚡", text: `+${shortLatency(f)}`, sentence: `Slowed down: every message takes ${latencyText(f)} more work.` };
      const where = sync ? "every request waits" : target.transport === Transport.QUEUE ? "every job reaches the broker" : "every message reaches its subscriber";
      return { ...base, icon: "⚡", text: shortLatency(f), sentence: `${head}: ${where} ${latencyText(f)}${sync ? " on the wire" : " late"}.` };
    }
    case FaultKind.ERRORS: {
      const share = percentText(f.errorRate);
      if (!edge) return { ...base, icon: "⚠", text: `${share} ${word}`, sentence: `${head}: ${share} of messages fail.` };
      if (sync) {
        const code = statusText(f.statusCode, target);
        return { ...base, icon: "⚠", text: `${share} ${code}`, sentence: `${head}: ${share} of requests are answered ${code}.` };
      }
      return { ...base, icon: "☠", text: `${share} ${word}`, sentence: `${head}: ${share} of messages fail every attempt.` };
    }
    case FaultKind.PARTITION:
      return { ...base, icon: "✕", text: word, sentence: sync ? `${head}: connections are refused.` : `${head}: the consumer is cut off from the broker.` };
    case FaultKind.BLACKHOLE:
      return { ...base, icon: "◌", text: word, sentence: `${head}: requests are read and never answered; the caller's timeout fires.` };
    case FaultKind.BANDWIDTH:
      return { ...base, icon: "⇣", text: bandwidthText(f.bandwidthKbps), sentence: `${head}: at most ${bandwidthText(f.bandwidthKbps)} each way.` };
    case FaultKind.RESET:
      return { ...base, icon: "↯", text: word, sentence: `${head}: the connection is reset (TCP RST) when a request arrives.` };
    case FaultKind.SLOW_CONSUMER:
      return { ...base, icon: "⧗", text: `slow +${shortLatency(f)}`, sentence: `${head}: ${latencyText(f)} more per message.` };
    case FaultKind.DISCONNECT:
      return { ...base, icon: "⊘", text: "disconnected", sentence: "Disconnected: the consumer is cut off from the broker." };
    case FaultKind.DUPLICATE: {
      const share = percentText(duplicateRate(f.errorRate));
      return { ...base, icon: "⧉", text: `${share} dup`, sentence: `${head}: ${share} of messages are delivered twice.` };
    }
    default:
      return { ...base, icon: "!", text: word, sentence: "A fault is in force." };
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
