/**
 * One node of one run, inside its own process: opens the listeners of its
 * inbound transports, creates a sender per outgoing edge, runs the message flow,
 * generates the client's traffic, and reports spans and counters to the parent.
 */
import { create, equals } from "@bufbuild/protobuf";
import type { Edge, Transport } from "@/lib/gen/ipcplay/v1/topology_pb";
import { NodeKind, TrafficSchema } from "@/lib/gen/ipcplay/v1/topology_pb";
import { HeadSampler } from "@/lib/trace/sampling";
import { QueueLevels } from "@/lib/budget/queue-levels";
import { TokenBucket } from "@/lib/resilience/token-bucket";
import type { EdgeGauges, HostConfig, HostPlan, LogLevel, NodeAddress, NodePorts } from "@/server/ipc/host-messages";
import { CountFileWriter, countedEdgeIds } from "@/server/ipc/count-file";
import { runKeys } from "@/server/redis/keys";
import { withBreaker } from "./breaker-sender";
import type { FaultSpec } from "@/lib/faults/spec";
import { COUNTERS_REPORT_MS, HostCounters } from "./counters";
import { MessageFlow } from "./message-flow";
import { retire, swapSenders, trackSends, type TrackedEdge, type TrackedSender } from "./live-update";
import { HostFaults } from "./faults/host-faults";
import { WirePaths } from "./faults/wire-paths";
import { decodeHostConfig, type NodeSetup } from "./node-setup";
import { sendToParent } from "./parent-channel";
import { SpanShipper } from "./span-shipper";
import { startTraffic } from "./traffic";
import { transportPlugin } from "./transports/registry";
import type { Listener, TransportHost } from "./transports/transport";

export class ServiceHost {
  private readonly addresses = new Map<string, NodeAddress>();
  private readonly spans: SpanShipper;
  private readonly counters: HostCounters;
  private readonly countersTimer = setInterval(() => void this.reportCounters(), COUNTERS_REPORT_MS);
  private readonly listeners: Listener[] = [];
  private setup: NodeSetup;
  private readonly flow: MessageFlow;
  private outgoing: TrackedEdge[];
  private readonly transportHost: TransportHost;
  private readonly faults: HostFaults;
  private readonly wirePaths: WirePaths;
  private stopTraffic: () => void = () => {};
  /** The parent said start-traffic: a live update restarts it at the new rate. */
  private trafficOn = false;
  /** The queue length cap's view of the queues this node sends to. */
  private readonly queueLevels: QueueLevels | undefined;
  /** Automatic messages shed over the run's budget since the last log line about it. */
  private shedSinceLog = 0;
  private shedLogTimer: NodeJS.Timeout | undefined;

  private constructor(config: HostConfig) {
    this.setup = decodeHostConfig(config);
    const { node, sampling } = this.setup;
    const countedEdges = countedEdgeIds(this.setup.outgoing.map((edge) => edge.id), this.setup.inbound.map((edge) => edge.id));
    this.counters = new HostCounters(new CountFileWriter(config.countsFile, countedEdges));
    this.spans = new SpanShipper({
      ship: (spans) => void sendToParent({ type: "spans", spans }),
      announceKeeps: (traceIds) => void sendToParent({ type: "keep-traces", traceIds }),
      keepPerSecond: sampling.keepPerSecond,
    });
    this.faults = new HostFaults(node.id, Math.random, (error) => void this.log("warn", `could not apply a fault: ${error.message}`));
    // The outgoing edges as they are now: a live update changes them.
    this.wirePaths = new WirePaths(() => this.setup.outgoing, (nodeId) => this.addresses.get(nodeId), this.faults);
    const self = this;
    this.transportHost = {
      // Read at each use: a live update replaces the setup (server/host/live-update.ts).
      get setup() {
        return self.setup;
      },
      nodeId: node.id,
      pid: process.pid,
      keys: runKeys(config.runId),
      receive: (message) => this.flow.receive(message),
      addressOf: (nodeId) => this.addresses.get(nodeId),
      count: (edgeId, key, amount) => this.counters.add(edgeId, key, amount),
      recordSpan: (span, sampled) => this.spans.record({ ...span, nodeId: node.id, pid: process.pid }, sampled),
      log: (level, message) => void this.log(level, message),
      faults: this.faults,
      wirePort: (edgeId, targetPort) => this.wirePaths.portFor(edgeId, targetPort),
    };
    this.outgoing = this.setup.outgoing.map((edge) => ({ edge, sender: this.createSender(edge) }));
    const queueCap = this.setup.budget?.queueWaiting ?? 0;
    this.queueLevels = queueCap > 0 ? new QueueLevels(queueCap) : undefined;
    this.flow = new MessageFlow({
      queueLevels: this.queueLevels,
      setup: this.setup,
      pid: process.pid,
      outgoing: this.outgoing,
      spans: this.spans,
      counters: this.counters,
      faults: this.faults,
      sampler: samplerOf(this.setup),
    });
  }

  private createSender(edge: Edge): TrackedSender {
    const sender = transportPlugin(edge.transport).createSender(edge, this.transportHost);
    // A synchronous edge with a circuit breaker sends through it (one per edge in this process; a changed edge gets a new one).
    return trackSends(withBreaker(edge, sender, this.transportHost));
  }

  /**
   * UpdateRun: the node's new settings, in this process. Counts first (new
   * edges get their slots before anything can count on them), then senders,
   * then the flow; traffic starts again at the new rate. Listeners stay as
   * they are: the parent starts a node again when they would change
   * (lib/run/update-plan.ts).
   */
  update(plan: HostPlan, countedEdges: readonly string[]): void {
    const before = this.setup;
    const setup = decodeHostConfig({ ...plan, countsFile: "", incarnation: before.incarnation });
    this.counters.extendEdges(countedEdges);
    const swap = swapSenders(this.outgoing, before.outgoing, setup.outgoing, (edge) => this.createSender(edge));
    this.setup = setup;
    this.outgoing = swap.outgoing;
    const samplingChanged =
      setup.sampling.headPerSecond !== before.sampling.headPerSecond || setup.node.traffic?.ratePerSecond !== before.node.traffic?.ratePerSecond;
    this.flow.reconfigure(setup, this.outgoing, samplingChanged ? samplerOf(setup) : this.flow.sampler);
    for (const sender of swap.retired) void retire(sender, (message) => void this.log("warn", message));
    const shareChanged = setup.budget?.trafficPerSecond !== before.budget?.trafficPerSecond;
    if (this.trafficOn && (shareChanged || !equals(TrafficSchema, setup.node.traffic ?? create(TrafficSchema), before.node.traffic ?? create(TrafficSchema)))) {
      this.beginTraffic();
    }
  }

  /** Builds the node from its config and opens its listeners; resolves with the ports. */
  static async start(config: HostConfig): Promise<{ host: ServiceHost; ports: NodePorts }> {
    const host = new ServiceHost(config);
    const ports = await host.listen();
    return { host, ports };
  }

  private async listen(): Promise<NodePorts> {
    const ports: NodePorts = { httpPort: 0, connectPort: 0 };
    const listening = [...groupByTransport(this.setup.inbound)].map(async ([transport, edges]) => {
      const plugin = transportPlugin(transport);
      if (!plugin.listen) return;
      const listener = await plugin.listen(edges, this.transportHost);
      this.listeners.push(listener);
      Object.assign(ports, listener.ports);
    });
    await Promise.all(listening);
    return ports;
  }

  updateAddresses(addresses: readonly NodeAddress[]): void {
    for (const address of addresses) this.addresses.set(address.nodeId, address);
  }

  beginTraffic(): void {
    this.trafficOn = true;
    this.stopTraffic();
    // The client's share of the run's rate, one second's worth (or a burst, if larger) at once, and of its pending bound.
    const share = this.setup.budget?.trafficPerSecond ?? 0;
    const pendingCap = this.setup.budget?.trafficPending ?? Infinity;
    const traffic = this.setup.node.traffic;
    const allowance = share > 0 ? new TokenBucket(share, () => performance.now(), Math.max(share, traffic?.burstSize ?? 0)) : undefined;
    this.stopTraffic = startTraffic(traffic, (count) => {
      const room = Math.max(0, pendingCap - this.counters.originsPending);
      let allowed = Math.min(count, room);
      if (allowance) {
        let taken = 0;
        while (taken < allowed && allowance.take()) taken++;
        allowed = taken;
      }
      if (allowed > 0) this.originate({ count: allowed }, "automatic");
      if (allowed < count) this.shed(count - allowed, share, pendingCap);
    });
  }

  /** Automatic messages past the client's share of the run's rate or pending bound: counted on their edges, and said in the run's log (at most every 5 s). */
  private shed(count: number, share: number, pendingCap: number): void {
    for (let index = 0; index < count; index++) this.flow.shedOrigin();
    this.shedSinceLog += count;
    this.shedLogTimer ??= setTimeout(() => {
      this.shedLogTimer = undefined;
      void this.log(
        "warn",
        `shed ${this.shedSinceLog} automatic messages over this client's share of the run's budget (${share.toFixed(0)} messages per second, ${pendingCap} pending), counted "over budget" on its edges`,
      );
      this.shedSinceLog = 0;
    }, 5_000);
  }

  /** The whole set of faults in force on this host now; resolves once they act on traffic. */
  applyFaults(faults: readonly FaultSpec[]): Promise<void> {
    return this.faults.set(faults);
  }

  /** Another host kept these traces: ship what this one holds of them. */
  keepTraces(traceIds: readonly string[]): void {
    this.spans.keepRequested(traceIds);
  }

  /** Starts one message per given trace id, or `count` messages with new trace ids; each is pending (for the run's budget) until it ends. */
  originate(request: { traceIds?: readonly string[]; count?: number; payload?: string }, source: "on demand" | "automatic" = "on demand"): void {
    const payload = request.payload ?? "x".repeat(this.setup.node.traffic?.payloadBytes ?? 0);
    const traceIds = request.traceIds ?? Array.from({ length: request.count ?? 0 }, () => undefined);
    const end = this.counters.beginOrigins(traceIds.length, Buffer.byteLength(payload), source);
    for (const traceId of traceIds) {
      this.flow
        .originate(traceId, payload)
        .catch((error: Error) => void this.log("error", `message failed: ${error.message}`))
        .finally(end);
    }
  }

  /** Stops traffic and listeners, closes connections, flushes what the parent has not seen. */
  async shutdown(): Promise<void> {
    this.stopTraffic();
    clearInterval(this.countersTimer);
    clearTimeout(this.shedLogTimer);
    await Promise.all(this.listeners.map((listener) => listener.close()));
    await this.flow.close();
    await this.wirePaths.close();
    this.spans.flush();
    // The last counts, without levels: reading them would reopen the broker connections just closed.
    await this.reportCounters({ withGauges: false });
  }

  log(level: LogLevel, message: string): Promise<void> {
    return sendToParent({ type: "log", level, message });
  }

  private async reportCounters(options: { withGauges: boolean } = { withGauges: true }): Promise<void> {
    const gauges = options.withGauges ? await this.readGauges() : [];
    const { latency, node } = this.counters.snapshot(this.flow.waiting, performance.now(), this.flow.concurrency);
    await sendToParent({ type: "counters", latency, node, gauges, sampling: this.flow.samplingCounts() });
  }

  private async readGauges(): Promise<EdgeGauges[]> {
    const readings = await Promise.all(
      this.outgoing.map(async ({ edge, sender }) => {
        if (!sender.gauges) return undefined;
        try {
          const gauges = await sender.gauges();
          if (gauges.queue) this.queueLevels?.read(edge.id, gauges.queue.waiting);
          return { edgeId: edge.id, ...gauges };
        } catch (error) {
          // A broker hiccup costs one reading, not the counters report.
          void this.log("warn", `could not read the levels of edge ${edge.id}: ${(error as Error).message}`);
          return undefined;
        }
      }),
    );
    return readings.filter((reading): reading is EdgeGauges => reading !== undefined);
  }
}

/** Head sampling for messages that start here; a client's expected rate sets its first "1 in N". */
function samplerOf(setup: NodeSetup): HeadSampler {
  const { node, sampling } = setup;
  return new HeadSampler(sampling.headPerSecond, {
    expectedRatePerSecond: node.kind === NodeKind.CLIENT ? node.traffic?.ratePerSecond ?? 0 : 0,
  });
}

function groupByTransport(edges: readonly Edge[]): Map<Transport, Edge[]> {
  const groups = new Map<Transport, Edge[]>();
  for (const edge of edges) groups.set(edge.transport, [...(groups.get(edge.transport) ?? []), edge]);
  return groups;
}
