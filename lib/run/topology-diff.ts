/**
 * What changed between two gated topologies of one run (UpdateRun), in the
 * terms the runtime acts on and the sentences a person reads in the run log.
 *
 * - Only what a running process uses counts: a node's label and position,
 *   the topology's name and description are drawing, not runtime.
 * - Settings are compared in their protobuf JSON form with every field written
 *   out, so a field added to the proto later shows up as a change (under its
 *   JSON name) without this file knowing it.
 * - An edge whose source, target, transport, queue channel, topic or delivery
 *   changed is "rewired": it connects different listeners now, which the
 *   runtime cannot change inside a running process.
 */
import { toJson, type JsonObject, type JsonValue } from "@bufbuild/protobuf";
import { DEFAULTS } from "@/lib/topology/limits";
import { Distribution, EdgeSchema, NodeSchema, Transport, type Edge, type Node, type Topology, type WorkTime } from "@/lib/gen/ipcplay/v1/topology_pb";

export interface NodeChange {
  nodeId: string;
  /** Changed fields as JSON paths under the node, e.g. "behavior.workTime", "traffic.ratePerSecond". */
  fields: string[];
  /** One per field, e.g. "b: work time 2 ms → 50 ms". */
  sentences: string[];
}

export interface EdgeChange {
  edgeId: string;
  /** Changed fields, e.g. "rest.timeoutMs", "target". */
  fields: string[];
  sentences: string[];
  /** Source, target, transport, channel or delivery changed (see the module's comment). */
  rewired: boolean;
}

export interface TopologyDiff {
  addedNodes: string[];
  removedNodes: string[];
  changedNodes: NodeChange[];
  addedEdges: string[];
  removedEdges: string[];
  changedEdges: EdgeChange[];
  /** Run-wide settings that reach every host (the hop limit). */
  runSentences: string[];
  /** Every sentence: run-wide, nodes removed/added/changed, edges removed/added/changed. */
  sentences: string[];
  /** Nothing a running process would notice changed. */
  empty: boolean;
}

/** Node fields that are drawing only. */
const IGNORED_NODE_FIELDS = new Set(["id", "label", "position"]);
/** Edge fields (and settings fields) that decide which listener an edge reaches. */
const WIRING_FIELDS = new Set(["source", "target", "transport", "queue.channel", "pubsub.channel", "pubsub.delivery"]);

export function diffTopologies(before: Topology, after: Topology): TopologyDiff {
  const oldNodes = new Map(before.nodes.map((node) => [node.id, node]));
  const newNodes = new Map(after.nodes.map((node) => [node.id, node]));
  const oldEdges = new Map(before.edges.map((edge) => [edge.id, edge]));
  const newEdges = new Map(after.edges.map((edge) => [edge.id, edge]));

  const addedNodes = after.nodes.filter((node) => !oldNodes.has(node.id)).map((node) => node.id);
  const removedNodes = before.nodes.filter((node) => !newNodes.has(node.id)).map((node) => node.id);
  const changedNodes = after.nodes
    .filter((node) => oldNodes.has(node.id))
    .map((node) => nodeChange(oldNodes.get(node.id)!, node))
    .filter((change): change is NodeChange => change !== undefined);
  const addedEdges = after.edges.filter((edge) => !oldEdges.has(edge.id)).map((edge) => edge.id);
  const removedEdges = before.edges.filter((edge) => !newEdges.has(edge.id)).map((edge) => edge.id);
  const changedEdges = after.edges
    .filter((edge) => oldEdges.has(edge.id))
    .map((edge) => edgeChange(oldEdges.get(edge.id)!, edge))
    .filter((change): change is EdgeChange => change !== undefined);

  const runSentences: string[] = [];
  const oldHopLimit = before.hopLimit || DEFAULTS.hopLimit;
  const newHopLimit = after.hopLimit || DEFAULTS.hopLimit;
  if (oldHopLimit !== newHopLimit) runSentences.push(`hop limit ${oldHopLimit} → ${newHopLimit}`);

  const sentences = [
    ...runSentences,
    ...removedNodes.map((id) => `${id}: removed`),
    ...addedNodes.map((id) => `${id}: added`),
    ...changedNodes.flatMap((change) => change.sentences),
    ...removedEdges.map(removedEdgeSentence),
    ...addedEdges.map((id) => addedEdgeSentence(newEdges.get(id)!)),
    ...changedEdges.flatMap((change) => change.sentences),
  ];
  return {
    addedNodes,
    removedNodes,
    changedNodes,
    addedEdges,
    removedEdges,
    changedEdges,
    runSentences,
    sentences,
    empty: sentences.length === 0,
  };
}

function nodeChange(before: Node, after: Node): NodeChange | undefined {
  const differences = jsonDifferences(toJson(NodeSchema, before, { alwaysEmitImplicit: true }), toJson(NodeSchema, after, { alwaysEmitImplicit: true }))
    .filter((difference) => !IGNORED_NODE_FIELDS.has(difference.path.split(".")[0]));
  if (differences.length === 0) return undefined;
  // A work time is one setting to a person, however many of its numbers changed.
  const merged = mergeUnder(differences, "behavior.workTime", before.behavior?.workTime, after.behavior?.workTime, formatWorkTime);
  return {
    nodeId: after.id,
    fields: merged.map((difference) => difference.path),
    sentences: merged.map((difference) => `${after.id}: ${labelOf(difference.path)} ${difference.before} → ${difference.after}`),
  };
}

function edgeChange(before: Edge, after: Edge): EdgeChange | undefined {
  const differences = jsonDifferences(edgeJson(before), edgeJson(after)).filter((difference) => difference.path !== "id");
  if (differences.length === 0) return undefined;
  const rewired = differences.some((difference) => WIRING_FIELDS.has(difference.path));
  // A changed transport changes every setting with it: one sentence says it.
  if (before.transport !== after.transport || before.settings.case !== after.settings.case) {
    return {
      edgeId: after.id,
      fields: differences.map((difference) => difference.path),
      sentences: [`edge ${after.id}: ${describeEdge(before)} → ${describeEdge(after)}`],
      rewired: true,
    };
  }
  return {
    edgeId: after.id,
    fields: differences.map((difference) => difference.path),
    sentences: differences.map((difference) => `edge ${after.id}: ${labelOf(difference.path)} ${difference.before} → ${difference.after}`),
    rewired,
  };
}

/** An edge's JSON with its settings under the oneof's case name and the transport as its enum name. */
function edgeJson(edge: Edge): JsonObject {
  return toJson(EdgeSchema, edge, { alwaysEmitImplicit: true }) as JsonObject;
}

interface Difference {
  path: string;
  before: string;
  after: string;
}

/** Leaf-by-leaf differences of two JSON values; arrays and mismatched shapes compare whole. */
function jsonDifferences(before: JsonValue | undefined, after: JsonValue | undefined, path = ""): Difference[] {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((key) => jsonDifferences(before[key], after[key], path ? `${path}.${key}` : key));
  }
  if (isObject(before) !== isObject(after)) {
    // One side has a message the other lacks: compare its leaves against nothing.
    const object = (isObject(before) ? before : after) as JsonObject;
    const differences = Object.keys(object).flatMap((key) =>
      jsonDifferences(isObject(before) ? before[key] : undefined, isObject(after) ? after[key] : undefined, path ? `${path}.${key}` : key),
    );
    return differences.length > 0 ? differences : [{ path, before: formatValue(path, before), after: formatValue(path, after) }];
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [{ path, before: formatValue(path, before), after: formatValue(path, after) }];
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Replaces the differences under `prefix` by one, formatted from the whole values. */
function mergeUnder<T>(differences: Difference[], prefix: string, before: T | undefined, after: T | undefined, format: (value: T | undefined) => string): Difference[] {
  const under = differences.filter((difference) => difference.path === prefix || difference.path.startsWith(`${prefix}.`));
  if (under.length === 0) return differences;
  const first = differences.indexOf(under[0]);
  const rest = differences.filter((difference) => !under.includes(difference));
  const formattedBefore = format(before);
  const formattedAfter = format(after);
  // Numbers that differ only in fields the distribution ignores read the same: not a change.
  if (formattedBefore === formattedAfter) return rest;
  rest.splice(first, 0, { path: prefix, before: formattedBefore, after: formattedAfter });
  return rest;
}

function formatWorkTime(workTime: WorkTime | undefined): string {
  if (!workTime) return "0 ms";
  switch (workTime.distribution) {
    case Distribution.UNIFORM:
      return `uniform ${ms(workTime.minMs)}–${ms(workTime.maxMs)}`;
    case Distribution.NORMAL:
      return `normal ${ms(workTime.meanMs)} ± ${ms(workTime.stddevMs)}`;
    case Distribution.EXPONENTIAL:
      return `exponential, mean ${ms(workTime.meanMs)}`;
    default:
      return ms(workTime.meanMs);
  }
}

function ms(value: number): string {
  return `${Number(value.toFixed(3))} ms`;
}

/** Readable names of the fields people change most; others are spelled out from their JSON path. */
const LABELS: Record<string, string> = {
  kind: "kind",
  "behavior.workTime": "work time",
  "behavior.errorRate": "error rate",
  "behavior.concurrency": "concurrency",
  "behavior.fanOut": "fan-out",
  "behavior.replyBytes": "reply size",
  "behavior.onDownstreamFailure": "on downstream failure",
  "behavior.maxWaiting": "max waiting",
  "behavior.rateLimitPerSecond": "rate limit",
  "traffic.ratePerSecond": "rate",
  "traffic.pattern": "pattern",
  "traffic.payloadBytes": "payload",
  "traffic.burstSize": "burst size",
  "traffic.rampSeconds": "ramp",
  source: "source",
  target: "target",
  transport: "transport",
};

const SETTING_LABELS: Record<string, string> = {
  method: "method",
  path: "path",
  timeoutMs: "timeout",
  retries: "retries",
  cacheMaxAgeS: "cache max-age",
  retryJitter: "retry jitter",
  retryBudgetPercent: "retry budget",
  retryBackoffMs: "retry backoff",
  protocol: "protocol",
  channel: "channel",
  attempts: "attempts",
  backoffMs: "backoff",
  delivery: "delivery",
  "circuitBreaker.failureRateThreshold": "circuit breaker failure rate",
  "circuitBreaker.minimumCalls": "circuit breaker minimum calls",
  "circuitBreaker.windowS": "circuit breaker window",
  "circuitBreaker.openMs": "circuit breaker open time",
  "circuitBreaker.halfOpenCalls": "circuit breaker half-open calls",
};

function labelOf(path: string): string {
  if (LABELS[path]) return LABELS[path];
  const [head, ...rest] = path.split(".");
  if (["rest", "connect", "queue", "pubsub"].includes(head)) {
    const setting = rest.join(".");
    return SETTING_LABELS[setting] ?? words(setting);
  }
  return words(path);
}

/** "behavior.someNewField" → "some new field". */
function words(path: string): string {
  const last = path.split(".").slice(-2).join(" ");
  return last.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
}

/** A leaf as a person reads it: units from the field's name, enums without their prefix. */
function formatValue(path: string, value: JsonValue | undefined): string {
  if (value === undefined || value === null) return "none";
  if (typeof value === "number") {
    if (path.endsWith("errorRate") || path.endsWith("failureRateThreshold")) return `${Number((value * 100).toFixed(2))} %`;
    if (path.endsWith("Percent")) return `${value} %`;
    if (path.endsWith("Ms")) return `${value} ms`;
    if (path.endsWith("S") || path.endsWith("Seconds")) return `${value} s`;
    if (path.endsWith("Bytes")) return `${value} B`;
    if (path.endsWith("PerSecond")) return `${value} msg/s`;
    return String(value);
  }
  if (typeof value === "string") return enumWord(value) ?? (value === "" ? '""' : value);
  if (typeof value === "boolean") return value ? "on" : "off";
  return JSON.stringify(value);
}

/** "FAN_OUT_ROUND_ROBIN" → "round robin"; undefined for a string that is not an enum name. */
function enumWord(value: string): string | undefined {
  if (!/^[A-Z][A-Z0-9_]+$/.test(value)) return undefined;
  const prefixes = ["NODE_KIND_", "DISTRIBUTION_", "FAN_OUT_", "DOWNSTREAM_FAILURE_", "TRAFFIC_PATTERN_", "TRANSPORT_", "CONNECT_PROTOCOL_", "DELIVERY_"];
  const prefix = prefixes.find((candidate) => value.startsWith(candidate));
  return (prefix ? value.slice(prefix.length) : value).toLowerCase().replaceAll("_", " ");
}

const TRANSPORT_NAMES: Record<number, string> = { [Transport.REST]: "REST", [Transport.CONNECT]: "Connect", [Transport.QUEUE]: "queue", [Transport.PUBSUB]: "pub/sub" };

/** "a → b over REST", "a → b over queue orders". */
export const removedEdgeSentence = (edgeId: string) => `edge ${edgeId}: removed`;
export const addedEdgeSentence = (edge: Edge) => `edge ${edge.id}: added (${describeEdge(edge)})`;

export function describeEdge(edge: Edge): string {
  const channel = edge.settings.case === "queue" || edge.settings.case === "pubsub" ? ` ${edge.settings.value.channel}` : "";
  return `${edge.source} → ${edge.target} over ${TRANSPORT_NAMES[edge.transport] ?? "?"}${channel}`;
}
