"use client";

import clsx from "clsx";
import { X } from "lucide-react";
import { type ReactNode, useEffect, useRef } from "react";
import { useDocumentStore } from "@/components/state/document-store";
import { type Drawer, useUiStore } from "@/components/state/ui-store";
import { Button } from "@/components/ui/Button";
import { Tooltip } from "@/components/ui/Tooltip";

const drawerId = (drawer: Drawer) => `drawer-${drawer}`;

/**
 * Holds a side panel (its child, an `<aside>`): docked beside the canvas on a
 * wide screen; on a narrow one hidden until its top-bar button opens it as a
 * drawer over the canvas, with a close button (Escape closes it too, see
 * Playground); hidden on a phone. Opening moves the focus to its close button;
 * closing gives it back to the top-bar button.
 */
export function PanelSlot({ drawer, title, side, children }: { drawer: Drawer; title: string; side: "left" | "right"; children: ReactNode }) {
  const open = useUiStore((s) => s.drawer === drawer);
  const ref = useRef<HTMLDivElement>(null);
  const closeButton = useRef<HTMLButtonElement>(null);
  const wasOpen = useRef(false);

  useEffect(() => {
    if (open) closeButton.current?.focus();
    else if (wasOpen.current) {
      // The focus was in the drawer that just went away (it falls to <body>): back to the button that opens it.
      const active = document.activeElement;
      if (!active || active === document.body || ref.current?.contains(active)) toggleButton(drawer)?.focus();
    }
    wasOpen.current = open;
  }, [open, drawer]);

  return (
    <div
      ref={ref}
      id={drawerId(drawer)}
      data-testid={drawerId(drawer)}
      data-open={open}
      role={open ? "dialog" : undefined}
      aria-label={open ? title : undefined}
      className={clsx(
        "flex shrink-0 flex-col phone:hidden [&>aside]:min-h-0 [&>aside]:flex-1 narrow:[&>aside]:overflow-y-auto",
        open
          ? clsx(
              "narrow:absolute narrow:inset-y-0 narrow:z-30 narrow:bg-white narrow:shadow-2xl narrow:shadow-zinc-900/25",
              side === "left" ? "narrow:left-0" : "narrow:right-0",
            )
          : "narrow:hidden",
      )}
    >
      {open && (
        <div
          className={clsx(
            "hidden h-9 shrink-0 items-center justify-between border-b border-zinc-200 bg-white pr-1.5 pl-4 narrow:flex",
            side === "left" ? "border-r" : "border-l",
          )}
        >
          <span className="text-xs font-semibold text-zinc-800">{title}</span>
          <button
            ref={closeButton}
            type="button"
            onClick={() => useUiStore.getState().closeDrawer()}
            aria-label={`Close the ${title.toLowerCase()}`}
            title="Close (Esc)"
            data-testid={`${drawerId(drawer)}-close`}
            className="flex size-7 items-center justify-center rounded-md text-zinc-500 hover:bg-zinc-100 hover:text-zinc-800 focus-visible:outline-2 focus-visible:outline-blue-500"
          >
            <X className="size-4" />
          </button>
        </div>
      )}
      {children}
    </div>
  );
}

function toggleButton(drawer: Drawer): HTMLElement | null {
  return document.querySelector<HTMLElement>(`[aria-controls="${drawerId(drawer)}"]`);
}

/**
 * The top-bar button that opens or closes a drawer; shown on narrow screens
 * only. The inspector's carries a dot while something is selected, since the
 * settings of the selection are behind it.
 */
export function DrawerToggle({
  drawer,
  label,
  icon,
  hint,
  compactLabel = false,
}: {
  drawer: Drawer;
  label: string;
  icon: ReactNode;
  /** What the drawer holds, for the tooltip. */
  hint: string;
  /** Below 880 px show the icon alone (the label stays for screen readers and the tooltip). */
  compactLabel?: boolean;
}) {
  const open = useUiStore((s) => s.drawer === drawer);
  const selection = useDocumentStore((s) => drawer === "inspector" && (s.nodes.some((n) => n.selected) || s.edges.some((e) => e.selected)));
  return (
    <div className="hidden narrow:flex phone:hidden">
      {/* Always some content: a tooltip that came and went would remount the button and lose its focus. */}
      <Tooltip content={open ? "Close (Esc)" : hint} align={drawer === "palette" ? "start" : "end"}>
        <Button
          variant="ghost"
          aria-expanded={open}
          aria-controls={drawerId(drawer)}
          aria-label={compactLabel ? label : undefined}
          data-testid={`toggle-${drawer}`}
          onClick={() => useUiStore.getState().toggleDrawer(drawer)}
          className={clsx("relative", open && "bg-zinc-100 text-zinc-900", compactLabel && "max-[880px]:w-8 max-[880px]:px-0")}
        >
          {icon}
          <span className={clsx(compactLabel && "max-[880px]:sr-only")}>{label}</span>
          {selection && !open && (
            <span className="absolute top-1 right-1 size-1.5 rounded-full bg-blue-500" aria-hidden data-testid="toggle-inspector-dot" />
          )}
        </Button>
      </Tooltip>
    </div>
  );
}
