"use client";

import { LayoutTemplate, MousePointerClick } from "lucide-react";
import { NodeKind } from "@/lib/gen/ipcplay/v1/topology_pb";
import { TEMPLATES } from "@/lib/topology";
import { DRAG_MIME } from "@/components/canvas/Palette";
import { Button } from "@/components/ui/Button";
import { loadTemplate } from "./load-template";
import { TemplateCard } from "./TemplateCard";

/** What an empty canvas offers: a template to start from, or the first nodes by hand. */
export function EmptyCanvas({
  onAdd,
  onDrop,
  disabled,
}: {
  onAdd: (kind: NodeKind) => void;
  /** The canvas's drop handler: a node or a file dropped on the gallery lands on the canvas below it. */
  onDrop: (e: React.DragEvent) => void;
  disabled: boolean;
}) {
  return (
    // Centred with m-auto, not items-center: on a short window the gallery then scrolls from its top,
    // where items-center would push its heading out of reach above the scroll area.
    <div className="pointer-events-none absolute inset-0 flex overflow-y-auto p-6" data-testid="empty-state">
      <div
        onDragOver={(e) => {
          if (e.dataTransfer.types.includes(DRAG_MIME) || e.dataTransfer.types.includes("Files")) {
            e.preventDefault();
            e.dataTransfer.dropEffect = disabled ? "none" : "copy";
          }
        }}
        onDrop={onDrop}
        className="pointer-events-auto m-auto w-full max-w-[760px] rounded-2xl border border-zinc-200 bg-white/85 p-5 shadow-sm backdrop-blur-sm">
        <div className="flex items-center gap-2.5">
          <div className="flex size-8 items-center justify-center rounded-lg bg-zinc-900 text-white shadow-sm">
            <LayoutTemplate className="size-4" strokeWidth={1.75} />
          </div>
          <div>
            <p className="text-sm font-semibold text-zinc-900">Start from a template</p>
            <p className="text-2xs text-zinc-500">Each one runs as it is: open it and press Run.</p>
          </div>
        </div>
        <div className="mt-4 grid grid-cols-3 gap-2.5" data-testid="template-gallery">
          {TEMPLATES.map((t) => (
            <TemplateCard key={t.id} template={t} disabled={disabled} onOpen={() => loadTemplate(t.id)} />
          ))}
        </div>
        <div className="mt-4 flex items-center gap-3 border-t border-zinc-100 pt-4">
          <MousePointerClick className="size-4 shrink-0 text-zinc-400" strokeWidth={1.75} />
          <p className="min-w-0 flex-1 text-xs leading-relaxed text-zinc-500">
            <span className="font-medium text-zinc-800">Or draw your own:</span> drag a Client and a Service here, then connect
            them.
          </p>
          <Button size="sm" onClick={() => onAdd(NodeKind.CLIENT)} disabled={disabled}>
            Add a client
          </Button>
          <Button size="sm" onClick={() => onAdd(NodeKind.SERVICE)} disabled={disabled}>
            Add a service
          </Button>
        </div>
      </div>
    </div>
  );
}
