"use client";

import clsx from "clsx";
import { Cpu, MemoryStick, TriangleAlert } from "lucide-react";
import { isLive, useRunStore } from "@/components/state/run-store";
import { Tooltip } from "@/components/ui/Tooltip";
import { machineText } from "./machine-text";

/**
 * The machine's CPU and memory and the server's own share, in the top bar
 * while a run is live: what the playground itself costs, next to what the
 * design costs on the canvas.
 */
export function MachineMeter() {
  const machine = useRunStore((s) => (isLive(s.phase) ? s.info?.machine : undefined));
  if (!machine) return null;
  const text = machineText(machine);
  return (
    <Tooltip content={text.explain} align="end">
      <div
        data-testid="machine-load"
        data-busy={machine.busy || undefined}
        className={clsx(
          "tabular flex h-7 items-center gap-1.5 rounded-full border px-2.5 text-2xs whitespace-nowrap transition-colors",
          machine.busy ? "border-amber-300 bg-amber-50 text-amber-900" : "border-zinc-200 bg-zinc-50 text-zinc-500",
        )}
      >
        {machine.busy ? <TriangleAlert className="size-3.5 text-amber-600" /> : <Cpu className="size-3.5 text-zinc-400" />}
        <LoadBar percent={machine.cpuPercent} hot={machine.busy} />
        <span>
          <b className={clsx("font-semibold", machine.busy ? "text-amber-900" : "text-zinc-800")} data-testid="machine-cpu">
            {text.cpu}
          </b>
          <span className="hidden xl:inline"> {text.cores}</span>
        </span>
        {/* Below xl (1280 px) the bar is full with the run's buttons: the meter keeps the
            machine's CPU and the tooltip says the rest. */}
        <span className="hidden items-center gap-1.5 xl:flex">
          <MemoryStick className="ml-1 size-3.5 text-zinc-400" />
          <span data-testid="machine-memory" className={machine.busy ? "text-amber-900" : "text-zinc-700"}>
            {text.memory}
          </span>
          <span className="mx-1 h-3.5 w-px bg-zinc-300/70" />
          <span className="text-zinc-400">server</span>
          <span data-testid="server-usage" className={machine.busy ? "text-amber-900" : "text-zinc-700"}>
            {text.server}
          </span>
        </span>
      </div>
    </Tooltip>
  );
}

/** A short bar of the machine's CPU, 0–100 %. */
function LoadBar({ percent, hot }: { percent: number; hot: boolean }) {
  return (
    <span className="relative h-1.5 w-8 overflow-hidden rounded-full bg-zinc-200" aria-hidden>
      <span
        className={clsx(
          "absolute inset-y-0 left-0 rounded-full transition-[width] duration-500",
          hot ? "bg-amber-500" : percent >= 75 ? "bg-amber-400" : "bg-zinc-500",
        )}
        style={{ width: `${Math.min(100, Math.max(0, percent))}%` }}
      />
    </span>
  );
}
