"use client";

/**
 * Two traces side by side: their waterfalls on one time scale (the longer
 * trace's), and a table of the durations of the spans they share, matched by
 * service, name and order (lib/trace/compare.ts), B's slower ones marked.
 * A dialog over the page: the run panel is too low for two waterfalls and a
 * table. Escape or × closes it; "Pick another" goes back to the list with A kept.
 */
import clsx from "clsx";
import { ArrowLeftRight, X } from "lucide-react";
import { useEffect, useMemo, useRef } from "react";
import { SpanKind, type Span } from "@/lib/gen/ipcplay/v1/playground_pb";
import { Transport } from "@/lib/gen/ipcplay/v1/topology_pb";
import { compareTraces, deltaText, layoutWaterfall, spanKindLabel, type SpanMatch, SLOWER_FLOOR_MS, SLOWER_SHARE, traceBounds } from "@/lib/trace";
import { useRunStore } from "@/components/state/run-store";
import { type ComparedTrace, useTraceCompare } from "@/components/state/trace-compare";
import { Button } from "@/components/ui/Button";
import { formatMs } from "@/components/ui/format";
import { SpanStatusIcon, isOk } from "@/components/ui/status";
import { transportStyle } from "@/components/ui/transport-style";
import { trapFocus } from "@/components/ui/trap-focus";

/** Rows drawn per waterfall and per table: a trace of thousands of spans is summarised, not frozen on. */
const MAX_ROWS = 400;
const TICKS = [0, 0.25, 0.5, 0.75, 1];
const WF_COLS = "grid grid-cols-[minmax(120px,36%)_1fr_68px]";
const TABLE_COLS = "grid grid-cols-[minmax(0,1fr)_80px_80px_180px]";

const EMPTY: Span[] = [];

/** Keeps the compared traces' spans as the run store receives them (it may shed them later). */
function useKeepSpans(trace: ComparedTrace | null) {
  const id = trace?.traceId ?? null;
  const live = useRunStore((s) => (id ? s.spansByTrace[id] ?? EMPTY : EMPTY));
  useEffect(() => {
    if (id && live.length) useTraceCompare.getState().setSpans(id, live);
  }, [id, live]);
}

export function TraceCompare() {
  const a = useTraceCompare((s) => s.a);
  const b = useTraceCompare((s) => s.b);
  useKeepSpans(a);
  useKeepSpans(b);
  const dialog = useRef<HTMLDivElement>(null);
  const closeButton = useRef<HTMLButtonElement>(null);
  const comparison = useMemo(() => (a && b ? compareTraces(a.spans, b.spans) : null), [a, b]);

  useEffect(() => {
    // The focus goes into the dialog, and back to where it was when the dialog closes.
    const before = document.activeElement as HTMLElement | null;
    closeButton.current?.focus();
    return () => {
      if (before && document.contains(before)) before.focus();
    };
  }, []);

  if (!a || !b || !comparison) return null;
  const close = () => useTraceCompare.getState().close();
  const slowerCount = comparison.rows.filter((r) => r.slower).length;

  return (
    <div className="fixed inset-0 z-50 flex items-center justify-center bg-zinc-900/30 p-4" onPointerDown={(e) => e.target === e.currentTarget && close()}>
      <div
        ref={dialog}
        role="dialog"
        aria-modal="true"
        aria-label="Compare two traces"
        data-testid="trace-compare"
        data-slower={slowerCount}
        className="flex h-[min(760px,100%)] w-[min(1280px,100%)] flex-col overflow-hidden rounded-xl border border-zinc-200 bg-white shadow-2xl"
        onKeyDown={(e) => {
          if (e.key === "Escape") {
            // Not the page's Escape too: that one would also clear the canvas's selection.
            e.stopPropagation();
            close();
          }
          if (e.key === "Tab") trapFocus(e, dialog.current);
        }}
      >
        <header className="flex shrink-0 items-center gap-3 border-b border-zinc-200 px-4 py-2.5">
          <ArrowLeftRight className="size-4 text-zinc-400" />
          <h2 className="text-sm font-semibold text-zinc-900">Compare traces</h2>
          <span className="tabular text-xs text-zinc-500" data-testid="trace-compare-total">
            end to end {formatMs(comparison.totalA)} → {formatMs(comparison.totalB)}
            <span className={clsx("ml-1.5 font-medium", comparison.totalSlower ? "text-red-700" : "text-zinc-700")}>
              {deltaText({ deltaMs: comparison.totalDeltaMs, ratio: comparison.totalA > 0 ? comparison.totalB / comparison.totalA : null }, formatMs)}
            </span>
          </span>
          <span className="ml-auto flex items-center gap-2">
            <Button size="sm" variant="secondary" data-testid="trace-compare-repick" onClick={() => useTraceCompare.getState().repick()} title="Keep A and pick another trace from the list">
              Pick another B
            </Button>
            <button
              ref={closeButton}
              type="button"
              onClick={close}
              aria-label="Close the comparison"
              title="Close (Esc)"
              data-testid="trace-compare-close"
              className="flex size-7 items-center justify-center rounded-md text-zinc-500 hover:bg-zinc-100 hover:text-zinc-800 focus-visible:outline-2 focus-visible:outline-blue-500"
            >
              <X className="size-4" />
            </button>
          </span>
        </header>
        <div className="grid min-h-0 flex-[3] grid-cols-2 divide-x divide-zinc-200 border-b border-zinc-200">
          <SideWaterfall side="A" trace={a} scaleMs={comparison.scaleMs} slower={null} />
          <SideWaterfall side="B" trace={b} scaleMs={comparison.scaleMs} slower={new Set(comparison.rows.filter((r) => r.slower && r.b).map((r) => r.b!.spanId))} />
        </div>
        <DurationsTable rows={comparison.rows} />
      </div>
    </div>
  );
}

function barColor(span: Span): string {
  if (!isOk(span.status)) return "#ef4444";
  return span.transport === Transport.UNSPECIFIED ? "#71717a" : transportStyle(span.transport).color;
}

/** One trace's waterfall on the shared scale: bars are placed in percent of `scaleMs`, not of its own length. */
function SideWaterfall({ side, trace, scaleMs, slower }: { side: "A" | "B"; trace: ComparedTrace; scaleMs: number; slower: ReadonlySet<string> | null }) {
  const rows = useMemo(() => layoutWaterfall(trace.spans), [trace.spans]);
  const total = useMemo(() => traceBounds(trace.spans).durationMs, [trace.spans]);
  const pct = (ms: number) => (scaleMs > 0 ? (ms / scaleMs) * 100 : 0);
  const shown = rows.slice(0, MAX_ROWS);
  return (
    <section className="flex min-h-0 min-w-0 flex-col" data-testid={`trace-compare-${side.toLowerCase()}`} data-trace-id={trace.traceId} data-spans={rows.length} aria-label={`Trace ${side}`}>
      <div className="flex shrink-0 items-center gap-2 px-3 py-1.5 text-2xs text-zinc-500">
        <span className={clsx("flex size-5 items-center justify-center rounded-md text-[11px] font-bold", side === "A" ? "bg-zinc-900 text-white" : "bg-indigo-600 text-white")}>{side}</span>
        <span className="font-mono text-zinc-700" title={trace.traceId}>
          trace {trace.traceId.slice(0, 12)}
        </span>
        <span className="tabular">{rows.length === 0 ? "loading spans…" : `${rows.length} spans`}</span>
        <span className="tabular ml-auto font-medium text-zinc-700">{formatMs(total)} end to end</span>
      </div>
      <div className={clsx(WF_COLS, "shrink-0 border-y border-zinc-100 text-[10px] text-zinc-400")}>
        <div className="px-3 py-1">Service · span</div>
        <div className="relative mx-2 h-5" data-testid={`trace-compare-axis-${side.toLowerCase()}`}>
          {TICKS.map((t) => (
            <span key={t} className={clsx("tabular absolute top-1 whitespace-nowrap", t === 0 ? "" : t === 1 ? "-translate-x-full" : "-translate-x-1/2")} style={{ left: `${t * 100}%` }}>
              {formatMs(scaleMs * t)}
            </span>
          ))}
        </div>
        <div className="py-1 pr-3 text-right">Duration</div>
      </div>
      <ul className="min-h-0 flex-1 overflow-y-auto">
        {shown.map((r) => {
          const late = slower?.has(r.span.spanId) ?? false;
          const outgoing = r.span.kind === SpanKind.CLIENT || r.span.kind === SpanKind.PRODUCER;
          return (
            <li key={r.span.spanId} className={clsx(WF_COLS, "h-6 items-center text-xs", late && "bg-red-50/70")} data-testid="compare-span" data-slower={late || undefined}>
              <span className="flex min-w-0 items-center gap-1.5 pr-2" style={{ paddingLeft: 12 + Math.min(r.depth, 8) * 12 }} title={`${r.span.nodeId} · ${r.span.name}`}>
                <SpanStatusIcon status={r.span.status} className="size-3" />
                <span className="shrink-0 font-medium text-zinc-900">{r.span.nodeId}</span>
                <span className="truncate text-2xs text-zinc-500">{r.span.name}</span>
              </span>
              <span className="relative mx-2 h-full">
                {TICKS.slice(1, -1).map((t) => (
                  <span key={t} className="absolute inset-y-0 w-px bg-zinc-100" style={{ left: `${t * 100}%` }} />
                ))}
                <span
                  className="absolute top-1/2 h-3 -translate-y-1/2 rounded-[3px]"
                  style={{ left: `${pct(r.offsetMs)}%`, width: `max(${pct(r.durationMs)}%, 2px)`, background: barColor(r.span), opacity: outgoing ? 0.45 : 0.95 }}
                />
              </span>
              <span className={clsx("tabular pr-3 text-right whitespace-nowrap", late ? "font-semibold text-red-700" : "font-medium text-zinc-800")}>{formatMs(r.durationMs)}</span>
            </li>
          );
        })}
        {rows.length > MAX_ROWS && <li className="px-3 py-1 text-2xs text-zinc-400">and {rows.length - MAX_ROWS} more spans</li>}
      </ul>
    </section>
  );
}

/** "server", "client call"…: what the span was for its service. */
function kindWord(kind: SpanKind): string {
  return kind === SpanKind.CLIENT ? "client call" : spanKindLabel(kind).toLowerCase();
}

function DurationsTable({ rows }: { rows: SpanMatch[] }) {
  const shown = rows.slice(0, MAX_ROWS);
  return (
    <div className="flex min-h-0 flex-[2] flex-col" data-testid="trace-compare-table">
      <div className={clsx(TABLE_COLS, "shrink-0 gap-2 border-b border-zinc-100 px-4 py-1.5 text-2xs font-medium text-zinc-400")} role="row">
        <span role="columnheader">Service · span (matched by service, kind, name and order)</span>
        <span role="columnheader" className="text-right">
          A
        </span>
        <span role="columnheader" className="text-right">
          B
        </span>
        <span role="columnheader" className="text-right" title={`Red: B took more than ${Math.round(SLOWER_SHARE * 100)} % (and at least ${SLOWER_FLOOR_MS} ms) longer than A`}>
          Δ (B − A)
        </span>
      </div>
      <div className="min-h-0 flex-1 overflow-y-auto" role="table" aria-label="Durations of the matched spans">
        {shown.map((r) => (
          <div
            key={r.key}
            role="row"
            data-testid="compare-row"
            data-service={r.service}
            data-slower={r.slower ? "true" : "false"}
            className={clsx(TABLE_COLS, "gap-2 border-b border-zinc-50 px-4 py-1 text-xs", r.slower ? "bg-red-50 text-red-800" : "text-zinc-700")}
          >
            <span role="cell" className="flex min-w-0 items-center gap-1.5" title={`${r.service} · ${r.name} · ${kindWord(r.kind)}${r.occurrence > 0 ? ` (#${r.occurrence + 1})` : ""}`}>
              <span className="shrink-0 font-medium">{r.service}</span>
              <span className="truncate text-2xs opacity-70">
                {r.name}
                {r.occurrence > 0 ? ` #${r.occurrence + 1}` : ""}
              </span>
              {r.kind !== SpanKind.UNSPECIFIED && <span className="shrink-0 rounded bg-zinc-100 px-1 text-[10px] text-zinc-500">{kindWord(r.kind)}</span>}
            </span>
            <span role="cell" className="tabular text-right">
              {r.a ? formatMs(Math.max(0, r.a.durationMs)) : <span className="text-zinc-400">not in A</span>}
            </span>
            <span role="cell" className="tabular text-right">
              {r.b ? formatMs(Math.max(0, r.b.durationMs)) : <span className="text-zinc-400">not in B</span>}
            </span>
            <span role="cell" className={clsx("tabular text-right whitespace-nowrap", r.slower && "font-semibold")}>
              {r.slower && <span className="mr-1 rounded bg-red-100 px-1 text-[10px] font-semibold text-red-700">slower</span>}
              {deltaText(r, formatMs)}
            </span>
          </div>
        ))}
        {rows.length > MAX_ROWS && <div className="px-4 py-1 text-2xs text-zinc-400">and {rows.length - MAX_ROWS} more spans</div>}
      </div>
    </div>
  );
}
