"use client";

import clsx from "clsx";
import { MousePointerClick } from "lucide-react";
import { useMemo, useState } from "react";
import { SpanKind, type Span } from "@/lib/gen/ipcplay/v1/playground_pb";
import { Transport } from "@/lib/gen/ipcplay/v1/topology_pb";
import { useRunStore } from "@/components/state/run-store";
import { layoutWaterfall, spanKindLabel, spanStatusLabel, traceBounds } from "@/lib/trace";
import { formatClock, formatMs } from "@/components/ui/format";
import { SpanStatusIcon, isOk } from "@/components/ui/status";
import { transportStyle } from "@/components/ui/transport-style";
import { TransportLine } from "@/components/canvas/TransportLine";
import { spanFacts, transportKey } from "./span-facts";

const EMPTY: Span[] = [];
const COLS = "grid grid-cols-[minmax(200px,260px)_72px_1fr_72px]";

function barColor(span: Span): string {
  if (span.transport === Transport.UNSPECIFIED) return "#71717a";
  return transportStyle(span.transport).color;
}

export function Waterfall() {
  const traceId = useRunStore((s) => s.selectedTraceId);
  const spans = useRunStore((s) => (s.selectedTraceId ? s.spansByTrace[s.selectedTraceId] ?? EMPTY : EMPTY));
  const selectedSpanId = useRunStore((s) => s.selectedSpanId);
  const selectSpan = useRunStore((s) => s.selectSpan);
  const rows = useMemo(() => layoutWaterfall(spans), [spans]);
  const [hoveredId, setHoveredId] = useState<string | null>(null);
  const total = useMemo(() => traceBounds(spans).durationMs, [spans]);
  const active = rows.find((r) => r.span.spanId === (hoveredId ?? selectedSpanId))?.span ?? null;
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
    return <div className="flex h-full items-center justify-center text-xs text-zinc-500">Loading spans…</div>;
  }

  const ticks = [0, 0.25, 0.5, 0.75, 1];
  return (
    <div className="flex h-full min-h-0" data-testid="waterfall">
      <div className="flex min-w-0 flex-1 flex-col">
        <div className="flex items-center gap-3 border-b border-zinc-100 px-3 py-1.5 text-2xs text-zinc-500">
          <span className="font-mono text-zinc-700" title={traceId}>
            trace {traceId.slice(0, 12)}
          </span>
          <span className="tabular">{rows.length} spans</span>
          <span className="tabular font-medium text-zinc-700">{formatMs(total)} total</span>
          <span className="ml-auto flex items-center gap-3" data-testid="waterfall-transports">
            {transports.map((t) => (
              <span key={t} className="flex items-center gap-1.5" data-transport={transportKey(t)}>
                <TransportLine transport={t} width={16} />
                <span style={{ color: transportStyle(t).color }}>{transportStyle(t).label}</span>
              </span>
            ))}
          </span>
        </div>
        <div className={clsx(COLS, "border-b border-zinc-100 text-[10px] text-zinc-400")}>
          <div className="px-3 py-1">Service · span</div>
          <div className="py-1">Process</div>
          <div className="relative mx-2 h-5">
            {ticks.map((t) => (
              <span
                key={t}
                className={clsx(
                  "tabular absolute top-1 whitespace-nowrap",
                  t === 0 ? "" : t === 1 ? "-translate-x-full" : "-translate-x-1/2",
                )}
                style={{ left: `${t * 100}%` }}
              >
                {formatMs(total * t)}
              </span>
            ))}
          </div>
          <div className="py-1 pr-3 text-right">Duration</div>
        </div>
        <ul className="min-h-0 flex-1 overflow-y-auto" onMouseLeave={() => setHoveredId(null)}>
          {rows.map((r) => {
            const color = barColor(r.span);
            const on = r.span.spanId === selectedSpanId;
            const outgoing = r.span.kind === SpanKind.CLIENT || r.span.kind === SpanKind.PRODUCER;
            return (
              <li key={r.span.spanId}>
                <button
                  type="button"
                  data-testid="span-row"
                  data-node={r.span.nodeId}
                  data-transport={transportKey(r.span.transport)}
                  data-trace={r.span.traceId}
                  data-duration-ms={r.span.durationMs}
                  data-depth={r.depth}
                  onClick={() => selectSpan(on ? null : r.span.spanId)}
                  onMouseEnter={() => setHoveredId(r.span.spanId)}
                  className={clsx(COLS, "h-8 w-full items-center text-left text-xs transition-colors", on ? "bg-blue-50/70" : "hover:bg-zinc-50")}
                >
                  <span className="flex min-w-0 items-center gap-1.5 pr-2" style={{ paddingLeft: 12 + r.depth * 16 }}>
                    <SpanStatusIcon status={r.span.status} className="size-3.5" />
                    <span className="shrink-0 font-medium text-zinc-900">{r.span.nodeId}</span>
                    <span className="truncate text-2xs text-zinc-500">{r.span.name}</span>
                  </span>
                  <span className="tabular truncate font-mono text-2xs text-zinc-500">pid {r.span.pid}</span>
                  <span className="relative mx-2 h-full">
                    {ticks.slice(1, -1).map((t) => (
                      <span key={t} className="absolute inset-y-0 w-px bg-zinc-100" style={{ left: `${t * 100}%` }} />
                    ))}
                    <span
                      className="absolute top-1/2 h-4 -translate-y-1/2 rounded-[3px]"
                      style={{
                        left: `${r.leftPct}%`,
                        width: `max(${r.widthPct}%, 2px)`,
                        background: isOk(r.span.status) ? color : "#ef4444",
                        opacity: outgoing ? 0.45 : 0.95,
                      }}
                    />
                  </span>
                  <span className="tabular pr-3 text-right font-medium text-zinc-800">{formatMs(r.durationMs)}</span>
                </button>
              </li>
            );
          })}
        </ul>
      </div>
      <SpanDetails span={active} />
    </div>
  );
}

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
