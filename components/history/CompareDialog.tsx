"use client";

/**
 * Two kept runs — or the two designs of one run — side by side: a table of
 * their numbers (B against A, better in green, worse in red) and their series
 * overlaid on one axis of time since each one's start. A dialog over the
 * page, like the trace comparison: the run panel is too low for both.
 */
import clsx from "clsx";
import { GitCompareArrows, X } from "lucide-react";
import { Fragment, useEffect, useMemo, useRef } from "react";
import { compareRows, type CompareRow, deltaText, type Side, type SideStats, sideStats } from "@/lib/history/compare";
import { overlay } from "@/lib/history/history-list";
import { TimeChart } from "@/components/metrics/TimeChart";
import { formatCount, formatMs, formatRate } from "@/components/ui/format";
import { closeCompare, useHistoryStore } from "./history-store";
import { trapFocus } from "@/components/ui/trap-focus";

const COLORS = { a: "#2563eb", b: "#ea580c" } as const;

function formatValue(row: CompareRow, v: number): string {
  if (row.unit === "ms") return formatMs(v);
  if (row.unit === "per_s") return formatRate(v);
  return formatCount(v);
}

function whenText(unixMs: number): string {
  return new Date(unixMs).toLocaleString("en-GB", { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

export function CompareDialog() {
  const compare = useHistoryStore((s) => s.compare);
  if (!compare) return null;
  return <CompareBody title={compare.title} sides={compare.sides} unequalLoad={compare.unequalLoad} />;
}

function CompareBody({ title, sides, unequalLoad }: { title: string; sides: [Side, Side]; unequalLoad?: string }) {
  const dialog = useRef<HTMLDivElement>(null);
  const closeButton = useRef<HTMLButtonElement>(null);
  const [a, b] = useMemo(() => [sideStats(sides[0]), sideStats(sides[1])], [sides]);
  const rows = useMemo(() => compareRows(a, b), [a, b]);
  const sameRun = sides[0].opened === sides[1].opened;
  const sameTopology = sameRun || JSON.stringify(sides[0].opened.record.topology) === JSON.stringify(sides[1].opened.record.topology);

  useEffect(() => {
    // The focus goes into the dialog, and back to where it was when it closes.
    const before = document.activeElement as HTMLElement | null;
    closeButton.current?.focus();
    return () => {
      if (before && document.contains(before)) before.focus();
    };
  }, []);

  const note = sameRun
    ? unequalLoad
      ? `One run of ${whenText(sides[0].opened.record.stoppedUnixMs)}, the same faults at the same time, but not the same load: ${unequalLoad}.`
      : `One run of ${whenText(sides[0].opened.record.stoppedUnixMs)}: both designs took the same load and the same faults at the same time.`
    : sameTopology
      ? "The same topology, run twice."
      : "Different topologies: the numbers are each run's clients' view.";

  return (
    <div className="fixed inset-0 z-50 flex items-center justify-center bg-zinc-900/30 p-4" onPointerDown={(e) => e.target === e.currentTarget && closeCompare()}>
      <div
        ref={dialog}
        role="dialog"
        aria-modal="true"
        aria-label={title}
        data-testid="history-compare-dialog"
        data-kind={sameRun ? "designs" : "runs"}
        className="flex h-[min(780px,100%)] w-[min(1280px,100%)] flex-col overflow-hidden rounded-xl border border-zinc-200 bg-white shadow-2xl"
        onKeyDown={(e) => {
          if (e.key === "Escape") {
            // Not the page's Escape too: that one would also clear the canvas's selection.
            e.stopPropagation();
            closeCompare();
          }
          if (e.key === "Tab") trapFocus(e, dialog.current);
        }}
      >
        <header className="flex shrink-0 items-center gap-3 border-b border-zinc-200 px-4 py-2.5">
          <GitCompareArrows className="size-4 text-zinc-400" />
          <h2 className="text-sm font-semibold text-zinc-900">{title}</h2>
          <span className="truncate text-xs text-zinc-500" data-testid="history-compare-note" title={note}>
            {note}
          </span>
          <button
            ref={closeButton}
            type="button"
            onClick={closeCompare}
            aria-label="Close the comparison"
            title="Close (Esc)"
            data-testid="history-compare-close"
            className="ml-auto flex size-7 shrink-0 items-center justify-center rounded-md text-zinc-500 hover:bg-zinc-100 hover:text-zinc-800 focus-visible:outline-2 focus-visible:outline-blue-500"
          >
            <X className="size-4" />
          </button>
        </header>
        <div className="grid min-h-0 flex-1 grid-cols-[minmax(500px,5fr)_7fr] divide-x divide-zinc-200">
          <div className="min-h-0 overflow-auto">
            <CompareTable a={a} b={b} rows={rows} sides={sides} sameRun={sameRun} />
          </div>
          <div className="min-h-0 overflow-auto px-3 py-2" data-testid="history-compare-charts">
            <p className="mb-1 text-2xs text-zinc-500">
              {sameRun ? "Seconds since the run's first measurement" : "Seconds since each run's first measurement, so both start at 0"}; A solid, B dashed.
            </p>
            <OverlayChart testId="delivered" title="Delivered per second (the clients' calls)" a={a} b={b} pick={(s) => s.series.delivered} format={(v) => formatCount(v)} integer />
            <OverlayChart testId="p95" title="Client's call p95" a={a} b={b} pick={(s) => s.series.p95Ms} format={formatMs} />
            <OverlayChart testId="failed" title="Failed per second" a={a} b={b} pick={(s) => s.series.failed} format={(v) => formatCount(v)} integer />
            <OverlayChart testId="queue" title="Jobs waiting in queues" a={a} b={b} pick={(s) => s.series.queueWaiting} format={(v) => formatCount(v)} integer />
          </div>
        </div>
      </div>
    </div>
  );
}

function SideHead({ side, name, detail }: { side: "a" | "b"; name: string; detail: string }) {
  return (
    <th className="px-2.5 py-2 text-right align-bottom font-medium" data-testid={`history-compare-head-${side}`}>
      <span className="flex items-center justify-end gap-1.5 text-zinc-800">
        <span className="inline-block h-0.5 w-3 rounded-full" style={{ background: COLORS[side] }} />
        {side.toUpperCase()}
      </span>
      <span className="ml-auto block max-w-[150px] truncate text-2xs font-normal text-zinc-500" title={name}>
        {name}
      </span>
      <span className="tabular block text-2xs font-normal whitespace-pre-line text-zinc-400">{detail}</span>
    </th>
  );
}

function CompareTable({ a, b, rows, sides, sameRun }: { a: SideStats; b: SideStats; rows: CompareRow[]; sides: [Side, Side]; sameRun: boolean }) {
  const detail = (i: 0 | 1, s: SideStats) => (sameRun ? `ran ${formatMs(s.durationS * 1000)}` : `${whenText(sides[i].opened.record.stoppedUnixMs)}\nran ${formatMs(s.durationS * 1000)}`);
  const firstOutcome = rows.findIndex((r) => r.key.startsWith("outcome:"));
  return (
    <table className="w-full text-xs" data-testid="history-compare-table">
      <thead className="sticky top-0 bg-white">
        <tr className="border-b border-zinc-200">
          <th className="px-3 py-2 text-left align-bottom text-2xs font-medium text-zinc-400">Measured</th>
          <SideHead side="a" name={sameRun ? (sides[0].design?.name ?? a.label) : a.label} detail={detail(0, a)} />
          <SideHead side="b" name={sameRun ? (sides[1].design?.name ?? b.label) : b.label} detail={detail(1, b)} />
          <th className="px-2.5 py-2 text-right align-bottom text-2xs font-medium text-zinc-400">B vs A</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row, i) => {
          const delta = deltaText(row);
          const outcome = row.key.startsWith("outcome:");
          return (
            <Fragment key={row.key}>
              {i === firstOutcome && (
                <tr>
                  <td colSpan={4} className="px-3 pt-3 pb-1 text-2xs font-medium text-zinc-400">
                    Failed and lost on each edge, by outcome{" "}
                    <span className="font-normal">
                      (per edge, not per message: a call that fails deep in a sync chain counts again on every edge back to its client)
                    </span>
                  </td>
                </tr>
              )}
              <tr className="border-b border-zinc-50" data-testid="history-compare-row" data-key={row.key}>
                <td className={clsx("px-3 py-1.5 whitespace-nowrap text-zinc-600", outcome && "pl-6")}>{row.label.trim()}</td>
                <td className="tabular px-2.5 py-1.5 text-right text-zinc-900" data-testid="history-compare-a" data-value={row.a}>
                  {formatValue(row, row.a)}
                </td>
                <td className="tabular px-2.5 py-1.5 text-right text-zinc-900" data-testid="history-compare-b" data-value={row.b}>
                  {formatValue(row, row.b)}
                </td>
                <td
                  className={clsx("tabular px-2.5 py-1.5 text-right whitespace-nowrap", delta.tone === "better" ? "text-emerald-700" : delta.tone === "worse" ? "text-red-700" : "text-zinc-400")}
                  data-testid="history-compare-delta"
                >
                  {delta.text}
                </td>
              </tr>
            </Fragment>
          );
        })}
        {firstOutcome < 0 && (
          <tr>
            <td colSpan={4} className="px-3 pt-3 pb-2 text-2xs text-zinc-400">
              No failed or lost messages on either side.
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

function OverlayChart({
  testId,
  title,
  a,
  b,
  pick,
  format,
  integer = false,
}: {
  testId: string;
  title: string;
  a: SideStats;
  b: SideStats;
  pick: (s: SideStats) => readonly number[];
  format: (v: number) => string;
  integer?: boolean;
}) {
  const o = useMemo(() => overlay([a, b].map((s) => ({ seconds: s.series.seconds, values: pick(s) }))), [a, b, pick]);
  const times = useMemo(() => o.seconds.map((s) => s * 1000), [o]);
  return (
    <section className="mb-2" data-testid={`history-compare-chart-${testId}`}>
      <h3 className="text-2xs font-medium text-zinc-600">{title}</h3>
      {o.seconds.length === 0 ? (
        <p className="py-3 text-2xs text-zinc-400">No series kept for these runs.</p>
      ) : (
        <TimeChart
          axis="elapsed"
          times={times}
          series={[
            { label: "A", values: o.columns[0], color: COLORS.a },
            { label: "B", values: o.columns[1], color: COLORS.b, dash: true },
          ]}
          format={format}
          integer={integer}
          height={130}
          version={o.seconds.length}
        />
      )}
    </section>
  );
}
