import { clone, create } from "@bufbuild/protobuf";
import type { Problem } from "@/lib/run/problem";
import {
  BehaviorSchema,
  ConnectProtocol,
  ConnectSettingsSchema,
  Delivery,
  Distribution,
  DownstreamFailure,
  FanOut,
  NodeKind,
  PositionSchema,
  PubSubSettingsSchema,
  QueueSettingsSchema,
  RestSettingsSchema,
  TopologySchema,
  TrafficPattern,
  TrafficSchema,
  WorkTimeSchema,
  type CircuitBreaker,
  type Edge,
  type Node,
  type Topology,
} from "@/lib/gen/ipcplay/v1/topology_pb";
import { DEFAULTS } from "./limits";
import { CURRENT_VERSION, settingsCaseOf } from "./rules";

/**
 * Steps that bring a document of version N to version N + 1, in place.
 * Version 0 is every document written before the field existed: it has the same
 * fields as version 1, so its step only has to stamp the number.
 */
const MIGRATIONS: Readonly<Record<number, (t: Topology) => void>> = {
  0: () => {},
};

/**
 * Brings an older document up to {@link CURRENT_VERSION}, in place. A document
 * from a newer version is left as it is, with a problem: guessing what its new
 * fields meant would run something other than what its author drew.
 */
export function migrateTopology(t: Topology): Problem[] {
  if (t.version > CURRENT_VERSION) {
    return [
      {
        path: "version",
        message: `this document is version ${t.version}, newer than this playground understands (${CURRENT_VERSION}); update the playground`,
      },
    ];
  }
  while (t.version < CURRENT_VERSION) {
    MIGRATIONS[t.version](t);
    t.version += 1;
  }
  return [];
}

/** `value` unless it is 0, which the document format reads as "the default". */
function orDefault(value: number, fallback: number): number {
  return value === 0 ? fallback : value;
}

/**
 * Returns a copy of a topology with every default written in, so that what the
 * canvas shows, what a share link carries and what the runtime runs are the same
 * explicit values. Zero in timeoutMs, concurrency, attempts, backoffMs, hopLimit,
 * burstSize and rampSeconds means "the default", and so does zero in a circuit
 * breaker's minimumCalls, windowS, openMs and halfOpenCalls once its
 * failureRateThreshold is set; unspecified enums get the
 * documented default, except a node's kind and an edge's transport, which a
 * person must choose (validation reports them). A service keeps only its
 * behavior and a client only its traffic. Normalizing twice changes nothing.
 *
 * @example
 * normalizeTopology(create(TopologySchema, { nodes: [{ id: "a", kind: NodeKind.SERVICE }] }))
 *   .nodes[0].behavior?.concurrency; // 16
 */
export function normalizeTopology(input: Topology): Topology {
  const t = clone(TopologySchema, input);
  if (t.name === "") t.name = DEFAULTS.topologyName;
  t.hopLimit = orDefault(t.hopLimit, DEFAULTS.hopLimit);
  t.nodes.forEach(normalizeNode);
  t.edges.forEach(normalizeEdge);
  return t;
}

/** Fills a node's defaults in place. */
export function normalizeNode(node: Node): void {
  if (node.label === "") node.label = node.id;
  node.position ??= create(PositionSchema);
  if (node.kind === NodeKind.SERVICE) {
    node.traffic = undefined;
    const behavior = (node.behavior ??= create(BehaviorSchema));
    const workTime = (behavior.workTime ??= create(WorkTimeSchema));
    if (workTime.distribution === Distribution.UNSPECIFIED) workTime.distribution = Distribution.FIXED;
    behavior.concurrency = orDefault(behavior.concurrency, DEFAULTS.concurrency);
    if (behavior.fanOut === FanOut.UNSPECIFIED) behavior.fanOut = FanOut.ALL;
    if (behavior.onDownstreamFailure === DownstreamFailure.UNSPECIFIED) behavior.onDownstreamFailure = DownstreamFailure.FAIL;
  } else if (node.kind === NodeKind.CLIENT) {
    node.behavior = undefined;
    const traffic = (node.traffic ??= create(TrafficSchema));
    if (traffic.pattern === TrafficPattern.UNSPECIFIED) traffic.pattern = TrafficPattern.CONSTANT;
    traffic.burstSize = orDefault(traffic.burstSize, DEFAULTS.burstSize);
    traffic.rampSeconds = orDefault(traffic.rampSeconds, DEFAULTS.rampSeconds);
  }
}

/**
 * Fills an edge's settings in place: absent settings come from the transport;
 * present ones get their zero fields filled. Settings of another transport than
 * the edge's are left alone for validation to report.
 */
export function normalizeEdge(edge: Edge): void {
  if (edge.settings.case === undefined) {
    const wanted = settingsCaseOf(edge.transport);
    if (wanted === undefined) return;
    edge.settings = emptySettings(wanted);
  }
  const settings = edge.settings;
  switch (settings.case) {
    case "rest": {
      const rest = settings.value;
      // Methods are case-insensitive in HTTP; the document keeps the usual spelling.
      rest.method = rest.method === "" ? DEFAULTS.restMethod : rest.method.toUpperCase();
      if (rest.path === "") rest.path = DEFAULTS.restPath;
      rest.timeoutMs = orDefault(rest.timeoutMs, DEFAULTS.timeoutMs);
      fillBreaker(rest.circuitBreaker);
      return;
    }
    case "connect": {
      const connect = settings.value;
      if (connect.protocol === ConnectProtocol.UNSPECIFIED) connect.protocol = ConnectProtocol.CONNECT;
      connect.timeoutMs = orDefault(connect.timeoutMs, DEFAULTS.timeoutMs);
      fillBreaker(connect.circuitBreaker);
      return;
    }
    case "queue": {
      const queue = settings.value;
      if (queue.channel === "") queue.channel = edge.target;
      queue.attempts = orDefault(queue.attempts, DEFAULTS.queueAttempts);
      queue.backoffMs = orDefault(queue.backoffMs, DEFAULTS.queueBackoffMs);
      return;
    }
    case "pubsub": {
      const pubsub = settings.value;
      if (pubsub.channel === "") pubsub.channel = DEFAULTS.pubsubChannel;
      if (pubsub.delivery === Delivery.UNSPECIFIED) pubsub.delivery = Delivery.AT_MOST_ONCE;
      return;
    }
  }
}

/**
 * A breaker that exists (threshold > 0) gets its defaults; one with threshold 0
 * is off and is left as written, so turning it back on keeps its numbers.
 */
function fillBreaker(breaker: CircuitBreaker | undefined): void {
  if (!breaker || !(breaker.failureRateThreshold > 0)) return;
  breaker.minimumCalls = orDefault(breaker.minimumCalls, DEFAULTS.breakerMinimumCalls);
  breaker.windowS = orDefault(breaker.windowS, DEFAULTS.breakerWindowS);
  breaker.openMs = orDefault(breaker.openMs, DEFAULTS.breakerOpenMs);
  breaker.halfOpenCalls = orDefault(breaker.halfOpenCalls, DEFAULTS.breakerHalfOpenCalls);
}

function emptySettings(which: NonNullable<Edge["settings"]["case"]>): Edge["settings"] {
  switch (which) {
    case "rest":
      return { case: "rest", value: create(RestSettingsSchema) };
    case "connect":
      return { case: "connect", value: create(ConnectSettingsSchema) };
    case "queue":
      return { case: "queue", value: create(QueueSettingsSchema) };
    case "pubsub":
      return { case: "pubsub", value: create(PubSubSettingsSchema) };
  }
}
