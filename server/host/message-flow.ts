/**
 * What one node does with a message — the semantics of a service:
 * arrive → wait for a concurrency slot → work → maybe fail (error rate) →
 * forward along the outgoing edges chosen by the fan-out → reply.
 *
 * Decisions worth knowing:
 * - The concurrency slot is held only while working, not while waiting for
 *   downstream replies; otherwise a synchronous cycle (A→B→A) with concurrency 1
 *   would deadlock until timeouts.
 * - A service replies OK unless its own error rate fires. A failed downstream
 *   call shows as that edge's CLIENT span with its error status and in the edge's
 *   `failed` counter; it does not turn the upstream reply into an error.
 * - A forward that would cross more than `hopLimit` edges is not sent; a span
 *   with status HOP_LIMIT records where the message ended.
 * - Asynchronous edges that share a (transport, channel) are one group (see
 *   transports/channel-groups.ts): one send per group through the first edge's
 *   sender — one job on a shared queue, one publish on a topic. `sent` (and
 *   `failed`) count on every edge of the group; its one PRODUCER span names the
 *   first edge and lists all in `ipcplay.edges`. Fan-out chooses among groups.
 */
import { SpanKind, SpanStatus } from "@/lib/gen/ipcplay/v1/playground_pb";
import { NodeKind, Transport, type Edge, type Node } from "@/lib/gen/ipcplay/v1/topology_pb";
import { DEFAULTS } from "@/lib/topology/limits";
import type { SpanRecord } from "@/server/ipc/host-messages";
import { newSpanId, newTraceId } from "@/server/trace/trace-context";
import { ConcurrencyLimiter, createFanOut, sampleWorkMs, shouldFail, type Random } from "./behavior";
import type { HostCounters } from "./counters";
import type { SpanRecorder } from "./span-recorder";
import { groupByChannel } from "./transports/channel-groups";
import type { HandledMessage, InboundMessage, Sender } from "./transports/transport";

export interface OutgoingEdge {
  edge: Edge;
  sender: Sender;
}

export interface MessageFlowOptions {
  node: Node;
  pid: number;
  hopLimit: number;
  outgoing: readonly OutgoingEdge[];
  spans: SpanRecorder;
  counters: HostCounters;
  random?: Random;
}

/** Where a message is when it is about to be forwarded. */
interface ForwardContext {
  traceId: string;
  /** The span forwarding it (the CLIENT spans' parent). */
  parentSpanId: string;
  /** Edges crossed so far. */
  hop: number;
  payload: string;
}

/** Wall-clock milliseconds with sub-millisecond fractions. */
export function nowUnixMs(): number {
  return performance.timeOrigin + performance.now();
}

export class MessageFlow {
  private readonly limiter: ConcurrencyLimiter;
  private readonly chooseEdges: <T>(targets: readonly T[]) => T[];
  private readonly random: Random;
  private readonly replyPayload: string;
  /** Outgoing edges grouped by (transport, channel); each group is sent to once. */
  private readonly groups: OutgoingEdge[][];

  constructor(private readonly options: MessageFlowOptions) {
    this.groups = groupByChannel(options.outgoing, (outgoing) => outgoing.edge);
    const behavior = options.node.behavior;
    this.random = options.random ?? Math.random;
    this.limiter = new ConcurrencyLimiter(behavior?.concurrency || DEFAULTS.concurrency);
    this.chooseEdges = createFanOut(behavior?.fanOut ?? 0, this.random);
    this.replyPayload = "x".repeat(behavior?.replyBytes ?? 0);
  }

  /** A message arrived on an inbound edge (or as a plain request). */
  receive(message: InboundMessage): Promise<HandledMessage> {
    if (message.edge) this.options.counters.add(message.edge.id, "delivered");
    return this.work(message, message.parent?.traceId ?? newTraceId());
  }

  /**
   * A message starts here (automatic traffic or SendMessage). A client records
   * a root "send" span and forwards; a service handles it as if it had arrived.
   */
  async originate(traceId: string = newTraceId(), payload = ""): Promise<void> {
    if (this.options.node.kind !== NodeKind.CLIENT) {
      await this.work(
        { edge: undefined, parent: undefined, hop: 0, payload, spanKind: SpanKind.SERVER, spanName: "send", attributes: {} },
        traceId,
      );
      return;
    }
    const done = this.options.counters.begin();
    const spanId = newSpanId();
    const start = nowUnixMs();
    await this.forward({ traceId, parentSpanId: spanId, hop: 0, payload });
    this.record({
      traceId,
      spanId,
      parentSpanId: "",
      edgeId: "",
      transport: Transport.UNSPECIFIED,
      kind: SpanKind.INTERNAL,
      name: "send",
      startUnixMs: start,
      durationMs: nowUnixMs() - start,
      status: SpanStatus.OK,
      statusMessage: "",
      attributes: { "ipcplay.payload_bytes": String(Buffer.byteLength(payload)) },
      hop: 0,
      attempt: 0,
    });
    done();
  }

  /** Closes every sender's connections. */
  async close(): Promise<void> {
    await Promise.all(this.options.outgoing.map(({ sender }) => sender.close()));
  }

  private async work(message: InboundMessage, traceId: string): Promise<HandledMessage> {
    const behavior = this.options.node.behavior;
    const done = this.options.counters.begin();
    const spanId = newSpanId();
    const start = nowUnixMs();

    const release = await this.limiter.acquire();
    const waitedMs = nowUnixMs() - start;
    const workMs = sampleWorkMs(behavior?.workTime, this.random);
    try {
      if (workMs > 0) await new Promise((resolve) => setTimeout(resolve, workMs));
    } finally {
      release();
    }

    const failed = shouldFail(behavior?.errorRate ?? 0, this.random);
    if (!failed) await this.forward({ traceId, parentSpanId: spanId, hop: message.hop, payload: message.payload });

    const status = failed ? SpanStatus.ERROR : SpanStatus.OK;
    const statusMessage = failed ? "error rate" : "";
    this.record({
      traceId,
      spanId,
      parentSpanId: message.parent?.parentSpanId ?? "",
      edgeId: message.edge?.id ?? "",
      transport: message.edge?.transport ?? Transport.UNSPECIFIED,
      kind: message.spanKind,
      name: message.spanName,
      startUnixMs: start,
      durationMs: nowUnixMs() - start,
      status,
      statusMessage,
      attributes: {
        ...message.attributes,
        "ipcplay.work_ms": workMs.toFixed(3),
        "ipcplay.concurrency_wait_ms": waitedMs.toFixed(3),
        ...(message.edge ? { "ipcplay.edge": message.edge.id } : {}),
      },
      hop: message.hop,
      attempt: 0,
    });
    done();
    return { status, statusMessage, replyPayload: this.replyPayload, traceId, spanId };
  }

  private async forward(context: ForwardContext): Promise<void> {
    const chosen = this.chooseEdges(this.groups);
    await Promise.all(chosen.map((group) => this.sendAlong(group, context)));
  }

  private async sendAlong(group: readonly OutgoingEdge[], context: ForwardContext): Promise<void> {
    const { edge, sender } = group[0];
    const edgeIds = group.map((outgoing) => outgoing.edge.id);
    const groupAttributes: Record<string, string> = edgeIds.length > 1 ? { "ipcplay.edges": edgeIds.join(",") } : {};
    const hop = context.hop + 1;
    const start = nowUnixMs();
    const common = {
      traceId: context.traceId,
      spanId: newSpanId(),
      parentSpanId: context.parentSpanId,
      edgeId: edge.id,
      transport: edge.transport,
      startUnixMs: start,
    };
    if (hop > this.options.hopLimit) {
      this.record({
        ...common,
        kind: SpanKind.INTERNAL,
        name: "hop limit",
        durationMs: 0,
        status: SpanStatus.HOP_LIMIT,
        statusMessage: `would cross edge ${hop}, the hop limit is ${this.options.hopLimit}`,
        attributes: { "ipcplay.edge": edge.id, ...groupAttributes, "ipcplay.hop_limit": String(this.options.hopLimit) },
        hop: context.hop,
        attempt: 0,
      });
      return;
    }

    const counters = this.options.counters;
    for (const id of edgeIds) counters.add(id, "sent");
    const outcome = await sender
      .send({ traceId: context.traceId, spanId: common.spanId, hop, payload: context.payload })
      .catch((error: Error) => ({
        // Senders report failures as outcomes; a rejection is a bug in one, shown rather than lost.
        status: SpanStatus.ERROR,
        statusMessage: `sender failed: ${error.message}`,
        attempts: 1,
        attributes: {},
      }));
    for (const id of edgeIds) {
      if (outcome.status !== SpanStatus.OK) counters.add(id, "failed");
      if (outcome.attempts > 1) counters.add(id, "retries", outcome.attempts - 1);
    }
    this.record({
      ...common,
      kind: sender.spanKind,
      name: sender.spanName,
      durationMs: nowUnixMs() - start,
      status: outcome.status,
      statusMessage: outcome.statusMessage,
      attributes: { "ipcplay.edge": edge.id, ...groupAttributes, ...outcome.attributes },
      hop,
      attempt: outcome.attempts,
    });
  }

  private record(span: Omit<SpanRecord, "nodeId" | "pid">): void {
    this.options.spans.record({ ...span, nodeId: this.options.node.id, pid: this.options.pid });
  }
}
