"use client";

import clsx from "clsx";
import { ChevronRight, Pause } from "lucide-react";
import { memo, useState } from "react";
import type { TraceSummary } from "@/lib/gen/ipcplay/v1/playground_pb";
import { loadTrace } from "@/components/state/run-actions";
import { useRunStore } from "@/components/state/run-store";
import { formatClock, formatMs } from "@/components/ui/format";
import { spanStatusLabel } from "@/lib/trace";
import { SpanStatusIcon } from "@/components/ui/status";

export function TraceList() {
  const traces = useRunStore((s) => s.traces);
  // While the pointer is over the list it holds still, so a row can be clicked at any rate.
  const [held, setHeld] = useState<TraceSummary[] | null>(null);
  const selected = useRunStore((s) => s.selectedTraceId);
  const phase = useRunStore((s) => s.phase);

  if (traces.length === 0) {
    return (
      <div className="flex h-full items-center justify-center px-6 text-center text-xs text-zinc-500">
        {phase === "running" ? "Waiting for the first message to finish…" : "Traces of every message appear here while a run is going."}
      </div>
    );
  }
  const shown = held ?? traces;
  const newer = held ? (held.length ? Math.max(0, traces.findIndex((t) => t.traceId === held[0].traceId)) : traces.length) : 0;
  return (
    <div
      className="h-full overflow-y-auto"
      data-testid="trace-list"
      data-held={held ? "true" : "false"}
      onPointerEnter={() => setHeld(traces)}
      onPointerLeave={() => setHeld(null)}
    >
      <div className="sticky top-0 z-10 grid grid-cols-[16px_1fr_64px_72px] gap-2 border-b border-zinc-100 bg-white px-3 py-1.5 text-2xs font-medium text-zinc-400">
        <span />
        {held ? (
          <span className="flex items-center gap-1 text-zinc-500">
            <Pause className="size-3" /> Held while you point{newer > 0 ? ` · ${newer} newer` : ""}
          </span>
        ) : (
          <span>Path</span>
        )}
        <span className="text-right">Duration</span>
        <span className="text-right">Time</span>
      </div>
      <ul>
        {shown.map((t) => (
          <TraceRow key={t.traceId} trace={t} selected={t.traceId === selected} />
        ))}
      </ul>
    </div>
  );
}

const TraceRow = memo(function TraceRow({ trace, selected }: { trace: TraceSummary; selected: boolean }) {
  const selectTrace = useRunStore((s) => s.selectTrace);
  const path = trace.nodeIds.length ? trace.nodeIds : [trace.rootNodeId];
  return (
    // Rows out of view skip layout and paint: the list gets a new row every few milliseconds.
    <li className="[contain-intrinsic-size:auto_29px] [content-visibility:auto]">
      <button
        type="button"
        data-testid="trace-row"
        data-trace-id={trace.traceId}
        onClick={() => {
          selectTrace(trace.traceId);
          void loadTrace(trace.traceId, trace.spanCount);
        }}
        className={clsx(
          "ipc-row-new grid w-full grid-cols-[16px_1fr_64px_72px] items-center gap-2 border-b border-zinc-50 px-3 py-1.5 text-left text-xs transition-colors",
          selected ? "!bg-blue-50 text-zinc-900" : "text-zinc-700 hover:bg-zinc-50",
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
            <span key={i} className="flex items-center gap-0.5">
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
