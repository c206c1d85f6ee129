"use client";

import { LayoutTemplate } from "lucide-react";
import { TEMPLATES } from "@/lib/topology";
import { isLive, useRunStore } from "@/components/state/run-store";
import { DropdownMenu } from "@/components/ui/DropdownMenu";
import { TransportLine } from "@/components/canvas/TransportLine";
import { loadTemplate, transportsOf } from "./load-template";

/** The templates, from the top bar: one click replaces the canvas (undo brings it back). */
export function TemplatesMenu() {
  const live = useRunStore((s) => isLive(s.phase));

  return (
    <DropdownMenu
      icon={<LayoutTemplate className="size-3.5" />}
      label="Templates"
      testId="templates-menu"
      widthClass="w-[340px]"
      footer={live ? "Stop the run to open a template." : "Opening a template replaces the canvas; undo brings yours back."}
    >
      {(close) =>
        TEMPLATES.map((t) => (
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
        ))
      }
    </DropdownMenu>
  );
}
