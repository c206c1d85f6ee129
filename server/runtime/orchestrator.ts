/**
 * The runtime: turns a topology into running processes and back.
 *
 *   start:  admit → plan → launch (fork one host per node) → wait until up → go live
 *   stop:   shut down hosts → SIGKILL stragglers → flush traces → delete Redis keys → summary
 *
 * Each node's process is supervised: one that exits unexpectedly is marked DOWN
 * with the reason and the run goes on; InjectFault/ClearFault kill, pause,
 * restart and resume them.
 */
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { create } from "@bufbuild/protobuf";
import { Redis } from "ioredis";
import { LogLineSchema, NodeStatus, RunEventSchema, RunState, type RunInfo, type RunSummary } from "@/lib/gen/ipcplay/v1/playground_pb";
import { FaultKind, Transport, type Topology } from "@/lib/gen/ipcplay/v1/topology_pb";
import { LIMITS } from "@/lib/topology/limits";
import { admissionRefusal } from "@/lib/budget/admission";
import { RunBudget, type Pending } from "@/lib/budget/run-budget";
import { usageSampler } from "@/server/metrics/process-usage";
import { describeFault } from "@/lib/faults/spec";
import { checkClearKind, validateFault } from "@/lib/faults/validate";
import { deleteRunKeys, runKeys } from "@/server/redis/keys";
import { redisAddress } from "@/server/redis/redis-watch";
import { RunRegistry } from "@/server/redis/run-registry";
import { QueueLossWatch } from "@/server/runtime/queue-loss";
import { newTraceId } from "@/server/trace/trace-context";
import { countedEdgeIdsOf } from "@/server/ipc/count-file";
import type { ChildMessage, LogLevel } from "@/server/ipc/host-messages";
import { sweepStaleCountDirs, type OpenHandOff } from "@/server/trace/counter-book";
import { BrokerCounts, READ_EVERY_MS } from "./broker-counts";
import { auditHandOff } from "./hand-off-audit";
import { LiveRun, metricsEvent, metricsOf, type NodeSlot } from "./live-run";
import { HostPool, warmHostsFromEnv } from "./host-pool";
import { NodeProcess, SHUTDOWN_GRACE_MS, type ProcessExit } from "./node-process";
import { planRun } from "./plan";
import { newRunId, newRunToken, tokensMatch } from "./run-ids";
import { startFaultSchedule } from "./fault-schedule";
import { DeadLetterQueues } from "./dead-letters";
import { PROCESS_KINDS, type FaultEntry, type FaultTarget } from "./fault-book";
import { RunError, type FaultRequest, type RunManager, type StartOptions, type UpdateResult } from "./run-manager";
import { applyUpdate, noteUpdated, serialised, type UpdateDeps } from "./run-update";
import { budgetLimitsFromEnv, type BudgetLimits } from "./budget-env";
import { watchRedisOutages } from "./redis-outages";

/** How long InjectFault/ClearFault wait for a host to confirm its faults act. */
const FAULT_ACK_MS = 3_000;
/** How long every node of a run (or a restarted node) gets to report ready. */
export const START_TIMEOUT_MS = 15_000;
/** Stopped runs kept for GetRun/GetTrace after they stop; older ones are forgotten. */
const RETAINED_STOPPED_RUNS = 16;
/** A Redis command of the cleanup may take this long before the stop gives up on it. */
const REDIS_COMMAND_TIMEOUT_MS = 5_000;
const DEFAULT_TRACE_LIST_LIMIT = 50;

export const DEFAULT_HOST_BUNDLE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../dist/host.mjs");

export interface RuntimeLimits extends BudgetLimits {
  maxConcurrentRuns: number;
  maxRunMs: number;
  maxTracesPerRun: number;
  maxSpansPerRun: number;
  /** New traces per second a run ships in full before it samples. */
  traceBudgetPerSecond: number;
  /** Unsampled traces per second a run keeps because they failed or were slow. */
  keepBudgetPerSecond: number;
  startTimeoutMs: number;
  /** How long a host gets to exit after `shutdown` before SIGKILL. */
  shutdownGraceMs: number;
  /** Messages a service lets wait for a concurrency slot before it sheds the next ones (bounded memory). */
  maxWaitingPerService: number;
}

export interface RunManagerOptions {
  redisUrl: string;
  /** The bundled service host; default dist/host.mjs (`npm run build:host`). */
  hostBundlePath?: string;
  /**
   * Hosts kept forked and loaded for the next runs (server/runtime/host-pool.ts);
   * default IPCPLAY_WARM_HOSTS, else DEFAULT_WARM_HOSTS; 0 forks each host when its node starts.
   */
  warmHosts?: number;
  /** A pool to take hosts from instead of one of `warmHosts` hosts (tests); closed by `shutdown()`. */
  hostPool?: HostPool;
  /** Over the defaults and the environment's (server/runtime/budget-env.ts); `admission` is merged field by field. */
  limits?: Partial<Omit<RuntimeLimits, "admission">> & { admission?: Partial<RuntimeLimits["admission"]> };
}

/** How often each live run's hosts' memory is held against their limit. */
const MEMORY_CHECK_MS = 1_000;
/** A node restarted for its memory this many times within MEMORY_RESTART_WINDOW_MS is left down. */
const MAX_MEMORY_RESTARTS = 3;
const MEMORY_RESTART_WINDOW_MS = 60_000;
const MB = 1024 * 1024;

export function createRunManager(options: RunManagerOptions): RunManager {
  const fromEnv = budgetLimitsFromEnv();
  const limits: RuntimeLimits = {
    maxConcurrentRuns: LIMITS.maxConcurrentRuns,
    maxRunMs: LIMITS.maxRunMs,
    maxTracesPerRun: LIMITS.maxTracesPerRun,
    maxSpansPerRun: LIMITS.maxSpansPerRun,
    traceBudgetPerSecond: LIMITS.traceBudgetPerSecond,
    keepBudgetPerSecond: LIMITS.keepBudgetPerSecond,
    startTimeoutMs: START_TIMEOUT_MS,
    shutdownGraceMs: SHUTDOWN_GRACE_MS,
    maxWaitingPerService: LIMITS.maxWaitingPerService,
    runMessagesPerSecond: LIMITS.maxRunRatePerSecond,
    maxPendingSendsPerRun: LIMITS.maxPendingSendsPerRun,
    maxPendingBytesPerRun: LIMITS.maxPendingBytesPerRun,
    maxDeliveriesPerMessage: LIMITS.maxDeliveriesPerMessage,
    maxQueueWaiting: LIMITS.maxQueueWaiting,
    maxHostRssBytes: LIMITS.maxHostRssBytes,
    ...withoutAdmission(fromEnv),
    ...withoutAdmission(options.limits ?? {}),
    admission: {
      serviceBytes: 80 * MB,
      memoryReserveBytes: 256 * MB,
      // Load average counts every runnable process of the machine and lags a minute: a busy 2-core CI box with a browser and a build reaches 4–5 per CPU with no run up (seen in e2e). 8 still refuses the saturation the issue saw (9.9 per CPU).
      maxLoadPerCpu: 8,
      ...fromEnv.admission,
      ...options.limits?.admission,
    },
  };
  const bundlePath = options.hostBundlePath ?? DEFAULT_HOST_BUNDLE;
  // Count files of a server that was killed before it could remove them.
  sweepStaleCountDirs();
  const pool = options.hostPool ?? new HostPool({ bundlePath, size: options.warmHosts ?? warmHostsFromEnv() });
  const runs = new Map<string, LiveRun>();
  /** runId → the run's message budget (lib/budget/run-budget.ts). */
  const budgets = new Map<string, RunBudget>();
  /** runId → the queues the server opened for the run's dead letters (closed when it stops). */
  const deadLetterQueues = new Map<string, DeadLetterQueues>();
  /** Hosts' answers awaited to `faults` messages, by run|node|version. */
  const faultAcks = new Map<string, () => void>();
  let redis: Redis | undefined;
  // Live runs are listed in Redis with a heartbeat; keys of runs whose server died are swept (run-registry.ts).
  const registry = new RunRegistry({ redisUrl: options.redisUrl });
  /** runId → its watch of queue jobs lost with Redis's data, once there was a loss. */
  const queueLosses = new Map<string, QueueLossWatch>();
  // A Redis outage is named in the server's log and in every live run's, with its cost (redis-outages.ts).
  const redisWatch = watchRedisOutages({
    redisUrl: options.redisUrl,
    liveRuns: () => [...runs.values()].filter((run) => run.active).map((run) => ({ id: run.runId, log: (level, message) => log(run, "", level, message), books: () => run.counters.books() })),
  });

  // ---- start ---------------------------------------------------------------

  async function start(topology: Topology, startOptions: StartOptions) {
    const runId = newRunId();
    await registerRun(runId, topology);
    try {
      admit(topology);
    } catch (error) {
      void registry.unregister(runId).catch(() => undefined);
      throw error;
    }
    const plan = planOf(topology, runId);
    const run = new LiveRun({
      runId,
      token: newRunToken(),
      topology,
      redisPrefix: plan.redisPrefix,
      hosts: plan.hosts,
      maxTraces: limits.maxTracesPerRun,
      maxSpans: limits.maxSpansPerRun,
      traceBudgetPerSecond: limits.traceBudgetPerSecond,
      expiresInMs: limits.maxRunMs,
    });
    runs.set(runId, run);
    budgets.set(runId, new RunBudget({ messagesPerSecond: limits.runMessagesPerSecond, maxPendingSends: limits.maxPendingSendsPerRun, maxPendingBytes: limits.maxPendingBytesPerRun }, () => performance.now()));
    watchBrokerEnds(run);
    watchMemory(run);
    for (const slot of run.nodes.values()) launch(run, slot);

    const live = waitUntilUp(run, [...run.nodes.values()]).then(() => goLive(run));
    if (startOptions.detach) {
      live.catch((error: Error) => failStart(run, error));
      return { runId, token: run.token, run: run.info() };
    }
    try {
      await live;
    } catch (error) {
      await failStart(run, error as Error);
      throw new RunError("unavailable", `The run could not start, so everything was stopped. ${(error as Error).message}`);
    }
    return { runId, token: run.token, run: run.info() };
  }

  function planOf(topology: Topology, runId: string) {
    return planRun(topology, {
      runId,
      redisUrl: options.redisUrl,
      traceBudgetPerSecond: limits.traceBudgetPerSecond,
      keepBudgetPerSecond: limits.keepBudgetPerSecond,
      maxWaitingPerService: limits.maxWaitingPerService,
      budget: { messagesPerSecond: limits.runMessagesPerSecond, maxPendingSends: limits.maxPendingSendsPerRun, sendsPerMessage: limits.maxDeliveriesPerMessage, queueWaiting: limits.maxQueueWaiting },
    });
  }

  /**
   * Lists the run as alive in Redis before any of its keys exist. Redis not answering fails the start at once,
   * naming it, when the run needs it (queues, topics); a run of REST and Connect edges only starts without it.
   */
  async function registerRun(runId: string, topology: Topology): Promise<void> {
    try {
      await registry.register(runId);
    } catch (error) {
      if (!topology.edges.some((edge) => edge.transport === Transport.QUEUE || edge.transport === Transport.PUBSUB)) return;
      throw new RunError(
        "unavailable",
        `Redis at ${redisAddress(options.redisUrl)} is unreachable (${(error as Error).message}); this run's queues and topics need it. Start Redis there, or set REDIS_URL to one that answers, and try again.`,
      );
    }
  }

  /** Refuses a run the server (or the machine) cannot take, before anything is started. */
  function admit(topology: Topology): void {
    const up = [...runs.values()].filter((run) => run.active || run.state === RunState.STOPPING);
    const busy = up.length;
    if (busy >= limits.maxConcurrentRuns) {
      throw new RunError(
        "resource_exhausted",
        `This server already runs ${busy} runs, the most it allows at once (${limits.maxConcurrentRuns}); stop one with StopRun and try again.`,
      );
    }
    if (!existsSync(bundlePath)) {
      throw new RunError(
        "failed_precondition",
        `The service host bundle ${bundlePath} is missing: run \`npm run build:host\` first.`,
      );
    }
    const hostRssBytes = up.flatMap((run) => [...run.nodes.values()].map((slot) => usageSampler.processUsage(slot.process?.pid ?? 0)?.rssBytes ?? 0));
    const refusal = admissionRefusal(
      topology.nodes.length,
      { freeBytes: os.freemem(), loadAverage: os.loadavg()[0], cpus: os.availableParallelism(), hostRssBytes: hostRssBytes.map(Number), runs: busy },
      limits.admission,
    );
    if (refusal) throw new RunError("resource_exhausted", refusal);
  }

  /** Takes a warm host from the pool (or forks one) for the node and wires its messages and exit into the run. */
  function launch(run: LiveRun, slot: NodeSlot): NodeProcess {
    // Each process counts in its own file, so a dead one's last counts stay readable beside its successor's.
    run.counters.settleDeaths({ force: true, nodeId: slot.nodeId });
    const { countsFile, incarnation } = run.counters.attach(slot.nodeId, countedEdgeIdsOf(slot.config));
    const host: NodeProcess = new NodeProcess({
      bundlePath,
      warmHost: pool.take(),
      config: { ...slot.config, countsFile, incarnation },
      onMessage: (message) => {
        if (slot.process === host) onChildMessage(run, slot, host, message);
      },
      onOutput: (level, line) => log(run, slot.nodeId, level, line),
      onExit: (exit) => onChildExit(run, slot, host, exit),
      // A stop's hosts flush their last counters and spans: no refill competes for the CPU meanwhile.
      onStopping: (exited) => pool.holdRefillsUntil(exited),
    });
    slot.process = host;
    // What SendMessage handed, and what the budget spent, count per process: its reports start from zero.
    slot.onDemand = { messages: 0, bytes: 0 };
    slot.automaticSpent = 0;
    slot.counts = { ...slot.counts, origins: undefined };
    pool.holdRefillsUntil(host.ready);
    host.ready.then(
      (ports) => {
        if (slot.process !== host) return;
        slot.ports = ports;
        slot.status = NodeStatus.UP;
        run.events.changed();
      },
      (error: Error) => {
        if (slot.process !== host) return;
        slot.status = NodeStatus.DOWN;
        slot.error ||= error.message;
      },
    );
    return host;
  }

  /** Resolves when every slot is UP; rejects naming each node that is not, and why. */
  async function waitUntilUp(run: LiveRun, slots: readonly NodeSlot[]): Promise<void> {
    const readies = slots.map((slot) => slot.process?.ready ?? Promise.reject(new Error("not launched")));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, limits.startTimeoutMs)));
    await Promise.race([Promise.allSettled(readies), timeout]);
    clearTimeout(timer);
    const notUp = slots.filter((slot) => slot.status !== NodeStatus.UP);
    if (notUp.length > 0) {
      const reasons = notUp.map((slot) => `${slot.nodeId}: ${slot.error || `not ready within ${limits.startTimeoutMs} ms`}`);
      throw new Error(`Node${notUp.length > 1 ? "s" : ""} not up — ${reasons.join("; ")}.`);
    }
  }

  /** Every node is up: tell each where the others listen, start traffic, arm the time limit. */
  function goLive(run: LiveRun): void {
    if (run.state !== RunState.STARTING) return; // stopped while starting
    const addresses = run.addresses();
    for (const slot of run.nodes.values()) slot.process?.send({ type: "addresses", addresses });
    for (const slot of run.nodes.values()) slot.process?.send({ type: "start-traffic" });
    run.state = RunState.RUNNING;
    run.autoStop = setTimeout(() => {
      void stopRun(run, { finalState: RunState.FAILED, error: `Stopped automatically after the ${limits.maxRunMs} ms limit.` });
    }, limits.maxRunMs);
    run.autoStop.unref();
    run.stopSchedule = startFaultSchedule(run.topology.schedule, {
      inject: (fault) => injectFault(run.runId, fault, { scheduled: true }),
      log: (level, message) => log(run, "", level, message),
    });
    run.events.startHeartbeat();
    run.events.changed();
  }

  async function failStart(run: LiveRun, error: Error): Promise<void> {
    log(run, "", "error", error.message);
    await stopRun(run, { finalState: RunState.FAILED, error: error.message });
  }

  // ---- supervise -------------------------------------------------------------

  function onChildMessage(run: LiveRun, slot: NodeSlot, host: NodeProcess, message: ChildMessage): void {
    switch (message.type) {
      case "spans":
        return run.traces.ingest(message.spans);
      case "counters": {
        run.counters.report(slot.nodeId, message.sampling);
        run.counters.readGauges(message.gauges);
        const now = Date.now();
        for (const { edgeId, ...delta } of message.latency) run.latency.add(edgeId, now, delta);
        slot.counts = message.node;
        // Automatic traffic spends from the run's budget as it is reported: on-demand sends get what it leaves.
        const automatic = message.node.origins?.automatic ?? 0;
        budgets.get(run.runId)?.spend(automatic - slot.automaticSpent);
        slot.automaticSpent = automatic;
        return;
      }
      case "keep-traces":
        // A tail-keep: the run's other processes ship what they hold of these traces.
        run.noteKeptTraces(message.traceIds);
        for (const other of run.nodes.values()) if (other !== slot) other.process?.send(message);
        return;
      case "log":
        return log(run, slot.nodeId, message.level, message.message);
      case "fatal":
        slot.error = message.message;
        return log(run, slot.nodeId, "error", `fatal: ${message.message}`);
      case "updated":
        return noteUpdated(host);
      case "faults-applied":
        return faultAcks.get(`${run.runId}|${slot.nodeId}|${message.version}`)?.();
      case "ready":
        return; // handled by NodeProcess.ready
    }
  }

  function onChildExit(run: LiveRun, slot: NodeSlot, host: NodeProcess, exit: ProcessExit): void {
    if (slot.process !== host) return;
    const expected = slot.exitExpected;
    // Its counts are final; a process that died (not stopped with the run) loses what it held.
    const openHandOffs = run.counters.retire(slot.nodeId, { died: expected !== "stop" });
    for (const handOff of openHandOffs) {
      const audit = auditDeadProducer(run, slot.nodeId, handOff).finally(() => run.settling.delete(audit));
      run.settling.add(audit);
    }
    slot.counts = { ...slot.counts, inFlight: 0, ratePerSecond: 0 };
    slot.exitExpected = undefined;
    if (expected === "stop") {
      slot.status = NodeStatus.STOPPED;
    } else if (expected === "memory") {
      slot.status = NodeStatus.DOWN;
    } else if (expected === "fault") {
      slot.status = NodeStatus.DOWN;
      slot.error = "killed by InjectFault (SIGKILL)";
      log(run, slot.nodeId, "warn", `${slot.nodeId} was killed by InjectFault`);
    } else {
      slot.status = NodeStatus.DOWN;
      slot.error ||= `the process ${exit.reason}`;
      log(run, slot.nodeId, "error", `${slot.nodeId} went down: the process ${exit.reason}`);
    }
    run.events.changed();
  }

  /**
   * What is pending in the run for its budget: each process's messages started
   * and not ended as it last reported them, plus what SendMessage handed it
   * since (its report may not include them yet).
   */
  function pendingOf(run: LiveRun): Pending {
    const pending = { messages: 0, bytes: 0 };
    for (const slot of run.nodes.values()) {
      const origins = slot.counts.origins;
      pending.messages += (origins?.pending ?? 0) + Math.max(0, slot.onDemand.messages - (origins?.onDemand ?? 0));
      pending.bytes += (origins?.pendingBytes ?? 0) + Math.max(0, slot.onDemand.bytes - (origins?.onDemandBytes ?? 0));
    }
    return pending;
  }

  /** Holds each host's resident memory (read about once a second) against the limit while the run is live. */
  function watchMemory(run: LiveRun): void {
    const timer = setInterval(() => {
      if (!run.active) return clearInterval(timer);
      if (run.state !== RunState.RUNNING) return;
      for (const slot of run.nodes.values()) {
        if (slot.status !== NodeStatus.UP || !slot.process?.alive) continue;
        const rssBytes = Number(usageSampler.processUsage(slot.process.pid ?? 0)?.rssBytes ?? 0);
        if (rssBytes > limits.maxHostRssBytes) void restartForMemory(run, slot, rssBytes);
      }
    }, MEMORY_CHECK_MS);
    timer.unref();
  }

  /**
   * A host past its memory limit is killed and started again, and the run says
   * why (its log, the node's last_restart); one that keeps passing it
   * (MAX_MEMORY_RESTARTS within the window) is left down with the reason.
   * What it held is booked as a dead process's (caller died, …).
   */
  async function restartForMemory(run: LiveRun, slot: NodeSlot, rssBytes: number): Promise<void> {
    const host = slot.process;
    if (!host) return;
    const now = Date.now();
    const reason = `its memory (RSS ${Math.round(rssBytes / MB)} MB) passed the limit of ${Math.round(limits.maxHostRssBytes / MB)} MB per service`;
    slot.memoryRestarts = slot.memoryRestarts.filter((at) => now - at < MEMORY_RESTART_WINDOW_MS);
    const giveUp = slot.memoryRestarts.length >= MAX_MEMORY_RESTARTS;
    slot.memoryRestarts.push(now);
    slot.status = NodeStatus.RESTARTING;
    slot.exitExpected = "memory";
    slot.lastRestart = `${new Date(now).toISOString()} ${giveUp ? "stopped" : "restarted"}: ${reason}`;
    log(run, slot.nodeId, "warn", giveUp ? `${slot.nodeId} is stopped and left down: ${reason}, for the ${MAX_MEMORY_RESTARTS + 1}th time within ${MEMORY_RESTART_WINDOW_MS / 1000} s` : `${slot.nodeId} is restarted: ${reason}`);
    await host.kill();
    if (slot.process !== host || !run.active) return;
    if (giveUp) {
      slot.error = `left down: ${reason} ${MAX_MEMORY_RESTARTS + 1} times within ${MEMORY_RESTART_WINDOW_MS / 1000} s (ClearFault on the node starts it again)`;
      run.events.changed();
      return;
    }
    try {
      await restart(run, slot);
    } catch (error) {
      log(run, slot.nodeId, "error", (error as Error).message);
    }
  }

  /** Reads the brokers' own counts of asynchronous ends into the run's books while it is live (see broker-counts.ts). */
  function watchBrokerEnds(run: LiveRun): void {
    if (run.brokerCounts.empty) return;
    const timer = setInterval(() => {
      if (!run.active) return clearInterval(timer);
      void readBrokerEnds(run);
    }, READ_EVERY_MS);
    timer.unref();
  }

  /** One reading of the brokers' counts into the books; a failed read costs one reading (the hosts' counts stand). */
  async function readBrokerEnds(run: LiveRun): Promise<void> {
    try {
      const ends = await run.brokerCounts.read(redisClient());
      if (ends) run.counters.readBrokerEnds(ends);
      if (ends?.dataLost && run.active && run.brokerCounts.queues.length > 0) queueLossOf(run).dataLost();
    } catch {
      // Redis unreachable or stalled: the next reading tries again.
    }
  }

  /** The run's watch of queue jobs lost with Redis's data (queue-loss.ts), made at the first loss. */
  function queueLossOf(run: LiveRun): QueueLossWatch {
    let watch = queueLosses.get(run.runId);
    if (!watch) {
      watch = new QueueLossWatch({
        keys: runKeys(run.runId),
        books: () => run.counters,
        channels: () => run.brokerCounts.queues,
        redis: redisClient,
        active: () => run.active,
        onLost: (channel, count) => {
          log(run, "", "warn", `Redis lost its data: ${count} job${count === 1 ? "" : "s"} of queue "${channel}" went with it, counted lost ("lost by broker")`);
          run.events.changed();
        },
      });
      queueLosses.set(run.runId, watch);
    }
    return watch;
  }

  /** Asks the broker what became of a dead producer's unanswered hand-offs, and books it; never rejects. */
  async function auditDeadProducer(run: LiveRun, nodeId: string, handOff: OpenHandOff): Promise<void> {
    try {
      run.counters.bookHandOffAudit(handOff, await auditHandOff(redisClient(), runKeys(run.runId), handOff));
    } catch (error) {
      // Without the broker's answer those messages stay in flight: unknown is not lost.
      log(run, nodeId, "warn", `Could not ask Redis what became of ${handOff.open} messages ${nodeId} was handing to ${handOff.channel} when it died: ${(error as Error).message}`);
    }
  }

  function log(run: LiveRun, nodeId: string, level: LogLevel, message: string): void {
    const line = create(LogLineSchema, { unixMs: Date.now(), nodeId, level, message });
    run.events.emit(create(RunEventSchema, { event: { case: "log", value: line } }));
  }

  // ---- stop ----------------------------------------------------------------

  function stopRun(run: LiveRun, how: { finalState: RunState; error?: string }): Promise<RunSummary> {
    run.stopping ??= (async () => {
      run.state = RunState.STOPPING;
      if (how.error) run.error = how.error;
      clearTimeout(run.autoStop);
      run.stopSchedule();
      run.events.changed();

      // No fault timer or crash loop may start a process while the hosts shut down.
      await Promise.all(run.faults.takeAll().map(stopLoop));
      await shutDownHosts(run);
      // Messages held by nodes killed before the stop are booked lost now (the broker is asked before its keys go);
      // the rest was in flight at the stop.
      await Promise.all(run.settling);
      // The brokers' last counts, before the keys go.
      await readBrokerEnds(run);
      queueLosses.get(run.runId)?.close();
      queueLosses.delete(run.runId);
      run.counters.settleDeaths({ force: true });
      await closeDeadLetterQueues(run);
      run.counters.close();
      run.traces.close();
      budgets.delete(run.runId);
      // Unlisted only once its keys are gone: otherwise a later sweep removes them (run-registry.ts).
      if (await deleteKeys(run)) await registry.unregister(run.runId).catch(() => undefined);

      run.state = how.finalState;
      run.stoppedAt = Date.now();
      run.events.stopHeartbeat();
      // The last point: the books are final, so each series adds up to the summary's count.
      const lastPoint = run.takeMetricsPoint();
      run.events.changed();
      run.events.emit(metricsEvent(lastPoint));
      const summary = run.summary();
      run.events.emit(create(RunEventSchema, { event: { case: "summary", value: summary } }));
      forgetOldRuns();
      return summary;
    })();
    return run.stopping;
  }

  /** `shutdown` to every host at once; each gets the grace period, then SIGKILL. */
  async function shutDownHosts(run: LiveRun): Promise<void> {
    await Promise.all(
      [...run.nodes.values()].map(async (slot) => {
        if (!slot.process?.alive) {
          if (slot.status !== NodeStatus.DOWN) slot.status = NodeStatus.STOPPED;
          return;
        }
        slot.exitExpected = "stop";
        await slot.process.stop(limits.shutdownGraceMs);
      }),
    );
  }

  async function closeDeadLetterQueues(run: LiveRun): Promise<void> {
    const queues = deadLetterQueues.get(run.runId);
    deadLetterQueues.delete(run.runId);
    await queues?.close();
  }

  function deadLettersOf(run: LiveRun): DeadLetterQueues {
    let queues = deadLetterQueues.get(run.runId);
    if (!queues) deadLetterQueues.set(run.runId, (queues = new DeadLetterQueues(runKeys(run.runId), options.redisUrl)));
    return queues;
  }

  async function deleteKeys(run: LiveRun): Promise<boolean> {
    try {
      await deleteRunKeys(redisClient(), run.redisPrefix);
      return true;
    } catch (error) {
      // The run still stops; the keys stay under its prefix and the reason is shown.
      run.error ||= `Could not delete the run's Redis keys: ${(error as Error).message}`;
      log(run, "", "error", `Could not delete Redis keys under ${run.redisPrefix}: ${(error as Error).message}`);
      return false;
    }
  }

  function redisClient(): Redis {
    if (!redis) {
      redis = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, commandTimeout: REDIS_COMMAND_TIMEOUT_MS });
      redis.on("error", (error: Error) => console.error(`runtime redis: ${error.message}`));
    }
    return redis;
  }

  function forgetOldRuns(): void {
    const stopped = [...runs.values()].filter((run) => run.stoppedAt !== undefined);
    for (const run of stopped.slice(0, Math.max(0, stopped.length - RETAINED_STOPPED_RUNS))) runs.delete(run.runId);
  }

  // ---- faults --------------------------------------------------------------
  //
  // KILL, PAUSE and CRASH_LOOP act on a node's process here; every other fault
  // acts inside hosts, on real traffic (server/host/faults): each host is sent
  // the whole set in force on it — its node's, and its edges' as sender or
  // receiver — and answers once it acts, so traffic sent after InjectFault
  // returns meets the fault.

  async function injectFault(runId: string, request: FaultRequest, options: { scheduled?: boolean } = {}): Promise<RunInfo> {
    const run = runningRun(runId);
    const check = validateFault(run.topology, request);
    if (!check.ok) throw new RunError(check.code, `Run ${run.runId}: ${check.message}`);
    const fault = check.fault;
    const slot = fault.nodeId ? slotOf(run, fault.nodeId) : undefined;
    // KILL of a node already down is idempotent (it stays down until cleared); anything else needs it up.
    if (slot && fault.kind !== FaultKind.KILL && slot.status !== NodeStatus.UP && slot.status !== NodeStatus.PAUSED) {
      throw new RunError("failed_precondition", `node_id: ${slot.nodeId} is ${NodeStatus[slot.status]}; a ${FaultKind[fault.kind]} fault needs it UP.`);
    }
    // A killed process is no longer paused: its successor starts running.
    if (fault.kind === FaultKind.KILL || fault.kind === FaultKind.CRASH_LOOP) run.faults.take({ nodeId: fault.nodeId }, FaultKind.PAUSE);
    const { entry, replaced } = run.faults.put(fault, Date.now(), options);
    if (replaced) await stopLoop(replaced);
    const by = options.scheduled ? "the schedule" : "InjectFault";
    log(run, fault.nodeId ?? "", "warn", `${by}: ${describeFault(fault)} on ${targetName(fault)}${replaced ? " (replacing the one in force)" : ""}`);
    if (fault.durationMs) {
      entry.timer = setTimeout(() => {
        void clearFaults(run, fault, fault.kind, `after ${fault.durationMs} ms, by itself`).catch((error: Error) =>
          log(run, fault.nodeId ?? "", "error", `Could not clear ${FaultKind[fault.kind]} on ${targetName(fault)}: ${error.message}`),
        );
      }, fault.durationMs);
      entry.timer.unref();
    }
    switch (fault.kind) {
      case FaultKind.KILL:
        if (slot!.process?.alive) {
          slot!.exitExpected = "fault";
          await slot!.process.kill();
        }
        break;
      case FaultKind.PAUSE:
        if (slot!.status === NodeStatus.UP) {
          slot!.process?.signal("SIGSTOP");
          slot!.status = NodeStatus.PAUSED;
          log(run, slot!.nodeId, "warn", `${slot!.nodeId} was paused by InjectFault (SIGSTOP)`);
        }
        break;
      case FaultKind.CRASH_LOOP:
        startCrashLoop(run, slot!, entry);
        break;
      default:
        await tellHosts(run, run.faults.hostsOf(fault));
    }
    run.events.changed();
    return run.info();
  }

  async function clearFault(runId: string, target: { nodeId?: string; edgeId?: string; kind?: FaultKind }): Promise<RunInfo> {
    const run = runningRun(runId);
    if (target.nodeId && target.edgeId) throw new RunError("invalid_argument", "node_id, edge_id: clear the faults of one target; give node_id or edge_id, not both.");
    if (!target.nodeId && !target.edgeId) throw new RunError("invalid_argument", "node_id, edge_id: give the node or the edge whose faults to clear.");
    if (target.nodeId) slotOf(run, target.nodeId);
    else if (!run.topology.edges.some((edge) => edge.id === target.edgeId)) {
      throw new RunError("not_found", `Run ${run.runId}: edge_id: the run has no edge "${target.edgeId}".`);
    }
    const kindProblem = checkClearKind(target.kind);
    if (kindProblem) throw new RunError("invalid_argument", kindProblem);
    await clearFaults(run, target, target.kind, "by ClearFault");
    run.events.changed();
    return run.info();
  }

  /** Takes the target's faults of `kind` (all without one) out of force and undoes what they did. */
  async function clearFaults(run: LiveRun, target: FaultTarget, kind: FaultKind | undefined, how: string): Promise<void> {
    if (!run.active) return;
    const taken = run.faults.take(target, kind);
    for (const entry of taken) log(run, entry.fault.nodeId ?? "", "info", `ClearFault: ${FaultKind[entry.fault.kind]} on ${targetName(entry.fault)} cleared ${how}`);
    await Promise.all(taken.map(stopLoop));
    if (target.edgeId) {
      if (taken.length > 0) await tellHosts(run, run.faults.hostsOf(target));
      return;
    }
    const slot = slotOf(run, target.nodeId!);
    const all = !kind;
    if (taken.some((entry) => !PROCESS_KINDS.has(entry.fault.kind))) await tellHosts(run, [slot.nodeId]);
    if (slot.status === NodeStatus.PAUSED && (all || kind === FaultKind.PAUSE)) {
      slot.process?.signal("SIGCONT");
      slot.status = NodeStatus.UP;
      log(run, slot.nodeId, "info", `${slot.nodeId} was resumed (SIGCONT)`);
    }
    // A node down is started again when what keeps it down is cleared (or, clearing all, when it went down by itself).
    const keptDown = run.faults.has(target, FaultKind.KILL) || run.faults.has(target, FaultKind.CRASH_LOOP);
    const wasKilled = taken.some((entry) => entry.fault.kind === FaultKind.KILL || entry.fault.kind === FaultKind.CRASH_LOOP);
    if (slot.status === NodeStatus.DOWN && !keptDown && (all || wasKilled)) await restart(run, slot);
  }

  /** Kills the node, starts it again, and kills it again `intervalMs` after it is up, until stopped. */
  function startCrashLoop(run: LiveRun, slot: NodeSlot, entry: FaultEntry): void {
    let stopped = false;
    let wake = () => {};
    const going = () => !stopped && run.active;
    const nap = (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    const done = (async () => {
      while (going()) {
        if (slot.process?.alive) {
          slot.exitExpected = "fault";
          await slot.process.kill();
        }
        if (!going()) break;
        try {
          await restart(run, slot);
        } catch (error) {
          log(run, slot.nodeId, "error", `crash loop: ${(error as Error).message}`);
        }
        if (going()) await nap(entry.fault.intervalMs);
      }
    })();
    entry.loop = {
      stop: () => {
        stopped = true;
        wake();
      },
      done,
    };
  }

  async function stopLoop(entry: FaultEntry): Promise<void> {
    if (!entry.loop) return;
    entry.loop.stop();
    await entry.loop.done;
  }

  /** Sends each node's host the faults in force on it; resolves once the live ones applied them (or FAULT_ACK_MS passed). */
  async function tellHosts(run: LiveRun, nodeIds: readonly string[]): Promise<void> {
    await Promise.all(
      nodeIds.map((nodeId) => {
        const slot = run.nodes.get(nodeId);
        return slot ? tellHost(run, slot) : undefined;
      }),
    );
  }

  function tellHost(run: LiveRun, slot: NodeSlot): Promise<void> {
    const host = slot.process;
    if (!host?.alive) return Promise.resolve(); // a node down gets its faults when it is started again
    const version = ++run.faultVersion;
    host.send({ type: "faults", version, faults: run.faults.forHost(slot.nodeId) });
    // A paused process answers only once resumed.
    if (slot.status === NodeStatus.PAUSED) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const key = `${run.runId}|${slot.nodeId}|${version}`;
      const timer = setTimeout(() => {
        faultAcks.delete(key);
        log(run, slot.nodeId, "warn", `${slot.nodeId} did not confirm its faults within ${FAULT_ACK_MS} ms`);
        resolve();
      }, FAULT_ACK_MS);
      faultAcks.set(key, () => {
        clearTimeout(timer);
        faultAcks.delete(key);
        resolve();
      });
    });
  }

  function targetName(target: FaultTarget): string {
    return target.nodeId ? `node ${target.nodeId}` : `edge ${target.edgeId}`;
  }

  /** UpdateRun (server/runtime/run-update.ts): one at a time per run, only while it runs. */
  async function updateRun(runId: string, topology: Topology): Promise<{ run: RunInfo } & UpdateResult> {
    const run = runningRun(runId);
    const result = await serialised(run, async () => {
      // Faults on what the update removes end with it (a crash loop must not start a removed node again).
      const orphans = run.faults.orphansIn(topology);
      const nodesTold = new Set<string>();
      for (const target of orphans) {
        if (target.edgeId) for (const nodeId of run.faults.hostsOf(target)) nodesTold.add(nodeId);
        const taken = run.faults.take(target);
        await Promise.all(taken.map(stopLoop));
        for (const entry of taken) log(run, entry.fault.nodeId ?? "", "info", `${FaultKind[entry.fault.kind]} on ${targetName(entry.fault)} ended: the update removed ${targetName(entry.fault)}`);
      }
      const applied = await applyUpdate(run, topology, updateDeps);
      await tellHosts(run, [...nodesTold].filter((nodeId) => run.nodes.has(nodeId)));
      return applied;
    });
    return { run: run.info(), ...result };
  }

  const updateDeps: UpdateDeps = {
    plan: planOf,
    launch,
    waitUntilUp,
    restart,
    async stopProcess(_run, slot) {
      if (!slot.process?.alive) return;
      slot.exitExpected = "stop";
      await slot.process.stop(limits.shutdownGraceMs);
    },
    watchBrokerEnds,
    log,
  };

  /** Starts a down node again; its new address goes to every node (REST callers reconnect). */
  async function restart(run: LiveRun, slot: NodeSlot): Promise<void> {
    slot.status = NodeStatus.RESTARTING;
    slot.error = "";
    run.events.changed();
    const host = launch(run, slot);
    try {
      await waitUntilUp(run, [slot]);
    } catch (error) {
      slot.exitExpected = "stop";
      await host.kill();
      slot.status = NodeStatus.DOWN;
      slot.error ||= (error as Error).message;
      throw new RunError("unavailable", `${slot.nodeId} could not be started again: ${(error as Error).message}`);
    }
    // The faults in force on it act before its traffic does.
    if (run.faults.forHost(slot.nodeId).length > 0) await tellHost(run, slot);
    host.send({ type: "addresses", addresses: run.addresses() });
    const moved = run.addresses().filter((address) => address.nodeId === slot.nodeId);
    for (const other of run.nodes.values()) if (other !== slot) other.process?.send({ type: "addresses", addresses: moved });
    host.send({ type: "start-traffic" });
    log(run, slot.nodeId, "info", `${slot.nodeId} was started again (pid ${host.pid})`);
  }

  // ---- lookups -------------------------------------------------------------

  function findRun(runId: string): LiveRun {
    const run = runs.get(runId);
    if (!run) throw new RunError("not_found", `There is no run "${runId}" (it may have stopped long ago).`);
    return run;
  }

  function runningRun(runId: string): LiveRun {
    const run = findRun(runId);
    if (run.state !== RunState.RUNNING) {
      throw new RunError("failed_precondition", `Run ${runId} is ${RunState[run.state]}, not RUNNING.`);
    }
    return run;
  }

  function slotOf(run: LiveRun, nodeId: string): NodeSlot {
    const slot = run.nodes.get(nodeId);
    if (!slot) throw new RunError("not_found", `Run ${run.runId} has no node "${nodeId}".`);
    return slot;
  }

  // ---- the RunManager --------------------------------------------------------

  return {
    start,
    stop: (runId) => stopRun(findRun(runId), { finalState: RunState.STOPPED }),
    get: (runId) => findRun(runId).info(),
    checkToken: (runId, token) => {
      const run = runs.get(runId);
      return run !== undefined && tokensMatch(run.token, token);
    },
    async sendMessage(runId, nodeId, count, payload) {
      const run = runningRun(runId);
      const slot = slotOf(run, nodeId);
      const messages = count || 1;
      if (!Number.isInteger(messages) || messages < 1 || messages > LIMITS.maxSendCount) {
        throw new RunError("invalid_argument", `count must be a whole number from 1 to ${LIMITS.maxSendCount}, got ${count}.`);
      }
      if (slot.status !== NodeStatus.UP || !slot.process) {
        throw new RunError("failed_precondition", `${nodeId} is ${NodeStatus[slot.status]}; it takes messages when UP.`);
      }
      // An empty payload means "the node's traffic payload", as in SendMessageRequest.
      const payloadBytes = payload ? Buffer.byteLength(payload) : (run.topology.nodes.find((node) => node.id === nodeId)?.traffic?.payloadBytes ?? 0);
      const refusal = budgets.get(runId)?.admit(messages, messages * payloadBytes, pendingOf(run));
      if (refusal) throw new RunError("resource_exhausted", `Run ${runId}: SendMessage refused, nothing was sent: ${refusal}`);
      const traceIds = Array.from({ length: messages }, newTraceId);
      slot.onDemand.messages += messages;
      slot.onDemand.bytes += messages * payloadBytes;
      slot.process.send({ type: "send", traceIds, payload: payload || undefined });
      return traceIds;
    },
    getMetrics: (runId, sinceUnixMs) => metricsOf(findRun(runId).metricsSince(sinceUnixMs)),
    getTrace: (runId, traceId) => findRun(runId).traces.getTrace(traceId),
    listTraces: (runId, limit) => findRun(runId).traces.listTraces(limit || DEFAULT_TRACE_LIST_LIMIT),
    injectFault: (runId, fault) => injectFault(runId, fault),
    clearFault,
    updateRun,
    async listDeadLetters(runId, edgeId, limit) {
      const run = runningRun(runId);
      return deadLettersOf(run).list(run.topology, runId, edgeId, limit);
    },
    async redriveDeadLetters(runId, edgeId, jobIds) {
      const run = runningRun(runId);
      const redriven = await deadLettersOf(run).redrive(run.topology, runId, edgeId, jobIds, (edge, count) => run.counters.bookRedrive(edge, count));
      if (redriven > 0) {
        log(run, "", "info", `${redriven} dead letter${redriven === 1 ? "" : "s"} of edge ${edgeId} put back in the queue`);
        run.events.changed();
      }
      return { redriven, run: run.info() };
    },
    watch(runId, listener) {
      const run = findRun(runId);
      const unsubscribe = run.events.subscribe(listener);
      if (run.stoppedAt !== undefined) {
        listener(create(RunEventSchema, { event: { case: "summary", value: run.summary() } }));
      }
      return unsubscribe;
    },
    async shutdown() {
      // Closed first, so no refill starts while the runs stop.
      const poolClosed = pool.close();
      await Promise.all([...runs.values()].filter((run) => !run.stopping).map((run) => stopRun(run, { finalState: RunState.STOPPED })));
      await Promise.all([...runs.values()].map((run) => run.stopping));
      await poolClosed;
      await Promise.all([registry.close(), redisWatch.close()]);
      await redis?.quit();
      redis = undefined;
    },
  };
}

/** The limits without their `admission` part (merged apart, field by field). */
function withoutAdmission<T extends { admission?: unknown }>(limits: T): Omit<T, "admission"> {
  const { admission: _admission, ...rest } = limits;
  return rest;
}
