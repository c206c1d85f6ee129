/**
 * Control calls from a web instance to the runner that hosts a run, and their
 * replies, as they travel over Redis Pub/Sub (JSON text). Protobuf values go
 * in their protobuf JSON form (toJson/fromJson), so both ends validate them and
 * nothing carries a bigint. Pure: the I/O is server/runner/*.
 */
import { create, fromJson, toJson, type JsonValue } from "@bufbuild/protobuf";
import {
  DeadLetterSchema,
  InjectFaultRequestSchema,
  MetricsSchema,
  RunInfoSchema,
  RunSummarySchema,
  SpanSchema,
  TraceSummarySchema,
} from "@/lib/gen/ipcplay/v1/playground_pb";
import { TopologySchema } from "@/lib/gen/ipcplay/v1/topology_pb";
import type { Problem } from "@/lib/run/problem";

/** RunManager methods a web instance forwards to a run's runner. */
export const CONTROL_METHODS = [
  "stop",
  "get",
  "sendMessage",
  "getTrace",
  "getMetrics",
  "listTraces",
  "injectFault",
  "clearFault",
  "updateRun",
  "listDeadLetters",
  "redriveDeadLetters",
] as const;
export type ControlMethod = (typeof CONTROL_METHODS)[number];

/** The error codes of server/runtime/run-manager.ts (RunErrorCode), as they travel. */
export const ERROR_CODES = [
  "invalid_argument",
  "not_found",
  "permission_denied",
  "resource_exhausted",
  "failed_precondition",
  "unavailable",
  "internal",
] as const;
export type WireErrorCode = (typeof ERROR_CODES)[number];

export interface ControlRequest {
  /** Unique per call; the reply carries it back. */
  id: string;
  /** Channel the reply goes to (the calling instance's). */
  replyTo: string;
  runId: string;
  method: ControlMethod;
  /** The method's arguments after runId, encoded by encodeArgs. */
  args: JsonValue[];
}

export type ControlReply =
  | { id: string; ok: true; result: JsonValue }
  | { id: string; ok: false; code: WireErrorCode; message: string; problems?: Problem[] };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export function encodeRequest(request: ControlRequest): string {
  return JSON.stringify(request);
}

export function decodeRequest(text: string): ControlRequest | undefined {
  try {
    const v: unknown = JSON.parse(text);
    if (!isObject(v)) return undefined;
    if (typeof v.id !== "string" || typeof v.replyTo !== "string" || typeof v.runId !== "string") return undefined;
    if (!CONTROL_METHODS.includes(v.method as ControlMethod) || !Array.isArray(v.args)) return undefined;
    return v as unknown as ControlRequest;
  } catch {
    return undefined;
  }
}

export function encodeReply(reply: ControlReply): string {
  return JSON.stringify(reply);
}

export function decodeReply(text: string): ControlReply | undefined {
  try {
    const v: unknown = JSON.parse(text);
    if (!isObject(v) || typeof v.id !== "string") return undefined;
    if (v.ok === true && "result" in v) return v as unknown as ControlReply;
    if (v.ok === false && typeof v.message === "string" && ERROR_CODES.includes(v.code as WireErrorCode)) return v as unknown as ControlReply;
    return undefined;
  } catch {
    return undefined;
  }
}

/** An error as it travels: its code when it has one this protocol knows, else internal. */
export function errorReply(id: string, error: unknown): ControlReply {
  const e = error as { code?: unknown; message?: unknown; problems?: unknown };
  const code = ERROR_CODES.includes(e?.code as WireErrorCode) ? (e.code as WireErrorCode) : "internal";
  const message = typeof e?.message === "string" ? e.message : String(error);
  const problems = Array.isArray(e?.problems) && e.problems.length > 0 ? (e.problems as Problem[]) : undefined;
  return { id, ok: false, code, message, ...(problems ? { problems } : {}) };
}

type Codec = { encode: (value: any) => JsonValue; decode: (json: JsonValue) => any };

const plain: Codec = { encode: (v) => (v === undefined ? null : (v as JsonValue)), decode: (j) => (j === null ? undefined : j) };
const message = (schema: Parameters<typeof toJson>[0]): Codec => ({
  encode: (v) => toJson(schema, v),
  decode: (j) => fromJson(schema, j),
});
const list = (codec: Codec): Codec => ({
  encode: (v: unknown[]) => v.map((item) => codec.encode(item)),
  decode: (j) => (Array.isArray(j) ? j.map((item) => codec.decode(item)) : []),
});
/** An object whose named fields use their own codecs; the rest go as they are. */
const fields = (codecs: Record<string, Codec>): Codec => ({
  encode: (v: Record<string, unknown>) => Object.fromEntries(Object.entries(v).map(([k, x]) => [k, codecs[k] ? codecs[k].encode(x) : plain.encode(x)])),
  decode: (j) => Object.fromEntries(Object.entries(j as Record<string, JsonValue>).map(([k, x]) => [k, codecs[k] ? codecs[k].decode(x) : plain.decode(x)])),
});
/** A FaultRequest: InjectFaultRequest's fields without runId. */
const fault: Codec = {
  encode: (v) => toJson(InjectFaultRequestSchema, create(InjectFaultRequestSchema, v)),
  decode: (j) => {
    const { $typeName: _t, $unknown: _u, runId: _r, ...rest } = fromJson(InjectFaultRequestSchema, j);
    return rest;
  },
};
const runInfo = message(RunInfoSchema);
const deadLetter: Codec = {
  encode: (v) => toJson(DeadLetterSchema, create(DeadLetterSchema, v)),
  decode: (j) => {
    const { $typeName: _t, $unknown: _u, ...rest } = fromJson(DeadLetterSchema, j);
    return rest;
  },
};

/** Per method: its arguments after runId, and its result. */
const CODECS: Record<ControlMethod, { args: Codec[]; result: Codec }> = {
  stop: { args: [], result: message(RunSummarySchema) },
  get: { args: [], result: runInfo },
  sendMessage: { args: [plain, plain, plain], result: plain },
  getTrace: { args: [plain], result: list(message(SpanSchema)) },
  getMetrics: { args: [plain], result: message(MetricsSchema) },
  listTraces: { args: [plain], result: list(message(TraceSummarySchema)) },
  injectFault: { args: [fault], result: runInfo },
  clearFault: { args: [plain], result: runInfo },
  updateRun: { args: [message(TopologySchema)], result: fields({ run: runInfo }) },
  listDeadLetters: { args: [plain, plain], result: fields({ deadLetters: list(deadLetter) }) },
  redriveDeadLetters: { args: [plain, plain], result: fields({ run: runInfo }) },
};

export function encodeArgs(method: ControlMethod, args: readonly unknown[]): JsonValue[] {
  return CODECS[method].args.map((codec, i) => codec.encode(args[i]));
}

export function decodeArgs(method: ControlMethod, args: readonly JsonValue[]): unknown[] {
  return CODECS[method].args.map((codec, i) => codec.decode(args[i] ?? null));
}

export function encodeResult(method: ControlMethod, result: unknown): JsonValue {
  return CODECS[method].result.encode(result);
}

export function decodeResult(method: ControlMethod, result: JsonValue): unknown {
  return CODECS[method].result.decode(result);
}
