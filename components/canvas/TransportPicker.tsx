"use client";

import clsx from "clsx";
import { ArrowRight } from "lucide-react";
import { useEffect, useRef } from "react";
import type { Transport } from "@/lib/gen/ipcplay/v1/topology_pb";
import { ENABLED_TRANSPORTS, TRANSPORT_ORDER, TRANSPORT_STYLES } from "@/components/ui/transport-style";
import { TransportLine } from "./TransportLine";

export interface PendingConnection {
  source: string;
  target: string;
  /** Where to show the picker, in viewport pixels. */
  x: number;
  y: number;
}

/** Asks how two nodes talk, right after they are connected. */
export function TransportPicker({
  pending,
  sourceLabel,
  targetLabel,
  onPick,
  onCancel,
}: {
  pending: PendingConnection;
  sourceLabel: string;
  targetLabel: string;
  onPick: (t: Transport) => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    ref.current?.querySelector<HTMLButtonElement>("button:not([disabled])")?.focus();
    const onDown = (e: PointerEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) onCancel();
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        e.stopPropagation();
        onCancel();
      }
    };
    window.addEventListener("pointerdown", onDown, true);
    window.addEventListener("keydown", onKey, true);
    return () => {
      window.removeEventListener("pointerdown", onDown, true);
      window.removeEventListener("keydown", onKey, true);
    };
  }, [onCancel]);

  // Keep the popover on screen.
  const left = Math.min(Math.max(pending.x - 160, 8), window.innerWidth - 328);
  const top = Math.min(Math.max(pending.y + 14, 8), window.innerHeight - 260);

  return (
    <div
      ref={ref}
      role="dialog"
      aria-label="Choose a transport"
      data-testid="transport-picker"
      className="ipc-pop fixed z-50 w-[320px] overflow-hidden rounded-xl border border-zinc-200 bg-white shadow-xl shadow-zinc-900/10"
      style={{ left, top }}
    >
      <div className="flex items-center gap-1.5 border-b border-zinc-100 px-3 py-2.5 text-xs text-zinc-500">
        <span className="truncate font-medium text-zinc-900">{sourceLabel}</span>
        <ArrowRight className="size-3 shrink-0" />
        <span className="truncate font-medium text-zinc-900">{targetLabel}</span>
        <span className="ml-auto shrink-0">How do they talk?</span>
      </div>
      <div className="flex flex-col p-1">
        {TRANSPORT_ORDER.map((t) => {
          const s = TRANSPORT_STYLES[t];
          const on = ENABLED_TRANSPORTS.has(t);
          return (
            <button
              key={t}
              type="button"
              disabled={!on}
              data-testid={`pick-${s.short.toLowerCase().replace(/[^a-z]/g, "")}`}
              onClick={() => onPick(t)}
              className={clsx(
                "flex items-start gap-3 rounded-lg px-2.5 py-2 text-left transition-colors",
                "focus-visible:bg-zinc-100 focus-visible:outline-none enabled:hover:bg-zinc-100 disabled:cursor-not-allowed",
              )}
            >
              <span className="mt-1.5 flex">
                <TransportLine transport={t} width={24} />
              </span>
              <span className="min-w-0 flex-1">
                <span className={clsx("block text-[13px] font-medium", on ? "text-zinc-900" : "text-zinc-400")}>{s.label}</span>
                <span className={clsx("block text-2xs leading-snug", on ? "text-zinc-500" : "text-zinc-400")}>{s.description}</span>
              </span>
              {!on && <span className="shrink-0 rounded bg-zinc-100 px-1.5 py-px text-[10px] font-medium text-zinc-500">soon</span>}
            </button>
          );
        })}
      </div>
    </div>
  );
}
