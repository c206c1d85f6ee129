/**
 * W3C trace context: ids and the `traceparent` header
 * (https://www.w3.org/TR/trace-context/). Used by the parent (SendMessage ids)
 * and by every transport of the host, so one trace id follows a message.
 */
import { randomBytes } from "node:crypto";

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
}

/** `00-<trace id>-<span id>-01` (version 00, sampled). */
export function formatTraceparent(context: TraceParent): string {
  return `00-${context.traceId}-${context.parentSpanId}-01`;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The context of a valid header, or undefined (then the receiver starts a new trace). */
export function parseTraceparent(header: string | undefined): TraceParent | undefined {
  const match = header ? TRACEPARENT.exec(header.trim().toLowerCase()) : null;
  if (!match || match[1] === "ff") return undefined;
  const [, , traceId, parentSpanId] = match;
  if (/^0+$/.test(traceId) || /^0+$/.test(parentSpanId)) return undefined;
  return { traceId, parentSpanId };
}

function nonZeroHex(bytes: number): string {
  for (;;) {
    const hex = randomBytes(bytes).toString("hex");
    if (!/^0+$/.test(hex)) return hex;
  }
}
