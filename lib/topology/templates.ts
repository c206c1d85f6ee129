import { create, type MessageInitShape } from "@bufbuild/protobuf";
import {
  CircuitBreakerSchema,
  ConnectProtocol,
  Delivery,
  DownstreamFailure,
  FaultKind,
  NodeKind,
  ScheduledFaultSchema,
  Transport,
  type Behavior,
  type Edge,
  type Node,
  type RestSettings,
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
  behavior?: Partial<Pick<Behavior, "errorRate" | "concurrency" | "fanOut" | "maxWaiting" | "onDownstreamFailure">> & { workMs?: number };
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

function build(
  id: string,
  title: string,
  summary: string,
  explanation: string,
  nodes: NodeSpec[],
  edges: EdgeSpec[],
  schedule: MessageInitShape<typeof ScheduledFaultSchema>[] = [],
): Template {
  const topology = emptyTopology(title);
  topology.description = explanation;
  topology.nodes = nodes.map(buildNode);
  for (const spec of edges) {
    const edge = createEdge(uniqueEdgeId(topology, spec.source, spec.target), spec.source, spec.target, spec.transport);
    spec.tune?.(edge.settings);
    topology.edges.push(edge);
  }
  topology.schedule = schedule.map((entry) => create(ScheduledFaultSchema, entry));
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
const rest = (changes: Partial<Omit<RestSettings, "$typeName" | "circuitBreaker">> & { breaker?: MessageInitShape<typeof CircuitBreakerSchema> }) => (s: Edge["settings"]) => {
  if (s.case !== "rest") return;
  const { breaker, ...settings } = changes;
  Object.assign(s.value, settings);
  if (breaker) s.value.circuitBreaker = create(CircuitBreakerSchema, breaker);
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

// ---- experiments: each carries its fault schedule, so it runs as a whole -----------------

const retryStorm = build(
  "retry-storm",
  "Retry storm, with and without a budget",
  "Two APIs retry a failing database up to 3 times; one of them under a 20% retry budget.",
  "Every message from the client goes both ways: api-a and api-b each call their own copy of the database, retrying up to 3 times. " +
    "Five seconds in, the schedule makes both databases fail 90% of calls for 15 seconds. " +
    "api-a retries everything it may: its attempts per message climb toward 3.4 (1 + 0.9 + 0.81 + 0.73), so a database already in trouble gets over three times the calls. " +
    "api-b has a retry budget of 20%: retries may be at most a fifth of the calls in progress, so its attempts per message stay near 1.2 and the retries it refused are counted on its edge. " +
    "Both lose most messages while the fault lasts; only one of them multiplied the load while doing so. Compare the two database edges' attempts, and their waterfalls.",
  [
    client("client", "Client", 0, 0.5, 40),
    service("api-a", "API A (no budget)", 1, 0, { workMs: 5 }),
    service("db-a", "Database A", 2, 0, { workMs: 200, concurrency: 64 }),
    service("api-b", "API B (budget)", 1, 1, { workMs: 5 }),
    service("db-b", "Database B", 2, 1, { workMs: 200, concurrency: 64 }),
  ],
  [
    { source: "client", target: "api-a", transport: Transport.REST, tune: rest({ timeoutMs: 5000 }) },
    { source: "client", target: "api-b", transport: Transport.REST, tune: rest({ timeoutMs: 5000 }) },
    { source: "api-a", target: "db-a", transport: Transport.REST, tune: rest({ retries: 3, retryBackoffMs: 50, retryJitter: true }) },
    { source: "api-b", target: "db-b", transport: Transport.REST, tune: rest({ retries: 3, retryBackoffMs: 50, retryJitter: true, retryBudgetPercent: 20 }) },
  ],
  [
    { atS: 5, durationS: 15, nodeId: "db-a", kind: FaultKind.ERRORS, errorRate: 0.9 },
    { atS: 5, durationS: 15, nodeId: "db-b", kind: FaultKind.ERRORS, errorRate: 0.9 },
  ],
);

const breakerTemplate = build(
  "circuit-breaker",
  "Circuit breaker on a slow dependency",
  "A shop calls pricing with a 300 ms timeout through a circuit breaker; pricing turns slow for 12 seconds.",
  "Five seconds in, the schedule slows pricing down by a second per call. Shop's calls start to time out after 300 ms each. " +
    "Once 10 calls in the breaker's 5 s window have been made and half of them failed, the breaker opens (the edge turns red): " +
    "shop's calls now fail at once, counted as short-circuited, instead of each waiting 300 ms — and pricing gets no calls at all to drown in. " +
    "Every 3 seconds the breaker lets 3 probe calls through (half-open, amber). While pricing is still slow they fail and it opens again; " +
    "once the slowdown ends they succeed and it closes. Watch the edge's state, its short-circuited count, and the client's latency while the breaker is open.",
  [
    client("client", "Client", 0, 0, 20),
    service("shop", "Shop", 1, 0, { workMs: 5, onDownstreamFailure: DownstreamFailure.FALLBACK }),
    service("pricing", "Pricing", 2, 0, { workMs: 20 }),
  ],
  [
    { source: "client", target: "shop", transport: Transport.REST },
    {
      source: "shop",
      target: "pricing",
      transport: Transport.REST,
      tune: rest({ timeoutMs: 300, breaker: { failureRateThreshold: 0.5, minimumCalls: 10, windowS: 5, openMs: 3000, halfOpenCalls: 3 } }),
    },
  ],
  [{ atS: 5, durationS: 12, nodeId: "pricing", kind: FaultKind.LATENCY, latencyMs: 1000 }],
);

const bulkhead = build(
  "bulkhead",
  "Bulkhead on a slow dependency",
  "Two storefronts call a recommendations service that turns slow; only one of them sits behind a bulkhead.",
  "Each message goes to both storefronts; each asks its own recommendations service (4 calls at a time) and shows a plain page if that fails. " +
    "Five seconds in, the schedule slows both recommendations services to a second per call for 15 seconds: they can serve 4 calls a second of the 20 they get. " +
    "Recommendations A lets the excess wait: its line grows by the hundreds, store A's calls wait out their 1000 ms timeout, and store A's median page takes a full second. " +
    "Recommendations B has a bulkhead: at most 2 calls may wait, the rest are refused at once (503, counted overloaded), store B falls back at once, and its median page stays fast. " +
    "When the slowdown ends, B is well at once, while A still works through a line of calls whose callers gave up long ago. " +
    "Compare the two client edges' p50, and the two services' waiting work.",
  [
    client("client", "Client", 0, 0.5, 20),
    service("store-a", "Store A", 1, 0, { workMs: 5, onDownstreamFailure: DownstreamFailure.FALLBACK }),
    service("recs-a", "Recs A", 2, 0, { workMs: 20, concurrency: 4 }),
    service("store-b", "Store B", 1, 1, { workMs: 5, onDownstreamFailure: DownstreamFailure.FALLBACK }),
    service("recs-b", "Recs B (bulkhead)", 2, 1, { workMs: 20, concurrency: 4, maxWaiting: 2 }),
  ],
  [
    { source: "client", target: "store-a", transport: Transport.REST, tune: rest({ timeoutMs: 5000 }) },
    { source: "client", target: "store-b", transport: Transport.REST, tune: rest({ timeoutMs: 5000 }) },
    { source: "store-a", target: "recs-a", transport: Transport.REST, tune: rest({ timeoutMs: 1000 }) },
    { source: "store-b", target: "recs-b", transport: Transport.REST, tune: rest({ timeoutMs: 1000 }) },
  ],
  [
    { atS: 5, durationS: 15, nodeId: "recs-a", kind: FaultKind.LATENCY, latencyMs: 1000 },
    { atS: 5, durationS: 15, nodeId: "recs-b", kind: FaultKind.LATENCY, latencyMs: 1000 },
  ],
);

const consumerOutage = build(
  "consumer-outage",
  "Consumer outage: queue vs sync call",
  "The same outage hits a worker behind a REST call and a worker behind a queue.",
  "Each message from the client takes both paths. Five seconds in, the schedule kills both fulfilment workers for 10 seconds, then starts them again. " +
    "Behind the REST call, every order placed meanwhile fails — unreachable, back to the client. " +
    "Behind the queue, the client notices nothing: orders are accepted, their jobs wait in the queue (watch its depth), " +
    "and when the worker is back it works through all of them: delivered equals sent, nothing lost. " +
    "That is what a queue buys: the producer no longer needs the consumer to be up.",
  [
    client("client", "Client", 0, 0.5, 5),
    service("orders-sync", "Orders (sync)", 1, 0, { workMs: 10 }),
    service("fulfil-sync", "Fulfilment (sync)", 2, 0, { workMs: 50 }),
    service("orders-async", "Orders (async)", 1, 1, { workMs: 10 }),
    service("fulfil-async", "Fulfilment (async)", 2, 1, { workMs: 50 }),
  ],
  [
    { source: "client", target: "orders-sync", transport: Transport.REST },
    { source: "orders-sync", target: "fulfil-sync", transport: Transport.REST },
    { source: "client", target: "orders-async", transport: Transport.REST },
    { source: "orders-async", target: "fulfil-async", transport: Transport.QUEUE, tune: queueChannel("fulfil") },
  ],
  [
    { atS: 5, durationS: 10, nodeId: "fulfil-sync", kind: FaultKind.KILL },
    { atS: 5, durationS: 10, nodeId: "fulfil-async", kind: FaultKind.KILL },
  ],
);

/**
 * The palette's ready-made topologies, each valid and normalized (the gate
 * returns them unchanged). Treat them as read-only: copy with `clone` before editing.
 */
export const TEMPLATES: readonly Template[] = [
  restChain,
  grpcChain,
  queueWorkers,
  pubsubFanout,
  syncVsAsync,
  retryStorm,
  breakerTemplate,
  bulkhead,
  consumerOutage,
];

/** The template with this id, or undefined. */
export function findTemplate(id: string): Template | undefined {
  return TEMPLATES.find((t) => t.id === id);
}
