"use client";

import clsx from "clsx";
import { ChevronDown } from "lucide-react";
import { type ReactNode, useCallback, useRef, useState } from "react";
import { Button } from "@/components/ui/Button";
import { useDismiss } from "@/components/ui/useDismiss";

interface DropdownMenuProps {
  icon: ReactNode;
  label: string;
  testId: string;
  /** Tailwind width class of the panel, e.g. "w-64". */
  widthClass: string;
  /** The menu's items; `close` shuts the menu (call it before acting). */
  children: (close: () => void) => ReactNode;
  /** A muted line under the items. */
  footer?: ReactNode;
}

/** A top-bar menu: a ghost button that opens a panel, closed by a click outside or Escape. */
export function DropdownMenu({ icon, label, testId, widthClass, children, footer }: DropdownMenuProps) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const close = useCallback(() => setOpen(false), []);
  useDismiss(ref, open, close);

  return (
    <div ref={ref} className="relative">
      <Button variant="ghost" onClick={() => setOpen(!open)} data-testid={testId} aria-expanded={open} aria-haspopup="menu">
        {icon}
        {label}
        <ChevronDown className={clsx("size-3 text-zinc-400 transition-transform", open && "rotate-180")} />
      </Button>
      {open && (
        <div
          role="menu"
          className={clsx(
            "ipc-pop absolute top-full right-0 z-50 mt-2 rounded-xl border border-zinc-200 bg-white p-1 shadow-xl shadow-zinc-900/10",
            widthClass,
          )}
        >
          {children(close)}
          {footer && (
            <div className="mx-2 mt-1 border-t border-zinc-100 px-1 pt-2 pb-1 text-2xs leading-snug text-zinc-400">{footer}</div>
          )}
        </div>
      )}
    </div>
  );
}
