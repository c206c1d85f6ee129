/**
 * Reads traces recorded elsewhere — an OTLP/JSON `ExportTraceServiceRequest`,
 * as a collector's file exporter, Jaeger or Tempo write it, or as this
 * playground exports it — into the playground's spans, and infers the
 * topology they imply: one node per `service.name`, one edge per pair of
 * services where a span of one is the parent of (or linked from) a SERVER or
 * CONSUMER span of the other, its transport read from the semantic
 * conventions (`rpc.system` → Connect/gRPC, `messaging.system` → queue or
 * pub/sub, HTTP otherwise).
 *
 * Lenient where the format is (ids in hex or base64, enums as numbers or
 * names, times as strings or numbers), strict where a span would be
 * meaningless: every problem is listed with its path, and the spans that are
 * whole are kept. Pure.
 */
import { create } from "@bufbuild/protobuf";
import { SpanKind, SpanSchema, SpanStatus, type Span } from "@/lib/gen/ipcplay/v1/playground_pb";
import { NodeKind, Transport, type Topology } from "@/lib/gen/ipcplay/v1/topology_pb";
import type { Problem } from "@/lib/run/problem";
import { createEdge, createNode, emptyTopology, slugifyId } from "@/lib/topology/factory";
import { autoLayout } from "@/lib/topology/layout";
import { percentile } from "@/lib/metrics/percentile";

/** More spans than this are not read (the rest are counted in a problem). */
export const MAX_IMPORTED_SPANS = 50_000;
/** Problems listed one by one; past this, one more says how many were left out. */
const MAX_PROBLEMS = 100;
/** The traffic an inferred client is given, messages per second, at most. */
const MAX_INFERRED_RATE = 50;

export interface ImportedTraces {
  spans: Span[];
  /** The services and edges the spans imply, laid out, through no gate yet (the caller parses it). */
  topology: Topology;
  traceIds: string[];
  problems: Problem[];
}

type Json = Record<string, unknown>;

/** Parses OTLP/JSON text; never throws. */
export function importOtlpText(text: string, name = "Imported traces"): ImportedTraces {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return empty(name, [{ path: "", message: `not JSON: ${(error as Error).message}` }]);
  }
  return importOtlp(parsed, name);
}

export function importOtlp(input: unknown, name = "Imported traces"): ImportedTraces {
  const problems = new ProblemList();
  if (!isObject(input) || !Array.isArray(input.resourceSpans)) {
    return empty(name, [{ path: "resourceSpans", message: "missing: an OTLP/JSON trace file is an object with a resourceSpans list" }]);
  }
  const read: ReadSpan[] = [];
  let skipped = 0;
  input.resourceSpans.forEach((resourceSpans: unknown, r: number) => {
    const rPath = `resourceSpans[${r}]`;
    if (!isObject(resourceSpans)) return problems.add(rPath, "not an object");
    const resourceAttributes = isObject(resourceSpans.resource) ? resourceSpans.resource.attributes : undefined;
    const service = stringAttribute(resourceAttributes, "service.name") || "unknown-service";
    const pid = Number(attributeMap(resourceAttributes)["process.pid"] ?? 0);
    const scopes = Array.isArray(resourceSpans.scopeSpans) ? resourceSpans.scopeSpans : Array.isArray(resourceSpans.instrumentationLibrarySpans) ? resourceSpans.instrumentationLibrarySpans : [];
    scopes.forEach((scope: unknown, s: number) => {
      if (!isObject(scope) || !Array.isArray(scope.spans)) return problems.add(`${rPath}.scopeSpans[${s}].spans`, "missing");
      scope.spans.forEach((span: unknown, i: number) => {
        if (read.length >= MAX_IMPORTED_SPANS) {
          skipped++;
          return;
        }
        const span_ = readSpan(span, `${rPath}.scopeSpans[${s}].spans[${i}]`, service, Number.isSafeInteger(pid) && pid > 0 ? pid : 0, problems);
        if (span_) read.push(span_);
      });
    });
  });
  if (skipped > 0) problems.add("resourceSpans", `${skipped.toLocaleString("en-US")} spans past the first ${MAX_IMPORTED_SPANS.toLocaleString("en-US")} were not read`);
  if (read.length === 0 && problems.list.length === 0) problems.add("resourceSpans", "no spans in the file");

  const inferred = inferTopology(read, name);
  return { spans: inferred.spans, topology: inferred.topology, traceIds: [...new Set(read.map((s) => s.traceId))], problems: problems.done() };
}

// ---- spans -----------------------------------------------------------------

interface ReadSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  service: string;
  name: string;
  kind: SpanKind;
  startUnixMs: number;
  durationMs: number;
  failed: boolean;
  statusMessage: string;
  attributes: Record<string, string>;
  links: { traceId: string; spanId: string }[];
  /** The resource's `process.pid`, 0 when absent. */
  pid: number;
}

function readSpan(span: unknown, path: string, service: string, pid: number, problems: ProblemList): ReadSpan | undefined {
  if (!isObject(span)) {
    problems.add(path, "not an object");
    return undefined;
  }
  const before = problems.count;
  const traceId = hexId(span.traceId, 16, `${path}.traceId`, problems);
  const spanId = hexId(span.spanId, 8, `${path}.spanId`, problems);
  const parentSpanId = span.parentSpanId === undefined || span.parentSpanId === "" ? "" : hexId(span.parentSpanId, 8, `${path}.parentSpanId`, problems);
  const start = nanos(span.startTimeUnixNano, `${path}.startTimeUnixNano`, problems);
  const end = nanos(span.endTimeUnixNano, `${path}.endTimeUnixNano`, problems);
  if (start !== undefined && end !== undefined && end < start) problems.add(`${path}.endTimeUnixNano`, "before the span's start");
  if (problems.count > before || !traceId || !spanId || start === undefined || end === undefined) return undefined;
  const status = isObject(span.status) ? span.status : {};
  const links = (Array.isArray(span.links) ? span.links : []).flatMap((link: unknown, l: number) => {
    if (!isObject(link)) return [];
    const linkTrace = hexId(link.traceId, 16, `${path}.links[${l}].traceId`, problems);
    const linkSpan = hexId(link.spanId, 8, `${path}.links[${l}].spanId`, problems);
    return linkTrace && linkSpan ? [{ traceId: linkTrace, spanId: linkSpan }] : [];
  });
  return {
    traceId,
    spanId,
    parentSpanId: parentSpanId ?? "",
    service,
    name: typeof span.name === "string" ? span.name : "",
    kind: spanKindOf(span.kind),
    startUnixMs: Number(start / 1000n) / 1000,
    durationMs: Number(end - start) / 1e6,
    failed: status.code === 2 || status.code === "STATUS_CODE_ERROR",
    statusMessage: typeof status.message === "string" ? status.message : "",
    attributes: attributeMap(span.attributes),
    links,
    pid,
  };
}

/** OTLP span kinds: 1 internal, 2 server, 3 client, 4 producer, 5 consumer (the same numbers as ours). */
function spanKindOf(kind: unknown): SpanKind {
  const byName: Record<string, SpanKind> = {
    SPAN_KIND_INTERNAL: SpanKind.INTERNAL,
    SPAN_KIND_SERVER: SpanKind.SERVER,
    SPAN_KIND_CLIENT: SpanKind.CLIENT,
    SPAN_KIND_PRODUCER: SpanKind.PRODUCER,
    SPAN_KIND_CONSUMER: SpanKind.CONSUMER,
  };
  if (typeof kind === "number" && kind >= 1 && kind <= 5) return kind as SpanKind;
  if (typeof kind === "string" && kind in byName) return byName[kind];
  return SpanKind.INTERNAL;
}

/** A failed span's status in the playground's words: timeouts and unreachable peers apart from error replies. */
function statusOf(span: ReadSpan): SpanStatus {
  const a = span.attributes;
  // Exported by this playground (lib/trace/otlp.ts): its own status, exactly.
  const own = OWN_STATUS[a["ipcplay.status"] ?? ""];
  if (own !== undefined) return own;
  if (!span.failed) return SpanStatus.OK;
  const grpc = a["rpc.grpc.status_code"];
  const http = Number(a["http.response.status_code"] ?? 0);
  if (grpc === "4" || a["rpc.connect_rpc.error_code"] === "deadline_exceeded" || http === 504 || /timeout|deadline/i.test(span.statusMessage)) return SpanStatus.TIMEOUT;
  if (grpc === "14" || a["rpc.connect_rpc.error_code"] === "unavailable" || /ECONNREFUSED|ECONNRESET|unavailable|unreachable/i.test(span.statusMessage)) return SpanStatus.UNAVAILABLE;
  return SpanStatus.ERROR;
}

const OWN_STATUS: Record<string, SpanStatus> = {
  ok: SpanStatus.OK,
  error: SpanStatus.ERROR,
  timeout: SpanStatus.TIMEOUT,
  unavailable: SpanStatus.UNAVAILABLE,
  dead_letter: SpanStatus.DEAD_LETTER,
  hop_limit: SpanStatus.HOP_LIMIT,
};

// ---- topology ----------------------------------------------------------------

/** The transport a pair of spans (the caller's side and the callee's) speaks, from their conventions. */
function transportOf(caller: ReadSpan | undefined, callee: ReadSpan): Transport {
  const a = { ...caller?.attributes, ...callee.attributes };
  if (a["rpc.system"]) return Transport.CONNECT;
  const messaging = a["messaging.system"];
  if (messaging || callee.kind === SpanKind.CONSUMER) {
    // Topics fan out; queues have competing consumers.
    const topicSystems = new Set(["redis", "kafka", "nats", "pulsar", "gcp_pubsub", "aws_sns", "eventgrid", "servicebus_topic"]);
    if (a["ipcplay.delivery"] || topicSystems.has(messaging ?? "")) return Transport.PUBSUB;
    return Transport.QUEUE;
  }
  return Transport.REST;
}

function inferTopology(read: ReadSpan[], name: string): { topology: Topology; spans: Span[] } {
  const topology = emptyTopology(name);
  const byId = new Map(read.map((span) => [`${span.traceId}/${span.spanId}`, span]));

  // Services → node ids (slugs, made unique).
  const nodeIdOf = new Map<string, string>();
  const taken = new Set<string>();
  for (const service of new Set(read.map((span) => span.service))) {
    const base = slugifyId(service) || "service";
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base.slice(0, 28)}-${n}`;
    taken.add(id);
    nodeIdOf.set(service, id);
  }

  // Edges: a SERVER/CONSUMER span whose parent, or a linked span, is in another service.
  interface Pair {
    id: string;
    source: string;
    target: string;
    transport: Transport;
    callee: ReadSpan;
    caller: ReadSpan | undefined;
  }
  const pairs = new Map<string, Pair>();
  const edgeOfSpan = new Map<ReadSpan, Pair>();
  const inbound = new Set<string>();
  for (const span of read) {
    if (span.kind !== SpanKind.SERVER && span.kind !== SpanKind.CONSUMER) continue;
    const candidates = [byId.get(`${span.traceId}/${span.parentSpanId}`), ...span.links.map((link) => byId.get(`${link.traceId}/${link.spanId}`))];
    const caller = candidates.find((candidate) => candidate !== undefined && candidate.service !== span.service);
    if (!caller) continue;
    const source = nodeIdOf.get(caller.service)!;
    const target = nodeIdOf.get(span.service)!;
    const transport = transportOf(caller, span);
    const key = `${source}|${target}|${transport}`;
    let pair = pairs.get(key);
    if (!pair) {
      let id = slugifyId(`${source}-${target}`) || "edge";
      for (let n = 2; [...pairs.values()].some((p) => p.id === id); n++) id = `${slugifyId(`${source}-${target}`).slice(0, 28)}-${n}`;
      pair = { id, source, target, transport, callee: span, caller };
      pairs.set(key, pair);
    }
    edgeOfSpan.set(span, pair);
    edgeOfSpan.set(caller, pair);
    inbound.add(target);
  }

  // Nodes: a service nothing calls is a client; a service gets the median self time of its handling spans as work.
  const selfTimes = new Map<string, number[]>();
  const children = new Map<string, ReadSpan[]>();
  for (const span of read) {
    if (!span.parentSpanId) continue;
    const key = `${span.traceId}/${span.parentSpanId}`;
    children.set(key, [...(children.get(key) ?? []), span]);
  }
  for (const span of read) {
    if (span.kind !== SpanKind.SERVER && span.kind !== SpanKind.CONSUMER) continue;
    const nested = (children.get(`${span.traceId}/${span.spanId}`) ?? []).filter((child) => child.service === span.service);
    const self = Math.max(0, span.durationMs - nested.reduce((sum, child) => sum + child.durationMs, 0));
    const id = nodeIdOf.get(span.service)!;
    selfTimes.set(id, [...(selfTimes.get(id) ?? []), self]);
  }
  const roots = read.filter((span) => !span.parentSpanId || !byId.has(`${span.traceId}/${span.parentSpanId}`));
  const windowS = read.length > 0 ? (Math.max(...read.map((s) => s.startUnixMs + s.durationMs)) - Math.min(...read.map((s) => s.startUnixMs))) / 1000 : 0;
  for (const [service, id] of nodeIdOf) {
    const isClient = !inbound.has(id);
    const node = createNode(isClient ? NodeKind.CLIENT : NodeKind.SERVICE, id, { x: 0, y: 0 });
    node.label = service;
    if (isClient) {
      const started = roots.filter((span) => span.service === service).length;
      node.traffic!.ratePerSecond = Math.max(1, Math.min(MAX_INFERRED_RATE, Math.round(windowS > 0 ? started / windowS : 1)));
    } else {
      const times = (selfTimes.get(id) ?? []).sort((a, b) => a - b);
      if (times.length > 0) node.behavior!.workTime!.meanMs = Math.round(percentile(times, 50) * 10) / 10;
    }
    topology.nodes.push(node);
  }
  for (const pair of pairs.values()) {
    const edge = createEdge(pair.id, pair.source, pair.target, pair.transport);
    const a = { ...pair.caller?.attributes, ...pair.callee.attributes };
    if (edge.settings.case === "rest") {
      const method = a["http.request.method"] ?? a["http.method"];
      const path = a["url.path"] ?? a["http.route"] ?? a["http.target"];
      if (method) edge.settings.value.method = method.toUpperCase();
      if (path?.startsWith("/")) edge.settings.value.path = path.split("?", 1)[0];
    } else if (edge.settings.case === "queue" || edge.settings.case === "pubsub") {
      const destination = a["messaging.destination.name"];
      if (destination && /^[a-zA-Z0-9._-]{1,64}$/.test(destination)) edge.settings.value.channel = destination;
    }
    topology.edges.push(edge);
  }
  for (const [id, position] of autoLayout(topology)) {
    const node = topology.nodes.find((candidate) => candidate.id === id);
    if (node?.position) {
      node.position.x = position.x;
      node.position.y = position.y;
    }
  }

  const spans = read.map((span) => {
    const pair = edgeOfSpan.get(span);
    return create(SpanSchema, {
      traceId: span.traceId,
      spanId: span.spanId,
      parentSpanId: span.parentSpanId,
      nodeId: nodeIdOf.get(span.service)!,
      edgeId: pair?.id ?? "",
      transport: pair?.transport ?? Transport.UNSPECIFIED,
      kind: span.kind,
      name: span.name,
      startUnixMs: span.startUnixMs,
      durationMs: span.durationMs,
      status: statusOf(span),
      statusMessage: span.statusMessage,
      attributes: span.attributes,
      pid: span.pid,
      links: span.links.map((link) => ({ traceId: link.traceId, spanId: link.spanId })),
    });
  });
  return { topology, spans };
}

// ---- values ------------------------------------------------------------------

/** A trace id (16 bytes) or span id (8 bytes) as lowercase hex; OTLP/JSON writes hex, protobuf JSON base64. */
function hexId(value: unknown, bytes: number, path: string, problems: ProblemList): string | undefined {
  if (typeof value !== "string") {
    problems.add(path, "missing");
    return undefined;
  }
  if (new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`).test(value)) {
    if (/^0+$/.test(value)) {
      problems.add(path, "all zeros, which OTLP does not allow");
      return undefined;
    }
    return value.toLowerCase();
  }
  const base64Length = Math.ceil(bytes / 3) * 4;
  if (value.length === base64Length && /^[A-Za-z0-9+/]+=*$/.test(value)) {
    const decoded = base64ToHex(value);
    if (decoded.length === bytes * 2) return decoded;
  }
  problems.add(path, `not ${bytes * 2} hex digits`);
  return undefined;
}

function base64ToHex(value: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  let bits = 0;
  let buffer = 0;
  let hex = "";
  for (const char of value.replace(/=+$/, "")) {
    buffer = (buffer << 6) | alphabet.indexOf(char);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      hex += ((buffer >> bits) & 0xff).toString(16).padStart(2, "0");
    }
  }
  return hex;
}

/** Nanoseconds since the Unix epoch, as OTLP/JSON writes them (a decimal string; a number is accepted). */
function nanos(value: unknown, path: string, problems: ProblemList): bigint | undefined {
  if (typeof value === "string" && /^\d{1,20}$/.test(value)) return BigInt(value);
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  problems.add(path, value === undefined ? "missing" : "not a time in nanoseconds (a decimal string)");
  return undefined;
}

/** OTLP attributes (a list of { key, value: AnyValue }) as strings. */
function attributeMap(attributes: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(attributes)) return out;
  for (const attribute of attributes) {
    if (!isObject(attribute) || typeof attribute.key !== "string") continue;
    const text = anyValueText(attribute.value);
    if (text !== undefined) out[attribute.key] = text;
  }
  return out;
}

function stringAttribute(attributes: unknown, key: string): string {
  return attributeMap(attributes)[key] ?? "";
}

function anyValueText(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  if (typeof value.stringValue === "string") return value.stringValue;
  if (typeof value.boolValue === "boolean") return String(value.boolValue);
  if (typeof value.intValue === "string" || typeof value.intValue === "number") return String(value.intValue);
  if (typeof value.doubleValue === "number") return String(value.doubleValue);
  if (isObject(value.arrayValue) && Array.isArray(value.arrayValue.values)) {
    return JSON.stringify(value.arrayValue.values.map(anyValueText));
  }
  return undefined;
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function empty(name: string, problems: Problem[]): ImportedTraces {
  return { spans: [], topology: emptyTopology(name), traceIds: [], problems };
}

class ProblemList {
  readonly list: Problem[] = [];
  count = 0;
  add(path: string, message: string): void {
    this.count++;
    if (this.list.length < MAX_PROBLEMS) this.list.push({ path, message });
  }
  done(): Problem[] {
    return this.count > this.list.length ? [...this.list, { path: "", message: `and ${this.count - this.list.length} more problems` }] : this.list;
  }
}
