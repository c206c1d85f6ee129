/**
 * Warms a freshly loaded host before it takes a node: a throwaway chain
 * client → gw → be over REST on loopback, inside this process, through the
 * real MessageFlow, SpanShipper, counters and REST transport, for
 * WARM_UP_MESSAGES messages. The JIT compiles the hot paths (ours and
 * node:http's) here rather than under a run's first seconds at full rate,
 * where a cold host falls behind, times out and opens connection after
 * connection (the "cold-start storm").
 *
 * Nothing leaves the process: spans are dropped, counters thrown away, no
 * Redis is touched. It stops early as soon as `stop()` says so (an `init`
 * arrived: a node waits for nobody's warm-up).
 */
import { NodeKind, Transport, type Edge, type Node } from "@/lib/gen/ipcplay/v1/topology_pb";
import { createEdge, createNode } from "@/lib/topology/factory";
import { DEFAULTS, LIMITS } from "@/lib/topology/limits";
import { HeadSampler } from "@/lib/trace/sampling";
import type { NodeAddress } from "@/server/ipc/host-messages";
import { runKeys } from "@/server/redis/keys";
import { HostFaults } from "./faults/host-faults";
import { HostCounters } from "./counters";
import { MessageFlow } from "./message-flow";
import type { NodeSetup } from "./node-setup";
import { SpanShipper } from "./span-shipper";
import { restTransport } from "./transports/rest";
import type { Listener, TransportHost } from "./transports/transport";

/** Messages sent through the warm-up chain (a few hundred ms on the 2-core development machine). */
export const WARM_UP_MESSAGES = 1_000;
/** Messages in flight at once during the warm-up. */
const WARM_UP_IN_FLIGHT = 64;
/** `IPCPLAY_HOST_WARM_UP=0` turns the warm-up off (to compare). */
export const WARM_UP_ENV = "IPCPLAY_HOST_WARM_UP";

const RUN_ID = "warm-up";

interface WarmNode {
  flow: MessageFlow;
  spans: SpanShipper;
  listener?: Listener;
}

export function warmUpWanted(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  return env[WARM_UP_ENV] !== "0";
}

export async function warmUp(options: { messages?: number; stop?: () => boolean } = {}): Promise<void> {
  const messages = options.messages ?? WARM_UP_MESSAGES;
  const stop = options.stop ?? (() => false);
  const addresses = new Map<string, NodeAddress>();
  const client = createNode(NodeKind.CLIENT, "warm-client", { x: 0, y: 0 });
  client.traffic!.ratePerSecond = 0;
  const gw = createNode(NodeKind.SERVICE, "warm-gw", { x: 0, y: 0 });
  const be = createNode(NodeKind.SERVICE, "warm-be", { x: 0, y: 0 });
  for (const service of [gw, be]) service.behavior!.workTime!.meanMs = 0;
  const first = createEdge("warm-client-gw", client.id, gw.id, Transport.REST);
  const second = createEdge("warm-gw-be", gw.id, be.id, Transport.REST);

  const nodes: WarmNode[] = [];
  const start = async (node: Node, inbound: Edge[], outgoing: Edge[]): Promise<WarmNode> => {
    const setup: NodeSetup = {
      runId: RUN_ID,
      node,
      inbound,
      outgoing,
      hopLimit: DEFAULTS.hopLimit,
      concurrency: node.behavior?.concurrency || DEFAULTS.concurrency,
      redisUrl: "redis://127.0.0.1:6379",
      redisPrefix: RUN_ID,
      sampling: { headPerSecond: 1, keepPerSecond: 1 },
      incarnation: 0,
      maxWaiting: LIMITS.maxWaitingPerService,
      rateLimitPerSecond: 0,
    };
    // No count file: the warm-up's messages are nobody's.
    const counters = new HostCounters();
    const spans = new SpanShipper({ ship: () => {}, announceKeeps: () => {}, keepPerSecond: 1 });
    let flow: MessageFlow | undefined;
    const host: TransportHost = {
      setup,
      nodeId: node.id,
      pid: process.pid,
      keys: runKeys(RUN_ID),
      receive: (message) => flow!.receive(message),
      addressOf: (nodeId) => addresses.get(nodeId),
      count: (edgeId, counter, amount) => counters.add(edgeId, counter, amount),
      recordSpan: (span, sampled) => spans.record({ ...span, nodeId: node.id, pid: process.pid }, sampled),
      log: () => {},
      // No faults in a warm-up: the path of the normal case is what gets warm.
      faults: new HostFaults(node.id),
      wirePort: (_edgeId, targetPort) => targetPort,
    };
    const senders = outgoing.map((edge) => ({ edge, sender: restTransport.createSender(edge, host) }));
    flow = new MessageFlow({ setup, pid: process.pid, outgoing: senders, spans, counters, sampler: new HeadSampler(1) });
    const warm: WarmNode = { flow, spans };
    nodes.push(warm);
    if (inbound.length > 0) {
      warm.listener = await restTransport.listen!(inbound, host);
      addresses.set(node.id, { nodeId: node.id, httpPort: warm.listener.ports.httpPort ?? 0, connectPort: 0 });
    }
    return warm;
  };

  try {
    await start(be, [second], []);
    await start(gw, [first], [second]);
    const source = await start(client, [], [first]);
    const payload = "x".repeat(client.traffic?.payloadBytes ?? 0);
    let sent = 0;
    const lane = async () => {
      while (sent < messages && !stop()) {
        sent++;
        await source.flow.originate(undefined, payload);
      }
    };
    await Promise.all(Array.from({ length: WARM_UP_IN_FLIGHT }, lane));
  } finally {
    for (const node of nodes) {
      await node.flow.close();
      await node.listener?.close();
      node.spans.flush();
    }
  }
}
