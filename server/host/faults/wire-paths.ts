/**
 * Which port a REST/Connect sender of this host connects to for each of its
 * edges: the target's own port, or — while a wire fault (LATENCY, BANDWIDTH,
 * BLACKHOLE, RESET, PARTITION) is in force on the edge — its WireProxy's.
 * Senders ask at every attempt; since the port differs, new requests take the
 * new path at once (REST: the agent keeps sockets per port; Connect: a session
 * per port), while requests already on the old path finish there.
 */
import { FaultKind, Transport, type Edge } from "@/lib/gen/ipcplay/v1/topology_pb";
import type { NodeAddress } from "@/server/ipc/host-messages";
import type { HostFaults } from "./host-faults";
import { WireProxy, type WireShape } from "./wire-proxy";

export class WirePaths {
  private readonly proxies = new Map<string, WireProxy>();

  constructor(
    /** This host's outgoing edges now (a live update changes them). */
    private readonly outgoing: () => readonly Edge[],
    private readonly addressOf: (nodeId: string) => NodeAddress | undefined,
    faults: HostFaults,
  ) {
    faults.onChange((current) => this.apply(current));
  }

  /** The port to connect to for `edgeId` whose target listens on `targetPort`. */
  portFor(edgeId: string, targetPort: number): number {
    return this.proxies.get(edgeId)?.port ?? targetPort;
  }

  async close(): Promise<void> {
    await Promise.all([...this.proxies.values()].map((proxy) => proxy.close()));
    this.proxies.clear();
  }

  private async apply(faults: HostFaults): Promise<void> {
    const outgoing = this.outgoing();
    // An edge a live update removed takes its proxy with it.
    for (const [edgeId, proxy] of this.proxies) {
      if (outgoing.some((edge) => edge.id === edgeId)) continue;
      this.proxies.delete(edgeId);
      await proxy.close();
    }
    for (const edge of outgoing) {
      if (edge.transport !== Transport.REST && edge.transport !== Transport.CONNECT) continue;
      const shape = shapeOf(faults, edge.id);
      const proxy = this.proxies.get(edge.id);
      if (!shape) {
        if (proxy) {
          this.proxies.delete(edge.id);
          await proxy.close();
        }
      } else if (proxy) {
        await proxy.reshape(shape);
      } else {
        const upstream = () => {
          const address = this.addressOf(edge.target);
          return (edge.transport === Transport.REST ? address?.httpPort : address?.connectPort) ?? 0;
        };
        this.proxies.set(edge.id, await WireProxy.open(upstream, shape, faults.random));
      }
    }
  }
}

/** The wire faults on an edge as one shape; undefined when there are none. */
function shapeOf(faults: HostFaults, edgeId: string): WireShape | undefined {
  const latency = faults.edge(edgeId, FaultKind.LATENCY);
  const bandwidth = faults.edge(edgeId, FaultKind.BANDWIDTH);
  const blackhole = faults.edge(edgeId, FaultKind.BLACKHOLE);
  const reset = faults.edge(edgeId, FaultKind.RESET);
  const partition = faults.edge(edgeId, FaultKind.PARTITION);
  if (!latency && !bandwidth && !blackhole && !reset && !partition) return undefined;
  return {
    latencyMs: latency?.latencyMs ?? 0,
    jitterMs: latency?.jitterMs ?? 0,
    bandwidthKbps: bandwidth?.bandwidthKbps ?? 0,
    blackhole: blackhole !== undefined,
    reset: reset !== undefined,
    partition: partition !== undefined,
  };
}
