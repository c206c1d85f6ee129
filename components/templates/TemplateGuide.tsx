"use client";

import { Lightbulb, X } from "lucide-react";
import { useLayoutEffect, useRef } from "react";
import { useDocumentStore } from "@/components/state/document-store";
import { useUiStore } from "@/components/state/ui-store";

/**
 * The opened topology's explanation — what to watch for when it runs — as a
 * strip along the top of the canvas. Topologies are wide and short, so a strip
 * costs the drawing less room than a card beside it; the canvas fits its view
 * below the strip (its height is kept in the UI store).
 */
export function TemplateGuide() {
  const open = useUiStore((s) => s.guideOpen);
  const setOpen = useUiStore((s) => s.setGuideOpen);
  const name = useDocumentStore((s) => s.meta.name);
  const text = useDocumentStore((s) => s.meta.description);
  const shown = open && text.trim().length > 0;
  const ref = useRef<HTMLDivElement>(null);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) {
      useUiStore.getState().setGuideHeight(0);
      return;
    }
    const measure = () => useUiStore.getState().setGuideHeight(el.offsetHeight);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => {
      observer.disconnect();
      useUiStore.getState().setGuideHeight(0);
    };
  }, [shown]);

  if (!shown) return null;
  return (
    <div
      ref={ref}
      role="note"
      data-testid="template-guide"
      className="ipc-pop absolute top-3 right-24 left-3 z-10 mx-auto flex max-w-[860px] gap-3 rounded-xl border border-zinc-200 bg-white px-3.5 py-3 shadow-lg shadow-zinc-900/5"
    >
      <span className="flex size-7 shrink-0 items-center justify-center rounded-lg bg-amber-50 text-amber-600 ring-1 ring-amber-100">
        <Lightbulb className="size-4" />
      </span>
      <div className="min-w-0 flex-1">
        <div className="flex items-baseline gap-2">
          <span className="truncate text-[13px] font-semibold text-zinc-900">{name || "This topology"}</span>
          <span className="shrink-0 text-2xs font-medium text-zinc-500">What to watch for</span>
        </div>
        <p className="mt-1 max-h-28 overflow-y-auto text-xs leading-relaxed text-zinc-600" data-testid="template-guide-text">
          {text}
        </p>
      </div>
      <button
        type="button"
        onClick={() => setOpen(false)}
        aria-label="Close the explanation"
        title="Close the explanation"
        data-testid="template-guide-close"
        className="size-6 shrink-0 rounded p-1 text-zinc-400 hover:bg-zinc-100 hover:text-zinc-700"
      >
        <X className="size-4" />
      </button>
    </div>
  );
}
