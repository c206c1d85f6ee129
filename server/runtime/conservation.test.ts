/**
 * Conservation of messages, property-style: random topologies (REST, Connect,
 * queues — some shared by competing consumers — and AT_MOST_ONCE / DURABLE
 * topics, with error rates, retries and timeouts) under random fault
 * sequences (SIGKILLed services restarted later, Redis stalled for everyone
 * with CLIENT PAUSE, bursts past a short waiting line), on real processes and
 * a real Redis. At every reading:
 *
 *   sent = delivered + failed + lost + in flight, in flight ≥ 0,
 *   each named outcome list adds up to its total, no count goes backwards;
 *
 * and once the faults are over every message has ended in a named outcome
 * (in flight 0), each of the client's edges sent exactly what was asked of
 * it, and the stop summary says the same.
 *
 * A failure prints the seed; `CONSERVATION_SEED=<seed>` replays that scenario.
 */
import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { NodeStatus, RunInfoSchema, type EdgeCounters, type RunInfo, type SharedChannel } from "@/lib/gen/ipcplay/v1/playground_pb";
import { FaultKind } from "@/lib/gen/ipcplay/v1/topology_pb";
import {
  ConnectProtocol,
  Delivery,
  Distribution,
  DownstreamFailure,
  EdgeSchema,
  FanOut,
  NodeKind,
  TopologySchema,
  TrafficPattern,
  Transport,
  type Edge,
  type Topology,
} from "@/lib/gen/ipcplay/v1/topology_pb";
import { eventually } from "./test-support";
import { runHarness } from "./transport-harness";

/** mulberry32: small, seedable, good enough to pick scenarios. */
function randomOf(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const pick = <T,>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)];

/** A client, 3–4 services, edges only forward (no cycles), every transport. */
function randomTopology(random: Random): Topology {
  const serviceCount = 3 + Math.floor(random() * 2);
  const services = Array.from({ length: serviceCount }, (_, index) => `s${index + 1}`);
  const edges: Edge[] = [];
  const edge = (source: string, target: string, transports: readonly Transport[]): void => {
    const id = `${source}-${target}`;
    const transport = pick(random, transports);
    switch (transport) {
      case Transport.REST:
        edges.push(create(EdgeSchema, { id, source, target, transport, settings: { case: "rest", value: { method: "POST", path: `/${target}`, timeoutMs: pick(random, [300, 1000]), retries: pick(random, [0, 1]), cacheMaxAgeS: 0 } } }));
        return;
      case Transport.CONNECT:
        edges.push(create(EdgeSchema, { id, source, target, transport, settings: { case: "connect", value: { protocol: pick(random, [ConnectProtocol.CONNECT, ConnectProtocol.GRPC]), timeoutMs: pick(random, [300, 1000]), retries: pick(random, [0, 1]) } } }));
        return;
      case Transport.QUEUE: {
        // A source's second queue edge joins its first one's channel half the time: competing consumers.
        const shared = edges.find((other) => other.source === source && other.transport === Transport.QUEUE);
        const channel = shared && random() < 0.5 && shared.settings.case === "queue" ? shared.settings.value.channel : id;
        edges.push(create(EdgeSchema, { id, source, target, transport, settings: { case: "queue", value: { channel, attempts: pick(random, [1, 2, 3]), backoffMs: 20 } } }));
        return;
      }
      default:
        edges.push(create(EdgeSchema, { id, source, target, transport: Transport.PUBSUB, settings: { case: "pubsub", value: { channel: id, delivery: pick(random, [Delivery.AT_MOST_ONCE, Delivery.DURABLE]) } } }));
    }
  };
  edge("client", "s1", [Transport.REST, Transport.CONNECT, Transport.QUEUE]);
  if (random() < 0.5) edge("client", "s2", [Transport.QUEUE, Transport.PUBSUB, Transport.REST]);
  for (let from = 0; from < serviceCount; from++) {
    for (let to = from + 1; to < serviceCount; to++) {
      if (random() < 0.55) edge(services[from], services[to], [Transport.REST, Transport.CONNECT, Transport.QUEUE, Transport.PUBSUB]);
    }
  }
  return create(TopologySchema, {
    name: "conservation",
    version: 1,
    hopLimit: 8,
    nodes: [
      { id: "client", label: "client", kind: NodeKind.CLIENT, position: { x: 0, y: 0 }, traffic: { ratePerSecond: 0, pattern: TrafficPattern.CONSTANT, payloadBytes: 16, burstSize: 10, rampSeconds: 10 } },
      ...services.map((id, index) => ({
        id,
        label: id,
        kind: NodeKind.SERVICE,
        position: { x: 200 * (index + 1), y: 0 },
        behavior: {
          workTime: { distribution: Distribution.EXPONENTIAL, meanMs: pick(random, [1, 5, 20]) },
          errorRate: pick(random, [0, 0, 0.15]),
          concurrency: pick(random, [4, 16]),
          fanOut: FanOut.ALL,
          replyBytes: 8,
          onDownstreamFailure: pick(random, [DownstreamFailure.FAIL, DownstreamFailure.FALLBACK]),
        },
      })),
    ],
    edges,
  });
}

type Books = Pick<EdgeCounters, "sent" | "delivered" | "failed" | "lost" | "inFlight" | "failedBy" | "lostBy">;

/** What must hold of any edge's or shared channel's books at any reading. */
function checkBooks(where: string, books: Books, previous: Books | undefined): void {
  const ended = books.delivered + books.failed + books.lost;
  expect(ended, `${where}: more ended than sent`).toBeLessThanOrEqual(books.sent);
  expect(books.sent, `${where}: sent = delivered + failed + lost + in flight`).toBe(ended + books.inFlight);
  expect(books.failedBy.reduce((sum, entry) => sum + entry.count, 0), `${where}: failed by outcome`).toBe(books.failed);
  expect(books.lostBy.reduce((sum, entry) => sum + entry.count, 0), `${where}: lost by outcome`).toBe(books.lost);
  if (previous) {
    for (const key of ["sent", "delivered", "failed", "lost"] as const) {
      expect(books[key], `${where}: ${key} went backwards`).toBeGreaterThanOrEqual(previous[key]);
    }
  }
}

/** Checks every edge that keeps its own books, and every shared channel; remembers the readings. */
function checkRun(info: RunInfo, seen: Map<string, Books>): void {
  for (const edge of info.edges) {
    // An edge of a shared channel shows its consumer's share: the channel keeps the books.
    if (edge.sharedWith.length > 0) continue;
    checkBooks(`edge ${edge.edgeId}`, edge, seen.get(edge.edgeId));
    seen.set(edge.edgeId, edge);
  }
  for (const channel of info.channels) {
    const key = `channel ${channel.channel}`;
    checkBooks(key, channel, seen.get(key));
    seen.set(key, channel);
    // The consumers' shares are what each counted; the channel's books also take the broker's count, which a consumer
    // killed between finishing a job and counting it cannot miss: the shares never exceed the channel.
    const shares = info.edges.filter((edge) => channel.edgeIds.includes(edge.edgeId));
    expect(shares.reduce((sum, edge) => sum + edge.delivered, 0), `${key}: consumers' shares`).toBeLessThanOrEqual(channel.delivered);
  }
}

function inFlightOf(info: RunInfo): number {
  const own = info.edges.filter((edge) => edge.sharedWith.length === 0).reduce((sum, edge) => sum + edge.inFlight, 0);
  return own + info.channels.reduce((sum: number, channel: SharedChannel) => sum + channel.inFlight, 0);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const harness = runHarness();

const replay = Number(process.env.CONSERVATION_SEED);
const SEEDS = Number.isInteger(replay) && replay > 0 ? [replay] : [1, 2, 3].map((n) => (Date.now() + n * 7919) % 1_000_000_007);

describe("conservation of messages", () => {
  it.each(SEEDS)("holds on every edge through kills, restarts and a Redis stall (seed %i)", async (seed) => {
    const random = randomOf(seed);
    const topology = randomTopology(random);
    console.log(`seed ${seed}: ${topology.edges.map((edge) => `${edge.id}:${Transport[edge.transport]}`).join(" ")}`);
    // A short waiting line, so bursts overflow it now and then: overload is one of the faults.
    const runId = await harness.start(topology, { maxWaitingPerService: 24 });
    const run = harness.manager;
    const services = topology.nodes.filter((node) => node.kind === NodeKind.SERVICE).map((node) => node.id);
    const seen = new Map<string, Books>();

    // Read the books all along, whatever happens.
    let watching = true;
    let readings = 0;
    const watcher = (async () => {
      while (watching) {
        checkRun(run.get(runId), seen);
        readings++;
        await sleep(40);
      }
    })();
    // A broken reading ends the watch at once and fails the test where it is awaited, not as an unhandled rejection.
    watcher.catch(() => (watching = false));

    let asked = 0;
    const stallAt = random() < 0.7 ? 5 + Math.floor(random() * 8) : -1;
    for (let step = 0; step < 16 && watching; step++) {
      const count = 10 + Math.floor(random() * 40);
      await run.sendMessage(runId, "client", count);
      asked += count;
      const roll = random();
      const down = run.get(runId).nodes.filter((node) => node.status === NodeStatus.DOWN).map((node) => node.nodeId);
      if (roll < 0.25) {
        await run.injectFault(runId, { kind: FaultKind.KILL, nodeId: pick(random, services) });
      } else if (roll < 0.45 && down.length > 0) {
        await run.clearFault(runId, { nodeId: pick(random, down) });
      }
      // A stall of every Redis client: queue adds, publishes and acks wait, callers time out.
      if (step === stallAt) await harness.redis.call("CLIENT", "PAUSE", String(300 + Math.floor(random() * 700)), "ALL");
      await sleep(100 + random() * 200);
    }

    // Faults over: every node back, then every message must end in a named outcome.
    for (const node of run.get(runId).nodes.filter((candidate) => candidate.status === NodeStatus.DOWN)) {
      await run.clearFault(runId, { nodeId: node.nodeId });
    }
    await eventually(() => (!watching || inFlightOf(run.get(runId)) === 0 ? true : undefined), "every message ended", 40_000).catch((error: Error) => {
      const info = run.get(runId);
      const open = info.edges
        .filter((edge) => edge.inFlight > 0)
        .map((edge) => `${edge.edgeId}: ${edge.inFlight} of ${edge.sent} (queued ${edge.queued}, ${JSON.stringify(edge.queue ?? {})}${edge.sharedWith.length ? `, shared with ${edge.sharedWith.join("+")}` : ""})`);
      console.log(JSON.stringify({ channels: info.channels, nodes: info.nodes.map((node) => [node.nodeId, NodeStatus[node.status], node.handled, node.inFlight, node.error]) }));
      throw new Error(`${error.message}; still in flight: ${open.join(", ")} (seed ${seed})`);
    });
    watching = false;
    await watcher;
    expect(readings).toBeGreaterThan(20);

    const info = run.get(runId);
    checkRun(info, seen);
    // The client was never killed: each of its edges sent exactly what was asked (fan-out ALL).
    for (const edge of info.edges.filter((candidate) => candidate.edgeId.startsWith("client-"))) {
      const books = edge.sharedWith.length > 0 ? info.channels.find((channel) => channel.edgeIds.includes(edge.edgeId))! : edge;
      expect(books.sent, `${edge.edgeId} sent`).toBe(asked);
    }

    const summary = await run.stop(runId);
    const final = new Map<string, Books>();
    checkRun(create(RunInfoSchema, { edges: summary.edges, channels: summary.channels }), final);
    for (const edge of summary.edges) {
      expect(edge.inFlight, `${edge.edgeId} in flight at the stop`).toBe(0);
      if (edge.sharedWith.length === 0) expect(edge, `${edge.edgeId} in the summary`).toMatchObject({ sent: seen.get(edge.edgeId)!.sent, delivered: seen.get(edge.edgeId)!.delivered });
    }
    console.log(
      `seed ${seed}: asked ${asked}, ${readings} readings;`,
      summary.edges.map((edge) => `${edge.edgeId} ${edge.sent}=${edge.delivered}+${edge.failed}+${edge.lost}+${edge.inFlight} ${[...edge.failedBy, ...edge.lostBy].map((entry) => `${entry.outcome}:${entry.count}`).join(",")}`).join(" | "),
    );
  });
});
