/**
 * One colour and one line style per transport, used everywhere: canvas edges,
 * legend, picker, waterfall bars. Change a transport's look here only.
 */
import { Transport } from "@/lib/gen/ipcplay/v1/topology_pb";
import { transportLabel } from "@/lib/trace";

export interface TransportStyle {
  transport: Transport;
  label: string;
  short: string;
  /** Stroke / bar colour. */
  color: string;
  /** Tinted background for chips. */
  tint: string;
  /** SVG stroke-dasharray; undefined = solid. */
  dash?: string;
  /** How the line looks, in words (legend, accessibility). */
  line: "solid" | "dashed" | "dotted";
  description: string;
  /** A few words for the legend: how it behaves. */
  legend: string;
}

export const TRANSPORT_STYLES: Record<Exclude<Transport, Transport.UNSPECIFIED>, TransportStyle> = {
  [Transport.REST]: {
    transport: Transport.REST,
    label: transportLabel(Transport.REST),
    short: "REST",
    color: "#2563eb",
    tint: "#eff6ff",
    line: "solid",
    description: "HTTP/1.1 request and reply, with timeout and retries",
    legend: "waits for the reply",
  },
  [Transport.CONNECT]: {
    transport: Transport.CONNECT,
    label: transportLabel(Transport.CONNECT),
    short: "gRPC",
    color: "#7c3aed",
    tint: "#f5f3ff",
    line: "solid",
    description: "Unary RPC over HTTP/2: Connect, gRPC or gRPC-web",
    legend: "HTTP/2 RPC, waits for the reply",
  },
  [Transport.QUEUE]: {
    transport: Transport.QUEUE,
    label: transportLabel(Transport.QUEUE),
    short: "Queue",
    color: "#d97706",
    tint: "#fffbeb",
    dash: "7 5",
    line: "dashed",
    description: "BullMQ job queue: buffers while the consumer is down",
    legend: "buffers; consumers compete",
  },
  [Transport.PUBSUB]: {
    transport: Transport.PUBSUB,
    label: transportLabel(Transport.PUBSUB),
    short: "Pub/sub",
    color: "#059669",
    tint: "#ecfdf5",
    dash: "1 5",
    line: "dotted",
    description: "Redis topic: every subscriber gets each message",
    legend: "each subscriber gets a copy",
  },
};

/** Transports a person can pick today. Enabling one is a one-line change here. */
export const ENABLED_TRANSPORTS: ReadonlySet<Transport> = new Set([Transport.REST, Transport.CONNECT, Transport.QUEUE, Transport.PUBSUB]);

export const TRANSPORT_ORDER = [Transport.REST, Transport.CONNECT, Transport.QUEUE, Transport.PUBSUB] as const;

export function transportStyle(t: Transport): TransportStyle {
  return t === Transport.UNSPECIFIED ? TRANSPORT_STYLES[Transport.REST] : TRANSPORT_STYLES[t];
}
