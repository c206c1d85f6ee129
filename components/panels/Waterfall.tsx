"use client";

import clsx from "clsx";
import { ArrowLeftRight, Download, MousePointerClick, X } from "lucide-react";
import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, useMemo, useRef, useState } from "react";
import { SpanKind, type Span } from "@/lib/gen/ipcplay/v1/playground_pb";
import { Transport } from "@/lib/gen/ipcplay/v1/topology_pb";
import { useRunStore } from "@/components/state/run-store";
import { downloadOtlp } from "@/components/state/otlp-actions";
import { useTraceCompare } from "@/components/state/trace-compare";
import { criticalPath, layoutWaterfall, spanKindLabel, spanStatusLabel, traceBounds, type WaterfallRow } from "@/lib/trace";
import { formatClock, formatMs } from "@/components/ui/format";
import { SpanStatusIcon, isOk } from "@/components/ui/status";
import { transportStyle } from "@/components/ui/transport-style";
import { TransportLine } from "@/components/canvas/TransportLine";
import { spanFacts, transportKey } from "./span-facts";

const EMPTY: Span[] = [];

/** One span link drawn on a row: the linked span, and where it starts in this trace (undefined when not in it). */
interface LinkMark {
  spanId: string;
  traceId: string;
  atPct: number | undefined;
  label: string;
}
const COLS = "grid grid-cols-[minmax(200px,260px)_72px_1fr_72px]";
const ROW_PX = 32;
const TICKS = [0, 0.25, 0.5, 0.75, 1];
const INNER_TICKS = TICKS.slice(1, -1);

function barColor(span: Span): string {
  if (span.transport === Transport.UNSPECIFIED) return "#71717a";
  return transportStyle(span.transport).color;
}

export function Waterfall() {
  const traceId = useRunStore((s) => s.selectedTraceId);
  const spans = useRunStore((s) => (s.selectedTraceId ? s.spansByTrace[s.selectedTraceId] ?? EMPTY : EMPTY));
  // How many spans the trace has, by its summary: fewer in hand means the rest are on their way.
  const expected = useRunStore((s) => (s.selectedTraceId ? s.traces.find((t) => t.traceId === s.selectedTraceId)?.spanCount ?? 0 : 0));
  const selectedSpanId = useRunStore((s) => s.selectedSpanId);
  const rows = useMemo(() => layoutWaterfall(spans), [spans]);
  const critical = useMemo(() => new Set(criticalPath(spans)), [spans]);
  /** A critical consumer's queue wait: from its producer's start to its own, in % of the trace. */
  const waits = useMemo(() => {
    const byId = new Map(rows.map((r) => [r.span.spanId, r]));
    const out = new Map<string, { leftPct: number; widthPct: number }>();
    for (const r of rows) {
      if (r.span.kind !== SpanKind.CONSUMER || !critical.has(r.span.spanId)) continue;
      const parent = byId.get(r.span.parentSpanId);
      if (!parent || parent.span.kind !== SpanKind.PRODUCER) continue;
      out.set(r.span.spanId, { leftPct: parent.leftPct, widthPct: Math.max(0, r.leftPct - parent.leftPct) });
    }
    return out;
  }, [rows, critical]);
  /** Span links (a consumer's link to its message's creation): where the linked span starts, in % of the trace. */
  const links = useMemo(() => {
    const byId = new Map(rows.map((r) => [r.span.spanId, r]));
    const out = new Map<string, LinkMark[]>();
    for (const r of rows) {
      if (r.span.links.length === 0) continue;
      out.set(
        r.span.spanId,
        r.span.links.map((link) => {
          const target = link.traceId === r.span.traceId ? byId.get(link.spanId) : undefined;
          return { spanId: link.spanId, traceId: link.traceId, atPct: target?.leftPct, label: target ? `${target.span.nodeId} · ${target.span.name}` : `${link.traceId.slice(0, 8)}/${link.spanId}` };
        }),
      );
    }
    return out;
  }, [rows]);
  const [hoveredId, setHoveredId] = useState<string | null>(null);
  // This trace is A of a comparison whose B is still to be picked.
  const pinned = useTraceCompare((s) => s.a !== null && s.b === null && s.a.traceId === traceId);
  const exportable = useRunStore((s) => s.runId !== null && s.token !== null);
  const total = useMemo(() => traceBounds(spans).durationMs, [spans]);
  const activeId = hoveredId ?? selectedSpanId;
  const active = useMemo(() => (activeId ? spans.find((s) => s.spanId === activeId) ?? null : null), [spans, activeId]);
  const transports = useMemo(
    () => [...new Set(spans.map((x) => x.transport))].filter((t) => t !== Transport.UNSPECIFIED).sort((a, b) => a - b),
    [spans],
  );

  if (!traceId) {
    return (
      <div className="flex h-full flex-col items-center justify-center gap-2 text-xs text-zinc-500">
        <MousePointerClick className="size-5 text-zinc-300" strokeWidth={1.5} />
        Pick a trace to see its spans, hop by hop.
      </div>
    );
  }
  if (!rows.length) {
    return (
      <div className="flex h-full items-center justify-center text-xs text-zinc-500" data-testid="waterfall-loading">
        Loading spans…
      </div>
    );
  }

  return (
    <div className="flex h-full min-h-0" data-testid="waterfall" data-trace-id={traceId}>
      <div className="flex min-w-0 flex-1 flex-col">
        {/* Wraps between its items, never inside one: at 1280 px the details pane leaves the header ~580 px. */}
        <div className="flex flex-wrap items-center gap-x-3 gap-y-1 border-b border-zinc-100 px-3 py-1.5 text-2xs text-zinc-500 [&>span]:whitespace-nowrap">
          <span className="font-mono text-zinc-700" title={traceId}>
            trace {traceId.slice(0, 12)}
          </span>
          <span className="tabular" data-testid="waterfall-span-count">
            {expected > rows.length ? `${rows.length} of ${expected} spans so far` : `${rows.length} spans`}
          </span>
          <span className="tabular font-medium text-zinc-700" title="From the message's first span starting to its last span ending" data-testid="waterfall-end-to-end">
            {formatMs(total)} end to end
          </span>
          <span
            className="flex items-center gap-1.5"
            data-testid="waterfall-critical"
            data-count={critical.size}
            title="The critical path: the chain of spans that decides the end-to-end time (a consumer's wait in its queue counts). Parallel calls that ended sooner are not on it."
          >
            <span className="h-1 w-4 rounded-full bg-zinc-900" />
            critical path · {critical.size} {critical.size === 1 ? "span" : "spans"}
          </span>
          <span className="ml-auto flex items-center gap-3">
            <span className="flex items-center gap-3" data-testid="waterfall-transports">
              {transports.map((t) => (
                <span key={t} className="flex items-center gap-1.5" data-transport={transportKey(t)}>
                  <TransportLine transport={t} width={16} />
                  <span style={{ color: transportStyle(t).color }}>{transportStyle(t).label}</span>
                </span>
              ))}
            </span>
            {pinned ? (
              <span className="flex items-center gap-1.5 rounded-md bg-indigo-50 px-2 py-0.5 text-indigo-800 ring-1 ring-indigo-200" data-testid="waterfall-pinned" title="Pick trace B in the list to compare it with this one">
                <span className="font-semibold">A</span> pinned
                <button
                  type="button"
                  onClick={() => useTraceCompare.getState().close()}
                  className="rounded px-1 font-medium text-indigo-700 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-blue-500"
                  data-testid="waterfall-compare-cancel"
                  title="Stop comparing (Esc)"
                >
                  Cancel
                </button>
              </span>
            ) : (
              <button
                type="button"
                onClick={() => useTraceCompare.getState().pin(traceId, spans)}
                className="flex items-center gap-1 rounded-md border border-zinc-200 px-1.5 py-0.5 font-medium text-zinc-700 hover:bg-zinc-50 focus-visible:outline-2 focus-visible:outline-blue-500"
                data-testid="waterfall-compare"
                title="Pin this trace and pick another in the list: both waterfalls side by side, with their spans' durations compared"
              >
                <ArrowLeftRight className="size-3" /> Compare with…
              </button>
            )}
            {exportable && (
              <button
                type="button"
                onClick={() => void downloadOtlp(traceId)}
                className="flex items-center gap-1 rounded-md border border-zinc-200 px-1.5 py-0.5 font-medium text-zinc-700 hover:bg-zinc-50 focus-visible:outline-2 focus-visible:outline-blue-500"
                data-testid="waterfall-download-otlp"
                title="Download this trace as OpenTelemetry OTLP/JSON (opens in Jaeger, Tempo, Honeycomb …)"
              >
                <Download className="size-3" /> OTLP
              </button>
            )}
            <button
              type="button"
              onClick={() => useRunStore.getState().selectTrace(null)}
              aria-label="Close the trace"
              title="Close the trace"
              data-testid="waterfall-close"
              className="-mr-1 flex size-5 items-center justify-center rounded text-zinc-400 hover:bg-zinc-100 hover:text-zinc-700 focus-visible:outline-2 focus-visible:outline-blue-500"
            >
              <X className="size-3.5" />
            </button>
          </span>
        </div>
        <div className={clsx(COLS, "border-b border-zinc-100 text-[10px] text-zinc-400")}>
          <div className="px-3 py-1">Service · span</div>
          <div className="py-1">Process</div>
          {/* A container: under 240 px (1280 px wide, with the details pane) the inner labels ran into each other. */}
          <div className="@container relative mx-2 h-5">
            {TICKS.map((t) => (
              <span
                key={t}
                className={clsx(
                  "tabular absolute top-1 whitespace-nowrap",
                  t === 0 ? "" : t === 1 ? "-translate-x-full" : "hidden -translate-x-1/2 @min-[240px]:inline",
                )}
                style={{ left: `${t * 100}%` }}
              >
                {formatMs(total * t)}
              </span>
            ))}
          </div>
          <div className="py-1 pr-3 text-right">Duration</div>
        </div>
        <SpanRows rows={rows} selectedSpanId={selectedSpanId} onHover={setHoveredId} critical={critical} waits={waits} links={links} />
      </div>
      <SpanDetails span={active} />
    </div>
  );
}

/**
 * The rows in view (and a margin), so a trace of thousands of spans opens as
 * fast as one of five. Memoised: hovering a row changes the details pane only.
 */
const SpanRows = memo(function SpanRows({
  rows,
  selectedSpanId,
  onHover,
  critical,
  waits,
  links,
}: {
  rows: WaterfallRow[];
  selectedSpanId: string | null;
  onHover: (spanId: string | null) => void;
  critical: ReadonlySet<string>;
  waits: ReadonlyMap<string, { leftPct: number; widthPct: number }>;
  links: ReadonlyMap<string, LinkMark[]>;
}) {
  const scrollRef = useRef<HTMLUListElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_PX,
    getItemKey: (i) => rows[i].span.spanId,
    overscan: 30,
  });
  return (
    <ul ref={scrollRef} className="relative min-h-0 flex-1 overflow-y-auto" onMouseLeave={() => onHover(null)}>
      <li aria-hidden style={{ height: virtualizer.getTotalSize() }} />
      {virtualizer.getVirtualItems().map((v) => {
        const r = rows[v.index];
        return (
          <SpanRow
            key={r.span.spanId}
            row={r}
            top={v.start}
            on={r.span.spanId === selectedSpanId}
            onHover={onHover}
            critical={critical.has(r.span.spanId)}
            wait={waits.get(r.span.spanId)}
            links={links.get(r.span.spanId)}
          />
        );
      })}
    </ul>
  );
});

const SpanRow = memo(function SpanRow({
  row: r,
  top,
  on,
  onHover,
  critical,
  wait,
  links,
}: {
  row: WaterfallRow;
  top: number;
  on: boolean;
  onHover: (spanId: string | null) => void;
  critical: boolean;
  wait: { leftPct: number; widthPct: number } | undefined;
  links: LinkMark[] | undefined;
}) {
  const color = barColor(r.span);
  const outgoing = r.span.kind === SpanKind.CLIENT || r.span.kind === SpanKind.PRODUCER;
  return (
    <li className="absolute inset-x-0" style={{ top, height: ROW_PX }}>
      <button
        type="button"
        data-testid="span-row"
        data-node={r.span.nodeId}
        data-transport={transportKey(r.span.transport)}
        data-trace={r.span.traceId}
        data-duration-ms={r.span.durationMs}
        data-depth={r.depth}
        data-critical={critical ? "true" : "false"}
        data-links={links?.length ?? 0}
        onClick={() => useRunStore.getState().selectSpan(on ? null : r.span.spanId)}
        onMouseEnter={() => onHover(r.span.spanId)}
        className={clsx(COLS, "h-8 w-full items-center text-left text-xs", on ? "bg-blue-50/70" : "hover:bg-zinc-50")}
      >
        <span className="flex min-w-0 items-center gap-1.5 pr-2" style={{ paddingLeft: 12 + r.depth * 16 }}>
          <SpanStatusIcon status={r.span.status} className="size-3.5" />
          <span className="shrink-0 font-medium text-zinc-900">{r.span.nodeId}</span>
          <span className="truncate text-2xs text-zinc-500">{r.span.name}</span>
        </span>
        <span className="tabular truncate font-mono text-2xs text-zinc-500">pid {r.span.pid}</span>
        <span className="relative mx-2 h-full">
          {INNER_TICKS.map((t) => (
            <span key={t} className="absolute inset-y-0 w-px bg-zinc-100" style={{ left: `${t * 100}%` }} />
          ))}
          {wait && wait.widthPct > 0 && (
            // The queue wait on the critical path: from the hand-off to the consumer's start.
            <span
              className="absolute top-1/2 h-0 -translate-y-1/2 border-t-2 border-dashed border-zinc-500"
              style={{ left: `${wait.leftPct}%`, width: `${wait.widthPct}%` }}
              title="Waiting in the queue since the producer handed it over: on the critical path"
            />
          )}
          {links?.map((link) =>
            link.atPct === undefined ? null : (
              // A span link: a dotted line from the linked span's start (the message's creation) to this span, and a diamond at the link's end.
              <span key={link.spanId} data-testid="span-link" data-linked-span={link.spanId} title={`link → ${link.label}`}>
                <span
                  className="absolute top-[30%] h-0 border-t border-dotted border-violet-500"
                  style={{ left: `${Math.min(link.atPct, r.leftPct)}%`, width: `${Math.abs(r.leftPct - link.atPct)}%` }}
                />
                <span className="absolute top-[30%] size-1.5 -translate-x-1/2 -translate-y-1/2 rotate-45 bg-violet-500" style={{ left: `${link.atPct}%` }} />
              </span>
            ),
          )}
          <span
            className="absolute top-1/2 h-4 -translate-y-1/2 rounded-[3px]"
            style={{
              left: `${r.leftPct}%`,
              width: `max(${r.widthPct}%, 2px)`,
              background: isOk(r.span.status) ? color : "#ef4444",
              opacity: outgoing ? 0.45 : 0.95,
            }}
          />
          {critical && (
            // Jaeger's mark: a dark line through the bars of the critical path.
            <span
              data-testid="critical-mark"
              className="absolute top-1/2 h-1 -translate-y-1/2 rounded-full bg-zinc-900"
              style={{ left: `${r.leftPct}%`, width: `max(${r.widthPct}%, 2px)` }}
            />
          )}
        </span>
        <span className={clsx("tabular pr-3 text-right", critical ? "font-semibold text-zinc-950" : "font-medium text-zinc-800")}>{formatMs(r.durationMs)}</span>
      </button>
    </li>
  );
});

function SpanDetails({ span }: { span: Span | null }) {
  if (!span) {
    return (
      <div className="flex w-[300px] shrink-0 items-center justify-center border-l border-zinc-100 px-4 text-center text-2xs text-zinc-400">
        Hover or select a span to see its attributes.
      </div>
    );
  }
  const style = span.transport === Transport.UNSPECIFIED ? null : transportStyle(span.transport);
  const facts = spanFacts(span);
  const shown = new Set(facts.map((f) => f.key));
  const attrs = Object.entries(span.attributes)
    .filter(([k]) => !shown.has(k))
    .sort(([a], [b]) => a.localeCompare(b));
  return (
    <div className="flex w-[300px] shrink-0 flex-col overflow-y-auto border-l border-zinc-100" data-testid="span-details">
      <div className="border-b border-zinc-100 px-3 py-2">
        <div className="flex items-center gap-1.5 text-xs font-semibold text-zinc-900">
          <SpanStatusIcon status={span.status} className="size-3.5" />
          {span.name || span.nodeId}
        </div>
        <div className="mt-0.5 flex flex-wrap items-center gap-x-2 text-2xs text-zinc-500">
          <span>{spanStatusLabel(span.status)}</span>
          {span.statusMessage && <span className="text-red-600">{span.statusMessage}</span>}
          {style && <span style={{ color: style.color }}>{style.label}</span>}
          {span.kind !== SpanKind.UNSPECIFIED && <span>{spanKindLabel(span.kind)}</span>}
        </div>
      </div>
      {facts.length > 0 && (
        <dl
          className="flex flex-col gap-1 border-b border-zinc-100 px-3 py-2 text-2xs"
          style={style ? { background: style.tint } : undefined}
          data-testid="span-facts"
        >
          {facts.map((f) => (
            <div key={f.key} className="flex items-baseline justify-between gap-3">
              <dt className="shrink-0 text-zinc-500">{f.label}</dt>
              <dd className="min-w-0 truncate text-right font-medium text-zinc-900" title={f.value}>
                {f.value}
              </dd>
            </div>
          ))}
        </dl>
      )}
      <dl className="flex flex-col gap-1 px-3 py-2 text-2xs">
        <Row k="node" v={span.nodeId} />
        <Row k="pid" v={String(span.pid)} />
        {span.edgeId && <Row k="edge" v={span.edgeId} />}
        <Row k="duration" v={formatMs(span.durationMs)} />
        <Row k="start" v={formatClock(span.startUnixMs)} />
        <Row k="hop" v={String(span.hop)} />
        {span.attempt > 1 && !shown.has("ipcplay.attempt") && <Row k="attempt" v={String(span.attempt)} />}
        {attrs.map(([k, v]) => (
          <Row key={k} k={k} v={v} />
        ))}
        {span.links.map((link) => (
          <Row key={`link-${link.spanId}`} k="link" v={`${link.traceId === span.traceId ? "" : `${link.traceId}/`}${link.spanId}`} />
        ))}
      </dl>
    </div>
  );
}

function Row({ k, v }: { k: string; v: string }) {
  return (
    <div className="flex items-baseline justify-between gap-3">
      <dt className="min-w-0 truncate font-mono text-zinc-400" title={k}>
        {k}
      </dt>
      <dd className="max-w-[62%] shrink-0 text-right font-mono break-all text-zinc-800" title={v}>
        {v}
      </dd>
    </div>
  );
}
