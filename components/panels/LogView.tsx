"use client";

import clsx from "clsx";
import { useEffect, useRef } from "react";
import { useRunStore } from "@/components/state/run-store";
import { formatClock } from "@/components/ui/format";

export function LogView() {
  const logs = useRunStore((s) => s.logs);
  const ref = useRef<HTMLDivElement>(null);
  const stick = useRef(true);

  useEffect(() => {
    const el = ref.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [logs]);

  if (logs.length === 0) {
    return <div className="flex h-full items-center justify-center text-xs text-zinc-500">Process output and run events appear here.</div>;
  }
  return (
    <div
      ref={ref}
      className="h-full overflow-y-auto py-1 font-mono text-2xs"
      data-testid="log"
      onScroll={(e) => {
        const el = e.currentTarget;
        stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
      }}
    >
      {logs.map((l, i) => (
        <div key={i} className="grid grid-cols-[92px_96px_1fr] gap-2 px-3 py-0.5 hover:bg-zinc-50">
          <span className="tabular text-zinc-400">{formatClock(l.unixMs)}</span>
          <span className="truncate text-zinc-600">{l.nodeId || "run"}</span>
          <span
            className={clsx(
              "break-words whitespace-pre-wrap",
              l.level === "error" ? "text-red-600" : l.level === "warn" ? "text-amber-700" : "text-zinc-800",
            )}
          >
            {l.message}
          </span>
        </div>
      ))}
    </div>
  );
}
