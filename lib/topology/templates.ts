import {
  ConnectProtocol,
  Delivery,
  NodeKind,
  Transport,
  type Behavior,
  type Edge,
  type Node,
  type Topology,
} from "@/lib/gen/ipcplay/v1/topology_pb";
import { createEdge, createNode, emptyTopology, uniqueEdgeId } from "./factory";

/** A ready-made topology from the palette, with what to watch for when it runs. */
export interface Template {
  id: string;
  title: string;
  /** One line for the palette. */
  summary: string;
  /** One paragraph: what to watch for when it runs. Also the topology's description. */
  explanation: string;
  topology: Topology;
}

/**
 * Layout grid: columns left to right, rows top to bottom. A column is a node
 * card (216 px) plus room for the edge and its label between cards; both are
 * multiples of the canvas's 20 px snap grid.
 */
export const COLUMN_PX = 360;
export const ROW_PX = 200;

interface NodeSpec {
  kind: NodeKind;
  id: string;
  label: string;
  /** Grid cell; a row of 0.5 centres a node between rows 0 and 1. */
  column: number;
  row: number;
  /** Messages per second (clients). */
  rate?: number;
  /** Changes to the new node's defaults (services). */
  behavior?: Partial<Pick<Behavior, "errorRate" | "concurrency" | "fanOut">> & { workMs?: number };
}

interface EdgeSpec {
  source: string;
  target: string;
  transport: Transport;
  /** Changes to the transport's default settings. */
  tune?: (settings: Edge["settings"]) => void;
}

function client(id: string, label: string, column: number, row: number, rate: number): NodeSpec {
  return { kind: NodeKind.CLIENT, id, label, column, row, rate };
}

function service(id: string, label: string, column: number, row: number, behavior: NodeSpec["behavior"] = {}): NodeSpec {
  return { kind: NodeKind.SERVICE, id, label, column, row, behavior };
}

function buildNode(spec: NodeSpec): Node {
  const node = createNode(spec.kind, spec.id, { x: spec.column * COLUMN_PX, y: spec.row * ROW_PX });
  node.label = spec.label;
  if (node.traffic && spec.rate !== undefined) node.traffic.ratePerSecond = spec.rate;
  if (node.behavior && spec.behavior) {
    const { workMs, ...rest } = spec.behavior;
    Object.assign(node.behavior, rest);
    if (workMs !== undefined && node.behavior.workTime) node.behavior.workTime.meanMs = workMs;
  }
  return node;
}

function build(id: string, title: string, summary: string, explanation: string, nodes: NodeSpec[], edges: EdgeSpec[]): Template {
  const topology = emptyTopology(title);
  topology.description = explanation;
  topology.nodes = nodes.map(buildNode);
  for (const spec of edges) {
    const edge = createEdge(uniqueEdgeId(topology, spec.source, spec.target), spec.source, spec.target, spec.transport);
    spec.tune?.(edge.settings);
    topology.edges.push(edge);
  }
  return { id, title, summary, explanation, topology };
}

/** Settings changes, each a no-op on another transport's settings. */
const restRetries = (retries: number) => (s: Edge["settings"]) => {
  if (s.case === "rest") s.value.retries = retries;
};
const connectProtocol = (protocol: ConnectProtocol) => (s: Edge["settings"]) => {
  if (s.case === "connect") s.value.protocol = protocol;
};
const queueChannel = (channel: string) => (s: Edge["settings"]) => {
  if (s.case === "queue") s.value.channel = channel;
};
const topic = (channel: string, delivery: Delivery) => (s: Edge["settings"]) => {
  if (s.case === "pubsub") Object.assign(s.value, { channel, delivery });
};

const restChain = build(
  "rest-chain",
  "REST chain",
  "A client calls a gateway, which calls orders, which calls billing — each waiting for the reply.",
  "Every hop is a synchronous HTTP call: the gateway holds its request open until orders answers, and orders until billing does. " +
    "Open a trace in the waterfall and see the spans nest, the client's time being the sum of every hop below it. " +
    "Billing fails 5% of the time; orders retries once, so most failures vanish at the cost of a longer call, and the rest travel all the way back to the client. " +
    "Slow billing down or kill it and watch the timeouts climb the chain: a synchronous chain is only as fast and as available as its slowest link.",
  [
    client("client", "Client", 0, 0, 3),
    service("gateway", "Gateway", 1, 0, { workMs: 5 }),
    service("orders", "Orders", 2, 0, { workMs: 30 }),
    service("billing", "Billing", 3, 0, { workMs: 50, errorRate: 0.05 }),
  ],
  [
    { source: "client", target: "gateway", transport: Transport.REST },
    { source: "gateway", target: "orders", transport: Transport.REST },
    { source: "orders", target: "billing", transport: Transport.REST, tune: restRetries(1) },
  ],
);

const grpcChain = build(
  "grpc-chain",
  "Connect / gRPC chain",
  "The same kind of chain over HTTP/2 RPC, one hop each in the Connect, gRPC and gRPC-web protocols.",
  "Each edge calls the same RPC over HTTP/2, framed three ways: the Connect protocol from the client, gRPC from api to inventory, gRPC-web from inventory to pricing. " +
    "The calls are synchronous like REST, with a deadline per attempt instead of a timeout. " +
    "Compare the hops' durations in the waterfall, and the rpc.system attribute of each span; " +
    "then slow pricing past its 1000 ms deadline and watch deadline_exceeded come back through both callers.",
  [
    client("client", "Client", 0, 0, 3),
    service("api", "API", 1, 0, { workMs: 10 }),
    service("inventory", "Inventory", 2, 0, { workMs: 25 }),
    service("pricing", "Pricing", 3, 0, { workMs: 40 }),
  ],
  [
    { source: "client", target: "api", transport: Transport.CONNECT, tune: connectProtocol(ConnectProtocol.CONNECT) },
    { source: "api", target: "inventory", transport: Transport.CONNECT, tune: connectProtocol(ConnectProtocol.GRPC) },
    { source: "inventory", target: "pricing", transport: Transport.CONNECT, tune: connectProtocol(ConnectProtocol.GRPC_WEB) },
  ],
);

const queueWorkers = build(
  "queue-workers",
  "Queue with competing workers",
  "Orders puts each order on one queue; two workers take turns draining it.",
  'Both queue edges name the channel "orders", so they are one queue and worker-a and worker-b compete for its jobs: each order is worked by exactly one of them. ' +
    "Orders answers the client as soon as the job is queued, so the client never waits for a worker. " +
    "Each worker handles one job at a time for 400 ms, so together they keep up with 4 orders per second with little to spare. " +
    "Kill worker-b: the queue depth badge starts to grow, because one worker cannot keep up alone; bring it back and watch both drain the backlog.",
  [
    client("client", "Client", 0, 0.5, 4),
    service("orders", "Orders", 1, 0.5, { workMs: 10 }),
    service("worker-a", "Worker A", 2, 0, { workMs: 400, concurrency: 1 }),
    service("worker-b", "Worker B", 2, 1, { workMs: 400, concurrency: 1 }),
  ],
  [
    { source: "client", target: "orders", transport: Transport.REST },
    { source: "orders", target: "worker-a", transport: Transport.QUEUE, tune: queueChannel("orders") },
    { source: "orders", target: "worker-b", transport: Transport.QUEUE, tune: queueChannel("orders") },
  ],
);

const pubsubFanout = build(
  "pubsub-fanout",
  "Pub/sub fan-out",
  "Checkout publishes each order once; email, analytics and shipping each get their own copy.",
  'Checkout publishes to the topic "order-placed" and moves on without waiting; every subscriber receives every message, unlike a queue. ' +
    "Email and analytics subscribe at most once (Redis Pub/Sub): a message published while one of them is down is gone for it. " +
    "Shipping subscribes durably (a Redis Stream with its own consumer group): messages wait for it and are acknowledged only after it has worked them. " +
    "Kill email and shipping for ten seconds, then bring them back: what was published meanwhile is lost for email, for good (its edge counts it: no subscriber), while shipping catches up on everything it missed.",
  [
    client("client", "Client", 0, 1, 2),
    service("checkout", "Checkout", 1, 1, { workMs: 20 }),
    service("email", "Email", 2, 0, { workMs: 30 }),
    service("analytics", "Analytics", 2, 1, { workMs: 15 }),
    service("shipping", "Shipping", 2, 2, { workMs: 60 }),
  ],
  [
    { source: "client", target: "checkout", transport: Transport.REST },
    { source: "checkout", target: "email", transport: Transport.PUBSUB, tune: topic("order-placed", Delivery.AT_MOST_ONCE) },
    { source: "checkout", target: "analytics", transport: Transport.PUBSUB, tune: topic("order-placed", Delivery.AT_MOST_ONCE) },
    { source: "checkout", target: "shipping", transport: Transport.PUBSUB, tune: topic("order-placed", Delivery.DURABLE) },
  ],
);

const syncVsAsync = build(
  "sync-vs-async",
  "Sync vs async",
  "One client, two paths: an API calling a slow worker over REST, and one handing it work through a queue.",
  "Each message from the client takes both paths, so one trace shows them side by side. " +
    "Both workers take 300 ms. Sync-api waits for its worker, so the client's call lasts at least 300 ms; async-api answers once the job is queued and its worker gets to it later. " +
    "Now slow the sync worker past the 1000 ms timeout, or kill it: sync-api's calls time out or fail and those errors reach the client. " +
    "Do the same to the async worker: the client notices nothing, the queue depth grows instead, and when the worker is back it works through the backlog.",
  [
    client("client", "Client", 0, 0.5, 3),
    service("sync-api", "Sync API", 1, 0, { workMs: 10 }),
    service("sync-worker", "Sync worker", 2, 0, { workMs: 300, concurrency: 2 }),
    service("async-api", "Async API", 1, 1, { workMs: 10 }),
    service("async-worker", "Async worker", 2, 1, { workMs: 300, concurrency: 2 }),
  ],
  [
    { source: "client", target: "sync-api", transport: Transport.REST },
    { source: "sync-api", target: "sync-worker", transport: Transport.REST },
    { source: "client", target: "async-api", transport: Transport.REST },
    { source: "async-api", target: "async-worker", transport: Transport.QUEUE },
  ],
);

/**
 * The palette's ready-made topologies, each valid and normalized (the gate
 * returns them unchanged). Treat them as read-only: copy with `clone` before editing.
 */
export const TEMPLATES: readonly Template[] = [restChain, grpcChain, queueWorkers, pubsubFanout, syncVsAsync];

/** The template with this id, or undefined. */
export function findTemplate(id: string): Template | undefined {
  return TEMPLATES.find((t) => t.id === id);
}
