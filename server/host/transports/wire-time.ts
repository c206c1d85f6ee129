/**
 * When a send's library call was on the wire: from the first attempt's start
 * to the last attempt's end (its reply, or the broker's acknowledgement).
 *
 * The CLIENT/PRODUCER span takes these bounds, as OpenTelemetry's client
 * instrumentations draw theirs — an HTTP client span runs from the request to
 * the end of its response, a publish span around the publish call. The host's
 * own bookkeeping around the call (counting it, building the request, keeping
 * the span) stays outside the span and inside its parent's: a hop's latency is
 * the system's, not the playground's, and the message's whole time still has it all.
 */
import { nowUnixMs } from "../clock";

export interface WireBounds {
  startUnixMs: number;
  endUnixMs: number;
}

export class WireTime {
  private startUnixMs: number | undefined;
  private endUnixMs: number | undefined;

  /** An attempt's library call starts now (the first one is the span's start). */
  begin(): void {
    this.startUnixMs ??= nowUnixMs();
  }

  /** An attempt's library call ended now (the last one is the span's end). */
  end(): void {
    if (this.startUnixMs !== undefined) this.endUnixMs = nowUnixMs();
  }

  /** Times one library call: its start, the call, its end (also when it throws). */
  async around<T>(call: () => Promise<T>): Promise<T> {
    this.begin();
    try {
      return await call();
    } finally {
      this.end();
    }
  }

  /** Undefined when no attempt reached the wire (a breaker refused it, a cache answered, no address). */
  get bounds(): WireBounds | undefined {
    return this.startUnixMs !== undefined && this.endUnixMs !== undefined ? { startUnixMs: this.startUnixMs, endUnixMs: this.endUnixMs } : undefined;
  }
}
