/**
 * The playground side of one load step: a run of N client nodes → gw → be,
 * the clients sending at the step's rate over REST to gw, gw forwarding over
 * the transport under test, 0 ms of work and concurrency 256 in both services.
 * Started and read through the RunManager API in this process (as
 * bench/run.ts does); counters come from GetRun, latencies from the edges'
 * percentiles, or from the run's spans when those are not filled.
 */
import { toJson } from "@bufbuild/protobuf";
import { SpanKind, type EdgeCounters, type Span } from "@/lib/gen/ipcplay/v1/playground_pb";
import { NodeKind, TopologySchema, TrafficPattern, Transport, type Topology } from "@/lib/gen/ipcplay/v1/topology_pb";
import { createEdge, createNode, emptyTopology } from "@/lib/topology/factory";
import { LIMITS } from "@/lib/topology/limits";
import { parseTopology } from "@/lib/topology/parse";
import type { RunManager } from "@/server/runtime/run-manager";
import type { BenchTransport } from "./raw-baselines";
import { PAYLOAD_BYTES } from "./raw-load-protocol";

export const TRANSPORTS: Record<BenchTransport, Transport> = {
  rest: Transport.REST,
  connect: Transport.CONNECT,
  queue: Transport.QUEUE,
  pubsub: Transport.PUBSUB,
};

export const ASYNC = new Set<BenchTransport>(["queue", "pubsub"]);

const GW = "gw";
const BE = "be";
/** The edge under test. */
export const SECOND_HOP_EDGE = "gw-be";
const clientId = (i: number) => `client-${i + 1}`;
export const clientEdgeId = (i: number) => `client-${i + 1}-gw`;
const COLUMN_PX = 280;
const ROW_PX = 120;

export interface ChainShape {
  transport: BenchTransport;
  clients: number;
  /** The whole chain's offered rate; each client sends its share. */
  ratePerSecond: number;
  concurrency: number;
}

/** The chain as a person would draw it, through the same gate as every topology. */
export function chainTopology(shape: ChainShape): Topology {
  const topology = emptyTopology(`load ${shape.transport} ${shape.ratePerSecond}/s`);
  for (let i = 0; i < shape.clients; i++) {
    const client = createNode(NodeKind.CLIENT, clientId(i), { x: 0, y: i * ROW_PX });
    client.traffic!.ratePerSecond = shape.ratePerSecond / shape.clients;
    client.traffic!.pattern = TrafficPattern.CONSTANT;
    client.traffic!.payloadBytes = PAYLOAD_BYTES;
    topology.nodes.push(client);
    topology.edges.push(createEdge(clientEdgeId(i), clientId(i), GW, Transport.REST));
  }
  for (const [column, id] of [GW, BE].entries()) {
    const service = createNode(NodeKind.SERVICE, id, { x: (column + 1) * COLUMN_PX, y: 0 });
    service.behavior!.workTime!.meanMs = 0;
    service.behavior!.concurrency = shape.concurrency;
    topology.nodes.push(service);
  }
  topology.edges.push(createEdge(SECOND_HOP_EDGE, GW, BE, TRANSPORTS[shape.transport]));
  const parsed = parseTopology(toJson(TopologySchema, topology));
  if (!parsed.ok || !parsed.topology) throw new Error(`load topology invalid: ${JSON.stringify(parsed.problems)}`);
  return parsed.topology;
}

export interface PlaygroundChainSnapshot {
  /** Sent on the client → gw edges. */
  sent: number;
  /** Failed on the client → gw edges. */
  failed: number;
  /** Delivered on gw → be: messages be took. */
  delivered: number;
  /** The highest p99 among the client → gw edges (the runtime's live latency window), 0 when not filled. */
  clientP99Ms: number;
  /** gw → be hand-off → consumer start p99 (live window), 0 when not filled. */
  waitP99Ms: number;
  /** The live window's p99s as read; kept so a report can show what it saw. */
  edges: EdgeCounters[];
}

export interface SpanLatencies {
  roundTripsMs: number[];
  waitsMs: number[];
  traces: number;
}

export interface PlaygroundChain {
  runId: string;
  snapshot(): PlaygroundChainSnapshot;
  /** Client round trips and hand-off → consumer waits of the traces that began at or after `sinceUnixMs` and were kept. */
  spanLatencies(sinceUnixMs: number): SpanLatencies;
  stop(): Promise<void>;
}

export async function startPlaygroundChain(runs: RunManager, shape: ChainShape): Promise<PlaygroundChain> {
  const { runId } = await runs.start(chainTopology(shape), { detach: false });
  const clientEdges = new Set(Array.from({ length: shape.clients }, (_, i) => clientEdgeId(i)));
  return {
    runId,
    snapshot() {
      const edges = runs.get(runId).edges;
      const clientSide = edges.filter((edge) => clientEdges.has(edge.edgeId));
      const secondHop = edges.find((edge) => edge.edgeId === SECOND_HOP_EDGE);
      return {
        sent: clientSide.reduce((sum, edge) => sum + edge.sent, 0),
        failed: clientSide.reduce((sum, edge) => sum + edge.failed, 0),
        delivered: secondHop?.delivered ?? 0,
        clientP99Ms: Math.max(0, ...clientSide.map((edge) => edge.p99Ms)),
        waitP99Ms: secondHop?.waitP99Ms ?? 0,
        edges,
      };
    },
    spanLatencies(sinceUnixMs) {
      const traces = runs.listTraces(runId, LIMITS.maxTracesPerRun).filter((trace) => trace.startUnixMs >= sinceUnixMs);
      const roundTripsMs: number[] = [];
      const waitsMs: number[] = [];
      for (const trace of traces) {
        const spans: Span[] = runs.getTrace(runId, trace.traceId);
        const roundTrip = spans.find((span) => span.kind === SpanKind.CLIENT && clientEdges.has(span.edgeId));
        if (roundTrip) roundTripsMs.push(roundTrip.durationMs);
        const producer = spans.find((span) => span.kind === SpanKind.PRODUCER && span.edgeId === SECOND_HOP_EDGE);
        const consumer = spans.find((span) => span.kind === SpanKind.CONSUMER && span.nodeId === BE);
        if (producer && consumer) waitsMs.push(consumer.startUnixMs - producer.startUnixMs);
      }
      return { roundTripsMs, waitsMs, traces: traces.length };
    },
    stop: async () => void (await runs.stop(runId)),
  };
}
