/**
 * A running host takes new settings (UpdateRun) without a new process: which
 * outgoing edges keep their sender, which get a new one, and how a retired
 * sender is closed without cutting the sends it still carries.
 *
 * - A synchronous edge whose settings changed gets a new sender (timeouts,
 *   retries, the breaker are read when a sender is made); its old one finishes
 *   what it carries, then closes.
 * - An asynchronous edge keeps its sender whenever its channel and its group's
 *   edges are the same: a producer numbers its jobs and publishes per process
 *   and channel, and a second sender would number from 1 again (see
 *   lib/run/update-plan.ts, which starts such a node again instead). A queue
 *   sender reads its job options (attempts, backoff) from the current setup
 *   at each send, so they change for the next jobs.
 */
import { equals } from "@bufbuild/protobuf";
import { EdgeSchema, Transport, type Edge } from "@/lib/gen/ipcplay/v1/topology_pb";
import type { OutgoingEdge } from "./message-flow";
import { groupKey, outgoingGroupOf } from "./transports/channel-groups";
import type { Sender } from "./transports/transport";

/** How long a retired sender's sends may take before it is closed anyway (a send always ends by its own timeout well before). */
const RETIRE_WAIT_MS = 60_000;

/** A sender that knows how many of its sends have not ended yet. */
export interface TrackedSender extends Sender {
  /** Resolves once every send started so far has ended. */
  settled(): Promise<void>;
}

export function trackSends(sender: Sender): TrackedSender {
  let pending = 0;
  let idle: Array<() => void> = [];
  const ended = () => {
    if (--pending > 0) return;
    const waiting = idle;
    idle = [];
    for (const resolve of waiting) resolve();
  };
  return {
    get spanName() {
      return sender.spanName;
    },
    get spanKind() {
      return sender.spanKind;
    },
    send(message) {
      pending++;
      const sent = sender.send(message);
      sent.then(ended, ended);
      return sent;
    },
    ...(sender.gauges ? { gauges: () => sender.gauges!() } : {}),
    close: () => sender.close(),
    settled: () => (pending === 0 ? Promise.resolve() : new Promise<void>((resolve) => idle.push(resolve))),
  };
}

/** An outgoing edge whose sender can tell when its sends have ended. */
export type TrackedEdge = OutgoingEdge & { sender: TrackedSender };

export interface SenderSwap {
  /** The new outgoing edges with their senders, in the new setup's order. */
  outgoing: TrackedEdge[];
  /** Senders no edge uses any more: close them once their sends ended (retire). */
  retired: TrackedSender[];
  /** Edge ids that got a new sender. */
  renewed: string[];
}

/** Decides, per new outgoing edge, whether its current sender stays; `create` makes a new one. */
export function swapSenders(
  current: readonly TrackedEdge[],
  oldEdges: readonly Edge[],
  newEdges: readonly Edge[],
  create: (edge: Edge) => TrackedSender,
): SenderSwap {
  const byId = new Map(current.map((outgoing) => [outgoing.edge.id, outgoing]));
  const kept = new Set<TrackedSender>();
  const renewed: string[] = [];
  const outgoing = newEdges.map((edge): TrackedEdge => {
    const old = byId.get(edge.id);
    if (old && keeps(old.edge, edge, oldEdges, newEdges)) {
      kept.add(old.sender);
      return { edge, sender: old.sender };
    }
    renewed.push(edge.id);
    return { edge, sender: create(edge) };
  });
  const retired = current.map((outgoing) => outgoing.sender).filter((sender) => !kept.has(sender));
  return { outgoing, retired, renewed };
}

function keeps(before: Edge, after: Edge, oldEdges: readonly Edge[], newEdges: readonly Edge[]): boolean {
  const members = (edge: Edge, edges: readonly Edge[]) => outgoingGroupOf(edge, edges).map((member) => member.id).join(",");
  if (members(before, oldEdges) !== members(after, newEdges)) return false;
  if (equals(EdgeSchema, before, after)) return true;
  const asynchronous = after.transport === Transport.QUEUE || after.transport === Transport.PUBSUB;
  return asynchronous && groupKey(before) === groupKey(after);
}

/** Closes a retired sender once the sends it carries have ended; never rejects. */
export async function retire(sender: TrackedSender, log: (message: string) => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([sender.settled(), new Promise<void>((resolve) => (timer = setTimeout(resolve, RETIRE_WAIT_MS).unref()))]);
  clearTimeout(timer);
  await sender.close().catch((error: Error) => log(`closing a replaced sender failed: ${error.message}`));
}
