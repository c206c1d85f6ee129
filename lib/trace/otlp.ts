/**
 * The playground's spans in OpenTelemetry's own shapes: as ReadableSpan-like
 * objects (what an SDK's span processors and exporters take), and as an OTLP
 * `ExportTraceServiceRequest` encoded by the official serializers of
 * @opentelemetry/otlp-transformer — OTLP/JSON (hex ids, integer enums, 64-bit
 * nanosecond times as decimal strings) or OTLP/protobuf. Nothing here encodes
 * OTLP by hand.
 *
 * - One resource per process: `service.name` = the node id (its service),
 *   `process.pid`; spans of one node and pid share one Resource object (the
 *   serializer groups by identity).
 * - Kinds: ours have OTLP's numbers (1 internal … 5 consumer); the API's are one less.
 * - Status: OK spans are UNSET (as instrumentations leave them), any other is
 *   ERROR with its message; the playground's own status name is kept in
 *   `ipcplay.status`, its edge, hop and attempt in `ipcplay.*`.
 * - Links (Span.links) become OTLP links.
 * Pure: no I/O. Used by the control plane (ExportTraces) and the OTLP push.
 */
import { SpanKind as ApiSpanKind, SpanStatusCode, TraceFlags, type HrTime, type Link, type SpanContext } from "@opentelemetry/api";
import { JsonTraceSerializer, ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { resourceFromAttributes, type Resource } from "@opentelemetry/resources";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { SpanKind, SpanStatus, type Span } from "@/lib/gen/ipcplay/v1/playground_pb";
import { Transport } from "@/lib/gen/ipcplay/v1/topology_pb";

export const INSTRUMENTATION_SCOPE = { name: "ipc-playground", version: "0.1.0" };

/** Span-like fields the conversion reads: a Span message, or a host's SpanRecord. */
export type SpanLike = Pick<
  Span,
  "traceId" | "spanId" | "parentSpanId" | "nodeId" | "pid" | "edgeId" | "transport" | "kind" | "name" | "startUnixMs" | "durationMs" | "status" | "statusMessage" | "attributes" | "hop" | "attempt"
> & { links?: readonly { traceId: string; spanId: string; attributes: Record<string, string> }[] };

const STATUS_NAMES: Record<number, string> = {
  [SpanStatus.OK]: "ok",
  [SpanStatus.ERROR]: "error",
  [SpanStatus.TIMEOUT]: "timeout",
  [SpanStatus.UNAVAILABLE]: "unavailable",
  [SpanStatus.DEAD_LETTER]: "dead_letter",
  [SpanStatus.HOP_LIMIT]: "hop_limit",
};

const TRANSPORT_NAMES: Record<number, string> = {
  [Transport.REST]: "rest",
  [Transport.CONNECT]: "connect",
  [Transport.QUEUE]: "queue",
  [Transport.PUBSUB]: "pubsub",
};

/** Resources by "node|pid": one object per process, reused across calls (a run has few). */
export class ResourceCache {
  private readonly byKey = new Map<string, Resource>();

  of(nodeId: string, pid: number): Resource {
    const key = `${nodeId}|${pid}`;
    let resource = this.byKey.get(key);
    if (!resource) {
      resource = resourceFromAttributes({
        "service.name": nodeId || "unknown-service",
        "service.namespace": "ipc-playground",
        ...(pid > 0 ? { "process.pid": pid } : {}),
        "telemetry.sdk.name": "ipc-playground",
        "telemetry.sdk.language": "nodejs",
      });
      this.byKey.set(key, resource);
    }
    return resource;
  }
}

/** Unix milliseconds (with fractions) as OpenTelemetry's [seconds, nanoseconds]. */
export function hrTimeOfUnixMs(unixMs: number): HrTime {
  const seconds = Math.floor(unixMs / 1000);
  let nanos = Math.round((unixMs - seconds * 1000) * 1e6);
  if (nanos >= 1e9) return [seconds + 1, nanos - 1e9];
  if (nanos < 0) nanos = 0;
  return [seconds, nanos];
}

function apiKindOf(kind: SpanKind): ApiSpanKind {
  switch (kind) {
    case SpanKind.SERVER:
      return ApiSpanKind.SERVER;
    case SpanKind.CLIENT:
      return ApiSpanKind.CLIENT;
    case SpanKind.PRODUCER:
      return ApiSpanKind.PRODUCER;
    case SpanKind.CONSUMER:
      return ApiSpanKind.CONSUMER;
    default:
      return ApiSpanKind.INTERNAL;
  }
}

/** One playground span as a ReadableSpan (the fields the SDK's processors and OTLP serializers read). */
export function toReadableSpan(span: SpanLike, resources: ResourceCache): ReadableSpan {
  const context: SpanContext = { traceId: span.traceId, spanId: span.spanId, traceFlags: TraceFlags.SAMPLED };
  const parent: SpanContext | undefined = span.parentSpanId ? { traceId: span.traceId, spanId: span.parentSpanId, traceFlags: TraceFlags.SAMPLED, isRemote: true } : undefined;
  const attributes: Record<string, string | number> = { ...span.attributes };
  attributes["ipcplay.status"] = STATUS_NAMES[span.status] ?? "unspecified";
  if (span.edgeId) attributes["ipcplay.edge"] = span.edgeId;
  if (span.transport !== Transport.UNSPECIFIED) attributes["ipcplay.transport"] = TRANSPORT_NAMES[span.transport] ?? String(span.transport);
  attributes["ipcplay.hop"] = span.hop;
  if (span.attempt > 0) attributes["ipcplay.attempt"] = String(span.attempt);
  const links: Link[] = (span.links ?? []).map((link) => ({
    context: { traceId: link.traceId, spanId: link.spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true },
    attributes: link.attributes,
  }));
  const duration = Math.max(0, span.durationMs);
  const ok = span.status === SpanStatus.OK || span.status === SpanStatus.UNSPECIFIED;
  return {
    name: span.name || span.nodeId,
    kind: apiKindOf(span.kind),
    spanContext: () => context,
    parentSpanContext: parent,
    startTime: hrTimeOfUnixMs(span.startUnixMs),
    endTime: hrTimeOfUnixMs(span.startUnixMs + duration),
    duration: hrTimeOfUnixMs(duration),
    status: ok ? { code: SpanStatusCode.UNSET } : { code: SpanStatusCode.ERROR, message: span.statusMessage || STATUS_NAMES[span.status] },
    attributes,
    links,
    events: [],
    ended: true,
    resource: resources.of(span.nodeId, span.pid),
    instrumentationScope: INSTRUMENTATION_SCOPE,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

/** Spans as an OTLP/JSON ExportTraceServiceRequest (UTF-8 bytes), by the official serializer. */
export function toOtlpJson(spans: readonly SpanLike[]): Uint8Array {
  const resources = new ResourceCache();
  const bytes = JsonTraceSerializer.serializeRequest(spans.map((span) => toReadableSpan(span, resources)));
  return bytes ?? new Uint8Array();
}

/** Spans as an OTLP/protobuf ExportTraceServiceRequest, by the official serializer. */
export function toOtlpProtobuf(spans: readonly SpanLike[]): Uint8Array {
  const resources = new ResourceCache();
  const bytes = ProtobufTraceSerializer.serializeRequest(spans.map((span) => toReadableSpan(span, resources)));
  return bytes ?? new Uint8Array();
}
