/**
 * The plug-in interface of a transport inside a service host. A transport is
 * one file under server/host/transports/ exporting a `TransportPlugin`, listed
 * once in ./registry.ts; nothing else in the host knows a transport by name.
 *
 * - `listen` makes this node reachable on its inbound edges of that transport
 *   (an HTTP server, a BullMQ Worker, a subscription …) and hands every arriving
 *   message to `host.receive`, which runs the service's behaviour and resolves
 *   with the reply.
 * - `createSender` makes the sending side of one outgoing edge. The host has
 *   already opened the CLIENT/PRODUCER span; the sender carries the trace
 *   context (`traceparentOf(message)`, sampled flag included) and the hop
 *   count, and reports the outcome. Synchronous transports resolve
 *   when the reply arrives (with their own timeout and retries); asynchronous
 *   ones when the broker took the message.
 */
import type { Edge, Transport } from "@/lib/gen/ipcplay/v1/topology_pb";
import type { SpanKind, SpanStatus } from "@/lib/gen/ipcplay/v1/playground_pb";
import type { EdgeGauges, LogLevel, NodeAddress, NodePorts, SpanRecord } from "@/server/ipc/host-messages";
import type { RunKeys } from "@/server/redis/keys";
import { formatTraceparent, type TraceParent } from "@/server/trace/trace-context";
import type { CountKey, FailedOutcome } from "@/lib/metrics/outcomes";
import type { NodeSetup } from "../node-setup";
import type { HostFaults } from "../faults/host-faults";
import type { WireBounds } from "./wire-time";

/** A message that arrived at this node. */
export interface InboundMessage {
  /** The edge it travelled along; undefined for a plain request (e.g. curl). */
  edge: Edge | undefined;
  /** The caller's context; undefined starts a new trace here. */
  parent: TraceParent | undefined;
  /** Edges crossed so far, including the one it arrived on (0 for a plain request). */
  hop: number;
  payload: string;
  /** SERVER (synchronous) or CONSUMER (asynchronous). */
  spanKind: SpanKind;
  /** e.g. "POST /orders". */
  spanName: string;
  /** Transport attributes for the span, OpenTelemetry names. */
  attributes: Record<string, string>;
  /**
   * Attributes that depend on how the service answered (a SERVER span's
   * `http.response.status_code`, `rpc.grpc.status_code`): called with its
   * failure when the span's attributes are made, i.e. only if it ships.
   */
  replyAttributes?: (failure: ServiceFailure | undefined) => Record<string, string>;
  /**
   * Asynchronous transports: how long the message waited between its hand-off
   * to the broker (or its retry's backoff ending) and this consumer starting on it.
   */
  waitMs?: number;
  /**
   * When the caller stops waiting (Unix ms): a Connect/gRPC caller's deadline,
   * which travels with the call. The service gives up on work past it and
   * hands what is left of it to its own downstream calls, as gRPC services do.
   */
  deadlineUnixMs?: number;
  /** What a fault does to this message at its receiver (server/host/faults). */
  fault?: InboundFault;
  /**
   * When the transport's library handed the message to this node (Unix ms): an
   * HTTP request's headers, an RPC handler's call, a job's or a message's
   * callback — after any delay a fault on the edge adds. The SERVER/CONSUMER
   * span starts here, as OpenTelemetry's server and consumer instrumentations
   * start theirs; the host's parsing and fault lookups are inside it, not in the
   * hop before it. Absent: when the service takes the message.
   */
  arrivedUnixMs?: number;
}

/** A fault's effect on one inbound message. */
export interface InboundFault {
  /**
   * The message fails at once, without work, named by this fault ("errors"):
   * an injected error reply, a poison job or message.
   */
  abort?: string;
  /** Extra work time inside the concurrency slot (SLOW_CONSUMER), ms. */
  slowMs?: number;
}

/**
 * Why a service did not answer OK, which decides what its transport answers:
 * - "error": its own error rate fired — REST 500, Connect INTERNAL;
 * - "overloaded": refused, its waiting work was full — 503, RESOURCE_EXHAUSTED;
 * - "rate-limited": refused, its rate limiter had no token — 429, RESOURCE_EXHAUSTED;
 * - "downstream": a downstream call failed (refused, error reply) — 502, UNAVAILABLE;
 * - "downstream-timeout": a downstream call timed out — 504, DEADLINE_EXCEEDED;
 * - "deadline": the caller's deadline passed before the work was done — 504, DEADLINE_EXCEEDED.
 */
export type ServiceFailure = "error" | "overloaded" | "rate-limited" | "downstream" | "downstream-timeout" | "deadline";

/** What the service made of an inbound message. */
export interface HandledMessage {
  /** The SERVER/CONSUMER span's status. */
  status: SpanStatus;
  /** Undefined when the service answers OK (a FALLBACK answers OK too). */
  failure: ServiceFailure | undefined;
  statusMessage: string;
  replyPayload: string;
  /** The span the service recorded for it. */
  traceId: string;
  spanId: string;
}

/** A message leaving along one outgoing edge. */
export interface OutboundMessage {
  traceId: string;
  /** The CLIENT/PRODUCER span of this send: the parent of the receiver's span. */
  spanId: string;
  /** Edges crossed once this one is crossed. */
  hop: number;
  payload: string;
  /** The trace's head-sampling decision, carried on in `traceparent`. */
  sampled: boolean;
  /** The deadline of the work this send is part of (see InboundMessage.deadlineUnixMs). */
  deadlineUnixMs?: number;
}

/**
 * How long one attempt may take: the edge's timeout, or less when the work it
 * is part of has a deadline (0 = the deadline has passed already).
 */
export function attemptTimeoutMs(edgeTimeoutMs: number, message: OutboundMessage, now = Date.now()): number {
  if (message.deadlineUnixMs === undefined) return edgeTimeoutMs;
  return Math.max(0, Math.min(edgeTimeoutMs, message.deadlineUnixMs - now));
}

/** The `traceparent` a message carries along its edge: the sender's span is the receiver's parent. */
export function traceparentOf(message: OutboundMessage): string {
  return formatTraceparent({ traceId: message.traceId, parentSpanId: message.spanId, sampled: message.sampled });
}

/** How a send ended, for the CLIENT/PRODUCER span and the edge's counters. */
export interface SendOutcome {
  status: SpanStatus;
  /** Detail of a non-OK status, e.g. "HTTP 503", "timeout after 100 ms". */
  statusMessage: string;
  /**
   * Attempts made on the network, ≥ 1 — or 0 when none was made: a circuit
   * breaker refused the call, or the caller's HTTP cache answered it.
   * attempts − 1 are counted as retries.
   */
  attempts: number;
  /** How the message ended, when the status is not OK (the edge's failed_by). */
  outcome?: FailedOutcome;
  attributes: Record<string, string>;
  /** When the library call was on the wire (./wire-time.ts): the span's bounds. Absent: the span covers the whole send. */
  wire?: WireBounds;
}

/** The host's services offered to transports. */
export interface TransportHost {
  /** The node and its edges, decoded once. */
  readonly setup: NodeSetup;
  readonly nodeId: string;
  readonly pid: number;
  readonly keys: RunKeys;
  /** Runs the service's behaviour on an arriving message. */
  receive(message: InboundMessage): Promise<HandledMessage>;
  /** Where a node listens now; changes when a killed node is started again. */
  addressOf(nodeId: string): NodeAddress | undefined;
  /**
   * Counts what only the transport sees: an asynchronous message's end at its
   * consumer (delivered once per job, dead-lettered, a retry), a pub/sub
   * message handed to a subscriber or published to none. (A send, and a
   * synchronous call's outcome, are counted by the host from SendOutcome.)
   */
  count(edgeId: string, key: CountKey, amount?: number): void;
  /**
   * Records a span the transport itself owns, e.g. a DEAD_LETTER span when a
   * job gives up; `sampled` is its trace's decision (from its traceparent).
   */
  recordSpan(span: Omit<SpanRecord, "nodeId" | "pid">, sampled: boolean): void;
  log(level: LogLevel, message: string): void;
  /** The faults in force on this host (server/host/faults/host-faults.ts). */
  readonly faults: HostFaults;
  /**
   * The port a REST/Connect sender connects to for `edgeId` when its target
   * listens on `targetPort`: the target's, or a wire fault's proxy (server/host/faults/wire-paths.ts).
   */
  wirePort(edgeId: string, targetPort: number): number;
}

export interface Listener {
  /** Ports opened (only the ones this transport uses). */
  ports: Partial<NodePorts>;
  /** Stops taking messages and closes every connection. */
  close(): Promise<void>;
}

export interface Sender {
  /** Name and kind of the span of each send, e.g. "POST /orders", CLIENT. */
  readonly spanName: string;
  readonly spanKind: SpanKind;
  send(message: OutboundMessage): Promise<SendOutcome>;
  /**
   * Optional: the edge's current levels (queue depth, subscribers; a circuit
   * breaker's state, added by server/host/breaker-sender.ts), read every
   * counters report (~500 ms). REST and Connect have none of their own.
   */
  gauges?(): Promise<Omit<EdgeGauges, "edgeId">>;
  /** Closes connections; later sends are not expected. */
  close(): Promise<void>;
}

export interface TransportPlugin {
  readonly transport: Transport;
  /** Called once with all of this node's inbound edges of this transport. */
  listen?(inbound: Edge[], host: TransportHost): Promise<Listener>;
  createSender(edge: Edge, host: TransportHost): Sender;
}
