"use client";

import { useVirtualizer } from "@tanstack/react-virtual";
import clsx from "clsx";
import { ArrowUp, ChevronRight, Pause, X } from "lucide-react";
import { memo, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useShallow } from "zustand/react/shallow";
import type { TraceSummary } from "@/lib/gen/ipcplay/v1/playground_pb";
import { loadTrace } from "@/components/state/run-actions";
import { useRunStore } from "@/components/state/run-store";
import { useDocumentStore } from "@/components/state/document-store";
import { emptyTracesText } from "@/components/state/send-text";
import { NodeKind } from "@/lib/gen/ipcplay/v1/topology_pb";
import { formatClock, formatMs } from "@/components/ui/format";
import { Tooltip } from "@/components/ui/Tooltip";
import { spanStatusLabel } from "@/lib/trace";
import { SpanStatusIcon } from "@/components/ui/status";
import { newerThan, samplingText } from "./trace-list-text";
import { useHealthStore } from "@/components/state/health-store";
import { isPicking, useTraceCompare } from "@/components/state/trace-compare";
import { countText, type EdgeEnds, filterTraces, isFiltering, STATUS_CHOICES, type StatusFilter } from "./trace-filter";

/** Every row has this height (px): the virtualiser needs no measuring. */
const ROW_PX = 29;
const COLS = "grid grid-cols-[16px_1fr_64px_72px] gap-2";

export function TraceList() {
  const traces = useRunStore((s) => s.traces);
  // While the pointer is over the list it shows a snapshot, so a row can be clicked at any rate.
  const [held, setHeld] = useState<TraceSummary[] | null>(null);
  const selected = useRunStore((s) => s.selectedTraceId);
  const phase = useRunStore((s) => s.phase);
  const runId = useRunStore((s) => s.runId);
  // The clients' rates as one string, so the list re-renders only when one changes.
  const clientRates = useDocumentStore((s) =>
    s.nodes
      .filter((n) => n.data.node.kind === NodeKind.CLIENT)
      .map((n) => n.data.node.traffic?.ratePerSecond ?? 0)
      .join(","),
  );
  const scrollRef = useRef<HTMLDivElement>(null);
  // The scroll element as state too: the rows' virtualiser starts in a layout effect that runs before this
  // parent's ref is attached, so a list mounted with its traces already there (back to the Traces tab after
  // Stop) found no scroll element and drew no row until the next trace, which a stopped run never sends.
  const [scrollEl, setScrollEl] = useState<HTMLDivElement | null>(null);
  const attachScroll = useCallback((el: HTMLDivElement | null) => {
    scrollRef.current = el;
    setScrollEl(el);
  }, []);
  const filter = useHealthStore((s) => s.filter);
  const edgeKey = useDocumentStore((s) => s.edges.map((e) => `${e.id}\u0000${e.source}\u0000${e.target}`).join("\u0001"));
  const edgeEnds = useMemo(() => {
    const ends: Record<string, EdgeEnds> = {};
    for (const part of edgeKey ? edgeKey.split("\u0001") : []) {
      const [id, source, target] = part.split("\u0000");
      ends[id] = { source, target };
    }
    return ends;
  }, [edgeKey]);

  const all = held ?? traces;
  // The spans are read, not watched: a held list changes only when the filter does.
  const shown = useMemo(() => filterTraces(all, filter, useRunStore.getState().spansByTrace, edgeEnds), [all, filter, edgeEnds]);
  const filtering = isFiltering(filter);
  const newer = held ? newerThan(traces, held) : null;

  const jumpToNewest = () => {
    setHeld(traces);
    scrollRef.current?.scrollTo({ top: 0 });
  };

  return (
    <div
      className="flex h-full flex-col"
      data-testid="trace-list"
      data-held={held ? "true" : "false"}
      onPointerEnter={() => setHeld(useRunStore.getState().traces)}
      onPointerLeave={() => setHeld(null)}
    >
      <SamplingNote />
      <OtlpPushNote />
      <PickingNote />
      {traces.length > 0 && <FilterBar shown={shown.length} total={all.length} />}
      {filter.edge && <EdgeFilterChip edgeId={filter.edge} />}
      {traces.length > 0 && (
        <div className={clsx(COLS, "h-7 shrink-0 items-center border-b border-zinc-100 bg-white px-3 text-2xs font-medium text-zinc-400")}>
          <span />
          {held ? (
            // Held: the note and the chip take the Path and Duration headings' room.
            <span className="col-span-2 flex min-w-0 items-center gap-2 text-zinc-500">
              <span className="flex items-center gap-1 whitespace-nowrap">
                <Pause className="size-3" /> Held while you point
              </span>
              {newer && newer.count > 0 && (
                <button
                  type="button"
                  data-testid="trace-list-newer"
                  onClick={jumpToNewest}
                  title="Show the newest traces"
                  className="tabular ml-auto flex items-center gap-0.5 rounded-full bg-blue-50 px-1.5 leading-4 whitespace-nowrap text-blue-700 hover:bg-blue-100"
                >
                  <ArrowUp className="size-3" />
                  {newer.label}
                </button>
              )}
            </span>
          ) : (
            <>
              <span>Path</span>
              <span className="text-right">Duration</span>
            </>
          )}
          <span className="text-right">Time</span>
        </div>
      )}
      {/* Mounted even while empty: the virtualiser needs its scroll element before the first rows, or a
          batch that arrives at once (Send 10) was counted in the tab but drew no row until the next trace. */}
      <div ref={attachScroll} className="min-h-0 flex-1 overflow-y-auto">
        {traces.length === 0 ? (
          <div className="flex h-full items-center justify-center px-6 text-center text-xs text-zinc-500">
            {phase === "running"
              ? emptyTracesText(clientRates ? clientRates.split(",").map(Number) : [])
              : runId?.startsWith("replay:")
                ? "No trace had begun by this time of the replay: move the scrubber on."
                : "Traces of every message appear here while a run is going."}
          </div>
        ) : filtering && shown.length === 0 ? (
          <div className="flex h-full items-center justify-center px-6 text-center text-xs text-zinc-500" data-testid="trace-filter-empty">
            No trace in the list matches the filter.
          </div>
        ) : (
          <TraceRows traces={shown} selected={selected} scrollEl={scrollEl} />
        )}
      </div>
    </div>
  );
}

/**
 * The visible rows only. Memoised on the list it shows: while the list is
 * held, new traces re-render the header's count and nothing here.
 */
const TraceRows = memo(function TraceRows({
  traces,
  selected,
  scrollEl,
}: {
  traces: TraceSummary[];
  selected: string | null;
  scrollEl: HTMLDivElement | null;
}) {
  const getItemKey = useCallback((i: number) => traces[i].traceId, [traces]);
  const virtualizer = useVirtualizer({
    count: traces.length,
    getScrollElement: () => scrollEl,
    estimateSize: () => ROW_PX,
    getItemKey,
    overscan: 6,
  });
  return (
    <ul className="relative w-full" style={{ height: virtualizer.getTotalSize() }}>
      {virtualizer.getVirtualItems().map((v) => {
        const t = traces[v.index];
        return <TraceRow key={t.traceId} trace={t} top={v.start} selected={t.traceId === selected} />;
      })}
    </ul>
  );
});

const TraceRow = memo(function TraceRow({ trace, top, selected }: { trace: TraceSummary; top: number; selected: boolean }) {
  const path = trace.nodeIds.length ? trace.nodeIds : [trace.rootNodeId];
  return (
    <li className="absolute inset-x-0" style={{ top, height: ROW_PX }}>
      <button
        type="button"
        data-testid="trace-row"
        data-trace-id={trace.traceId}
        data-duration-ms={trace.durationMs}
        onClick={() => {
          const run = useRunStore.getState();
          run.selectTrace(trace.traceId);
          // While trace A of a comparison is pinned, the click picks B and the comparison opens.
          const compare = useTraceCompare.getState();
          if (isPicking(compare)) compare.pick(trace.traceId, run.spansByTrace[trace.traceId]);
          void loadTrace(trace.traceId, trace.spanCount);
        }}
        className={clsx(
          COLS,
          "h-full w-full items-center border-b border-zinc-50 px-3 text-left text-xs",
          selected ? "bg-blue-50 text-zinc-900" : "text-zinc-700 hover:bg-zinc-50",
        )}
        title={`${spanStatusLabel(trace.status)} · ${trace.spanCount} spans`}
      >
        <SpanStatusIcon status={trace.status} />
        <span
          className="flex min-w-0 items-center gap-0.5 overflow-hidden font-mono text-2xs [mask-image:linear-gradient(to_right,black_85%,transparent)]"
          title={trace.rootSeen ? path.join(" → ") : `in flight: its first spans have not arrived yet · ${path.join(" → ")}`}
        >
          {!trace.rootSeen && (
            <span data-testid="trace-in-flight" className="text-zinc-400">
              …
            </span>
          )}
          {path.map((id, i) => (
            // Whole names on one line; a path longer than the column fades out at its end.
            <span key={i} className="flex shrink-0 items-center gap-0.5 whitespace-nowrap">
              {(i > 0 || !trace.rootSeen) && <ChevronRight className="size-3 shrink-0 text-zinc-300" />}
              <span className={i === 0 && trace.rootSeen ? "font-semibold text-zinc-900" : ""}>{id}</span>
            </span>
          ))}
        </span>
        <span className="tabular text-right font-medium">{formatMs(trace.durationMs)}</span>
        <span className="tabular text-right font-mono text-2xs text-zinc-400">{formatClock(trace.startUnixMs).slice(0, 8)}</span>
      </button>
    </li>
  );
});

const FIELD = "h-6 min-w-0 rounded border border-zinc-200 bg-white px-1 text-2xs text-zinc-700 focus:border-blue-400 focus:outline-none";

/** Trace search: service, edge, status and minimum duration, a clear button and "N of M traces". */
function FilterBar({ shown, total }: { shown: number; total: number }) {
  const filter = useHealthStore((s) => s.filter);
  const setFilter = useHealthStore((s) => s.setFilter);
  const clear = useHealthStore((s) => s.clearFilter);
  const services = useDocumentStore((s) => s.nodes.map((n) => n.id).join("\u0000"));
  const edges = useDocumentStore((s) => s.edges.map((e) => e.id).join("\u0000"));
  const edgeNames = useEdgeNames();
  const filtering = isFiltering(filter);
  const serviceList = services ? services.split("\u0000") : [];
  const edgeList = edges ? edges.split("\u0000") : [];
  // A filter on an edge or node no longer drawn still shows, so it can be seen and cleared.
  if (filter.service && !serviceList.includes(filter.service)) serviceList.push(filter.service);
  if (filter.edge && !edgeList.includes(filter.edge)) edgeList.push(filter.edge);
  return (
    <div
      role="search"
      aria-label="Filter the traces"
      className="flex shrink-0 items-center gap-1 border-b border-zinc-100 px-2 py-1"
      data-testid="trace-filter"
      onKeyDown={(e) => {
        if (e.key === "Escape" && filtering) {
          e.stopPropagation();
          clear();
        }
      }}
    >
      <select aria-label="Service" title={filter.service ? `Through ${filter.service}` : "Any service"} data-testid="trace-filter-service" className={clsx(FIELD, "w-0 flex-1", filter.service && "border-blue-300 bg-blue-50")} value={filter.service} onChange={(e) => setFilter({ service: e.target.value })}>
        <option value="">service</option>
        {serviceList.map((id) => (
          <option key={id} value={id}>
            {id}
          </option>
        ))}
      </select>
      <select aria-label="Edge" title={filter.edge ? `Across edge ${filter.edge}` : "Any edge"} data-testid="trace-filter-edge" className={clsx(FIELD, "w-0 flex-1", filter.edge && "border-blue-300 bg-blue-50")} value={filter.edge} onChange={(e) => setFilter({ edge: e.target.value })}>
        <option value="">edge</option>
        {edgeList.map((id) => (
          <option key={id} value={id}>
            {edgeNames[id] ?? id}
          </option>
        ))}
      </select>
      <select aria-label="Status" title="Status of the whole trace" data-testid="trace-filter-status" className={clsx(FIELD, "w-0 flex-1", filter.status && "border-blue-300 bg-blue-50")} value={filter.status} onChange={(e) => setFilter({ status: e.target.value as StatusFilter })}>
        {STATUS_CHOICES.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </select>
      <label className="flex items-center gap-0.5 text-2xs text-zinc-400" title="Only traces that took at least this long">
        ≥
        <input
          type="number"
          min={0}
          step={10}
          inputMode="numeric"
          aria-label="Minimum duration in milliseconds"
          data-testid="trace-filter-min"
          placeholder="ms"
          className={clsx(FIELD, "tabular w-[48px]", filter.minMs > 0 && "border-blue-300 bg-blue-50")}
          value={filter.minMs > 0 ? filter.minMs : ""}
          onChange={(e) => {
            const v = Number(e.target.value);
            setFilter({ minMs: Number.isFinite(v) && v > 0 ? v : 0 });
          }}
        />
      </label>
      <span className="tabular shrink-0 pl-1 text-2xs whitespace-nowrap text-zinc-500" data-testid="trace-filter-count" aria-live="polite">
        {countText(shown, total, filtering)}
      </span>
      <button
        type="button"
        data-testid="trace-filter-clear"
        disabled={!filtering}
        onClick={clear}
        title="Clear the filter (Esc)"
        aria-label="Clear the filter"
        className="flex size-5 shrink-0 items-center justify-center rounded text-zinc-400 hover:bg-zinc-100 hover:text-zinc-700 disabled:opacity-30"
      >
        <X className="size-3.5" />
      </button>
    </div>
  );
}

/** One quiet line on what the list is: every trace, or a sample of them. */
function SamplingNote() {
  // Primitives only: useShallow then re-renders this line only when a number changes.
  const view = useRunStore(
    useShallow((s) => ({
      known: s.sampling !== null,
      oneIn: s.sampling?.oneIn ?? 0,
      started: s.sampling?.started ?? 0,
      sampled: s.sampling?.sampled ?? 0,
      kept: s.sampling?.kept ?? 0,
      budgetPerSecond: s.sampling?.budgetPerSecond ?? 0,
      droppedSpans: s.sampling?.droppedSpans ?? 0,
      evictedTraces: s.sampling?.evictedTraces ?? 0,
      tracesLeft: s.tracesLeft,
    })),
  );
  const text = samplingText(view.known ? view : null, view.tracesLeft);
  if (!text) return null;
  return (
    <div
      className="shrink-0 border-b border-zinc-100 bg-zinc-50/60 px-3 py-1 text-2xs leading-4 text-zinc-500"
      data-testid="sampling-note"
      data-one-in={view.known ? view.oneIn : ""}
    >
      <Tooltip
        align="start"
        content={
          <span className="flex flex-col">
            {text.details.map((line) => (
              <span key={line}>{line}</span>
            ))}
          </span>
        }
      >
        {/* The tail wraps to a second line rather than running under the waterfall. */}
        <span className="cursor-default" tabIndex={0}>
          {/* Lines break between the phrases, never inside one; the tail has a line of its own. */}
          {text.headline.split(" · ").map((phrase, i) => (
            <span key={phrase}>
              {i > 0 && " · "}
              <span className="whitespace-nowrap">{phrase}</span>
            </span>
          ))}
          {text.tail && <span className="block text-zinc-400 first-letter:uppercase">{text.tail}</span>}
        </span>
      </Tooltip>
      {text.evicted && (
        <span className="block text-zinc-600" data-testid="evicted-note" data-evicted={view.evictedTraces}>
          {text.evicted}
        </span>
      )}
    </div>
  );
}

/** While the server pushes the run's spans to an OTLP collector: where, how many went, how many did not. */
function OtlpPushNote() {
  const push = useRunStore(
    useShallow((s) => ({
      endpoint: s.info?.otlpPush?.endpoint ?? "",
      exported: s.info?.otlpPush?.exported ?? 0,
      dropped: s.info?.otlpPush?.dropped ?? 0,
      lastError: s.info?.otlpPush?.lastError ?? "",
    })),
  );
  if (!push.endpoint) return null;
  return (
    <div
      className={clsx("shrink-0 truncate border-b border-zinc-100 px-3 py-1 text-2xs leading-4", push.dropped > 0 ? "bg-amber-50 text-amber-800" : "bg-zinc-50/60 text-zinc-500")}
      data-testid="otlp-push-note"
      data-dropped={push.dropped}
      title={push.lastError ? `${push.endpoint}: ${push.lastError}` : push.endpoint}
    >
      OTLP push · {push.exported.toLocaleString("en-US")} spans sent
      {push.dropped > 0 && ` · ${push.dropped.toLocaleString("en-US")} dropped (collector down or slow)`}
    </div>
  );
}

/** "client → orders" for each edge id, by its ends' labels; re-renders only when one changes. */
function useEdgeNames(): Record<string, string> {
  const key = useDocumentStore((s) => {
    const label = (id: string) => s.nodes.find((n) => n.id === id)?.data.node.label || id;
    return s.edges.map((e) => `${e.id}\u0000${label(e.source)} → ${label(e.target)}`).join("\u0001");
  });
  return useMemo(() => Object.fromEntries(key ? key.split("\u0001").map((p) => p.split("\u0000")) : []), [key]);
}

/**
 * The edge the list is filtered to, by name, with a button that removes it:
 * a click on an edge sets it, and the list must say why it shows fewer traces.
 */
function EdgeFilterChip({ edgeId }: { edgeId: string }) {
  const names = useEdgeNames();
  const setFilter = useHealthStore((s) => s.setFilter);
  const name = names[edgeId] ?? edgeId;
  return (
    <div className="flex shrink-0 items-center gap-1.5 border-b border-zinc-100 bg-blue-50/60 px-3 py-1 text-2xs text-zinc-600" data-testid="trace-filter-edge-chip" data-edge={edgeId}>
      <span>Traces across</span>
      <span className="inline-flex min-w-0 items-center gap-1 rounded-full bg-white py-0.5 pr-0.5 pl-2 font-medium text-blue-800 ring-1 ring-blue-200">
        <span className="truncate" title={`Edge ${edgeId}`}>
          {name}
        </span>
        <button
          type="button"
          onClick={() => setFilter({ edge: "" })}
          aria-label={`Remove the filter on edge ${name}`}
          title="Show the traces of every edge"
          data-testid="trace-filter-edge-remove"
          className="flex size-4 items-center justify-center rounded-full text-blue-500 hover:bg-blue-100 hover:text-blue-800 focus-visible:outline-2 focus-visible:outline-blue-500"
        >
          <X className="size-3" />
        </button>
      </span>
    </div>
  );
}

/** While trace A of a comparison is pinned: what a click in the list now does, and how to stop. */
function PickingNote() {
  const a = useTraceCompare((s) => (isPicking(s) ? s.a!.traceId : null));
  useEffect(() => {
    if (!a) return;
    // Before the page's own Escape (which clears the canvas's selection): this one only stops the picking.
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      e.stopPropagation();
      useTraceCompare.getState().close();
    };
    window.addEventListener("keydown", onKey, true);
    return () => window.removeEventListener("keydown", onKey, true);
  }, [a]);
  if (!a) return null;
  return (
    <div className="flex shrink-0 items-center gap-2 border-b border-indigo-100 bg-indigo-50 px-3 py-1.5 text-2xs text-indigo-900" data-testid="trace-compare-picking" role="status">
      <span>
        Pick trace <span className="font-semibold">B</span> to compare with <span className="font-mono">{a.slice(0, 12)}</span>
      </span>
      <button type="button" onClick={() => useTraceCompare.getState().close()} className="ml-auto font-medium text-indigo-700 hover:underline" title="Stop comparing (Esc)">
        Cancel
      </button>
    </div>
  );
}
