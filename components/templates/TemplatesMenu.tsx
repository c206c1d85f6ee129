"use client";

import clsx from "clsx";
import { ChevronDown, LayoutTemplate } from "lucide-react";
import { useCallback, useRef, useState } from "react";
import { TEMPLATES } from "@/lib/topology";
import { isLive, useRunStore } from "@/components/state/run-store";
import { Button } from "@/components/ui/Button";
import { useDismiss } from "@/components/ui/useDismiss";
import { TransportLine } from "@/components/canvas/TransportLine";
import { loadTemplate, transportsOf } from "./load-template";

/** The templates, from the top bar: one click replaces the canvas (undo brings it back). */
export function TemplatesMenu() {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const live = useRunStore((s) => isLive(s.phase));
  const close = useCallback(() => setOpen(false), []);
  useDismiss(ref, open, close);

  return (
    <div ref={ref} className="relative">
      <Button variant="ghost" onClick={() => setOpen(!open)} data-testid="templates-menu" aria-expanded={open} aria-haspopup="menu">
        <LayoutTemplate className="size-3.5" />
        Templates
        <ChevronDown className={clsx("size-3 text-zinc-400 transition-transform", open && "rotate-180")} />
      </Button>
      {open && (
        <div role="menu" className="ipc-pop absolute top-full right-0 z-50 mt-2 w-[340px] rounded-xl border border-zinc-200 bg-white p-1 shadow-xl shadow-zinc-900/10">
          {TEMPLATES.map((t) => (
            <button
              key={t.id}
              type="button"
              role="menuitem"
              disabled={live}
              data-testid={`menu-template-${t.id}`}
              onClick={() => {
                close();
                loadTemplate(t.id);
              }}
              className="flex w-full flex-col rounded-lg px-2.5 py-2 text-left transition-colors enabled:hover:bg-zinc-100 disabled:cursor-not-allowed disabled:opacity-50 focus-visible:bg-zinc-100 focus-visible:outline-none"
            >
              <span className="flex items-center gap-2">
                <span className="text-[13px] font-medium text-zinc-900">{t.title}</span>
                <span className="ml-auto flex items-center gap-1">
                  {transportsOf(t).map((tr) => (
                    <TransportLine key={tr} transport={tr} width={14} />
                  ))}
                </span>
              </span>
              <span className="mt-0.5 text-2xs leading-snug text-zinc-500">{t.summary}</span>
            </button>
          ))}
          <div className="mx-2 mt-1 border-t border-zinc-100 px-1 pt-2 pb-1 text-2xs leading-snug text-zinc-400">
            {live ? "Stop the run to open a template." : "Opening a template replaces the canvas; undo brings yours back."}
          </div>
        </div>
      )}
    </div>
  );
}
