"use client";

/**
 * Trace compare: "Compare with…" in the waterfall pins the open trace (A) and
 * waits for the user to pick a second one (B) in the list; then the compare
 * view shows both. The spans are copied in when known: the run store sheds old
 * traces' spans at a high rate, and the comparison must not lose them.
 */
import { create } from "zustand";
import type { Span } from "@/lib/gen/ipcplay/v1/playground_pb";
import { useRunStore } from "./run-store";

export interface ComparedTrace {
  traceId: string;
  /** Empty until they are loaded (B is fetched when picked). */
  spans: Span[];
}

interface TraceCompareState {
  /** Trace A, pinned by "Compare with…"; null when no comparison is under way. */
  a: ComparedTrace | null;
  /** Trace B; null while the user is still picking it. */
  b: ComparedTrace | null;
  /** Starts a comparison with the open trace as A. */
  pin(traceId: string, spans: Span[]): void;
  /** Takes a trace from the list as B (A itself is ignored). Returns whether it was taken. */
  pick(traceId: string, spans: Span[] | undefined): boolean;
  /** B's spans arrived. */
  setSpans(traceId: string, spans: Span[]): void;
  /** Back to picking B, A stays pinned. */
  repick(): void;
  close(): void;
}

export const useTraceCompare = create<TraceCompareState>()((set, get) => ({
  a: null,
  b: null,
  pin: (traceId, spans) => set({ a: { traceId, spans }, b: null }),
  pick(traceId, spans) {
    const { a } = get();
    if (!a || a.traceId === traceId) return false;
    set({ b: { traceId, spans: spans ?? [] } });
    return true;
  },
  setSpans(traceId, spans) {
    const { a, b } = get();
    if (a?.traceId === traceId && spans.length > a.spans.length) set({ a: { traceId, spans } });
    if (b?.traceId === traceId && spans.length > b.spans.length) set({ b: { traceId, spans } });
  },
  repick: () => set({ b: null }),
  close: () => set({ a: null, b: null }),
}));

/** A is pinned and B not chosen yet: a click in the trace list picks it. */
export const isPicking = (s: Pick<TraceCompareState, "a" | "b">) => s.a !== null && s.b === null;

// A new run's traces are not comparable with the last run's pins: a run starting (or the page
// leaving a run) closes the comparison.
useRunStore.subscribe((s, prev) => {
  if (s.runId !== prev.runId && useTraceCompare.getState().a) useTraceCompare.getState().close();
});
