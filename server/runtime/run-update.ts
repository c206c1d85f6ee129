/**
 * UpdateRun: a running run takes a changed topology, touching only what
 * changed (lib/run/topology-diff.ts says what, lib/run/update-plan.ts which
 * processes):
 *
 *   books learn the new edges → new nodes start → everyone learns their
 *   addresses → nodes whose listeners change start again → every other node
 *   with a changed config gets it live ("update", same process) and confirms
 *   it ("updated") → removed nodes stop → new nodes' traffic starts; then the
 *   answer, so what it lists as applied is applied.
 *
 * New nodes and restarts come before the live updates, so a caller's new
 * sender never reaches a listener that does not know its edge yet; removed
 * nodes go last, after their callers stopped calling them.
 *
 * One update at a time per run; each waits for the one before it.
 */
import { NodeStatus, RunState } from "@/lib/gen/ipcplay/v1/playground_pb";
import type { Edge, Topology } from "@/lib/gen/ipcplay/v1/topology_pb";
import { diffTopologies, type TopologyDiff } from "@/lib/run/topology-diff";
import { groupKeyOf, liveSentences, planUpdate } from "@/lib/run/update-plan";
import { countedEdgeIdsOf } from "@/server/ipc/count-file";
import type { HostPlan, LogLevel } from "@/server/ipc/host-messages";
import { newNodeSlot, type LiveRun, type NodeSlot } from "./live-run";
import type { NodeProcess } from "./node-process";
import type { RunPlan } from "./plan";
import { RunError, type UpdateResult } from "./run-manager";

/** What the orchestrator lends an update: its ways to start, stop and talk to processes. */
export interface UpdateDeps {
  plan(topology: Topology, runId: string): RunPlan;
  launch(run: LiveRun, slot: NodeSlot): NodeProcess;
  waitUntilUp(run: LiveRun, slots: readonly NodeSlot[]): Promise<void>;
  /** Starts a node's process again with its slot's config, tells everyone its address, starts its traffic. */
  restart(run: LiveRun, slot: NodeSlot): Promise<void>;
  /** Ends a node's process the way a stop does (shutdown, then SIGKILL after the grace period). */
  stopProcess(run: LiveRun, slot: NodeSlot): Promise<void>;
  /** Starts reading the brokers' counts, if the run was not doing so yet. */
  watchBrokerEnds(run: LiveRun): void;
  log(run: LiveRun, nodeId: string, level: LogLevel, message: string): void;
}

const updates = new WeakMap<LiveRun, Promise<unknown>>();

/** How long UpdateRun waits for a host to confirm an update before it answers anyway (a busy or paused host applies it later). */
const CONFIRM_WAIT_MS = 2_000;

/** Hosts' confirmations awaited, per process, in the order the updates were sent. */
const confirmations = new WeakMap<NodeProcess, Array<() => void>>();

/** A host said `updated`. */
export function noteUpdated(process: NodeProcess): void {
  confirmations.get(process)?.shift()?.();
}

/** Sends the update; resolves when the host confirmed it, or after CONFIRM_WAIT_MS. */
function sendUpdate(process: NodeProcess, config: HostPlan, countedEdgeIds: string[]): Promise<boolean> {
  const confirmed = new Promise<boolean>((resolve) => {
    const waiting = confirmations.get(process) ?? [];
    confirmations.set(process, waiting);
    waiting.push(() => resolve(true));
    setTimeout(() => resolve(false), CONFIRM_WAIT_MS).unref();
  });
  process.send({ type: "update", config, countedEdgeIds });
  return confirmed;
}

/** Runs `update` after the run's previous update has ended (however it ended). */
export function serialised<T>(run: LiveRun, update: () => Promise<T>): Promise<T> {
  const previous = updates.get(run) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(update);
  updates.set(run, next);
  return next;
}

/**
 * Channel keys each process has had an asynchronous sender for since it
 * started: a producer must not get a second sender to one (update-plan.ts).
 */
const asyncGroupsOfProcess = new WeakMap<NodeProcess, Set<string>>();

export async function applyUpdate(run: LiveRun, topology: Topology, deps: UpdateDeps): Promise<UpdateResult> {
  requireRunning(run);
  const before = run.topology;
  const diff = diffTopologies(before, topology);
  const used = new Map<string, Set<string>>();
  for (const slot of run.nodes.values()) {
    if (!slot.process) continue;
    const groups = asyncGroupsOfProcess.get(slot.process) ?? new Set(asyncGroupKeys(before.edges.filter((edge) => edge.source === slot.nodeId)));
    asyncGroupsOfProcess.set(slot.process, groups);
    used.set(slot.nodeId, groups);
  }
  const plan = planUpdate(before, topology, diff, used);
  const hosts = new Map(deps.plan(topology, run.runId).hosts.map((host, index) => [topology.nodes[index].id, host]));
  const result: UpdateResult = { applied: [], restarted: [], started: [], stopped: [] };

  const hadBrokerCounts = !run.brokerCounts.empty;
  run.retopology(topology);
  if (!hadBrokerCounts && !run.brokerCounts.empty) deps.watchBrokerEnds(run);
  logChanges(run, before, diff, deps);
  result.applied = liveSentences(before, topology, diff, plan);

  // New nodes: launched as at the start; everyone learns where they listen.
  const added = plan.start.map((nodeId) => {
    const slot = newNodeSlot(nodeId, hosts.get(nodeId)!);
    run.nodes.set(nodeId, slot);
    deps.launch(run, slot);
    return slot;
  });
  if (added.length > 0) {
    try {
      await deps.waitUntilUp(run, added);
    } catch (error) {
      // The rest of the update still applies; a node that did not come up is ended and shows DOWN with its reason.
      deps.log(run, "", "error", `update: ${(error as Error).message}`);
      for (const slot of added.filter((candidate) => candidate.status !== NodeStatus.UP)) {
        slot.exitExpected = "stop";
        await slot.process?.kill();
        slot.status = NodeStatus.DOWN;
        slot.error ||= "it did not come up when the update started it";
      }
    }
    requireRunning(run);
    const addresses = run.addresses();
    const fresh = addresses.filter((address) => plan.start.includes(address.nodeId));
    for (const slot of run.nodes.values()) slot.process?.send({ type: "addresses", addresses: added.includes(slot) ? addresses : fresh });
    result.started = added.filter((slot) => slot.status === NodeStatus.UP).map((slot) => slot.nodeId);
  }

  // Nodes whose listeners change: a new process with the new config.
  await Promise.all(
    [...plan.restart].map(async ([nodeId, reason]) => {
      const slot = run.nodes.get(nodeId)!;
      slot.config = hosts.get(nodeId)!;
      if (!slot.process?.alive || slot.status === NodeStatus.DOWN) return; // a down node starts with it when its fault is cleared
      deps.log(run, nodeId, "info", `${nodeId} starts again for the update: ${reason}`);
      await deps.stopProcess(run, slot);
      try {
        await deps.restart(run, slot);
        result.restarted.push(nodeId);
      } catch (error) {
        deps.log(run, nodeId, "error", `update: ${(error as Error).message}`);
      }
    }),
  );
  requireRunning(run);

  // Everyone else: the changed config, live, in the same process; answered once they confirmed it.
  const confirming: Array<Promise<void>> = [];
  for (const nodeId of plan.keep) {
    const slot = run.nodes.get(nodeId)!;
    const config = hosts.get(nodeId)!;
    if (sameConfig(slot.config, config)) continue;
    slot.config = config;
    if (!slot.process?.alive) continue; // DOWN: it starts with this config when its fault is cleared
    const countedEdgeIds = run.counters.extend(nodeId, countedEdgeIdsOf(config));
    for (const key of asyncGroupKeys(topology.edges.filter((edge) => edge.source === nodeId))) used.get(nodeId)?.add(key);
    const paused = slot.status === NodeStatus.PAUSED;
    const confirmed = sendUpdate(slot.process, config, countedEdgeIds).then((done) => {
      if (!done && !paused) deps.log(run, nodeId, "warn", `${nodeId} has not confirmed the update within ${CONFIRM_WAIT_MS} ms; it applies it when it gets to it`);
    });
    // A paused process (SIGSTOP) applies it when it is resumed: nobody waits for that.
    if (!paused) confirming.push(confirmed);
  }
  await Promise.all(confirming);

  // Removed nodes: stopped as a run's stop does; their counts stay in the books, their edges leave RunInfo.
  await Promise.all(
    plan.stop.map(async (nodeId) => {
      const slot = run.nodes.get(nodeId);
      if (!slot) return;
      await deps.stopProcess(run, slot);
      run.nodes.delete(nodeId);
      deps.log(run, nodeId, "info", `${nodeId} was stopped and removed by the update`);
      result.stopped.push(nodeId);
    }),
  );

  for (const slot of added) if (slot.status === NodeStatus.UP) slot.process?.send({ type: "start-traffic" });
  run.events.changed();
  return result;
}

function requireRunning(run: LiveRun): void {
  if (run.state !== RunState.RUNNING) {
    throw new RunError("failed_precondition", `Run ${run.runId} is ${RunState[run.state]}, not RUNNING; it takes updates only while it runs.`);
  }
}

/** One run-log line per change, under the node it concerns (an edge's under its source). */
function logChanges(run: LiveRun, before: Topology, diff: TopologyDiff, deps: UpdateDeps): void {
  if (diff.empty) return deps.log(run, "", "info", "update: nothing a running process uses changed");
  const sourceOf = new Map([...before.edges, ...run.topology.edges].map((edge) => [edge.id, edge.source]));
  for (const sentence of diff.sentences) {
    const edgeId = /^edge (\S+):/.exec(sentence)?.[1];
    const nodeId = edgeId ? sourceOf.get(edgeId) ?? "" : /^(\S+):/.exec(sentence)?.[1] ?? "";
    deps.log(run, nodeId, "info", `update: ${sentence}`);
  }
}

function asyncGroupKeys(edges: readonly Edge[]): string[] {
  return edges.map(groupKeyOf).filter((key): key is string => key !== undefined);
}

function sameConfig(a: HostPlan, b: HostPlan): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
