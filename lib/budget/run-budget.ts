/**
 * A run's message budget, enforced by the runtime (not only the gate): how
 * many messages per second it may start, across all its sources, and how many
 * of them (and how many payload bytes) may be pending at once — started at a
 * node and not ended yet. Pure, with an injected clock; the server keeps one
 * per run (server/runtime/orchestrator.ts).
 *
 * - On-demand sends (SendMessage) ask first: a call that does not fit is
 *   refused whole with a sentence that gives the numbers (the caller gets
 *   `resource_exhausted`), never trimmed or dropped silently.
 * - Automatic traffic does not ask (it starts in the hosts, many times a
 *   second): each client sheds what passes its share of the rate
 *   (`trafficShares`, counted "over budget" on its edges), and what it did
 *   send is spent from the same bucket when its host reports it, so
 *   on-demand sends get only what automatic traffic leaves.
 */

export interface RunBudgetLimits {
  /** Messages a run may start per second, all sources together (one second's worth may come at once). */
  messagesPerSecond: number;
  /** Messages started and not ended a run may hold at once. */
  maxPendingSends: number;
  /** Payload bytes of those pending messages. */
  maxPendingBytes: number;
}

/** What is pending in a run now (as its hosts last reported, plus what was sent to them since). */
export interface Pending {
  messages: number;
  bytes: number;
}

export class RunBudget {
  private tokens: number;
  private last: number;

  constructor(
    readonly limits: RunBudgetLimits,
    private readonly clock: () => number,
  ) {
    this.tokens = this.capacity;
    this.last = clock();
  }

  /** One second's worth, at least one. */
  get capacity(): number {
    return Math.max(1, this.limits.messagesPerSecond);
  }

  /** Tokens left now (may be negative: automatic traffic spent ahead). */
  available(): number {
    const now = this.clock();
    this.tokens = Math.min(this.capacity, this.tokens + (Math.max(0, now - this.last) * this.limits.messagesPerSecond) / 1000);
    this.last = now;
    return this.tokens;
  }

  /**
   * Messages that started without asking (automatic traffic, reported after
   * the fact). The bucket may go into debt, at most one second's worth, so a
   * burst of automatic traffic holds on-demand sends back about as long.
   */
  spend(count: number): void {
    if (!(count > 0)) return;
    this.tokens = Math.max(-this.capacity, this.available() - count);
  }

  /**
   * An on-demand send of `count` messages of `bytes` payload bytes in all:
   * undefined when it fits (its tokens are taken), else why not, with the
   * numbers.
   */
  admit(count: number, bytes: number, pending: Pending): string | undefined {
    const { maxPendingSends, maxPendingBytes, messagesPerSecond } = this.limits;
    if (pending.messages + count > maxPendingSends) {
      return `${fmt(pending.messages)} messages are pending in this run (started, not ended yet) and this call adds ${fmt(count)}; the run allows ${fmt(maxPendingSends)} pending. Try again once they drain.`;
    }
    if (pending.bytes + bytes > maxPendingBytes) {
      return `${fmtBytes(pending.bytes)} of payload is pending in this run and this call adds ${fmtBytes(bytes)}; the run allows ${fmtBytes(maxPendingBytes)} pending. Try again once it drains.`;
    }
    if (count > this.capacity) {
      return `this call's ${fmt(count)} messages pass the run's budget of ${fmt(messagesPerSecond)} messages per second by themselves; send at most ${fmt(Math.floor(this.capacity))} per call.`;
    }
    const left = this.available();
    if (left < count) {
      return `the run's budget is ${fmt(messagesPerSecond)} messages per second, all sources together (automatic traffic included); ${fmt(Math.max(0, Math.floor(left)))} are left now and this call asks for ${fmt(count)}. Try again in ${Math.ceil(((count - left) / messagesPerSecond) * 1000)} ms.`;
    }
    this.tokens = left - count;
    return undefined;
  }
}

/**
 * Each client's share of the run's rate for its automatic traffic, by node id:
 * the budget split in proportion to their rates. A client whose rates all fit
 * gets at least its own rate (the room above it absorbs a random pattern's
 * bursts); when they do not fit, every client is cut back alike. A client
 * without automatic traffic gets 0 (it sends only on demand, which asks).
 */
export function trafficShares(rates: ReadonlyMap<string, number>, messagesPerSecond: number): Map<string, number> {
  const total = [...rates.values()].reduce((sum, rate) => sum + Math.max(0, rate), 0);
  return new Map([...rates].map(([nodeId, rate]) => [nodeId, total > 0 ? (Math.max(0, rate) / total) * messagesPerSecond : 0]));
}

function fmt(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}

function fmtBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}
