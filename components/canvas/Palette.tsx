"use client";

import clsx from "clsx";
import { GripVertical, MonitorSmartphone, Server } from "lucide-react";
import { NodeKind } from "@/lib/gen/ipcplay/v1/topology_pb";
import { TRANSPORT_ORDER, TRANSPORT_STYLES } from "@/components/ui/transport-style";
import { TransportLine } from "./TransportLine";

export const DRAG_MIME = "application/x-ipcplay-node";

const ITEMS = [
  {
    kind: NodeKind.CLIENT,
    name: "Client",
    blurb: "Sends messages",
    Icon: MonitorSmartphone,
    tone: "bg-sky-50 text-sky-700 ring-sky-100",
    testId: "palette-client",
  },
  {
    kind: NodeKind.SERVICE,
    name: "Service",
    blurb: "Works and forwards",
    Icon: Server,
    tone: "bg-zinc-100 text-zinc-700 ring-zinc-200/70",
    testId: "palette-service",
  },
] as const;

export function Palette({ onAdd, disabled }: { onAdd: (kind: NodeKind) => void; disabled: boolean }) {
  return (
    <aside className="flex w-[232px] shrink-0 flex-col overflow-y-auto border-r border-zinc-200 bg-white" aria-label="Palette">
      <div className="px-4 pt-4 pb-2">
        <h2 className="text-2xs font-semibold tracking-wider text-zinc-400 uppercase">Add to canvas</h2>
      </div>
      <div className="flex flex-col gap-2 px-3">
        {ITEMS.map(({ kind, name, blurb, Icon, tone, testId }) => (
          <button
            key={kind}
            type="button"
            data-testid={testId}
            draggable={!disabled}
            disabled={disabled}
            onDragStart={(e) => {
              e.dataTransfer.setData(DRAG_MIME, String(kind));
              e.dataTransfer.effectAllowed = "copy";
            }}
            onClick={() => onAdd(kind)}
            title={disabled ? "The run is starting or stopping; add nodes once it is up or stopped" : `Drag onto the canvas, or click to add a ${name.toLowerCase()}`}
            className={clsx(
              "group flex items-center gap-3 rounded-lg border border-zinc-200 bg-white p-2.5 text-left shadow-xs transition-all",
              "hover:border-zinc-300 hover:shadow-sm active:cursor-grabbing enabled:cursor-grab",
              "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-500",
              "disabled:cursor-not-allowed disabled:opacity-50",
            )}
          >
            <span className={clsx("flex size-8 items-center justify-center rounded-lg ring-1", tone)}>
              <Icon className="size-4" strokeWidth={1.75} />
            </span>
            <span className="min-w-0 flex-1">
              <span className="block text-[13px] font-medium text-zinc-900">{name}</span>
              <span className="block truncate text-2xs text-zinc-500">{blurb}</span>
            </span>
            <GripVertical className="size-4 text-zinc-300 transition-colors group-hover:text-zinc-400" />
          </button>
        ))}
      </div>

      <div className="mt-6 px-4 pb-2">
        <h2 className="text-2xs font-semibold tracking-wider text-zinc-400 uppercase">Transports</h2>
      </div>
      <ul className="flex flex-col gap-0.5 px-3" data-testid="legend">
        {TRANSPORT_ORDER.map((t) => {
          const s = TRANSPORT_STYLES[t];
          return (
            <li
              key={t}
              className="flex items-center gap-2.5 rounded-md px-1.5 py-1"
              title={s.description}
              data-testid={`legend-${s.short.toLowerCase().replace(/[^a-z]/g, "")}`}
            >
              <TransportLine transport={t} />
              <span className="min-w-0 flex-1">
                <span className="flex items-baseline gap-1.5">
                  <span className="text-xs font-medium" style={{ color: s.color }}>
                    {s.label}
                  </span>
                  <span className="text-[10px] text-zinc-400">{s.line}</span>
                </span>
                <span className="block text-2xs leading-snug text-zinc-500">{s.legend}</span>
              </span>
            </li>
          );
        })}
      </ul>

      <div className="mt-auto border-t border-zinc-100 px-4 py-3 text-2xs leading-relaxed text-zinc-500">
        Connect nodes by dragging from the <span className="font-medium text-zinc-700">right dot</span> of one to the{" "}
        <span className="font-medium text-zinc-700">left dot</span> of another.
      </div>
    </aside>
  );
}
