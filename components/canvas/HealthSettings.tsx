"use client";

import { ControlButton } from "@xyflow/react";
import { HeartPulse } from "lucide-react";
import { useCallback, useEffect, useRef, useState } from "react";
import { createPortal } from "react-dom";
import { useHealthStore } from "@/components/state/health-store";
import { checkThresholds, DEFAULT_THRESHOLDS, healthRule } from "@/lib/health/edge-health";

/** Percent with up to 3 decimals, for the fields. */
const pct = (share: number) => String(Math.round(share * 100_000) / 1000);

/**
 * The health thresholds, in a small popover from the canvas's control bar:
 * degraded from (%), failing past (%), kept in localStorage. Render inside `<Controls>`.
 */
export function HealthSettings() {
  const thresholds = useHealthStore((s) => s.thresholds);
  const setThresholds = useHealthStore((s) => s.setThresholds);
  const [open, setOpen] = useState(false);
  const [degraded, setDegraded] = useState(pct(thresholds.degraded));
  const [failing, setFailing] = useState(pct(thresholds.failing));
  const ref = useRef<HTMLDivElement>(null);
  const anchorRef = useRef<HTMLDivElement>(null);
  const [at, setAt] = useState<{ left: number; bottom: number } | null>(null);
  const close = useCallback(() => setOpen(false), []);
  // A press on the button itself toggles; anywhere else outside the popover closes it.
  useEffect(() => {
    if (!open) return;
    const onDown = (e: PointerEvent) => {
      const t = e.target as Node;
      if (!ref.current?.contains(t) && !anchorRef.current?.contains(t)) close();
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      e.stopPropagation();
      close();
    };
    window.addEventListener("pointerdown", onDown, true);
    window.addEventListener("keydown", onKey, true);
    return () => {
      window.removeEventListener("pointerdown", onDown, true);
      window.removeEventListener("keydown", onKey, true);
    };
  }, [open, close]);
  useEffect(() => {
    // The control bar clips what hangs out of it: the popover is drawn on the page, beside the button.
    if (!open || !anchorRef.current) return;
    const r = anchorRef.current.getBoundingClientRect();
    setAt({ left: r.right + 8, bottom: window.innerHeight - r.bottom });
  }, [open]);

  useEffect(() => useHealthStore.getState().loadThresholds(), []);
  useEffect(() => {
    setDegraded(pct(thresholds.degraded));
    setFailing(pct(thresholds.failing));
  }, [thresholds]);

  const checked = checkThresholds(Number(degraded) / 100, Number(failing) / 100);
  const apply = (d: string, f: string) => {
    const t = checkThresholds(Number(d) / 100, Number(f) / 100);
    if (t && d.trim() !== "" && f.trim() !== "") setThresholds(t);
  };

  return (
    <div ref={anchorRef}>
      <ControlButton
        onClick={() => setOpen((o) => !o)}
        title={`Edge health thresholds. ${healthRule(thresholds)}`}
        aria-label="Edge health thresholds"
        aria-expanded={open}
        data-testid="health-settings"
      >
        <HeartPulse className="!fill-none" strokeWidth={2} />
      </ControlButton>
      {open &&
        at &&
        createPortal(
        <div
          ref={ref}
          style={{ left: at.left, bottom: at.bottom }}
          role="dialog"
          aria-label="Edge health thresholds"
          data-testid="health-settings-popover"
          className="fixed z-50 w-60 rounded-lg border border-zinc-200 bg-white p-3 text-xs text-zinc-700 shadow-lg"
        >
          <div className="mb-2 font-semibold text-zinc-900">Edge health</div>
          <label className="mb-1.5 flex items-center justify-between gap-2">
            <span>
              <span className="mr-1 inline-block size-2 rounded-full bg-amber-500" />
              Degraded from
            </span>
            <span className="flex items-center gap-1">
              <input
                autoFocus
                data-testid="health-degraded"
                type="number"
                min={0}
                max={100}
                step={0.1}
                value={degraded}
                onChange={(e) => {
                  setDegraded(e.target.value);
                  apply(e.target.value, failing);
                }}
                className="tabular h-6 w-16 rounded border border-zinc-200 px-1 text-right"
              />
              %
            </span>
          </label>
          <label className="mb-2 flex items-center justify-between gap-2">
            <span>
              <span className="mr-1 inline-block size-2 rounded-full bg-red-500" />
              Failing past
            </span>
            <span className="flex items-center gap-1">
              <input
                data-testid="health-failing"
                type="number"
                min={0}
                max={100}
                step={1}
                value={failing}
                onChange={(e) => {
                  setFailing(e.target.value);
                  apply(degraded, e.target.value);
                }}
                className="tabular h-6 w-16 rounded border border-zinc-200 px-1 text-right"
              />
              %
            </span>
          </label>
          {!checked && <p className="mb-2 text-2xs text-red-600">Degraded must be 0–100 % and no more than failing.</p>}
          <p className="text-2xs leading-4 text-zinc-500">{healthRule(checked ?? thresholds)}</p>
          <button
            type="button"
            className="mt-2 text-2xs text-blue-700 hover:underline"
            onClick={() => setThresholds(DEFAULT_THRESHOLDS)}
            data-testid="health-reset"
          >
            Kiali&apos;s defaults (0.1 %, 10 %)
          </button>
        </div>,
        document.body,
      )}
    </div>
  );
}
