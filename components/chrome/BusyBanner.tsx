"use client";

import { TriangleAlert } from "lucide-react";
import { isLive, useRunStore } from "@/components/state/run-store";
import { BUSY_HEADLINE } from "./machine-text";

/**
 * The plain warning under the top bar while the machine is saturated, so a
 * slow design is not mistaken for a busy laptop (or the other way round).
 * The server raises and clears it with hysteresis, so it does not flicker.
 */
export function BusyBanner() {
  const machine = useRunStore((s) => (isLive(s.phase) ? s.info?.machine : undefined));
  if (!machine?.busy) return null;
  return (
    <div
      role="status"
      data-testid="machine-busy"
      className="flex min-h-9 shrink-0 items-center gap-2.5 border-b border-amber-200 bg-amber-50 px-4 py-1.5 text-xs text-amber-900"
    >
      <TriangleAlert className="size-4 shrink-0 text-amber-600" />
      <span className="shrink-0 font-semibold whitespace-nowrap">{BUSY_HEADLINE}.</span>
      {machine.busyReason && (
        <span data-testid="machine-busy-reason" className="min-w-0 truncate text-amber-800" title={machine.busyReason}>
          {machine.busyReason}
        </span>
      )}
      <span className="ml-auto hidden shrink-0 pl-2 text-amber-700/80 2xl:inline">Compare latencies once it clears, or close other programs.</span>
    </div>
  );
}
