/**
 * What one node does with a message — the semantics of a service:
 * arrive → wait for a concurrency slot → work → maybe fail (error rate) →
 * forward along the outgoing edges chosen by the fan-out → reply.
 *
 * Decisions worth knowing:
 * - The concurrency slot is held only while working, not while waiting for
 *   downstream replies; otherwise a synchronous cycle (A→B→A) with concurrency 1
 *   would deadlock until timeouts.
 * - Waiting work is bounded (NodeSetup.maxWaiting: the service's bulkhead,
 *   Behavior.max_waiting, else the run's limit): past it a message is
 *   refused at once (ServiceFailure "overloaded", the outcome its sender counts), so memory
 *   stays bounded under any overload.
 * - A rate limit (Behavior.rate_limit_per_second, a token bucket) is checked
 *   first, on every arrival: without a token the message is refused at once
 *   (ServiceFailure "rate-limited": REST 429, Connect RESOURCE_EXHAUSTED).
 * - Every message is counted and its sends timed (HostCounters), whatever the
 *   sampling: its send, and — for a synchronous call — its outcome, named
 *   (lib/metrics/outcomes.ts); an asynchronous message's end is counted by
 *   its consumer's transport; spans go to the SpanShipper with the trace's sampling decision,
 *   made here when this node is the message's root (HeadSampler) and carried
 *   in `traceparent` otherwise.
 * - A synchronous chain couples its members, as real services do: when a
 *   downstream send fails (after its retries), the service fails its own reply
 *   (ServiceFailure "downstream" or "downstream-timeout": REST 502/504, Connect
 *   UNAVAILABLE/DEADLINE_EXCEEDED), unless its Behavior says FALLBACK — then it
 *   answers OK, degraded, and its span says so. An asynchronous send fails the
 *   service only when the broker refused the hand-off; once accepted, what the
 *   consumer does later never reaches the producer.
 * - A caller's deadline (Connect/gRPC) travels: work that would start after it
 *   is cut short ("deadline"), and downstream calls get only what is left of it.
 * - A forward that would cross more than `hopLimit` edges is not sent; a span
 *   with status HOP_LIMIT records where the message ended.
 * - The run's budget (lib/budget) stops a send before it leaves, counted on
 *   its edge by name: "fan-out capped" when the message has made its quota of
 *   sends from this service (not a failure of the service, like the hop
 *   limit), "queue full" when the queue edge's waiting jobs are at their cap
 *   (a refused hand-off, as the broker's own refusal). Automatic traffic past
 *   the client's share of the run's rate is shed before it starts
 *   (`shedOrigin`: "over budget" on the edges it would have taken).
 * - Asynchronous edges that share a (transport, channel) are one group (see
 *   transports/channel-groups.ts): one send per group through the first edge's
 *   sender — one job on a shared queue, one publish on a topic. `sent` (and a
 *   refusal) count on every edge of the group; its one PRODUCER span names the
 *   first edge and lists all in `ipcplay.edges`. Fan-out chooses among groups.
 */
import { SpanKind, SpanStatus } from "@/lib/gen/ipcplay/v1/playground_pb";
import { FaultKind, DownstreamFailure, NodeKind, Transport, type Edge, type Node } from "@/lib/gen/ipcplay/v1/topology_pb";
import { LIMITS } from "@/lib/topology/limits";
import { TokenBucket } from "@/lib/resilience/token-bucket";
import type { HeadSampler } from "@/lib/trace/sampling";
import type { QueueLevels } from "@/lib/budget/queue-levels";
import { SendsPerMessage } from "@/lib/budget/sends-per-message";
import type { SamplingCounts } from "@/server/ipc/host-messages";
import { newSpanId, newTraceId } from "@/server/trace/trace-context";
import { ConcurrencyLimiter, createFanOut, sampleWorkMs, shouldFail, type Random } from "./behavior";
import type { HostCounters } from "./counters";
import type { HostFaults } from "./faults/host-faults";
import type { NodeSetup } from "./node-setup";
import type { SpanDraft, SpanShipper } from "./span-shipper";
import { groupByChannel } from "./transports/channel-groups";
import type { HandledMessage, InboundMessage, Sender, SendOutcome, ServiceFailure } from "./transports/transport";
import { workFor } from "./work-timer";
import { nowUnixMs } from "./clock";

export interface OutgoingEdge {
  edge: Edge;
  sender: Sender;
}

export interface MessageFlowOptions {
  setup: NodeSetup;
  pid: number;
  outgoing: readonly OutgoingEdge[];
  spans: SpanShipper;
  counters: HostCounters;
  /** Decides, for messages that start here, whether their trace is sampled. */
  sampler: HeadSampler;
  /** Node faults in force (LATENCY slows the work, ERRORS adds failures); none when absent. */
  faults?: HostFaults;
  random?: Random;
  /** The queue length cap's view of the queues this node sends to (absent: no cap). */
  queueLevels?: QueueLevels;
}

/** Where a message is when it is about to be forwarded. */
interface ForwardContext {
  traceId: string;
  sampled: boolean;
  /** The span forwarding it (the CLIENT spans' parent). */
  parentSpanId: string;
  /** Edges crossed so far. */
  hop: number;
  payload: string;
  /** When the work this forward is part of must be done (a caller's deadline), if any. */
  deadlineUnixMs?: number;
}

/** A send that did not end OK: which edge, and how. */
interface FailedSend {
  edgeId: string;
  outcome: SendOutcome;
}

export class MessageFlow {
  private node: Node;
  private readonly limiter: ConcurrencyLimiter;
  private rateLimiter: TokenBucket | undefined;
  private chooseEdges: <T>(targets: readonly T[]) => T[];
  private readonly random: Random;
  private replyPayload: string;
  /** Outgoing edges grouped by (transport, channel); each group is sent to once. */
  private groups: OutgoingEdge[][];
  private readonly sampling = { started: 0, sampled: 0 };
  /** The per-message send cap (HostBudget.sendsPerMessage); absent: none. */
  private sendsPerMessage: SendsPerMessage | undefined;

  constructor(private readonly options: MessageFlowOptions) {
    this.node = options.setup.node;
    this.groups = groupByChannel(options.outgoing, (outgoing) => outgoing.edge);
    const behavior = this.node.behavior;
    this.random = options.random ?? Math.random;
    this.limiter = new ConcurrencyLimiter(options.setup.concurrency, options.setup.maxWaiting);
    const rate = options.setup.rateLimitPerSecond;
    this.rateLimiter = rate > 0 ? new TokenBucket(rate, () => performance.now()) : undefined;
    this.chooseEdges = createFanOut(behavior?.fanOut ?? 0, this.random);
    this.replyPayload = "x".repeat(behavior?.replyBytes ?? 0);
    const cap = options.setup.budget?.sendsPerMessage ?? 0;
    this.sendsPerMessage = cap > 0 ? new SendsPerMessage(cap) : undefined;
  }

  /**
   * New settings, live (UpdateRun): messages already at work keep what they
   * drew; the next ones take the new behaviour and edges. The waiting line is
   * resized, never dropped.
   */
  reconfigure(setup: NodeSetup, outgoing: readonly OutgoingEdge[], sampler: HeadSampler): void {
    const fanOut = setup.node.behavior?.fanOut ?? 0;
    if (fanOut !== (this.node.behavior?.fanOut ?? 0)) this.chooseEdges = createFanOut(fanOut, this.random);
    Object.assign(this.options, { setup, outgoing, sampler });
    this.node = setup.node;
    this.groups = groupByChannel(outgoing, (edge) => edge.edge);
    this.limiter.resize(setup.concurrency, setup.maxWaiting);
    const rate = setup.rateLimitPerSecond;
    if (rate !== (this.rateLimiter?.ratePerSecond ?? 0)) this.rateLimiter = rate > 0 ? new TokenBucket(rate, () => performance.now()) : undefined;
    this.replyPayload = "x".repeat(setup.node.behavior?.replyBytes ?? 0);
    const cap = setup.budget?.sendsPerMessage ?? 0;
    if (cap !== (this.sendsPerMessage?.cap ?? 0)) this.sendsPerMessage = cap > 0 ? new SendsPerMessage(cap) : undefined;
  }

  /**
   * Automatic traffic past the client's share of the run's rate: the message
   * does not start, and each edge it would have gone along (as the fan-out
   * picks them now) books it sent and "over budget", so the books add up and
   * show what was shed, edge by edge.
   */
  shedOrigin(): void {
    for (const group of this.chooseEdges(this.groups)) {
      for (const { edge } of group) {
        this.options.counters.add(edge.id, "sent");
        this.options.counters.add(edge.id, "over budget");
      }
    }
  }

  /** The head sampler in use (a live update keeps it unless the budget or the client's rate changed). */
  get sampler(): HeadSampler {
    return this.options.sampler;
  }

  /** The concurrency limit c now. */
  get concurrency(): number {
    return this.limiter.capacity;
  }

  /** Messages waiting for a concurrency slot now. */
  get waiting(): number {
    return this.limiter.queued;
  }

  /** How many traces started here, and how many of them were sampled. */
  samplingCounts(): SamplingCounts {
    return { ...this.sampling, oneIn: this.options.sampler.currentOneIn };
  }

  /** A message arrived on an inbound edge (or as a plain request, which starts a trace here). */
  receive(message: InboundMessage): Promise<HandledMessage> {
    const traceId = message.parent?.traceId ?? newTraceId();
    const sampled = message.parent ? message.parent.sampled : this.decideSampling();
    if (this.rateLimiter && !this.rateLimiter.take()) {
      return Promise.resolve(this.refuse(message, traceId, sampled, "rate-limited", `rate limited: more than ${this.rateLimiter.ratePerSecond} messages per second`));
    }
    if (this.limiter.full) {
      return Promise.resolve(this.refuse(message, traceId, sampled, "overloaded", `overloaded: ${this.limiter.queued} messages already waiting`));
    }
    // The message's end is counted where it is seen: a synchronous caller counts its reply, an asynchronous transport its consumer's outcome.
    if (message.edge && message.waitMs !== undefined) this.options.counters.recordWait(message.edge.id, message.waitMs);
    return this.work(message, traceId, sampled);
  }

  /**
   * A message starts here (automatic traffic or SendMessage). A client records
   * a root "send" span and forwards; a service handles it as if it had arrived.
   * A client with LIMITS.maxInFlightPerClient messages still in flight skips
   * the message and counts it as dropped, so a stalled downstream cannot make
   * it hold unbounded work.
   */
  async originate(traceId: string = newTraceId(), payload = ""): Promise<void> {
    const counters = this.options.counters;
    if (this.node.kind === NodeKind.CLIENT && counters.messagesInFlight >= LIMITS.maxInFlightPerClient) {
      counters.drop();
      return;
    }
    const sampled = this.decideSampling();
    if (this.node.kind !== NodeKind.CLIENT) {
      await this.work(
        { edge: undefined, parent: undefined, hop: 0, payload, spanKind: SpanKind.SERVER, spanName: "send", attributes: {} },
        traceId,
        sampled,
      );
      return;
    }
    const done = counters.begin();
    const spanId = newSpanId();
    const start = nowUnixMs();
    const failedSend = await this.forward({ traceId, sampled, parentSpanId: spanId, hop: 0, payload });
    this.record(sampled, {
      traceId,
      spanId,
      parentSpanId: "",
      edgeId: "",
      transport: Transport.UNSPECIFIED,
      kind: SpanKind.INTERNAL,
      name: "send",
      startUnixMs: start,
      durationMs: nowUnixMs() - start,
      // The message failed at its source when its send did.
      status: failedSend ? failedSend.outcome.status : SpanStatus.OK,
      statusMessage: failedSend ? `${failedSend.edgeId}: ${failedSend.outcome.statusMessage}` : "",
      attributes: { "ipcplay.payload_bytes": String(Buffer.byteLength(payload)) },
      hop: 0,
      attempt: 0,
      nodeId: this.node.id,
      pid: this.options.pid,
    });
    done();
  }

  /** Closes every sender's connections. */
  async close(): Promise<void> {
    await Promise.all(this.options.outgoing.map(({ sender }) => sender.close()));
  }

  private decideSampling(): boolean {
    const sampled = this.options.sampler.decide();
    this.sampling.started++;
    if (sampled) this.sampling.sampled++;
    return sampled;
  }

  /**
   * Refuses a message at once (the waiting line is full, or the rate limiter had no token):
   * recorded, never worked on; its caller counts it "overloaded" or "rate limited".
   */
  private refuse(message: InboundMessage, traceId: string, sampled: boolean, failure: "overloaded" | "rate-limited", statusMessage: string): HandledMessage {
    const spanId = newSpanId();
    const now = nowUnixMs();
    const arrived = message.arrivedUnixMs ?? now;
    this.record(
      sampled,
      this.inboundSpan(message, traceId, spanId, arrived, now - arrived, SpanStatus.ERROR, statusMessage, () => ({
        ...message.attributes,
        ...message.replyAttributes?.(failure),
        [failure === "overloaded" ? "ipcplay.shed" : "ipcplay.rate_limited"]: "true",
        ...(message.edge ? { "ipcplay.edge": message.edge.id } : {}),
      })),
    );
    return { status: SpanStatus.ERROR, statusMessage, failure, replyPayload: "", traceId, spanId };
  }

  private async work(message: InboundMessage, traceId: string, sampled: boolean): Promise<HandledMessage> {
    const behavior = this.node.behavior;
    const done = this.options.counters.begin();
    const spanId = newSpanId();
    const start = nowUnixMs();
    const spanStart = message.arrivedUnixMs ?? start;

    const faults = this.options.faults;
    const abort = message.fault?.abort;
    const faultAttributes: Record<string, string> = {};
    // An injected failure answers at once, before the service (as a proxy's fault abort does): no slot, no work.
    const release = abort ? () => {} : await this.limiter.acquire();
    const waitedMs = nowUnixMs() - start;
    const slotStart = performance.now();
    const deadline = message.deadlineUnixMs;
    const pastDeadline = () => deadline !== undefined && Date.now() >= deadline;
    // Work the caller no longer waits for is not started.
    let workMs = pastDeadline() || abort ? 0 : sampleWorkMs(behavior?.workTime, this.random);
    if (!abort && !pastDeadline()) {
      // A slowed node (LATENCY) or a slow consumer (SLOW_CONSUMER) works longer, holding its slot.
      const slowMs = (faults?.delayOf(faults.node(FaultKind.LATENCY)) ?? 0) + (message.fault?.slowMs ?? 0);
      if (slowMs > 0) {
        faultAttributes["ipcplay.fault"] = message.fault?.slowMs ? "slow consumer" : "latency";
        faultAttributes["ipcplay.fault_delay_ms"] = slowMs.toFixed(3);
        workMs += slowMs;
      }
    }
    try {
      if (workMs > 0) await workFor(workMs);
    } finally {
      release();
      if (!abort) this.options.counters.recordSlot(waitedMs, performance.now() - slotStart);
    }

    let failure: ServiceFailure | undefined;
    let statusMessage = "";
    const degraded: Record<string, string> = {};
    if (abort) {
      failure = "error";
      statusMessage = `injected fault: ${abort}`;
      faultAttributes["ipcplay.fault"] = abort;
    } else if (pastDeadline()) {
      // The caller has given up: going on would be abandoned work.
      failure = "deadline";
      statusMessage = `the caller's deadline passed after ${(nowUnixMs() - start).toFixed(1)} ms; the work was cut short`;
    } else if (shouldFail(behavior?.errorRate ?? 0, this.random)) {
      failure = "error";
      statusMessage = "error rate";
    } else if (faults?.picks(faults.node(FaultKind.ERRORS))) {
      // As the service's own error rate fails, on top of it.
      failure = "error";
      statusMessage = "error rate (ERRORS fault)";
      faultAttributes["ipcplay.fault"] = "errors";
    } else {
      const failedSend = await this.forward({ traceId, sampled, parentSpanId: spanId, hop: message.hop, payload: message.payload, deadlineUnixMs: deadline });
      if (failedSend) {
        const reason = `downstream ${failedSend.edgeId} failed: ${failedSend.outcome.statusMessage}`;
        if (behavior?.onDownstreamFailure === DownstreamFailure.FALLBACK) {
          degraded["ipcplay.degraded"] = "true";
          degraded["ipcplay.fallback"] = reason;
        } else {
          failure = failedSend.outcome.status === SpanStatus.TIMEOUT ? "downstream-timeout" : "downstream";
          statusMessage = reason;
        }
      }
    }

    const status = failure === "deadline" ? SpanStatus.TIMEOUT : failure ? SpanStatus.ERROR : SpanStatus.OK;
    const durationMs = nowUnixMs() - spanStart;
    if (message.edge) this.options.counters.recordWork(message.edge.id, durationMs);
    this.record(
      sampled,
      this.inboundSpan(message, traceId, spanId, spanStart, durationMs, status, statusMessage, () => ({
        ...message.attributes,
        ...message.replyAttributes?.(failure),
        "ipcplay.work_ms": workMs.toFixed(3),
        "ipcplay.concurrency_wait_ms": waitedMs.toFixed(3),
        ...(message.edge ? { "ipcplay.edge": message.edge.id } : {}),
        ...(failure ? { "ipcplay.failure": failure } : {}),
        ...faultAttributes,
        ...degraded,
      })),
    );
    done();
    return { status, statusMessage, failure, replyPayload: this.replyPayload, traceId, spanId };
  }

  /** Sends along the chosen edges; resolves with the first send that failed, if one did. */
  private async forward(context: ForwardContext): Promise<FailedSend | undefined> {
    const chosen = this.chooseEdges(this.groups);
    const outcomes = await Promise.all(chosen.map((group) => this.sendAlong(group, context)));
    return outcomes.find((outcome) => outcome !== undefined);
  }

  /** One send along a group; resolves with it when it did not end OK (the hop limit is not a failure). */
  private async sendAlong(group: readonly OutgoingEdge[], context: ForwardContext): Promise<FailedSend | undefined> {
    const { edge, sender } = group[0];
    const edgeIds = group.map((outgoing) => outgoing.edge.id);
    const groupAttributes: Record<string, string> = edgeIds.length > 1 ? { "ipcplay.edges": edgeIds.join(",") } : {};
    const hop = context.hop + 1;
    const start = nowUnixMs();
    const spanId = newSpanId();
    if (hop > this.options.setup.hopLimit) {
      this.record(context.sampled, {
        traceId: context.traceId,
        spanId,
        parentSpanId: context.parentSpanId,
        edgeId: edge.id,
        transport: edge.transport,
        kind: SpanKind.INTERNAL,
        name: "hop limit",
        startUnixMs: start,
        durationMs: 0,
        status: SpanStatus.HOP_LIMIT,
        statusMessage: `would cross edge ${hop}, the hop limit is ${this.options.setup.hopLimit}`,
        attributes: { "ipcplay.edge": edge.id, ...groupAttributes, "ipcplay.hop_limit": String(this.options.setup.hopLimit) },
        hop: context.hop,
        attempt: 0,
        nodeId: this.node.id,
        pid: this.options.pid,
      });
      return undefined;
    }

    const counters = this.options.counters;
    // Counted before the send leaves: no outcome of it, anywhere, can be counted before its send (see CounterBook).
    for (const id of edgeIds) counters.add(id, "sent");
    const refused = this.overBudget(group, context.traceId);
    if (refused) {
      for (const id of edgeIds) counters.add(id, refused.outcome);
      this.record(context.sampled, {
        traceId: context.traceId,
        spanId,
        parentSpanId: context.parentSpanId,
        edgeId: edge.id,
        transport: edge.transport,
        kind: sender.spanKind,
        name: sender.spanName,
        startUnixMs: start,
        durationMs: 0,
        status: SpanStatus.ERROR,
        statusMessage: refused.statusMessage,
        attributes: { "ipcplay.edge": edge.id, ...groupAttributes, "ipcplay.budget": refused.outcome },
        hop,
        attempt: 0,
        nodeId: this.node.id,
        pid: this.options.pid,
      });
      if (refused.outcome === "fan-out capped") return undefined;
      return { edgeId: edge.id, outcome: { status: SpanStatus.ERROR, statusMessage: refused.statusMessage, attempts: 0, outcome: refused.outcome, attributes: {} } };
    }
    const outcome = await sender
      .send({
        traceId: context.traceId,
        spanId,
        hop,
        payload: context.payload,
        sampled: context.sampled,
        ...(context.deadlineUnixMs !== undefined ? { deadlineUnixMs: context.deadlineUnixMs } : {}),
      })
      .catch((error: Error): SendOutcome => ({
        // Senders report failures as outcomes; a rejection is a bug in one, shown rather than lost.
        status: SpanStatus.ERROR,
        statusMessage: `sender failed: ${error.message}`,
        attempts: 1,
        attributes: {},
      }));
    // The span is the library call's time on the wire when the sender knows it (transports/wire-time.ts).
    const endUnixMs = outcome.wire?.endUnixMs ?? nowUnixMs();
    const startUnixMs = outcome.wire?.startUnixMs ?? start;
    const durationMs = endUnixMs - startUnixMs;
    const synchronous = sender.spanKind === SpanKind.CLIENT;
    for (const id of edgeIds) {
      // A synchronous call ends here, with its reply; an asynchronous message only when the broker refused it.
      if (outcome.status !== SpanStatus.OK) counters.add(id, outcome.outcome ?? (synchronous ? "error reply" : "refused by broker"));
      else if (synchronous) counters.add(id, "delivered");
      if (outcome.attempts > 1) counters.add(id, "retries", outcome.attempts - 1);
      // A publish to a shared channel is one send for every edge of it.
      counters.recordSend(id, durationMs);
    }
    this.record(context.sampled, {
      traceId: context.traceId,
      spanId,
      parentSpanId: context.parentSpanId,
      edgeId: edge.id,
      transport: edge.transport,
      kind: sender.spanKind,
      name: sender.spanName,
      startUnixMs,
      durationMs,
      status: outcome.status,
      statusMessage: outcome.statusMessage,
      attributes: () => ({ "ipcplay.edge": edge.id, ...groupAttributes, ...outcome.attributes }),
      hop,
      attempt: outcome.attempts,
      nodeId: this.node.id,
      pid: this.options.pid,
    });
    return outcome.status === SpanStatus.OK ? undefined : { edgeId: edge.id, outcome };
  }

  /** Why the run's budget stops this send before it leaves, if it does. */
  private overBudget(group: readonly OutgoingEdge[], traceId: string): { outcome: "fan-out capped" | "queue full"; statusMessage: string } | undefined {
    // A publish reaches every subscriber of its topic; a job (or a call) one target.
    const { edge } = group[0];
    const deliveries = edge.transport === Transport.PUBSUB ? group.length : 1;
    if (this.sendsPerMessage && !this.sendsPerMessage.take(traceId, deliveries)) {
      return { outcome: "fan-out capped", statusMessage: `fan-out capped: this message has made its ${this.sendsPerMessage.cap} sends from ${this.node.id}` };
    }
    const levels = this.options.queueLevels;
    if (levels && edge.transport === Transport.QUEUE && !levels.take(edge.id)) {
      return { outcome: "queue full", statusMessage: `queue full: ${levels.waiting(edge.id)} jobs waiting, the cap is ${levels.cap}` };
    }
    return undefined;
  }

  /**
   * Every span of the flow is one object literal with all its fields, in one
   * order (SpanDraft's): no spreads into it and no fields added after. Those
   * take V8's slow object paths, which cost tens of µs a message on the cold
   * path a message takes at light load — in the hop (`npm run bench`).
   */
  private record(sampled: boolean, span: SpanDraft): void {
    this.options.spans.record(span, sampled);
  }

  /** The SERVER/CONSUMER span of an inbound message, in record's one literal. */
  private inboundSpan(
    message: InboundMessage,
    traceId: string,
    spanId: string,
    startUnixMs: number,
    durationMs: number,
    status: SpanStatus,
    statusMessage: string,
    attributes: () => Record<string, string>,
  ): SpanDraft {
    return {
      traceId,
      spanId,
      parentSpanId: message.parent?.parentSpanId ?? "",
      edgeId: message.edge?.id ?? "",
      transport: message.edge?.transport ?? Transport.UNSPECIFIED,
      kind: message.spanKind,
      name: message.spanName,
      startUnixMs,
      durationMs,
      status,
      statusMessage,
      attributes,
      hop: message.hop,
      attempt: 0,
      nodeId: this.node.id,
      pid: this.options.pid,
    };
  }
}

