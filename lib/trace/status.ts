import { SpanKind, SpanStatus, type Span } from "@/lib/gen/ipcplay/v1/playground_pb";
import { Transport } from "@/lib/gen/ipcplay/v1/topology_pb";

/**
 * How bad each status is; higher is worse. A trace, an edge or a badge shows
 * its worst span. A message that never arrived (dead letter, nobody answering)
 * outranks one that arrived late or failed in the service, which outranks one
 * that was merely stopped by the hop limit.
 */
export const STATUS_SEVERITY: Readonly<Record<SpanStatus, number>> = {
  [SpanStatus.UNSPECIFIED]: 0,
  [SpanStatus.OK]: 1,
  [SpanStatus.HOP_LIMIT]: 2,
  [SpanStatus.ERROR]: 3,
  [SpanStatus.TIMEOUT]: 4,
  [SpanStatus.UNAVAILABLE]: 5,
  [SpanStatus.DEAD_LETTER]: 6,
};

/** The worse of two statuses (the first when they are as bad). */
export function worseStatus(a: SpanStatus, b: SpanStatus): SpanStatus {
  return (STATUS_SEVERITY[b] ?? 0) > (STATUS_SEVERITY[a] ?? 0) ? b : a;
}

/**
 * The worst status among spans; UNSPECIFIED when there are none.
 *
 * @example worstStatus(trace.spans) === SpanStatus.TIMEOUT // some hop timed out
 */
export function worstStatus(spans: Iterable<Pick<Span, "status">>): SpanStatus {
  let worst = SpanStatus.UNSPECIFIED;
  for (const span of spans) worst = worseStatus(worst, span.status);
  return worst;
}

/** How a status should look: fine, worth a glance, or a failure. */
export type StatusTone = "unknown" | "ok" | "warning" | "failure";

const STATUS_TONE: Readonly<Record<SpanStatus, StatusTone>> = {
  [SpanStatus.UNSPECIFIED]: "unknown",
  [SpanStatus.OK]: "ok",
  // Not a fault of any service: the topology's own cycle guard did its job.
  [SpanStatus.HOP_LIMIT]: "warning",
  [SpanStatus.ERROR]: "failure",
  [SpanStatus.TIMEOUT]: "failure",
  [SpanStatus.UNAVAILABLE]: "failure",
  [SpanStatus.DEAD_LETTER]: "failure",
};

export function statusTone(status: SpanStatus): StatusTone {
  return STATUS_TONE[status] ?? "unknown";
}

const STATUS_LABEL: Readonly<Record<SpanStatus, string>> = {
  [SpanStatus.UNSPECIFIED]: "Unknown",
  [SpanStatus.OK]: "OK",
  [SpanStatus.ERROR]: "Error",
  [SpanStatus.TIMEOUT]: "Timed out",
  [SpanStatus.UNAVAILABLE]: "Unavailable",
  [SpanStatus.HOP_LIMIT]: "Hop limit reached",
  [SpanStatus.DEAD_LETTER]: "Dead letter",
};

/** "Timed out", "Dead letter"… for badges, legends and the waterfall. */
export function spanStatusLabel(status: SpanStatus): string {
  return STATUS_LABEL[status] ?? `Status ${status}`;
}

const TRANSPORT_LABEL: Readonly<Record<Transport, string>> = {
  // Spans without a transport are work inside one process.
  [Transport.UNSPECIFIED]: "Internal",
  [Transport.REST]: "REST",
  [Transport.CONNECT]: "Connect/gRPC",
  [Transport.QUEUE]: "Queue",
  [Transport.PUBSUB]: "Pub/sub",
};

/** "REST", "Connect/gRPC", "Queue", "Pub/sub" — the same words everywhere. */
export function transportLabel(transport: Transport): string {
  return TRANSPORT_LABEL[transport] ?? `Transport ${transport}`;
}

const SPAN_KIND_LABEL: Readonly<Record<SpanKind, string>> = {
  [SpanKind.UNSPECIFIED]: "Span",
  [SpanKind.INTERNAL]: "Internal",
  [SpanKind.SERVER]: "Server",
  [SpanKind.CLIENT]: "Client",
  [SpanKind.PRODUCER]: "Producer",
  [SpanKind.CONSUMER]: "Consumer",
};

/** "Server", "Producer"… as OpenTelemetry names span kinds. */
export function spanKindLabel(kind: SpanKind): string {
  return SPAN_KIND_LABEL[kind] ?? `Kind ${kind}`;
}
