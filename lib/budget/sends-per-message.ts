/**
 * The runtime's cap on one message's amplification in one service: how many
 * sends a message (a trace) may make from it. The gate already refuses a
 * topology whose worst case passes the cap (lib/topology/amplification.ts);
 * this stops what the gate cannot foresee — retries, redelivered or
 * duplicated jobs, a cycle through one service that fans out to itself —
 * where it happens. Counted per service process, by trace id, over the most
 * recent `rememberTraces` traces (older ones are forgotten: bounded memory).
 * Pure.
 */
export class SendsPerMessage {
  /** trace id → sends so far, in order of first send (the oldest is forgotten first). */
  private readonly sends = new Map<string, number>();

  constructor(
    readonly cap: number,
    private readonly rememberTraces = 10_000,
  ) {}

  /** Asks for `count` more sends of the trace: true (and taken) when they fit under the cap; a group goes whole or not at all. */
  take(traceId: string, count: number): boolean {
    const before = this.sends.get(traceId) ?? 0;
    if (before + count > this.cap) return false;
    if (before === 0) {
      if (this.sends.size >= this.rememberTraces) this.sends.delete(this.sends.keys().next().value!);
    }
    this.sends.set(traceId, before + count);
    return true;
  }
}
