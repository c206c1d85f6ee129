/**
 * One hop inside the playground, measured from its own spans: a client node
 * sends to one service over the transport under test, with tracing on (it is
 * always on). Sync hops (REST, Connect) are the caller's CLIENT span — the
 * round trip; async hops (queue, pub/sub) run from the PRODUCER span's start
 * to the CONSUMER span's start — the same definitions the raw baselines use.
 * A CLIENT/PRODUCER span is the library call's time on the wire and a
 * SERVER/CONSUMER span starts when the library hands the message over
 * (server/host/transports/wire-time.ts), so the host's bookkeeping before and
 * after the call is outside the hop. `whole` measures it in as well: from the
 * message's root span starting at the client to the reply (sync) or to the
 * consumer taking the message (async).
 */
import { toJson } from "@bufbuild/protobuf";
import { SpanKind, type Span } from "@/lib/gen/ipcplay/v1/playground_pb";
import { NodeKind, TopologySchema, Transport, type Topology } from "@/lib/gen/ipcplay/v1/topology_pb";
import { createEdge, createNode, emptyTopology } from "@/lib/topology/factory";
import { parseTopology } from "@/lib/topology/parse";
import type { RunManager } from "@/server/runtime/run-manager";
import type { BenchTransport } from "./raw-baselines";

const TRANSPORTS: Record<BenchTransport, Transport> = {
  rest: Transport.REST,
  connect: Transport.CONNECT,
  queue: Transport.QUEUE,
  pubsub: Transport.PUBSUB,
};

const SYNC = new Set<BenchTransport>(["rest", "connect"]);

function hopTopology(transport: BenchTransport): Topology {
  const topology = emptyTopology(`bench ${transport}`);
  const client = createNode(NodeKind.CLIENT, "client", { x: 0, y: 0 });
  client.traffic!.ratePerSecond = 0; // only the bench's own sends
  client.traffic!.payloadBytes = 128;
  const service = createNode(NodeKind.SERVICE, "service", { x: 240, y: 0 });
  service.behavior!.workTime!.meanMs = 0;
  topology.nodes.push(client, service);
  topology.edges.push(createEdge("hop", "client", "service", TRANSPORTS[transport]));
  const parsed = parseTopology(toJson(TopologySchema, topology));
  if (!parsed.ok || !parsed.topology) throw new Error(`bench topology invalid: ${JSON.stringify(parsed.problems)}`);
  return parsed.topology;
}

interface HopSample {
  /** The hop as its spans show it. */
  hop: number;
  /** The hop with the host's bookkeeping around the library call. */
  whole: number;
}

function hopSample(transport: BenchTransport, spans: Span[]): HopSample | undefined {
  const root = spans.find((s) => s.kind === SpanKind.INTERNAL && s.parentSpanId === "");
  if (!root) return undefined;
  if (SYNC.has(transport)) {
    const call = spans.find((s) => s.kind === SpanKind.CLIENT && s.edgeId === "hop");
    return call && { hop: call.durationMs, whole: root.durationMs };
  }
  const producer = spans.find((s) => s.kind === SpanKind.PRODUCER && s.edgeId === "hop");
  const consumer = spans.find((s) => s.kind === SpanKind.CONSUMER && s.nodeId === "service");
  return producer && consumer ? { hop: consumer.startUnixMs - producer.startUnixMs, whole: consumer.startUnixMs - root.startUnixMs } : undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface PlaygroundHop {
  /** Sends `count` single messages one every `intervalMs` (open loop), then reads each one's hop latency. */
  measure(count: number, intervalMs: number): Promise<HopSample[]>;
  stop(): Promise<void>;
}

/** Starts a two-node run whose one edge is the transport under test. */
export async function startPlaygroundHop(runs: RunManager, transport: BenchTransport): Promise<PlaygroundHop> {
  const { runId } = await runs.start(hopTopology(transport), { detach: false });
  return {
    async measure(count, intervalMs) {
      const traceIds: string[] = [];
      for (let i = 0; i < count; i++) {
        traceIds.push(...(await runs.sendMessage(runId, "client", 1)));
        await sleep(intervalMs);
      }
      const samples: HopSample[] = [];
      const deadline = Date.now() + 30_000;
      for (const traceId of traceIds) {
        for (;;) {
          const sample = hopSample(transport, runs.getTrace(runId, traceId));
          if (sample !== undefined) {
            samples.push(sample);
            break;
          }
          if (Date.now() > deadline) throw new Error(`${transport}: trace ${traceId} never completed its hop`);
          await sleep(20);
        }
      }
      return samples;
    },
    stop: async () => void (await runs.stop(runId)),
  };
}
