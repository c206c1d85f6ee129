/**
 * Collects the spans this process records and ships them to the parent in
 * batches: every SPAN_FLUSH_MS or as soon as SPAN_BATCH_MAX are waiting, so a
 * busy service sends a few IPC messages a second instead of one per span.
 */
import type { SpanRecord } from "@/server/ipc/host-messages";

export const SPAN_FLUSH_MS = 50;
export const SPAN_BATCH_MAX = 200;

export class SpanRecorder {
  private pending: SpanRecord[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly ship: (spans: SpanRecord[]) => void) {}

  record(span: SpanRecord): void {
    this.pending.push(span);
    if (this.pending.length >= SPAN_BATCH_MAX) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), SPAN_FLUSH_MS);
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.ship(batch);
  }
}
