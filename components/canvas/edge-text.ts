/**
 * The words an edge shows on the canvas: its caption (what it calls, or which
 * channel it uses) and its live badge (queue depth, subscribers and losses).
 * Pure, so the canvas, the inspector and the tests agree.
 */
import type { EdgeCounters } from "@/lib/gen/ipcplay/v1/playground_pb";
import { ConnectProtocol, Delivery, type Edge, Transport } from "@/lib/gen/ipcplay/v1/topology_pb";
import { formatCount, formatMs } from "@/components/ui/format";
import { shortCount } from "./short-count";

const PROTOCOL_LABEL: Readonly<Record<ConnectProtocol, string>> = {
  [ConnectProtocol.UNSPECIFIED]: "Connect",
  [ConnectProtocol.CONNECT]: "Connect",
  [ConnectProtocol.GRPC]: "gRPC",
  [ConnectProtocol.GRPC_WEB]: "gRPC-web",
};

/** "Connect", "gRPC", "gRPC-web". */
export function protocolLabel(p: ConnectProtocol): string {
  return PROTOCOL_LABEL[p] ?? "Connect";
}

/** "at most once", "durable". */
export function deliveryLabel(d: Delivery): string {
  return d === Delivery.DURABLE ? "durable" : "at most once";
}

/**
 * What an edge's label says: method and path for REST, the protocol for
 * Connect/gRPC, the channel for a queue or topic.
 *
 * @example edgeCaption(restEdge) // "POST /charge"
 * @example edgeCaption(queueEdge) // 'queue "orders"'
 */
export function edgeCaption(edge: Edge): string {
  const s = edge.settings;
  switch (s.case) {
    case "rest":
      return `${s.value.method || "POST"} ${s.value.path || "/"}`;
    case "connect":
      return protocolLabel(s.value.protocol);
    case "queue":
      return s.value.channel ? `queue "${s.value.channel}"` : "queue";
    case "pubsub":
      return s.value.channel ? `topic "${s.value.channel}"` : "topic";
    default:
      switch (edge.transport) {
        case Transport.CONNECT:
          return "Connect";
        case Transport.QUEUE:
          return "queue";
        case Transport.PUBSUB:
          return "topic";
        default:
          return "POST /";
      }
  }
}

/** One piece of a badge; `alarm` pieces are shown in red. */
export interface BadgePart {
  key: string;
  text: string;
  alarm?: boolean;
  /** Drawn dimmer: zero or secondary counts. */
  quiet?: boolean;
  /** The figure in full words, for a tooltip. */
  title?: string;
}

/**
 * The live badge of an asynchronous edge, or null for REST and Connect.
 * Queue: "12 waiting · 1 active · 2 DLQ" (delayed retries when there are some).
 * Pub/sub: "3 subs · 5 lost".
 */
export function liveBadge(transport: Transport, c: EdgeCounters | undefined): BadgePart[] | null {
  if (!c) return null;
  if (transport === Transport.QUEUE) {
    const q = c.queue;
    const waiting = q?.waiting ?? 0;
    const active = q?.active ?? 0;
    const delayed = q?.delayed ?? 0;
    const dlq = Math.max(q?.deadLetters ?? 0, c.deadLettered);
    const parts: BadgePart[] = [
      { key: "waiting", text: `${shortCount(waiting)} waiting`, quiet: waiting === 0 },
      { key: "active", text: `${shortCount(active)} active`, quiet: active === 0 },
    ];
    if (delayed > 0) parts.push({ key: "delayed", text: `${shortCount(delayed)} retrying` });
    parts.push({ key: "dlq", text: `${shortCount(dlq)} DLQ`, alarm: dlq > 0, quiet: dlq === 0 });
    return parts;
  }
  if (transport === Transport.PUBSUB) {
    return [
      { key: "subs", text: `${shortCount(c.subscribers)} ${c.subscribers === 1 ? "sub" : "subs"}`, quiet: c.subscribers === 0 },
      { key: "lost", text: `${shortCount(c.lost)} lost`, alarm: c.lost > 0, quiet: c.lost === 0 },
    ];
  }
  return null;
}

/** In flight from which a running edge's pill mentions it: calls piling up behind a slow or dead target. */
export const IN_FLIGHT_PILE_UP = 3;

/**
 * The dark pill of counts under an edge's caption: "120 sent · 3 failed ·
 * 1 lost · p50 12 ms". A consumer sharing its queue with others says what it
 * took of the queue's messages ("took 45 of 100") instead: the channel's sent
 * beside its own share would read as loss. In flight shows on synchronous
 * and pub/sub edges once IN_FLIGHT_PILE_UP messages wait for their end, and
 * on any edge once the run is over; while it runs a queue's badge already
 * says what waits and what is worked on.
 */
export function counterParts(transport: Transport, c: EdgeCounters, live: boolean): BadgePart[] {
  const shared = c.sharedWith.length > 0;
  const parts: BadgePart[] = [];
  if (shared) {
    const took = c.delivered + c.failed + c.lost;
    parts.push({
      key: "took",
      text: `took ${shortCount(took)} of ${shortCount(c.sent)}`,
      title: `This consumer took ${formatCount(took)} of the ${formatCount(c.sent)} messages sent to its shared queue; the other consumers took the rest`,
    });
  } else {
    parts.push({ key: "sent", text: `${shortCount(c.sent)} sent`, title: `${formatCount(c.sent)} sent` });
  }
  if (c.failed > 0) parts.push({ key: "failed", text: `${shortCount(c.failed)} failed`, alarm: true, title: `${formatCount(c.failed)} failed` });
  // A topic's live badge already counts its lost messages.
  if (c.lost > 0 && !(live && transport === Transport.PUBSUB)) {
    parts.push({ key: "lost", text: `${shortCount(c.lost)} lost`, alarm: true, title: `${formatCount(c.lost)} lost` });
  }
  // While it runs, a call or two on its way is the normal state, and a figure that comes and goes each second
  // moves the label: in flight shows once it piles up. A queue's badge already says what waits in it.
  const shown = live ? transport !== Transport.QUEUE && c.inFlight >= IN_FLIGHT_PILE_UP : c.inFlight > 0;
  if (!shared && shown) {
    parts.push({ key: "in-flight", text: `${shortCount(c.inFlight)} in flight`, quiet: true, title: `${formatCount(c.inFlight)} sent and not ended yet` });
  }
  if (c.delivered > 0 && c.p50Ms > 0) {
    parts.push({ key: "p50", text: `p50 ${formatMs(c.p50Ms)}`, quiet: true, title: transport === Transport.QUEUE || transport === Transport.PUBSUB ? "Median hand-off to the broker" : "Median wait for the reply" });
  }
  return parts;
}

/** The badge as one line of text (titles, tests). */
export function badgeText(parts: readonly BadgePart[]): string {
  return parts.map((p) => p.text).join(" · ");
}

/** Channels already used by edges of a transport, sorted, for a datalist. */
export function channelsOf(edges: readonly Edge[], which: "queue" | "pubsub"): string[] {
  const set = new Set<string>();
  for (const e of edges) if (e.settings.case === which && e.settings.value.channel) set.add(e.settings.value.channel);
  return [...set].sort();
}

/** Other edges that share this queue edge's channel: its competing consumers. */
export function sharingChannel(edges: readonly Edge[], edge: Edge): Edge[] {
  if (edge.settings.case !== "queue" && edge.settings.case !== "pubsub") return [];
  const { case: which, value } = edge.settings;
  return edges.filter((e) => e.id !== edge.id && e.settings.case === which && e.settings.value.channel === value.channel);
}

/**
 * What to say when pasted edges use a queue or topic that edges already on the
 * canvas use: they join it (a pasted queue worker competes for the same jobs,
 * a pasted subscriber gets the same messages), which a paste alone does not
 * show. Null when nothing is shared.
 *
 * @example sharedChannelNotice(canvasEdges, pastedEdges) // 'The pasted edges use queue "orders" …'
 */
export function sharedChannelNotice(existing: readonly Edge[], added: readonly Edge[]): string | null {
  const shared: string[] = [];
  for (const which of ["queue", "pubsub"] as const) {
    const before = new Set(channelsOf(existing, which));
    for (const channel of channelsOf(added, which)) {
      if (before.has(channel)) shared.push(`${which === "queue" ? "queue" : "topic"} "${channel}"`);
    }
  }
  if (shared.length === 0) return null;
  const list = shared.length === 1 ? shared[0] : `${shared.slice(0, -1).join(", ")} and ${shared.at(-1)}`;
  return (
    `The pasted edges use ${list} like the originals: a queue's workers now compete for the same jobs, ` +
    "a topic's subscribers each get every message. Give a pasted edge its own channel in the edge inspector to keep the copy apart."
  );
}
