/**
 * The state of one run in the parent: its nodes' processes and statuses, its
 * traces and counters, its watchers. It changes only through the orchestrator;
 * here it is read out as RunInfo and RunSummary.
 */
import { create } from "@bufbuild/protobuf";
import {
  BreakerState,
  EdgeCountersSchema,
  MetricsSchema,
  RunEventSchema,
  EndToEndSchema,
  OutcomeCountSchema,
  SharedChannelSchema,
  NodeRuntimeSchema,
  NodeStatus,
  QueueDepthSchema,
  type QueueDepth,
  RunInfoSchema,
  RunState,
  RunSummarySchema,
  TraceSamplingSchema,
  type EdgeCounters,
  type EndToEnd,
  type Metrics,
  type RunEvent,
  type RunInfo,
  type RunSummary,
  type SharedChannel,
  type TraceSampling,
} from "@/lib/gen/ipcplay/v1/playground_pb";
import { Transport, type Topology } from "@/lib/gen/ipcplay/v1/topology_pb";
import { MetricsSeries, type Reading, type SeriesPoint, type SeriesWindow } from "@/lib/metrics/series";
import { channelOf } from "@/server/host/transports/channel-groups";
import type { Ledger } from "@/lib/metrics/outcomes";
import type { BreakerState as BreakerStateName } from "@/lib/resilience/circuit-breaker";
import { breakerOf } from "@/lib/resilience/edge-settings";
import { CounterBook } from "@/server/trace/counter-book";
import { edgeRolesOf, sharedQueueChannelsOf } from "@/server/trace/edge-roles";
import { runKeys } from "@/server/redis/keys";
import { BrokerCounts } from "./broker-counts";
import { FaultBook } from "./fault-book";
import { EdgeLatencyBook } from "@/server/trace/edge-latency";
import { RunEvents } from "@/server/trace/run-events";
import { TraceHub } from "@/server/trace/trace-hub";
import { OtlpPush } from "@/server/trace/otlp-push";
import { usageSampler } from "@/server/metrics/process-usage";
import type { HostPlan, NodeAddress, NodeCounts, NodePorts } from "@/server/ipc/host-messages";
import type { NodeProcess } from "./node-process";

/** One node of a run and the process currently behind it. */
export interface NodeSlot {
  nodeId: string;
  /** Without its count file: each process of the node gets its own (see launch). */
  config: HostPlan;
  process: NodeProcess | undefined;
  status: NodeStatus;
  /** Why the node is down, when it is. */
  error: string;
  ports: NodePorts;
  counts: NodeCounts;
  /**
   * Why the parent itself is ending the process, set just before, so its exit
   * is not reported as unexpected: "stop" (the run stops) or "fault" (InjectFault KILL).
   */
  exitExpected: "stop" | "fault" | "memory" | undefined;
  /** Messages (and payload bytes) SendMessage handed this node's current process (cumulative; see pendingOf in the orchestrator). */
  onDemand: { messages: number; bytes: number };
  /** Its process's automatic messages already spent from the run's budget. */
  automaticSpent: number;
  /** Why the runtime last started its process again by itself, and when; empty if never. */
  lastRestart: string;
  /** When the runtime restarted it for its memory lately (to leave a node that keeps growing down). */
  memoryRestarts: number[];
}

export interface LiveRunOptions {
  runId: string;
  token: string;
  topology: Topology;
  redisPrefix: string;
  hosts: ReadonlyArray<HostPlan>;
  maxTraces: number;
  maxSpans: number;
  traceBudgetPerSecond: number;
  expiresInMs: number;
}

/** Kept trace ids remembered to count each once (keeps of one trace come within milliseconds). */
const MAX_REMEMBERED_KEEPS = 10_000;
/** "1 in N" is measured over about this long: short enough to follow a change of rate. */
const SAMPLING_WINDOW_MS = 5_000;

export class LiveRun {
  readonly runId: string;
  readonly token: string;
  /** What the run runs now: UpdateRun replaces it (see retopology). */
  topology: Topology;
  readonly redisPrefix: string;
  readonly startedAt = Date.now();
  readonly expiresAt: number;
  readonly nodes: Map<string, NodeSlot>;
  readonly counters: CounterBook;
  readonly latency = new EdgeLatencyBook();
  /** The run's metrics over time: a point a second while live, and one at the stop (GetMetrics). */
  readonly metrics = new MetricsSeries();
  readonly events: RunEvents;
  readonly traces: TraceHub;
  state = RunState.STARTING;
  error = "";
  stoppedAt: number | undefined;
  /** The one stop in progress or done, so `stop` is idempotent. */
  stopping: Promise<RunSummary> | undefined;
  autoStop: NodeJS.Timeout | undefined;
  /** Disarms the topology's fault schedule (what has not fired yet). */
  stopSchedule: () => void = () => {};
  /** Reads the brokers' own counts of asynchronous ends (queue metrics, stream acks). */
  brokerCounts: BrokerCounts;
  /** The faults in force (RunInfo.faults). */
  readonly faults: FaultBook;
  /** Numbers the `faults` messages sent to hosts, so each answer names the one it applied. */
  faultVersion = 0;
  /** Audits of dead producers' hand-offs under way (a stop waits for them). */
  readonly settling = new Set<Promise<void>>();
  private readonly traceBudgetPerSecond: number;
  /** (time, started, sampled) at recent readings, for the measured "1 in N". */
  private readonly samplingHistory: Array<{ at: number; started: number; sampled: number }> = [];
  private lastOneIn = 1;
  /**
   * Unsampled traces some host kept (a span failed or was slow), each counted
   * once however many of its processes decided to keep it; the ids are
   * remembered for a while to tell repeats apart.
   */
  private readonly keptTraceIds = new Set<string>();
  private keptTraces = 0;

  constructor(options: LiveRunOptions) {
    this.traceBudgetPerSecond = options.traceBudgetPerSecond;
    this.runId = options.runId;
    this.token = options.token;
    this.topology = options.topology;
    this.redisPrefix = options.redisPrefix;
    this.expiresAt = this.startedAt + options.expiresInMs;
    const roles = edgeRolesOf(options.topology);
    this.brokerCounts = new BrokerCounts(roles, runKeys(options.runId));
    this.counters = new CounterBook(options.runId, roles, sharedQueueChannelsOf(options.topology));
    this.faults = new FaultBook(() => this.topology);
    this.nodes = new Map(
      options.hosts.map((config, index) => {
        const nodeId = options.topology.nodes[index].id;
        return [nodeId, newNodeSlot(nodeId, config)];
      }),
    );
    this.events = new RunEvents(
      () => this.info(),
      (info) => metricsEvent(this.takeMetricsPoint(info)),
    );
    const push = OtlpPush.fromEnv();
    this.traces = new TraceHub({ maxTraces: options.maxTraces, maxSpans: options.maxSpans, emit: (event) => this.events.emit(event), ...(push ? { push } : {}) });
  }

  /**
   * UpdateRun: the run runs this topology from now on (GetRun, the summary, a
   * node started again after a KILL); the books learn its edges before any
   * process can count on them.
   */
  retopology(topology: Topology): void {
    this.topology = topology;
    const roles = edgeRolesOf(topology);
    this.counters.relearn(roles, sharedQueueChannelsOf(topology));
    this.brokerCounts = new BrokerCounts(roles, runKeys(this.runId));
  }

  get active(): boolean {
    return this.state === RunState.STARTING || this.state === RunState.RUNNING;
  }

  addresses(): NodeAddress[] {
    return [...this.nodes.values()].map((slot) => ({ nodeId: slot.nodeId, ...slot.ports }));
  }

  info(): RunInfo {
    return create(RunInfoSchema, {
      runId: this.runId,
      state: this.state,
      nodes: [...this.nodes.values()].map((slot) =>
        create(NodeRuntimeSchema, {
          nodeId: slot.nodeId,
          pid: slot.process?.pid ?? 0,
          httpPort: slot.ports.httpPort,
          connectPort: slot.ports.connectPort,
          status: slot.status,
          error: slot.error,
          ratePerSecond: slot.counts.ratePerSecond,
          handled: slot.counts.handled,
          inFlight: slot.counts.inFlight,
          waiting: slot.counts.waiting,
          queueing: slot.counts.queueing,
          lastRestart: slot.lastRestart,
          // Only a live run asks: the sampler stops itself when nobody does.
          usage: this.active ? usageSampler.processUsage(slot.process?.pid ?? 0) : undefined,
        }),
      ),
      ...this.edgeCounters(),
      startedUnixMs: this.startedAt,
      error: this.error,
      redisPrefix: this.redisPrefix,
      expiresUnixMs: this.expiresAt,
      traces: this.traces.traceCount,
      machine: this.active ? usageSampler.machineLoad() : undefined,
      sampling: this.sampling(),
      faults: this.faults.list(),
      pastFaults: this.faults.listPast(),
      otlpPush: this.traces.otlpPush,
    });
  }

  /**
   * One point of the run's metrics from a RunInfo (the heartbeat's, so the
   * books are read once a second, not twice): its counts are the books' at
   * that reading, so the points of an edge's `sent` add up to its `sent` then.
   */
  takeMetricsPoint(info: RunInfo = this.info(), now = Date.now()): SeriesPoint {
    return this.metrics.take(this.readingOf(info, now));
  }

  /** The points taken after `sinceMs` (GetMetrics). */
  metricsSince(sinceMs: number): SeriesWindow {
    return this.metrics.since(sinceMs);
  }

  private readingOf(info: RunInfo, now: number): Reading {
    const shared = new Set(info.channels.flatMap((channel) => channel.edgeIds));
    const edgeById = new Map(this.topology.edges.map((edge) => [edge.id, edge]));
    const queueOf = new Map(info.edges.filter((counters) => counters.queue).map((counters) => [counters.edgeId, counters.queue!]));
    // A queue's levels (read from BullMQ) and its books' sent and ended: a plain queue edge's, or a shared channel's.
    const queueEntry = (id: string, depth: QueueDepth | undefined, books: { sent: number; delivered: number; failed: number; lost: number }) => ({
      id,
      waiting: depth?.waiting ?? 0,
      active: depth?.active ?? 0,
      delayed: depth?.delayed ?? 0,
      deadLetters: depth?.deadLetters ?? 0,
      oldestWaitingMs: depth?.oldestWaitingMs ?? 0,
      sent: books.sent,
      ended: books.delivered + books.failed + books.lost,
    });
    const queues: Reading["queues"][number][] = [];
    for (const counters of info.edges) {
      const edge = edgeById.get(counters.edgeId);
      if (!edge || edge.transport !== Transport.QUEUE || shared.has(edge.id)) continue;
      queues.push(queueEntry(channelOf(edge)!, counters.queue, counters));
    }
    for (const channel of info.channels) {
      queues.push(queueEntry(channel.channel, channel.edgeIds.map((edgeId) => queueOf.get(edgeId)).find(Boolean), channel));
    }
    return {
      atMs: now,
      edges: info.edges.map((counters) => ({
        id: counters.edgeId,
        sent: counters.sent,
        delivered: counters.delivered,
        failed: counters.failed,
        lost: counters.lost,
        retries: counters.retries,
        attempts: counters.attempts,
        failedBy: counters.failedBy,
        lostBy: counters.lostBy,
        inFlight: counters.inFlight,
        queued: counters.queued,
        latency: this.latency.takeSecond(counters.edgeId),
      })),
      queues,
      nodes: info.nodes.map((node) => ({
        id: node.nodeId,
        handledPerSecond: node.ratePerSecond,
        waiting: node.waiting,
        inFlight: node.inFlight,
        cpuPercent: node.usage?.cpuPercent ?? 0,
        rssBytes: node.usage?.rssBytes ?? 0,
      })),
    };
  }

  /** Counts the traces a host kept that no host had kept before. */
  noteKeptTraces(traceIds: readonly string[]): void {
    for (const traceId of traceIds) {
      if (this.keptTraceIds.has(traceId)) continue;
      this.keptTraceIds.add(traceId);
      this.keptTraces++;
      if (this.keptTraceIds.size > MAX_REMEMBERED_KEEPS) this.keptTraceIds.delete(this.keptTraceIds.values().next().value as string);
    }
  }

  /** How the run's traces are sampled; "1 in N" as measured over the last few seconds. */
  sampling(now = Date.now()): TraceSampling {
    const totals = this.counters.samplingTotals();
    const history = this.samplingHistory;
    history.push({ at: now, started: totals.started, sampled: totals.sampled });
    while (history.length > 2 && now - history[1].at >= SAMPLING_WINDOW_MS) history.shift();
    const started = totals.started - history[0].started;
    const sampled = totals.sampled - history[0].sampled;
    if (started > 0) this.lastOneIn = Math.max(1, Math.round(started / Math.max(1, sampled)));
    return create(TraceSamplingSchema, {
      started: totals.started,
      sampled: totals.sampled,
      kept: this.keptTraces,
      oneIn: this.lastOneIn,
      budgetPerSecond: this.traceBudgetPerSecond,
      droppedSpans: this.traces.droppedSpans,
      evictedTraces: this.traces.evictedTraces ?? 0,
    });
  }

  summary(): RunSummary {
    return create(RunSummarySchema, {
      runId: this.runId,
      // Percentiles of the whole run: the live window only covers the last seconds.
      ...((books) => ({
        edges: books.edges.map((counters) => ({ ...counters, ...this.latency.runStats(counters.edgeId) })),
        channels: books.channels,
      }))(this.edgeCounters()),
      traces: this.traces.traceCount,
      durationMs: (this.stoppedAt ?? Date.now()) - this.startedAt,
      sampling: this.sampling(),
      endToEnd: this.endToEnd(),
    });
  }

  /**
   * Time from a message's first span to its last, over the whole traces the
   * hub holds — sampled ones only: a trace kept because it failed or was slow
   * would skew the percentiles toward the bad.
   */
  endToEnd(): EndToEnd | undefined {
    const durations = this.traces
      .listTraces(Number.MAX_SAFE_INTEGER)
      .filter((trace) => trace.rootSeen && !this.keptTraceIds.has(trace.traceId))
      .map((trace) => trace.durationMs)
      .sort((a, b) => a - b);
    if (durations.length === 0) return undefined;
    const at = (share: number) => durations[Math.min(durations.length - 1, Math.ceil(share * durations.length) - 1)];
    return create(EndToEndSchema, { traces: durations.length, p50Ms: at(0.5), p95Ms: at(0.95), p99Ms: at(0.99), maxMs: durations[durations.length - 1] });
  }

  /** The books of every edge (see CounterBook) with the latency of recent sends, and the shared queue channels. */
  edgeCounters(): { edges: EdgeCounters[]; channels: SharedChannel[] } {
    const now = Date.now();
    const books = this.counters.books();
    const edges = this.topology.edges.map((edge) => {
      const ledger = books.edges.get(edge.id)!;
      const gauges = this.counters.gaugesOf(edge.id);
      const queue = gauges?.queue;
      return create(EdgeCountersSchema, {
        edgeId: edge.id,
        ...countsOf(ledger),
        deadLettered: outcomeCount(ledger.failedBy, "dead-lettered"),
        shed: outcomeCount(ledger.failedBy, "overloaded"),
        sharedWith: ledger.sharedWith,
        redriven: ledger.redriven,
        queued: queuedOf(queue ? queue.waiting + queue.delayed : gauges?.streamLag ?? 0, ledger),
        ...this.latency.stats(edge.id, now),
        queue: queue ? create(QueueDepthSchema, queue) : undefined,
        subscribers: gauges?.subscribers ?? 0,
        shortCircuited: outcomeCount(ledger.failedBy, "short-circuited"),
        // An edge with a breaker is CLOSED until its caller reports otherwise.
        breaker: breakerOf(edge) ? BREAKER_STATE[gauges?.breaker ?? "closed"] : BreakerState.NONE,
      });
    });
    const channels = books.channels.map((channel) => {
      const sources = new Set(channel.group.edgeIds.map((edgeId) => this.topology.edges.find((edge) => edge.id === edgeId)!.source));
      const queue = this.counters.gaugesOf(channel.group.edgeIds[0])?.queue;
      return create(SharedChannelSchema, {
        channel: channel.group.channel,
        sourceNodeId: sources.size === 1 ? [...sources][0] : "",
        edgeIds: [...channel.group.edgeIds],
        ...countsOf(channel),
        redriven: channel.redriven,
        queued: queuedOf(queue ? queue.waiting + queue.delayed : 0, channel),
      });
    });
    return { edges, channels };
  }
}

const BREAKER_STATE: Readonly<Record<BreakerStateName, BreakerState>> = {
  closed: BreakerState.CLOSED,
  open: BreakerState.OPEN,
  "half-open": BreakerState.HALF_OPEN,
};
/** The live stream's form of a metrics point (RunEvent.metrics). */
export function metricsEvent(point: SeriesPoint): RunEvent {
  const metrics: Metrics = create(MetricsSchema, {
    timestampsUnixMs: [point.atMs],
    series: point.series.map(({ value, ...series }) => ({ ...series, values: [value] })),
  });
  return create(RunEventSchema, { event: { case: "metrics", value: metrics } });
}

/** GetMetrics' form of a window of points. */
export function metricsOf(window: SeriesWindow): Metrics {
  return create(MetricsSchema, window);
}

/** A node not started yet. */
export function newNodeSlot(nodeId: string, config: HostPlan): NodeSlot {
  return {
    nodeId,
    config,
    process: undefined,
    status: NodeStatus.STARTING,
    error: "",
    ports: { httpPort: 0, connectPort: 0 },
    counts: { handled: 0, inFlight: 0, waiting: 0, dropped: 0, ratePerSecond: 0 },
    exitExpected: undefined,
    onDemand: { messages: 0, bytes: 0 },
    automaticSpent: 0,
    lastRestart: "",
    memoryRestarts: [],
  };
}

/** A ledger's counts as proto fields (uint32: a negative in flight, which the books rule out, would wrap). */
function countsOf(ledger: Ledger) {
  return {
    sent: ledger.sent,
    delivered: ledger.delivered,
    failed: ledger.failed,
    lost: ledger.lost,
    inFlight: Math.max(0, ledger.inFlight),
    retries: ledger.retries,
    cacheHits: ledger.cacheHits,
    cacheMisses: ledger.cacheMisses,
    attempts: ledger.attempts,
    retriesRefused: ledger.retriesRefused,
    duplicates: ledger.duplicates,
    failedBy: ledger.failedBy.map((entry) => create(OutcomeCountSchema, entry)),
    lostBy: ledger.lostBy.map((entry) => create(OutcomeCountSchema, entry)),
  };
}

/** Of a ledger's in flight, those waiting in the broker (the level is read every half second, the counts at once). */
function queuedOf(waiting: number, ledger: Ledger): number {
  return Math.min(waiting, Math.max(0, ledger.inFlight));
}

function outcomeCount(counts: readonly { outcome: string; count: number }[], outcome: string): number {
  return counts.find((entry) => entry.outcome === outcome)?.count ?? 0;
}
