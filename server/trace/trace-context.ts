/**
 * W3C trace context: ids and the `traceparent` header
 * (https://www.w3.org/TR/trace-context/). Used by the parent (SendMessage ids)
 * and by every transport of the host, so one trace id follows a message.
 */
import { randomFillSync } from "node:crypto";

/** 32 lowercase hex digits, never all zero. */
export function newTraceId(): string {
  return nonZeroHex(16);
}

/** 16 lowercase hex digits, never all zero. */
export function newSpanId(): string {
  return nonZeroHex(8);
}

export interface TraceParent {
  traceId: string;
  /** The caller's span: the parent of the span the receiver records. */
  parentSpanId: string;
  /**
   * The root's head-sampling decision (trace-flags bit 0): true = every process
   * ships this trace's spans; false = they only count it, and hold its spans
   * briefly in case it fails or is slow (see lib/trace/sampling.ts).
   */
  sampled: boolean;
}

/** `00-<trace id>-<span id>-<flags>`: version 00, flags 01 when sampled, 00 when not. */
export function formatTraceparent(context: TraceParent): string {
  return `00-${context.traceId}-${context.parentSpanId}-${context.sampled ? "01" : "00"}`;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The context of a valid header, or undefined (then the receiver starts a new trace). */
export function parseTraceparent(header: string | undefined): TraceParent | undefined {
  const match = header ? TRACEPARENT.exec(header.trim().toLowerCase()) : null;
  if (!match || match[1] === "ff") return undefined;
  const [, , traceId, parentSpanId, flags] = match;
  if (/^0+$/.test(traceId) || /^0+$/.test(parentSpanId)) return undefined;
  return { traceId, parentSpanId, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}

/**
 * Random bytes drawn from one pooled buffer: one `randomFillSync` per
 * POOL_BYTES instead of a crypto call per id (a profile of a busy host showed
 * per-id calls among its top costs).
 */
const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let poolOffset = POOL_BYTES;

function nonZeroHex(bytes: number): string {
  for (;;) {
    if (poolOffset + bytes > POOL_BYTES) {
      randomFillSync(pool);
      poolOffset = 0;
    }
    const hex = pool.toString("hex", poolOffset, poolOffset + bytes);
    poolOffset += bytes;
    if (!/^0+$/.test(hex)) return hex;
  }
}
