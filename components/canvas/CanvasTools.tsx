"use client";

import { ControlButton, type FitViewOptions, useReactFlow, type Viewport } from "@xyflow/react";
import clsx from "clsx";
import { Grid3x3, Network } from "lucide-react";
import { useEffect, useRef } from "react";
import { autoLayout } from "@/lib/topology/layout";
import { selectTopology, useDocumentStore } from "@/components/state/document-store";
import { isLive, useRunStore } from "@/components/state/run-store";
import { useUiStore } from "@/components/state/ui-store";
import { HealthSettings } from "./HealthSettings";

/** How the view fits a whole topology: room around it, never zoomed past 100 %. */
export const FIT_VIEW = { padding: 0.3, maxZoom: 1 } as const;

/** Room at the bottom for the minimap (100 px tall, 15 px from the edge), so no node starts under it. */
const MINIMAP_CLEARANCE_PX = 128;

/** Fit options that keep the drawing clear of the explanation strip, when it is open. */
function fitBelowGuide(): FitViewOptions {
  const strip = useUiStore.getState().guideHeight;
  const padding: FitViewOptions["padding"] =
    strip > 0 ? { top: `${strip + 36}px`, bottom: `${MINIMAP_CLEARANCE_PX}px`, left: "48px", right: "48px" } : FIT_VIEW.padding;
  return { ...FIT_VIEW, padding, duration: 250 };
}

/**
 * Extra buttons for React Flow's control bar (beside zoom and fit view):
 * auto-layout and snap to grid. Render inside `<Controls>`.
 */
export function CanvasTools() {
  const { fitView, getViewport } = useReactFlow();
  /** The view the last fit left, while nobody has panned or zoomed since. */
  const fitted = useRef<Viewport | null>(null);
  /** A fit is still animating: the view it leaves is a fit too. */
  const fitting = useRef(false);
  const fit = async () => {
    fitting.current = true;
    try {
      await fitView(fitBelowGuide());
    } finally {
      fitting.current = false;
    }
    fitted.current = getViewport();
  };
  const live = useRunStore((s) => isLive(s.phase));
  const empty = useDocumentStore((s) => s.nodes.length === 0);
  const snap = useUiStore((s) => s.snap);
  const toggleSnap = useUiStore((s) => s.toggleSnap);

  useEffect(() => useUiStore.getState().loadPrefs(), []);

  // A topology opened whole (template, link, file) is fitted once its nodes are drawn.
  const fitRequest = useUiStore((s) => s.fitRequest);
  useEffect(() => {
    if (fitRequest > 0) void fit();
    // `fit` is rebuilt each render from stable parts; the request number alone decides.
  }, [fitRequest]);

  // A template fitted below its explanation strip was left small when the strip closed (pub/sub
  // fan-out at half size, its figures unreadable): fit again, unless the view was moved meanwhile.
  const guideHeight = useUiStore((s) => s.guideHeight);
  const lastGuideHeight = useRef(guideHeight);
  useEffect(() => {
    const closed = lastGuideHeight.current > 0 && guideHeight === 0;
    lastGuideHeight.current = guideHeight;
    const v = getViewport();
    const f = fitted.current;
    const untouched = fitting.current || (f && Math.abs(v.x - f.x) < 1 && Math.abs(v.y - f.y) < 1 && Math.abs(v.zoom - f.zoom) < 0.001);
    if (closed && untouched) void fit();
  }, [guideHeight]);

  const layout = () => {
    const doc = useDocumentStore.getState();
    doc.moveNodes(autoLayout(selectTopology(doc)));
    void fit();
  };

  return (
    <>
      <ControlButton
        onClick={layout}
        disabled={live || empty}
        title="Auto-layout: arrange left to right"
        aria-label="Auto-layout"
        data-testid="auto-layout"
      >
        <Network className="!fill-none" strokeWidth={2} style={{ transform: "rotate(-90deg)" }} />
      </ControlButton>
      <ControlButton
        onClick={toggleSnap}
        title={snap ? "Snap to grid: on (20 px)" : "Snap to grid: off"}
        aria-label="Snap to grid"
        aria-pressed={snap}
        data-testid="snap-toggle"
        className={clsx(snap && "!bg-zinc-900 !text-white hover:!bg-zinc-800")}
      >
        <Grid3x3 className="!fill-none" strokeWidth={2} />
      </ControlButton>
      <HealthSettings />
    </>
  );
}
