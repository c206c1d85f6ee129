"use client";

/**
 * The History tab: every stopped run this browser kept (newest first), two
 * of them picked to compare, a run of two designs compared within itself;
 * delete, export to a file, import one.
 */
import clsx from "clsx";
import { Columns2, Download, GitCompareArrows, History, Trash2, Upload } from "lucide-react";
import { useEffect, useRef } from "react";
import { MAX_KEPT_RUNS, type HistoryRow } from "@/lib/history/history-list";
import { Button } from "@/components/ui/Button";
import { formatCount, formatMs } from "@/components/ui/format";
import { replayKeptRun } from "@/components/replay/replay-file";
import { compareDesigns, compareRuns, exportRuns, importRunsFile, loadHistory, removeRun, togglePicked, useHistoryStore } from "./history-store";
import { JsonFileInput } from "@/components/ui/JsonFileInput";

const NUM = "tabular px-2.5 py-1.5 text-right whitespace-nowrap";
const HEAD = "px-2.5 py-1.5 text-right font-medium whitespace-nowrap";

/** "Dec 2, 14:05:09": a kept run may be from another day. */
function whenText(unixMs: number): string {
  return new Date(unixMs).toLocaleString("en-GB", { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

export function HistoryTab() {
  const rows = useHistoryStore((s) => s.rows);
  const loaded = useHistoryStore((s) => s.loaded);
  const error = useHistoryStore((s) => s.error);
  const picked = useHistoryStore((s) => s.picked);
  const fileInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    void loadHistory();
  }, []);

  const importButton = (
    <>
      <Button size="sm" variant="ghost" onClick={() => fileInput.current?.click()} data-testid="history-import" title="Add the runs of a runs file (exported here) to the history">
        <Upload className="size-3.5" />
        Import
      </Button>
      <JsonFileInput inputRef={fileInput} testId="history-import-file" onFile={(file) => void importRunsFile(file)} />
    </>
  );

  if (loaded && rows.length === 0) {
    return (
      <div className="flex h-full flex-col items-center justify-center gap-2 px-6 text-center text-xs text-zinc-500" data-testid="history-empty">
        {error ? (
          <p className="text-amber-700">{error}</p>
        ) : (
          <p>
            No runs kept yet. Every run you stop is kept here, in this browser — its topology, summary and metrics — so you can compare two of them, or the
            two designs of one run.
          </p>
        )}
        {importButton}
      </div>
    );
  }

  return (
    <div className="flex h-full flex-col" data-testid="history">
      <div className="flex shrink-0 items-center gap-2 border-b border-zinc-100 px-3 py-1.5 text-2xs text-zinc-500">
        <span data-testid="history-count">
          {rows.length} run{rows.length === 1 ? "" : "s"} kept in this browser (the newest {MAX_KEPT_RUNS})
        </span>
        {error && <span className="text-amber-700">{error}</span>}
        <span className="ml-auto flex items-center gap-1">
          <span className="mr-1">{picked.length === 2 ? "2 picked" : `pick ${2 - picked.length} more to compare`}</span>
          <Button
            size="sm"
            variant="primary"
            disabled={picked.length !== 2}
            onClick={() => void compareRuns(picked[0], picked[1])}
            data-testid="history-compare"
            title="The two picked runs side by side"
          >
            <GitCompareArrows className="size-3.5" />
            Compare
          </Button>
          <Button size="sm" variant="ghost" onClick={() => void exportRuns()} data-testid="history-export" title={picked.length ? "Download the picked runs as a file" : "Download every kept run as a file"}>
            <Download className="size-3.5" />
            Export{picked.length ? ` ${picked.length}` : " all"}
          </Button>
          {importButton}
        </span>
      </div>
      <div className="min-h-0 flex-1 overflow-auto">
        <table className="w-full text-xs">
          <thead className="sticky top-0 bg-white text-2xs text-zinc-400">
            <tr className="border-b border-zinc-100">
              <th className="w-8 px-3 py-1.5" aria-label="Pick" />
              <th className="px-2.5 py-1.5 text-left font-medium">Run</th>
              <th className="px-2.5 py-1.5 text-left font-medium">Stopped</th>
              <th className={HEAD}>Ran</th>
              <th className={HEAD} title="What the clients sent into the topology">
                Sent
              </th>
              <th className={HEAD}>Delivered</th>
              <th className={HEAD}>Failed</th>
              <th className={HEAD} title="The client's call, the slowest of its edges">
                p50
              </th>
              <th className={HEAD}>p95</th>
              <th className="px-2.5 py-1.5" aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <Row key={r.runId} row={r} picked={picked.includes(r.runId)} />
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function Row({ row, picked }: { row: HistoryRow; picked: boolean }) {
  const designs = row.designs.length >= 2;
  return (
    <tr className={clsx("border-b border-zinc-50", picked ? "bg-blue-50/60" : "hover:bg-zinc-50")} data-testid="history-row" data-run-id={row.runId} data-picked={picked}>
      <td className="px-3 py-1.5">
        <input
          type="checkbox"
          checked={picked}
          onChange={() => togglePicked(row.runId)}
          aria-label={`Pick ${row.name}, stopped ${whenText(row.stoppedUnixMs)}, to compare`}
          data-testid="history-pick"
          className="size-3.5 accent-zinc-900"
        />
      </td>
      <td className="max-w-[240px] truncate px-2.5 py-1.5 font-medium text-zinc-800" title={`${row.name} · run ${row.runId}`}>
        {row.name}
      </td>
      <td className="tabular px-2.5 py-1.5 whitespace-nowrap text-zinc-500">{whenText(row.stoppedUnixMs)}</td>
      <td className={NUM}>{formatMs(row.durationMs)}</td>
      <td className={NUM} data-testid="history-sent">
        {formatCount(row.sent)}
      </td>
      <td className={NUM}>{formatCount(row.delivered)}</td>
      <td className={clsx(NUM, row.failed + row.lost ? "text-red-600" : "text-zinc-400")} title={row.lost ? `${formatCount(row.lost)} more lost` : undefined}>
        {formatCount(row.failed)}
      </td>
      <td className={NUM}>{formatMs(row.p50Ms)}</td>
      <td className={NUM}>{formatMs(row.p95Ms)}</td>
      <td className="px-2.5 py-1 text-right whitespace-nowrap">
        <Button
          size="sm"
          variant="ghost"
          className="mr-1"
          onClick={() => void replayKeptRun(row.runId)}
          data-testid="history-replay"
          title="Replay this run: its canvas, numbers and traces, moved with a time scrubber; no server needed"
        >
          <History className="size-3.5" />
          Replay
        </Button>
        {designs && (
          <Button
            size="sm"
            variant="secondary"
            onClick={() => void compareDesigns(row.runId)}
            data-testid="history-compare-designs"
            title={`${row.designs.slice(0, 2).join(" vs ")}: both took this run's load and faults at once`}
          >
            <Columns2 className="size-3.5" />
            Compare designs
          </Button>
        )}
        <button
          type="button"
          onClick={() => void removeRun(row.runId)}
          aria-label={`Delete the run of ${row.name} stopped ${whenText(row.stoppedUnixMs)}`}
          title="Delete from the history"
          data-testid="history-delete"
          className="ml-1 inline-flex size-7 items-center justify-center rounded-md align-middle text-zinc-400 hover:bg-red-50 hover:text-red-600"
        >
          <Trash2 className="size-3.5" />
        </button>
      </td>
    </tr>
  );
}
