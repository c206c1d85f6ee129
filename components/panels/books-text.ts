/**
 * The words and figures of an edge's books — the inspector's ledger and the
 * summary table's rows — from the server's counters:
 *
 *   sent = delivered + failed + lost + in flight
 *
 * An edge that shares a queue with others (competing consumers) holds the
 * channel's sent and in flight but only its own share of the ends: its books
 * are told as "took N of M", the channel's books once, apart.
 * Pure, so the inspector, the summary and the tests agree.
 */
import type { EdgeCounters, SharedChannel } from "@/lib/gen/ipcplay/v1/playground_pb";
import { formatCount } from "@/components/ui/format";

export interface Outcome {
  outcome: string;
  count: number;
}

/** What an edge or a shared channel counts: every message sent, and where each one is now. */
export interface Books {
  sent: number;
  delivered: number;
  failed: number;
  lost: number;
  inFlight: number;
  queued: number;
  failedBy: readonly Outcome[];
  lostBy: readonly Outcome[];
}

/** True when this edge is one of several consumers of one queue. */
export function isShared(c: Pick<EdgeCounters, "sharedWith">): boolean {
  return c.sharedWith.length > 0;
}

/** Messages this edge's target ended, however: a shared-queue consumer's N in "took N of M". */
export function tookOf(c: Pick<Books, "delivered" | "failed" | "lost">): number {
  return c.delivered + c.failed + c.lost;
}

/** "took 45 of 100" (`count` formats the figures: shortCount on the canvas). */
export function tookText(c: Pick<Books, "delivered" | "failed" | "lost" | "sent">, count: (n: number) => string = formatCount): string {
  return `took ${count(tookOf(c))} of ${count(c.sent)}`;
}

/** The shared channel an edge is a consumer of, if any. */
export function channelOf(edgeId: string, channels: readonly SharedChannel[]): SharedChannel | undefined {
  return channels.find((ch) => ch.edgeIds.includes(edgeId));
}

/** "a", "a and b", "a, b and c". */
export function listWords(words: readonly string[]): string {
  if (words.length <= 1) return words[0] ?? "";
  return `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;
}

/**
 * The plain sentence for a competing consumer.
 *
 * @example sharedSentence("orders", ["Orders → Worker B"], { delivered: 40, failed: 5, lost: 0, sent: 100 })
 *   // 'Shares queue "orders" with Orders → Worker B — this consumer took 45 of 100'
 */
export function sharedSentence(channel: string, others: readonly string[], c: Pick<Books, "delivered" | "failed" | "lost" | "sent">): string {
  return `Shares queue "${channel}" with ${listWords(others)} — this consumer ${tookText(c)}`;
}

/** Named outcomes with their counts, zero counts left out: "timed out 3 · unreachable 2". */
export function outcomeText(outcomes: readonly Outcome[]): string {
  return outcomes
    .filter((o) => o.count > 0)
    .map((o) => `${o.outcome} ${formatCount(o.count)}`)
    .join(" · ");
}

/** Every failed and lost outcome of some books, on one line; empty when none. */
export function breakdownText(b: Pick<Books, "failedBy" | "lostBy">): string {
  return outcomeText([...b.failedBy, ...b.lostBy]);
}

/** "5", "5 (2 queued)". */
export function inFlightText(inFlight: number, queued: number): string {
  return queued > 0 ? `${formatCount(inFlight)} (${formatCount(queued)} queued)` : formatCount(inFlight);
}

/** One line of the inspector's ledger. */
export interface LedgerLine {
  key: string;
  label: string;
  value: string;
  /** Smaller words after the value ("2 queued"). */
  note?: string;
  /** A named outcome under its total. */
  sub?: boolean;
  /** Red: a count of messages that ended badly. */
  alarm?: boolean;
  /** Dimmed: a zero, or a figure that is not a message count. */
  quiet?: boolean;
}

function outcomeLines(parent: string, outcomes: readonly Outcome[]): LedgerLine[] {
  return outcomes
    .filter((o) => o.count > 0)
    .map((o) => ({ key: `${parent}:${o.outcome}`, label: o.outcome, value: formatCount(o.count), sub: true, alarm: true }));
}

function endLines(b: Pick<Books, "delivered" | "failed" | "lost" | "failedBy" | "lostBy">): LedgerLine[] {
  return [
    { key: "delivered", label: "Delivered", value: formatCount(b.delivered), quiet: b.delivered === 0 },
    { key: "failed", label: "Failed", value: formatCount(b.failed), alarm: b.failed > 0, quiet: b.failed === 0 },
    ...outcomeLines("failed", b.failedBy),
    { key: "lost", label: "Lost", value: formatCount(b.lost), alarm: b.lost > 0, quiet: b.lost === 0 },
    ...outcomeLines("lost", b.lostBy),
  ];
}

/**
 * The ledger of an edge (or of a shared channel): Sent, Delivered, Failed and
 * Lost with their named outcomes under them, In flight with what waits in the
 * broker. `retries` adds the extra attempts, which are not messages.
 */
export function ledgerLines(b: Books, retries?: number): LedgerLine[] {
  const lines: LedgerLine[] = [
    { key: "sent", label: "Sent", value: formatCount(b.sent) },
    ...endLines(b),
    {
      key: "in-flight",
      label: "In flight",
      value: formatCount(b.inFlight),
      note: b.queued > 0 ? `${formatCount(b.queued)} queued` : undefined,
      quiet: b.inFlight === 0,
    },
  ];
  if (retries !== undefined) lines.push(retryLine(retries));
  return lines;
}

/**
 * A competing consumer's share: what it took of the channel's messages and
 * how each ended. Its in flight is the channel's, told with the channel.
 */
export function shareLines(c: Books, retries?: number): LedgerLine[] {
  const lines: LedgerLine[] = [{ key: "took", label: "Took", value: formatCount(tookOf(c)), note: `of ${formatCount(c.sent)} sent` }, ...endLines(c)];
  if (retries !== undefined) lines.push(retryLine(retries));
  return lines;
}

function retryLine(retries: number): LedgerLine {
  return { key: "retries", label: "Retries", value: formatCount(retries), note: "extra attempts, not messages", quiet: true };
}

/** A row of the summary table: an edge, or a shared channel's books (once, before its edges). */
export type SummaryRow = { kind: "edge"; counters: EdgeCounters; channel?: SharedChannel } | { kind: "channel"; channel: SharedChannel };

/**
 * The summary's rows in the order of the edges, each shared channel's row
 * first among its consumers, which follow it together.
 */
export function summaryRows(edges: readonly EdgeCounters[], channels: readonly SharedChannel[]): SummaryRow[] {
  const rows: SummaryRow[] = [];
  const done = new Set<string>();
  const byId = new Map(edges.map((c) => [c.edgeId, c]));
  for (const c of edges) {
    if (done.has(c.edgeId)) continue;
    const channel = isShared(c) ? channelOf(c.edgeId, channels) : undefined;
    if (!channel) {
      rows.push({ kind: "edge", counters: c });
      done.add(c.edgeId);
      continue;
    }
    rows.push({ kind: "channel", channel });
    for (const id of channel.edgeIds) {
      const member = byId.get(id);
      if (!member || done.has(id)) continue;
      rows.push({ kind: "edge", counters: member, channel });
      done.add(id);
    }
  }
  return rows;
}

/** A latency figure, or null when there is none to show (no sample in its window). */
export function timing(ms: number): number | null {
  return Number.isFinite(ms) && ms > 0 ? ms : null;
}

/** One latency figure of the inspector. */
export interface TimingStat {
  key: string;
  label: string;
  /** Null: no message in its window (shown as a dash, never as "0 ms"). */
  ms: number | null;
}

/**
 * The latencies of an edge, in rows of the inspector's grid: the send (a
 * synchronous caller's whole wait, retries included; an asynchronous edge's
 * hand-off to the broker), the wait in the broker (asynchronous edges), and
 * the time the target worked on a message.
 */
export function timingStats(c: Pick<EdgeCounters, "p50Ms" | "p95Ms" | "p99Ms" | "waitP50Ms" | "waitP99Ms" | "workP50Ms" | "workP99Ms">, async: boolean): TimingStat[][] {
  const send = async ? "Hand-off" : "Call";
  const rows: TimingStat[][] = [
    [
      { key: "p50", label: `${send} p50`, ms: timing(c.p50Ms) },
      { key: "p95", label: `${send} p95`, ms: timing(c.p95Ms) },
      { key: "p99", label: `${send} p99`, ms: timing(c.p99Ms) },
    ],
  ];
  if (async) {
    rows.push([
      { key: "wait-p50", label: "Wait p50", ms: timing(c.waitP50Ms) },
      { key: "wait-p99", label: "Wait p99", ms: timing(c.waitP99Ms) },
    ]);
  }
  rows.push([
    { key: "work-p50", label: "Work p50", ms: timing(c.workP50Ms) },
    { key: "work-p99", label: "Work p99", ms: timing(c.workP99Ms) },
  ]);
  return rows;
}
