/**
 * The run's books of messages: every host process's counts, read from its
 * count file (server/ipc/count-file.ts) — at any moment, and after the process
 * died — added up per edge into ledgers where
 *
 *   sent = delivered + failed + lost + in flight
 *
 * holds at every reading (lib/metrics/outcomes.ts says who counts what).
 *
 * - One reading reads every file twice: the outcomes first, then `sent`. A
 *   process counts a message's send before anything can end it, so every
 *   outcome read has its send in the second read, and in flight is never
 *   negative, whichever processes counted what in between.
 * - A process that died holding messages cannot end them: the server books
 *   them from its last counts. A caller's synchronous calls still waiting for
 *   a reply end as "caller died" (its own counts are the whole story). An
 *   AT_MOST_ONCE subscriber's messages handed to it and not yet ended end as
 *   "subscriber died", a moment after the death (SETTLE_MS) so that a publish
 *   the broker handed to it just before is booked too. A producer's hand-offs
 *   without an answer are asked of the broker (OpenHandOff, HandOffAudit):
 *   those it never took end as "producer died".
 * - Queue edges that share a channel compete for every job: their books hold
 *   for the channel (SharedChannelBooks), each edge shows its consumer's share.
 * - A dead letter the server put back in its queue (RedriveDeadLetters) is a
 *   message sent again: the server books it as a send (bookRedrive) before the
 *   job can run again, and its new end is counted as any job's.
 *
 * Head-sampling counts and broker levels (gauges) arrive in the hosts'
 * periodic reports instead: nothing needs them exact after a death.
 */
import { closeSync, mkdirSync, openSync, readdirSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  addTally,
  emptyTally,
  ledgerOf,
  SENDER_KEYS,
  COUNT_KEYS,
  type DiedOutcome,
  type Ledger,
  type Tally,
} from "@/lib/metrics/outcomes";
import { CountFileReader, countFileBytes } from "@/server/ipc/count-file";
import type { EdgeGauges, SamplingCounts } from "@/server/ipc/host-messages";

/** How long after an AT_MOST_ONCE subscriber died its undelivered messages are booked as lost. */
export const SETTLE_MS = 250;

/** What the books need to know of an edge. */
export interface EdgeRole {
  source: string;
  target: string;
  /** REST/CONNECT: the caller counts every outcome. */
  sync: boolean;
  /** PUBSUB AT_MOST_ONCE: the subscriber holds what it was handed. */
  atMostOnce: boolean;
  /** QUEUE and PUBSUB: `<transport>:<channel>`; a source's edges with one key are one hand-off (channel-groups.ts). */
  handOffKey?: string;
  /** QUEUE and PUBSUB: the queue channel or topic. */
  channel?: string;
  queue?: boolean;
}

/** A dead producer's hand-offs on one channel that got no answer: did the broker take them? (hand-off-audit.ts) */
export interface OpenHandOff {
  incarnation: number;
  queue: boolean;
  channel: string;
  /** The producer's edges on the channel, in config order: the first one names the hand-off. */
  edgeIds: string[];
  /** The producer's sends on the channel; the n-th was job / publish n. */
  sent: number;
  /** Sends that got no answer: the last `open` ones (answers come in order). */
  open: number;
  /** What the producer had counted of its publishes: accepted, and per AT_MOST_ONCE edge handed / no subscriber. */
  accepted: number;
  atMostOnce: Array<{ edgeId: string; handed: number; noSubscriber: number }>;
}

/** The ends of asynchronous messages as the brokers counted them (server/runtime/broker-counts.ts). */
export interface BrokerEnds {
  /** Queue channel → its jobs completed and failed for good. */
  queues: Map<string, { completed: number; failed: number }>;
  /** DURABLE subscriber edge → its entries acknowledged, by outcome. */
  durable: Map<string, { delivered: number; "processing failed": number; overloaded: number; "cut from stream": number; "lost by broker": number }>;
  /** Redis lost its data since the last reading (the run's marker key was gone). */
  dataLost?: boolean;
}

/** What the broker says of an OpenHandOff. */
export interface HandOffAudit {
  /** Of the open sends, how many the broker took. */
  landed: number;
  /** Pub/sub: per AT_MOST_ONCE edge, the broker's count of publishes without a subscriber (all of the producer's). */
  noSubscriber?: Map<string, number>;
  /** Pub/sub: the broker's count of the producer's publishes. */
  published?: number;
}

/** Queue edges on one channel (more than one): their consumers compete for every job. */
export interface ChannelGroup {
  channel: string;
  edgeIds: readonly string[];
  /** One edge per producing node: the one its sends are counted on once. */
  senderEdgeIds: readonly string[];
}

export interface ChannelLedger extends Ledger {
  group: ChannelGroup;
  /** Dead letters put back in the channel's queue (counted in `sent` too). */
  redriven: number;
}

export interface Books {
  /** Every edge's ledger; an edge of a shared channel holds its consumer's share, with the channel's sent and in flight. */
  /** `redriven`: dead letters put back (counted in `sent` too); a shared channel's edges show the channel's. */
  edges: Map<string, Ledger & { sharedWith: string[]; redriven: number }>;
  channels: ChannelLedger[];
}

interface Incarnation {
  number: number;
  nodeId: string;
  /** Its count file's slots; a live update may append some (extend). */
  edgeIds: readonly string[];
  path: string;
  reader?: CountFileReader;
  fd?: number;
  /** The last counts, once the process is gone. */
  final?: Map<string, Tally>;
}

interface PendingDeath {
  nodeId: string;
  dueAt: number;
}

/** Where count files live: tmpfs when the machine has one. */
function countsRoot(): string {
  return existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
}

const DIR_PREFIX = "ipcplay-counts-";

/** Removes count directories of servers that are gone (one killed with SIGKILL cannot clean up). */
export function sweepStaleCountDirs(root = countsRoot()): void {
  for (const name of readdirSync(root)) {
    if (!name.startsWith(DIR_PREFIX)) continue;
    const pid = Number(name.slice(DIR_PREFIX.length));
    if (pid === process.pid || (Number.isInteger(pid) && pid > 0 && alive(pid))) continue;
    rmSync(join(root, name), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export class CounterBook {
  private readonly dir: string;
  private readonly incarnations: Incarnation[] = [];
  private readonly died = new Map<string, Partial<Record<DiedOutcome, number>>>();
  /** edgeId → dead letters the server put back in the edge's queue: sends it made (see bookRedrive). */
  private readonly redriven = new Map<string, number>();
  /** Counts a dead producer did not live to make, from the broker (see bookHandOffAudit). */
  private readonly corrections = new Map<string, Tally>();
  /** The latest BrokerEnds, and each queue channel's edges. */
  private brokerEnds: BrokerEnds | undefined;
  /** Per broker counter: its last reading, and its running total across Redis restarts (readBrokerEnds). */
  private readonly brokerRaw = new Map<string, number>();
  private readonly brokerTotal = new Map<string, number>();
  /** `<incarnation>\0<queue channel>` of dead producers whose open hand-offs the broker was not asked about yet. */
  private readonly auditsPending = new Set<string>();
  private queueEdgesOf = new Map<string, string[]>();
  private readonly pendingDeaths: PendingDeath[] = [];
  private readonly groupOfEdge = new Map<string, ChannelGroup>();
  /** edgeId → the latest levels read by any node. */
  private readonly gauges = new Map<string, EdgeGauges>();
  /** nodeId → that node's current process's head-sampling counts. */
  private readonly sampling = new Map<string, SamplingCounts>();
  private retiredSampling = { started: 0, sampled: 0 };
  private seq = 0;

  constructor(
    runId: string,
    private roles: ReadonlyMap<string, EdgeRole>,
    private groups: readonly ChannelGroup[],
    private readonly now: () => number = Date.now,
  ) {
    this.dir = join(countsRoot(), `${DIR_PREFIX}${process.pid}`, runId);
    this.learnChannels(roles, groups);
  }

  /**
   * The run's topology changed (UpdateRun): the books learn its edges. A
   * removed edge keeps its role — its counts stay in the files, and a dead
   * producer's audit may still need it — but no longer takes part in a
   * channel; the run's RunInfo shows only the edges it has now. An edge whose
   * role changed (re-pointed, another channel) is booked under its new role
   * from now on, on top of what it counted before.
   */
  relearn(roles: ReadonlyMap<string, EdgeRole>, groups: readonly ChannelGroup[]): void {
    this.roles = new Map([...this.roles, ...roles]);
    this.groups = groups;
    this.learnChannels(roles, groups);
  }

  private learnChannels(roles: ReadonlyMap<string, EdgeRole>, groups: readonly ChannelGroup[]): void {
    this.groupOfEdge.clear();
    for (const group of groups) for (const edgeId of group.edgeIds) this.groupOfEdge.set(edgeId, group);
    this.queueEdgesOf = new Map();
    for (const [edgeId, role] of roles) {
      if (role.queue) this.queueEdgesOf.set(role.channel!, [...(this.queueEdgesOf.get(role.channel!) ?? []), edgeId]);
    }
  }

  /**
   * The node's running process counts more edges from now on (a live update):
   * its count file grows by their zero-filled slots, appended, before the
   * process hears of them. Answers the file's whole slot list, for the host.
   */
  extend(nodeId: string, edgeIds: readonly string[]): string[] {
    const incarnation = this.incarnations.find((candidate) => candidate.nodeId === nodeId && !candidate.final);
    if (!incarnation) return [...edgeIds];
    const added = edgeIds.filter((edgeId) => !incarnation.edgeIds.includes(edgeId));
    if (added.length === 0) return [...incarnation.edgeIds];
    const all = [...incarnation.edgeIds, ...added];
    truncateSync(incarnation.path, countFileBytes(all.length));
    incarnation.edgeIds = all;
    incarnation.reader = new CountFileReader(incarnation.fd!, all);
    return all;
  }

  /**
   * The brokers' own counts of asynchronous ends: they stand where the hosts' are behind (a consumer died between).
   * Kept as running totals that never decrease: a Redis that restarted without its data counts from zero
   * again, and a reading below the last one is taken for such a restart (what it counts since is added to
   * what was counted before), never for ends that did not happen.
   */
  readBrokerEnds(ends: BrokerEnds): void {
    const total = (key: string, raw: number): number => {
      const last = this.brokerRaw.get(key) ?? 0;
      const sum = (this.brokerTotal.get(key) ?? 0) + (raw >= last ? raw - last : raw);
      this.brokerRaw.set(key, raw);
      this.brokerTotal.set(key, sum);
      return sum;
    };
    const queues: BrokerEnds["queues"] = new Map();
    for (const [channel, counts] of ends.queues) {
      queues.set(channel, { completed: total(`queue\0${channel}\0completed`, counts.completed), failed: total(`queue\0${channel}\0failed`, counts.failed) });
    }
    const durable: BrokerEnds["durable"] = new Map();
    for (const [edgeId, counts] of ends.durable) {
      const totals = { ...counts };
      for (const key of Object.keys(counts) as Array<keyof typeof counts>) totals[key] = total(`durable\0${edgeId}\0${key}`, counts[key]);
      durable.set(edgeId, totals);
    }
    this.brokerEnds = { queues, durable };
  }

  /**
   * What the books say a queue channel's broker holds: its messages in flight, less those its producers
   * are still handing to the broker (sent, neither accepted nor refused). Undefined for an unknown channel.
   */
  queueHeld(channel: string): number | undefined {
    const group = this.groups.find((candidate) => candidate.channel === channel);
    const edgeIds = this.queueEdgesOf.get(channel) ?? [];
    if (!group && edgeIds.length !== 1) return undefined;
    const books = this.books();
    const inFlight = group ? books.channels.find((ledger) => ledger.group === group)?.inFlight : books.edges.get(edgeIds[0])?.inFlight;
    if (inFlight === undefined) return undefined;
    // Of processes alive, and of dead ones whose hand-offs the broker has not been asked about yet: a dead
    // producer's audited hand-offs were booked where they ended (or landed, and are the broker's).
    const senders = new Set(group ? group.senderEdgeIds : edgeIds);
    let unanswered = 0;
    for (const incarnation of this.incarnations) {
      if (incarnation.final && !this.auditsPending.has(`${incarnation.number}\0${channel}`)) continue;
      const tallies = incarnation.final ?? incarnation.reader?.read();
      for (const [edgeId, tally] of tallies ?? []) {
        if (senders.has(edgeId)) unanswered += Math.max(0, tally.sent - tally.accepted - tally["refused by broker"]);
      }
    }
    return inFlight - unanswered;
  }

  /** Books `count` messages of a queue channel lost with the broker's data, "lost by broker" (queue-loss.ts). */
  bookQueueLost(channel: string, count: number): void {
    const group = this.groups.find((candidate) => candidate.channel === channel);
    const edgeId = group ? group.edgeIds[0] : this.queueEdgesOf.get(channel)?.[0];
    if (edgeId !== undefined) this.correct(edgeId, "lost by broker", count);
  }

  /** A new process for the node: creates its zero-filled count file; answers its path and number (for the host's config). */
  attach(nodeId: string, edgeIds: readonly string[]): { countsFile: string; incarnation: number } {
    mkdirSync(this.dir, { recursive: true });
    const number = ++this.seq;
    const path = join(this.dir, `${number}.counts`);
    writeFileSync(path, Buffer.alloc(countFileBytes(edgeIds.length)));
    const fd = openSync(path, "r");
    this.incarnations.push({ number, nodeId, edgeIds, path, fd, reader: new CountFileReader(fd, edgeIds) });
    return { countsFile: path, incarnation: number };
  }

  /**
   * The node's process is gone: its counts are final. `died`: it was killed or
   * crashed (not stopped with the run), so what it held is booked as lost;
   * answers its hand-offs to brokers that got no answer, for the broker to say
   * what became of them (bookHandOffAudit).
   */
  retire(nodeId: string, options: { died: boolean }): OpenHandOff[] {
    const incarnation = this.incarnations.find((candidate) => candidate.nodeId === nodeId && !candidate.final);
    let openHandOffs: OpenHandOff[] = [];
    if (incarnation) {
      incarnation.final = incarnation.reader!.read();
      closeSync(incarnation.fd!);
      rmSync(incarnation.path, { force: true });
      incarnation.reader = undefined;
      incarnation.fd = undefined;
      if (options.died) {
        this.bookCallerDied(incarnation);
        openHandOffs = this.openHandOffsOf(incarnation);
        for (const handOff of openHandOffs) if (handOff.queue) this.auditsPending.add(`${handOff.incarnation}\0${handOff.channel}`);
      }
    }
    if (options.died) this.pendingDeaths.push({ nodeId, dueAt: this.now() + SETTLE_MS });
    const sampling = this.sampling.get(nodeId);
    if (sampling) {
      this.retiredSampling = {
        started: this.retiredSampling.started + sampling.started,
        sampled: this.retiredSampling.sampled + sampling.sampled,
      };
      this.sampling.delete(nodeId);
    }
    return openHandOffs;
  }

  /**
   * Books what the broker said of a dead producer's open hand-offs: those it
   * never took are lost, "producer died"; of its publishes, the counts the
   * producer did not live to make (handed, no subscriber) are added.
   */
  bookHandOffAudit(handOff: OpenHandOff, audit: HandOffAudit): void {
    this.auditsPending.delete(`${handOff.incarnation}\0${handOff.channel}`);
    const neverTaken = Math.max(0, handOff.open - audit.landed);
    // A queue channel's books take a producer's counts from its first edge (see ChannelGroup.senderEdgeIds).
    for (const edgeId of handOff.queue ? handOff.edgeIds.slice(0, 1) : handOff.edgeIds) {
      if (neverTaken > 0) this.addDied(edgeId, "producer died", neverTaken);
    }
    for (const member of handOff.atMostOnce) {
      const noSubscriber = audit.noSubscriber?.get(member.edgeId) ?? member.noSubscriber;
      const published = audit.published ?? handOff.accepted;
      this.correct(member.edgeId, "no subscriber", noSubscriber - member.noSubscriber);
      this.correct(member.edgeId, "handed", published - noSubscriber - member.handed);
    }
  }

  /**
   * The server put `count` dead letters of a queue edge back in its queue
   * (negative: a redrive booked but refused by the broker, taken back). Each
   * is a send, booked before the job can run again, so its next end (counted
   * by its consumer and the broker as any job's) never lacks its send. On a
   * shared channel any of its edges books for the channel.
   */
  bookRedrive(edgeId: string, count: number): void {
    this.redriven.set(edgeId, Math.max(0, (this.redriven.get(edgeId) ?? 0) + count));
  }

  /** Books the deaths waiting to settle: all of them (`force`, e.g. before the node starts again or the run ends) or the due ones. */
  settleDeaths(options: { force?: boolean; nodeId?: string } = {}): void {
    const now = this.now();
    for (let index = this.pendingDeaths.length - 1; index >= 0; index--) {
      const death = this.pendingDeaths[index];
      const due = options.force && (options.nodeId === undefined || options.nodeId === death.nodeId);
      if (!due && death.dueAt > now) continue;
      this.pendingDeaths.splice(index, 1);
      this.bookSubscriberDied(death.nodeId);
    }
  }

  /** Every edge's and shared channel's ledger, read now. */
  books(): Books {
    this.settleDeaths();
    const { outcomes, sent } = this.read();
    this.applyBrokerEnds(outcomes);
    const edges = new Map<string, Ledger & { sharedWith: string[]; redriven: number }>();
    const channels: ChannelLedger[] = [];
    for (const group of this.groups) {
      const channel = this.channelLedger(group, outcomes, sent);
      channels.push(channel);
      for (const edgeId of group.edgeIds) {
        // A consumer's share: what it ended (the channel's books hold what its producers lost).
        const share = ledgerOf(receiverShare(outcomes.get(edgeId)), {}, channel.sent);
        edges.set(edgeId, {
          ...share,
          sent: channel.sent,
          inFlight: channel.inFlight,
          sharedWith: group.edgeIds.filter((other) => other !== edgeId),
          redriven: channel.redriven,
        });
      }
    }
    for (const edgeId of this.roles.keys()) {
      if (edges.has(edgeId)) continue;
      const redriven = this.redriven.get(edgeId) ?? 0;
      edges.set(edgeId, {
        ...ledgerOf(outcomes.get(edgeId) ?? emptyTally(), this.died.get(edgeId), (sent.get(edgeId) ?? 0) + redriven),
        sharedWith: [],
        redriven,
      });
    }
    return { edges, channels };
  }

  /** The run is over: count files are removed (their counts were read at each process's end). */
  close(): void {
    for (const incarnation of this.incarnations) {
      if (incarnation.fd !== undefined) {
        incarnation.final = incarnation.reader!.read();
        closeSync(incarnation.fd);
        incarnation.fd = undefined;
        incarnation.reader = undefined;
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  report(nodeId: string, sampling: SamplingCounts): void {
    this.sampling.set(nodeId, sampling);
  }

  /** Traces started and sampled by every process of the run so far; oneIn is the largest current N. */
  samplingTotals(): SamplingCounts {
    const totals = { ...this.retiredSampling, oneIn: 1 };
    for (const counts of this.sampling.values()) {
      totals.started += counts.started;
      totals.sampled += counts.sampled;
      totals.oneIn = Math.max(totals.oneIn, counts.oneIn);
    }
    return totals;
  }

  /** Levels are not summed: the latest reading of an edge wins. */
  readGauges(readings: readonly EdgeGauges[]): void {
    for (const reading of readings) this.gauges.set(reading.edgeId, reading);
  }

  gaugesOf(edgeId: string): EdgeGauges | undefined {
    return this.gauges.get(edgeId);
  }

  /** Outcomes of every process, then `sent` again (see the module's comment). */
  private read(): { outcomes: Map<string, Tally>; sent: Map<string, number> } {
    const outcomes = new Map<string, Tally>();
    for (const [edgeId, correction] of this.corrections) outcomes.set(edgeId, addTally(emptyTally(), correction));
    for (const incarnation of this.incarnations) {
      for (const [edgeId, tally] of incarnation.final ?? incarnation.reader!.read()) {
        addTally(outcomes.get(edgeId) ?? outcomes.set(edgeId, emptyTally()).get(edgeId)!, tally);
      }
    }
    const sent = new Map<string, number>();
    for (const incarnation of this.incarnations) {
      const sentOf = incarnation.final ? new Map([...incarnation.final].map(([edgeId, tally]) => [edgeId, tally.sent])) : incarnation.reader!.readKey("sent");
      for (const [edgeId, count] of sentOf) sent.set(edgeId, (sent.get(edgeId) ?? 0) + count);
    }
    return { outcomes, sent };
  }

  /**
   * Where a broker counted more ends than the hosts did, its count stands
   * (both are true counts; the broker's cannot miss a consumer's last moments).
   * A queue channel of one edge takes its queue's counts; a shared channel's
   * are applied to its books in channelLedger.
   */
  private applyBrokerEnds(outcomes: Map<string, Tally>): void {
    const ends = this.brokerEnds;
    if (!ends) return;
    for (const [channel, counts] of ends.queues) {
      const edgeIds = this.queueEdgesOf.get(channel) ?? [];
      if (edgeIds.length !== 1) continue;
      const tally = outcomes.get(edgeIds[0]) ?? outcomes.set(edgeIds[0], emptyTally()).get(edgeIds[0])!;
      tally.delivered = Math.max(tally.delivered, counts.completed);
      tally["dead-lettered"] = Math.max(tally["dead-lettered"], counts.failed);
    }
    for (const [edgeId, counts] of ends.durable) {
      const tally = outcomes.get(edgeId) ?? outcomes.set(edgeId, emptyTally()).get(edgeId)!;
      for (const key of ["delivered", "processing failed", "overloaded", "cut from stream", "lost by broker"] as const) tally[key] = Math.max(tally[key], counts[key]);
    }
  }

  private channelLedger(group: ChannelGroup, outcomes: Map<string, Tally>, sent: Map<string, number>): ChannelLedger {
    const tally = emptyTally();
    const died: Partial<Record<DiedOutcome, number>> = {};
    for (const edgeId of group.edgeIds) {
      addTally(tally, receiverShare(outcomes.get(edgeId)));
      for (const [outcome, count] of Object.entries(this.died.get(edgeId) ?? {}) as Array<[DiedOutcome, number]>) died[outcome] = (died[outcome] ?? 0) + count;
    }
    // A producer counts its send (and a refusal) on every edge of its group: once per producing node.
    let channelSent = 0;
    for (const edgeId of group.senderEdgeIds) {
      const counts = outcomes.get(edgeId) ?? emptyTally();
      for (const key of SENDER_KEYS) if (key !== "sent") tally[key] += counts[key];
      channelSent += sent.get(edgeId) ?? 0;
    }
    // The server's sends: dead letters it put back in the channel's queue.
    const redriven = group.edgeIds.reduce((total, edgeId) => total + (this.redriven.get(edgeId) ?? 0), 0);
    const broker = this.brokerEnds?.queues.get(group.channel);
    if (broker) {
      tally.delivered = Math.max(tally.delivered, broker.completed);
      tally["dead-lettered"] = Math.max(tally["dead-lettered"], broker.failed);
    }
    return { ...ledgerOf(tally, died, channelSent + redriven), group, redriven };
  }

  /** Of a dead caller's synchronous calls, those without an outcome: nobody is left to get their reply. */
  private bookCallerDied(incarnation: Incarnation): void {
    for (const [edgeId, tally] of incarnation.final!) {
      const role = this.roles.get(edgeId);
      if (!role?.sync || role.source !== incarnation.nodeId) continue;
      const open = ledgerOf(tally).inFlight;
      if (open > 0) this.addDied(edgeId, "caller died", open);
    }
  }

  /** Of an AT_MOST_ONCE subscriber's inbound messages, those handed to it and not ended: they died with it. */
  private bookSubscriberDied(nodeId: string): void {
    const { outcomes } = this.read();
    for (const [edgeId, role] of this.roles) {
      if (!role.atMostOnce || role.target !== nodeId) continue;
      const tally = outcomes.get(edgeId) ?? emptyTally();
      const ended = tally.delivered + tally["processing failed"] + tally.overloaded + (this.died.get(edgeId)?.["subscriber died"] ?? 0);
      const open = tally.handed - ended;
      if (open > 0) this.addDied(edgeId, "subscriber died", open);
    }
  }

  /** A dead producer's asynchronous sends on each channel that got no answer (answers come in order: they are its last sends). */
  private openHandOffsOf(incarnation: Incarnation): OpenHandOff[] {
    const groups = new Map<string, string[]>();
    for (const edgeId of incarnation.edgeIds) {
      const role = this.roles.get(edgeId);
      if (!role?.handOffKey || role.source !== incarnation.nodeId) continue;
      groups.set(role.handOffKey, [...(groups.get(role.handOffKey) ?? []), edgeId]);
    }
    const open: OpenHandOff[] = [];
    for (const edgeIds of groups.values()) {
      const first = incarnation.final!.get(edgeIds[0])!;
      const role = this.roles.get(edgeIds[0])!;
      const unanswered = first.sent - first.accepted - first["refused by broker"];
      if (unanswered <= 0) continue;
      open.push({
        incarnation: incarnation.number,
        queue: role.queue === true,
        channel: role.channel!,
        edgeIds,
        sent: first.sent,
        open: unanswered,
        accepted: first.accepted,
        atMostOnce: edgeIds
          .filter((edgeId) => this.roles.get(edgeId)!.atMostOnce)
          .map((edgeId) => ({ edgeId, handed: incarnation.final!.get(edgeId)!.handed, noSubscriber: incarnation.final!.get(edgeId)!["no subscriber"] })),
      });
    }
    return open;
  }

  private correct(edgeId: string, key: "handed" | "no subscriber" | "lost by broker", amount: number): void {
    if (amount <= 0) return;
    const correction = this.corrections.get(edgeId) ?? emptyTally();
    correction[key] += amount;
    this.corrections.set(edgeId, correction);
  }

  private addDied(edgeId: string, outcome: DiedOutcome, count: number): void {
    const died = this.died.get(edgeId) ?? {};
    died[outcome] = (died[outcome] ?? 0) + count;
    this.died.set(edgeId, died);
  }
}

/** The counts a consumer made (everything but its producers' sender-side counts). */
function receiverShare(tally: Tally | undefined): Tally {
  const share = emptyTally();
  if (!tally) return share;
  for (const key of COUNT_KEYS) if (!SENDER_KEYS.has(key)) share[key] = tally[key];
  return share;
}
