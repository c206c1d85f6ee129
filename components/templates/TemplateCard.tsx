"use client";

import clsx from "clsx";
import type { Template } from "@/lib/topology";
import { TransportLine } from "@/components/canvas/TransportLine";
import { transportStyle } from "@/components/ui/transport-style";
import { transportsOf } from "./load-template";

/** A template in the gallery: what it is, and which transports it shows. */
export function TemplateCard({ template, onOpen, disabled }: { template: Template; onOpen: () => void; disabled?: boolean }) {
  const services = template.topology.nodes.length;
  return (
    <button
      type="button"
      onClick={onOpen}
      disabled={disabled}
      data-testid={`template-${template.id}`}
      className={clsx(
        "group flex h-full flex-col rounded-xl border border-zinc-200 bg-white p-3 text-left shadow-xs transition-all",
        "enabled:hover:-translate-y-px enabled:hover:border-zinc-300 enabled:hover:shadow-md",
        "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-500 disabled:cursor-not-allowed disabled:opacity-50",
      )}
    >
      <span className="text-[13px] font-semibold text-zinc-900">{template.title}</span>
      <span className="mt-1 line-clamp-3 text-2xs leading-relaxed text-zinc-500">{template.summary}</span>
      <span className="mt-auto flex flex-wrap items-center gap-x-2.5 gap-y-1 pt-2.5">
        {transportsOf(template).map((t) => (
          <span key={t} className="flex items-center gap-1 text-[10px] font-medium text-zinc-600">
            <TransportLine transport={t} width={16} />
            {transportStyle(t).short}
          </span>
        ))}
        <span className="tabular ml-auto text-[10px] text-zinc-400">{services} nodes</span>
      </span>
    </button>
  );
}
