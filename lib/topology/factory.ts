import { create } from "@bufbuild/protobuf";
import {
  BehaviorSchema,
  Distribution,
  EdgeSchema,
  FanOut,
  NodeKind,
  NodeSchema,
  TopologySchema,
  TrafficPattern,
  TrafficSchema,
  type Edge,
  type Node,
  type Topology,
  type Transport,
} from "@/lib/gen/ipcplay/v1/topology_pb";
import { LIMITS } from "./limits";
import { normalizeEdge, normalizeNode, normalizeTopology } from "./normalize";
import { CURRENT_VERSION } from "./rules";

/** A new service: quick, reliable, and visibly doing some work. */
const NEW_SERVICE = { workMs: 20, concurrency: 16 } as const;
/** A new client: slow enough to follow each message by eye. */
const NEW_CLIENT = { ratePerSecond: 2, payloadBytes: 128 } as const;
/** Used when a label has no letters to make an id from. */
const FALLBACK_ID = "node";

/**
 * A topology with no nodes, every default written in.
 *
 * @example emptyTopology("Checkout flow").hopLimit; // 8
 */
export function emptyTopology(name?: string): Topology {
  return normalizeTopology(create(TopologySchema, { name, version: CURRENT_VERSION }));
}

/**
 * A new node as the palette drops it, with defaults that make a useful first run:
 * a service works 20 ms (fixed), never fails, takes 16 messages at once and
 * forwards along every edge; a client sends 2 messages of 128 bytes per second,
 * evenly spaced. The label is the id until someone renames it.
 */
export function createNode(kind: NodeKind, id: string, position: { x: number; y: number }): Node {
  const node = create(NodeSchema, { id, kind, position: { x: position.x, y: position.y } });
  if (kind === NodeKind.SERVICE) {
    node.behavior = create(BehaviorSchema, {
      workTime: { distribution: Distribution.FIXED, meanMs: NEW_SERVICE.workMs },
      errorRate: 0,
      concurrency: NEW_SERVICE.concurrency,
      fanOut: FanOut.ALL,
    });
  } else if (kind === NodeKind.CLIENT) {
    node.traffic = create(TrafficSchema, {
      ratePerSecond: NEW_CLIENT.ratePerSecond,
      pattern: TrafficPattern.CONSTANT,
      payloadBytes: NEW_CLIENT.payloadBytes,
    });
  }
  normalizeNode(node);
  return node;
}

/**
 * A new edge with its transport's full default settings.
 *
 * @example createEdge("client-orders", "client", "orders", Transport.QUEUE).settings;
 * // { case: "queue", value: { channel: "orders", attempts: 3, backoffMs: 200 } }
 */
export function createEdge(id: string, source: string, target: string, transport: Transport): Edge {
  const edge = create(EdgeSchema, { id, source, target, transport });
  normalizeEdge(edge);
  return edge;
}

/**
 * The default settings of a transport, as the edge's `settings` oneof. A queue's
 * channel defaults to the edge's target id, so pass `target` for queue edges
 * (without it the channel stays empty, for the gate to fill later).
 */
export function defaultSettings(transport: Transport, target = ""): Edge["settings"] {
  return createEdge("", "", target, transport).settings;
}

/**
 * Turns a label into an id: lowercase ASCII letters, digits and single hyphens,
 * starting with a letter, at most 32 characters. Empty when nothing usable is left.
 *
 * @example slugifyId("Orders API"); // "orders-api"
 * @example slugifyId("Ünïcode  Café #2"); // "unicode-cafe-2"
 */
export function slugifyId(label: string): string {
  return label
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "") // the accents NFKD split off
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^[^a-z]+/, "") // an id starts with a letter
    .slice(0, LIMITS.maxIdLength)
    .replace(/-+$/, "");
}

/**
 * A node id not yet used in the topology, made from a base word or a label.
 *
 * @example uniqueNodeId(t, "service"); // "service", then "service-2", "service-3"…
 * @example uniqueNodeId(t, "Orders API"); // "orders-api"
 */
export function uniqueNodeId(topology: Topology, base: string): string {
  return uniqueId(new Set(topology.nodes.map((n) => n.id)), slugifyId(base) || FALLBACK_ID);
}

/**
 * An edge id not yet used in the topology, named after its ends.
 *
 * @example uniqueEdgeId(t, "client", "orders"); // "client-orders", then "client-orders-2"…
 */
export function uniqueEdgeId(topology: Topology, source: string, target: string): string {
  return uniqueId(new Set(topology.edges.map((e) => e.id)), slugifyId(`${source}-${target}`) || "edge");
}

/** `base`, or `base-2`, `base-3`… — the first one free, cut to fit the id length. */
function uniqueId(taken: ReadonlySet<string>, base: string): string {
  for (let n = 1; ; n++) {
    const suffix = n === 1 ? "" : `-${n}`;
    const stem = base.slice(0, LIMITS.maxIdLength - suffix.length).replace(/-+$/, "");
    const candidate = `${stem}${suffix}`;
    if (!taken.has(candidate)) return candidate;
  }
}
