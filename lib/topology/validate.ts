import type { DescEnum } from "@bufbuild/protobuf";
import { quote, type Problem } from "@/lib/run/problem";
import {
  ConnectProtocolSchema,
  DeliverySchema,
  Distribution,
  DistributionSchema,
  DownstreamFailureSchema,
  FanOutSchema,
  NodeKind,
  NodeKindSchema,
  TrafficPatternSchema,
  Transport,
  TransportSchema,
  type Behavior,
  type ConnectSettings,
  type Edge,
  type Node,
  type PubSubSettings,
  type QueueSettings,
  type RestSettings,
  type Topology,
  type Traffic,
} from "@/lib/gen/ipcplay/v1/topology_pb";
import { scheduleProblems } from "@/lib/faults/schedule";
import { amplificationProblems } from "./amplification";
import { LIMITS } from "./limits";
import {
  CHANNEL_PATTERN,
  CHANNEL_RULE,
  ID_PATTERN,
  ID_RULE,
  REST_METHODS,
  REST_PATH_PATTERN,
  settingsCaseOf,
} from "./rules";

/**
 * Lists everything semantically wrong with a decoded topology, each problem with
 * the path of the field in the JSON form and a sentence that says what to do.
 * It never stops at the first problem.
 *
 * It judges the explicit form that `parseTopology` returns: a zero that
 * normalization would have replaced (a concurrency of 0, a timeout of 0) is
 * reported as out of range. Callers holding JSON should use `parseTopology`.
 *
 * @example
 * validateTopology(t);
 * // [{ path: "edges[3].target", message: 'no node has id "x"' }, …]
 */
export function validateTopology(t: Topology): Problem[] {
  const problems: Problem[] = [];
  checkDocument(t, problems);
  checkNodes(t, problems);
  checkEdges(t, problems);
  checkChannels(t, problems);
  problems.push(...scheduleProblems(t));
  // Worked out on a topology that is otherwise sound (its ids and edges are what the runtime would run).
  if (problems.length === 0) problems.push(...amplificationProblems(t));
  return problems;
}

/** One numeric rule: the allowed range, and whether only whole numbers fit. */
interface Range {
  min: number;
  max: number;
  /** uint32 fields: whole numbers only. */
  whole?: boolean;
  unit?: string;
}

const WORK_MS: Range = { min: 0, max: LIMITS.maxWorkMs, unit: "ms" };
const PAYLOAD_BYTES: Range = { min: 0, max: LIMITS.maxPayloadBytes, whole: true, unit: "bytes" };
const TIMEOUT: Range = { min: 1, max: LIMITS.maxTimeoutMs, whole: true, unit: "ms" };
const RETRIES: Range = { min: 0, max: LIMITS.maxRetries, whole: true };

function checkNumber(problems: Problem[], path: string, value: number, range: Range): void {
  const fits =
    Number.isFinite(value) &&
    value >= range.min &&
    value <= range.max &&
    (!range.whole || Number.isInteger(value));
  if (fits) return;
  const kind = range.whole ? "a whole number" : "a number";
  const unit = range.unit ? ` ${range.unit}` : "";
  problems.push({ path, message: `must be ${kind} from ${range.min} to ${range.max}${unit}, got ${value}` });
}

function checkLength(problems: Problem[], path: string, value: string, max: number): void {
  if (value.length > max) {
    problems.push({ path, message: `is ${value.length} characters long; at most ${max} are allowed` });
  }
}

/** Enum values a person may choose, in short form: "SERVICE or CLIENT". */
function choices(desc: DescEnum): string {
  const names = desc.values.filter((v) => v.number !== 0).map((v) => v.localName);
  return `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`;
}

/** Reports an enum field that is unspecified or holds a number the enum does not know. */
function checkChoice(problems: Problem[], path: string, desc: DescEnum, value: number, noun: string): void {
  if (value !== 0 && desc.value[value]) return;
  const why = value === 0 ? `choose a ${noun}` : `unknown ${noun} ${value}; choose one`;
  problems.push({ path, message: `${why}: ${choices(desc)}` });
}

/** Short name of an enum value for sentences ("QUEUE"), or the number when unknown. */
function enumName(desc: DescEnum, value: number): string {
  return desc.value[value]?.localName ?? String(value);
}

function checkId(problems: Problem[], path: string, id: string): void {
  if (id === "") {
    problems.push({ path, message: `is empty; ${ID_RULE}` });
  } else if (!ID_PATTERN.test(id)) {
    problems.push({ path, message: `${quote(id)} is not a valid id; ${ID_RULE}` });
  }
}

/** Reports every item after the first that reuses an id, at the later item's path. */
function checkUniqueIds(problems: Problem[], list: "nodes" | "edges", ids: readonly string[]): void {
  const first = new Map<string, number>();
  ids.forEach((id, index) => {
    const seen = first.get(id);
    if (seen === undefined) {
      first.set(id, index);
    } else if (id !== "") {
      problems.push({ path: `${list}[${index}].id`, message: `${quote(id)} is already the id of ${list}[${seen}]; ids must be unique` });
    }
  });
}

function checkDocument(t: Topology, problems: Problem[]): void {
  checkLength(problems, "name", t.name, LIMITS.maxNameLength);
  checkLength(problems, "description", t.description, LIMITS.maxDescriptionLength);
  checkNumber(problems, "hopLimit", t.hopLimit, { min: 1, max: LIMITS.maxHopLimit, whole: true, unit: "hops" });
  if (t.nodes.length === 0) {
    problems.push({ path: "nodes", message: "the topology is empty: add at least one client and one service" });
  } else {
    if (!t.nodes.some((n) => n.kind === NodeKind.CLIENT)) {
      problems.push({ path: "nodes", message: "add at least one client: clients are where messages start" });
    }
    if (!t.nodes.some((n) => n.kind === NodeKind.SERVICE)) {
      problems.push({ path: "nodes", message: "add at least one service for the clients to send to" });
    }
  }
  if (t.nodes.length > LIMITS.maxNodes) {
    problems.push({ path: "nodes", message: `has ${t.nodes.length} nodes; at most ${LIMITS.maxNodes} are allowed` });
  }
  if (t.edges.length > LIMITS.maxEdges) {
    problems.push({ path: "edges", message: `has ${t.edges.length} edges; at most ${LIMITS.maxEdges} are allowed` });
  }
  const totalRate = t.nodes.reduce((sum, n) => sum + (n.kind === NodeKind.CLIENT ? n.traffic?.ratePerSecond ?? 0 : 0), 0);
  if (totalRate > LIMITS.maxRunRatePerSecond) {
    problems.push({
      path: "nodes",
      message: `the clients send ${totalRate} messages per second in all; at most ${LIMITS.maxRunRatePerSecond} per run are allowed`,
    });
  }
}

function checkNodes(t: Topology, problems: Problem[]): void {
  const sources = new Set(t.edges.map((e) => e.source));
  t.nodes.forEach((node, i) => {
    const path = `nodes[${i}]`;
    checkId(problems, `${path}.id`, node.id);
    checkLength(problems, `${path}.label`, node.label, LIMITS.maxLabelLength);
    checkChoice(problems, `${path}.kind`, NodeKindSchema, node.kind, "kind");
    for (const axis of ["x", "y"] as const) {
      const value = node.position?.[axis] ?? 0;
      if (!Number.isFinite(value)) problems.push({ path: `${path}.position.${axis}`, message: `must be a finite number, got ${value}` });
    }
    if (node.kind === NodeKind.SERVICE) {
      if (node.behavior) checkBehavior(problems, `${path}.behavior`, node.behavior);
      else problems.push({ path: `${path}.behavior`, message: "a service needs a behavior (work time, error rate, concurrency)" });
    } else if (node.kind === NodeKind.CLIENT) {
      if (node.traffic) checkTraffic(problems, `${path}.traffic`, node.traffic);
      else problems.push({ path: `${path}.traffic`, message: "a client needs traffic settings (rate, pattern, payload)" });
      if (node.id !== "" && !sources.has(node.id)) {
        problems.push({ path, message: `this client has nowhere to send: draw an edge from ${quote(node.id)} to a service` });
      }
    }
  });
  checkUniqueIds(problems, "nodes", t.nodes.map((n) => n.id));
}

function checkBehavior(problems: Problem[], path: string, behavior: Behavior): void {
  const work = behavior.workTime;
  if (work) {
    const wpath = `${path}.workTime`;
    checkChoice(problems, `${wpath}.distribution`, DistributionSchema, work.distribution, "distribution");
    for (const field of ["meanMs", "minMs", "maxMs", "stddevMs"] as const) {
      checkNumber(problems, `${wpath}.${field}`, work[field], WORK_MS);
    }
    if (work.distribution === Distribution.UNIFORM && work.minMs > work.maxMs) {
      problems.push({ path: `${wpath}.maxMs`, message: `must be at least minMs (${work.minMs} ms), got ${work.maxMs}` });
    }
  }
  checkNumber(problems, `${path}.errorRate`, behavior.errorRate, { min: 0, max: 1 });
  checkNumber(problems, `${path}.concurrency`, behavior.concurrency, { min: 1, max: LIMITS.maxConcurrency, whole: true });
  checkChoice(problems, `${path}.fanOut`, FanOutSchema, behavior.fanOut, "fan-out");
  checkChoice(problems, `${path}.onDownstreamFailure`, DownstreamFailureSchema, behavior.onDownstreamFailure, "downstream failure policy");
  checkNumber(problems, `${path}.replyBytes`, behavior.replyBytes, PAYLOAD_BYTES);
  checkNumber(problems, `${path}.maxWaiting`, behavior.maxWaiting, { min: 0, max: LIMITS.maxWaitingLine, whole: true, unit: "messages" });
  checkNumber(problems, `${path}.rateLimitPerSecond`, behavior.rateLimitPerSecond, {
    min: 0,
    max: LIMITS.maxRateLimitPerSecond,
    unit: "messages per second",
  });
}

function checkTraffic(problems: Problem[], path: string, traffic: Traffic): void {
  checkNumber(problems, `${path}.ratePerSecond`, traffic.ratePerSecond, {
    min: 0,
    max: LIMITS.maxRatePerSecond,
    unit: "messages per second",
  });
  checkChoice(problems, `${path}.pattern`, TrafficPatternSchema, traffic.pattern, "pattern");
  checkNumber(problems, `${path}.payloadBytes`, traffic.payloadBytes, PAYLOAD_BYTES);
  checkNumber(problems, `${path}.burstSize`, traffic.burstSize, { min: 1, max: LIMITS.maxBurstSize, whole: true });
  checkNumber(problems, `${path}.rampSeconds`, traffic.rampSeconds, {
    min: 1,
    max: LIMITS.maxRampSeconds,
    whole: true,
    unit: "s",
  });
}

function checkEdges(t: Topology, problems: Problem[]): void {
  const kinds = new Map(t.nodes.map((n) => [n.id, n.kind]));
  t.edges.forEach((edge, i) => {
    const path = `edges[${i}]`;
    checkId(problems, `${path}.id`, edge.id);
    checkEndpoint(problems, `${path}.source`, edge.source, kinds, "starts from");
    if (checkEndpoint(problems, `${path}.target`, edge.target, kinds, "ends at") === NodeKind.CLIENT) {
      const message =
        edge.source === edge.target
          ? "a client cannot send to itself; clients only start messages"
          : `${quote(edge.target)} is a client; clients only send, so no edge may end at one`;
      problems.push({ path: `${path}.target`, message });
    }
    checkChoice(problems, `${path}.transport`, TransportSchema, edge.transport, "transport");
    checkSettings(problems, path, edge);
  });
  checkUniqueIds(problems, "edges", t.edges.map((e) => e.id));
}

/** Reports an empty or unknown endpoint; returns the kind of the node it names. */
function checkEndpoint(
  problems: Problem[],
  path: string,
  id: string,
  kinds: ReadonlyMap<string, NodeKind>,
  verb: string,
): NodeKind | undefined {
  if (id === "") {
    problems.push({ path, message: `is empty; name the node the edge ${verb}` });
    return undefined;
  }
  const kind = kinds.get(id);
  if (kind === undefined) problems.push({ path, message: `no node has id ${quote(id)}` });
  return kind;
}

function checkSettings(problems: Problem[], path: string, edge: Edge): void {
  const wanted = settingsCaseOf(edge.transport);
  const settings = edge.settings;
  if (settings.case === undefined) {
    if (wanted) problems.push({ path: `${path}.${wanted}`, message: `is missing: a ${enumName(TransportSchema, edge.transport)} edge needs its settings` });
    return;
  }
  if (wanted && settings.case !== wanted) {
    problems.push({
      path: `${path}.${settings.case}`,
      message: `these are ${settings.case} settings but the edge's transport is ${enumName(TransportSchema, edge.transport)}; use "${wanted}" settings or change the transport`,
    });
    return;
  }
  const spath = `${path}.${settings.case}`;
  switch (settings.case) {
    case "rest":
      checkRest(problems, spath, settings.value);
      return;
    case "connect":
      checkConnect(problems, spath, settings.value);
      return;
    case "queue":
      checkQueue(problems, spath, settings.value);
      return;
    case "pubsub":
      checkPubSub(problems, spath, settings.value);
      return;
  }
}


function checkRest(problems: Problem[], path: string, rest: RestSettings): void {
  if (!(REST_METHODS as readonly string[]).includes(rest.method)) {
    problems.push({ path: `${path}.method`, message: `${quote(rest.method)} is not allowed; use ${REST_METHODS.join(", ")}` });
  }
  if (!REST_PATH_PATTERN.test(rest.path)) {
    problems.push({
      path: `${path}.path`,
      message: `${quote(rest.path)} is not a path: it must start with "/" and hold no spaces, "?" or "#" (nor control characters)`,
    });
  }
  checkLength(problems, `${path}.path`, rest.path, LIMITS.maxPathLength);
  checkNumber(problems, `${path}.timeoutMs`, rest.timeoutMs, TIMEOUT);
  checkRetries(problems, path, rest);
  checkNumber(problems, `${path}.cacheMaxAgeS`, rest.cacheMaxAgeS, {
    min: 0,
    max: LIMITS.maxCacheMaxAgeS,
    whole: true,
    unit: "s",
  });
  if (rest.cacheMaxAgeS > 0 && rest.method !== "GET") {
    problems.push({
      path: `${path}.cacheMaxAgeS`,
      message: `only GET responses are cached; set the method to GET or the max age to 0 (method is ${rest.method})`,
    });
  }
}

function checkConnect(problems: Problem[], path: string, connect: ConnectSettings): void {
  checkChoice(problems, `${path}.protocol`, ConnectProtocolSchema, connect.protocol, "protocol");
  checkNumber(problems, `${path}.timeoutMs`, connect.timeoutMs, TIMEOUT);
  checkRetries(problems, path, connect);
}

/** Retries, their backoff and budget, and the circuit breaker: the same fields on REST and Connect edges. */
function checkRetries(problems: Problem[], path: string, settings: RestSettings | ConnectSettings): void {
  checkNumber(problems, `${path}.retries`, settings.retries, RETRIES);
  checkNumber(problems, `${path}.retryBackoffMs`, settings.retryBackoffMs, { min: 0, max: LIMITS.maxRetryBackoffMs, whole: true, unit: "ms" });
  checkNumber(problems, `${path}.retryBudgetPercent`, settings.retryBudgetPercent, { min: 0, max: 100, whole: true, unit: "%" });
  const breaker = settings.circuitBreaker;
  if (!breaker) return;
  const bpath = `${path}.circuitBreaker`;
  checkNumber(problems, `${bpath}.failureRateThreshold`, breaker.failureRateThreshold, { min: 0, max: 1 });
  // With threshold 0 the breaker is off: its other numbers are kept as written, unused.
  if (!(breaker.failureRateThreshold > 0)) return;
  checkNumber(problems, `${bpath}.minimumCalls`, breaker.minimumCalls, { min: 1, max: LIMITS.maxBreakerMinimumCalls, whole: true, unit: "calls" });
  checkNumber(problems, `${bpath}.windowS`, breaker.windowS, { min: 1, max: LIMITS.maxBreakerWindowS, whole: true, unit: "s" });
  checkNumber(problems, `${bpath}.openMs`, breaker.openMs, { min: 1, max: LIMITS.maxBreakerOpenMs, whole: true, unit: "ms" });
  checkNumber(problems, `${bpath}.halfOpenCalls`, breaker.halfOpenCalls, { min: 1, max: LIMITS.maxBreakerHalfOpenCalls, whole: true, unit: "calls" });
}

function checkChannel(problems: Problem[], path: string, channel: string): void {
  if (!CHANNEL_PATTERN.test(channel)) {
    problems.push({ path, message: `${quote(channel)} is not a valid channel name; ${CHANNEL_RULE}` });
  }
}

function checkQueue(problems: Problem[], path: string, queue: QueueSettings): void {
  checkChannel(problems, `${path}.channel`, queue.channel);
  checkNumber(problems, `${path}.attempts`, queue.attempts, { min: 1, max: LIMITS.maxAttempts, whole: true });
  checkNumber(problems, `${path}.backoffMs`, queue.backoffMs, {
    min: 1,
    max: LIMITS.maxBackoffMs,
    whole: true,
    unit: "ms",
  });
}

function checkPubSub(problems: Problem[], path: string, pubsub: PubSubSettings): void {
  checkChannel(problems, `${path}.channel`, pubsub.channel);
  checkChoice(problems, `${path}.delivery`, DeliverySchema, pubsub.delivery, "delivery");
}

/**
 * Rules across edges that share a channel. Queue edges that share a channel share
 * one queue (different attempts or backoff per producer are fine), and pub/sub
 * edges that share one share a topic. A name is either a queue or a topic: the
 * same word meaning two brokers would be read wrongly by everyone looking at it.
 *
 * Delivery belongs to a subscription, i.e. to one (subscriber, topic) pair: one
 * topic may have durable and at-most-once subscribers side by side (that is the
 * pubsub-fanout template's lesson), but one subscriber cannot take the same
 * topic both ways.
 */
function checkChannels(t: Topology, problems: Problem[]): void {
  const firstUse = new Map<string, { index: number; transport: Transport }>();
  const subscriptions = new Map<string, { index: number; pubsub: PubSubSettings }>();
  t.edges.forEach((edge, i) => {
    const settings = edge.settings;
    if (settings.case !== "queue" && settings.case !== "pubsub") return;
    if (settingsCaseOf(edge.transport) !== settings.case) return; // reported by checkSettings
    const channel = settings.value.channel;
    const first = firstUse.get(channel);
    if (first === undefined) {
      firstUse.set(channel, { index: i, transport: edge.transport });
    } else if (first.transport !== edge.transport) {
      const was = first.transport === Transport.QUEUE ? "a queue" : "a topic";
      problems.push({
        path: `edges[${i}].${settings.case}.channel`,
        message: `${quote(channel)} is already ${was} (edges[${first.index}]); a channel is either a queue or a topic, so rename one`,
      });
    }
    if (settings.case !== "pubsub") return;
    const key = JSON.stringify([edge.target, channel]);
    const subscription = subscriptions.get(key);
    if (subscription === undefined) {
      subscriptions.set(key, { index: i, pubsub: settings.value });
    } else if (subscription.pubsub.delivery !== settings.value.delivery) {
      problems.push({
        path: `edges[${i}].pubsub.delivery`,
        message:
          `${quote(edge.target)} already subscribes to ${quote(channel)} with ${enumName(DeliverySchema, subscription.pubsub.delivery)} ` +
          `delivery (edges[${subscription.index}]); one subscriber takes a topic one way, so make them the same`,
      });
    }
  });
}
