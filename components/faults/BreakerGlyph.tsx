import clsx from "clsx";
import type { BreakerLook } from "./breaker-text";

const TONE: Record<BreakerLook, string> = {
  configured: "text-zinc-400",
  closed: "text-zinc-500",
  "half-open": "text-amber-600",
  open: "text-red-600",
};

/**
 * A small switch drawn like a breaker: its lever lies on the contact when
 * closed, stands halfway when half-open and is lifted off when open.
 */
export function BreakerGlyph({ look, className }: { look: BreakerLook; className?: string }) {
  const lever = look === "open" ? "M4 9 L10.5 3" : look === "half-open" ? "M4 9 L11 6" : "M4 9 L12 9";
  return (
    <svg viewBox="0 0 16 14" className={clsx("h-3 w-3.5 shrink-0", TONE[look], className)} aria-hidden fill="none" stroke="currentColor">
      <path d="M0.5 9 H3" strokeWidth={1.5} strokeLinecap="round" />
      <path d="M13 9 H15.5" strokeWidth={1.5} strokeLinecap="round" />
      <circle cx={4} cy={9} r={1.3} fill="currentColor" stroke="none" />
      <circle cx={12.5} cy={9} r={1.3} fill="currentColor" stroke="none" />
      <path d={lever} strokeWidth={1.6} strokeLinecap="round" strokeDasharray={look === "half-open" ? "2 1.5" : undefined} />
    </svg>
  );
}
