"use client";

import clsx from "clsx";
import { ChevronDown, ChevronUp } from "lucide-react";
import { useCallback, useEffect, useRef, useState, type KeyboardEvent, type PointerEvent } from "react";
import { useProblems } from "@/components/state/problems";
import { useRunStore } from "@/components/state/run-store";
import { useHealthStore } from "@/components/state/health-store";
import { formatCount } from "@/components/ui/format";
import { MetricsPanel } from "@/components/metrics/MetricsPanel";
import { CompareDialog } from "@/components/history/CompareDialog";
import { HistoryTab } from "@/components/history/HistoryTab";
import { useReplayStore } from "@/components/replay/replay-store";
import { LogView } from "./LogView";
import { ProblemsList } from "./ProblemsList";
import { SummaryTable } from "./SummaryTable";
import { TracesTab } from "./TracesTab";
import { clampPanelHeight, DEFAULT_PANEL_HEIGHT, heightAfterKey, MIN_PANEL_HEIGHT, PANEL_HEIGHT_KEY, storedPanelHeight } from "./panel-height";

type Tab = "traces" | "metrics" | "log" | "summary" | "history" | "problems";

export function RunPanel() {
  const [tab, setTab] = useState<Tab>("traces");
  const [open, setOpen] = useState(true);
  const { height, resizeProps } = usePanelHeight();
  const traceCount = useRunStore((s) => Math.max(s.info?.traces ?? 0, s.traces.length));
  const logCount = useRunStore((s) => s.logs.length);
  const summary = useRunStore((s) => s.summary);
  const serverProblems = useRunStore((s) => s.serverProblems);
  const phase = useRunStore((s) => s.phase);
  const problems = useProblems();

  const replaying = useReplayStore((s) => s.replay !== null);
  // A replay's summary changes with its scrubber, and closing it gives back the summary shown
  // before: neither takes the panel to the Summary tab.
  const summaryShown = useRef<typeof summary>(null);
  useEffect(() => {
    if (!summary || useReplayStore.getState().replay || summary === summaryShown.current) return;
    summaryShown.current = summary;
    setTab("summary");
  }, [summary]);
  useEffect(() => {
    if (replaying) {
      setTab("traces");
      setOpen(true);
    }
  }, [replaying]);
  useEffect(() => {
    if (serverProblems) {
      setTab("problems");
      setOpen(true);
    }
  }, [serverProblems]);
  useEffect(() => {
    if (phase === "starting") setTab("traces");
  }, [phase]);
  // A click on an edge asks for its traces (and its chart, beside them): the Metrics tab, already
  // showing the selected edge's charts, stays; any other tab gives way to the traces.
  const tracesRequest = useHealthStore((s) => s.tracesRequest);
  useEffect(() => {
    if (tracesRequest > 0) {
      setTab((t) => (t === "metrics" ? t : "traces"));
      setOpen(true);
    }
  }, [tracesRequest]);

  const tabs: { id: Tab; label: string; count?: number; tone?: string }[] = [
    { id: "traces", label: "Traces", count: traceCount },
    { id: "metrics", label: "Metrics" },
    { id: "log", label: "Log", count: logCount },
    { id: "summary", label: "Summary" },
    { id: "history", label: "History" },
    {
      id: "problems",
      label: "Problems",
      count: problems.all.length,
      tone: problems.all.length ? (problems.server ? "bg-red-100 text-red-700" : "bg-amber-100 text-amber-800") : undefined,
    },
  ];

  return (
    <section
      className={clsx("relative flex shrink-0 flex-col border-t border-zinc-200 bg-white", !open && "h-9")}
      style={open ? { height } : undefined}
      aria-label="Run panel"
      data-testid="run-panel"
    >
      {open && <div {...resizeProps} />}
      <div className="flex h-9 shrink-0 items-center gap-1 border-b border-zinc-100 px-2">
        {tabs.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            aria-selected={tab === t.id}
            data-testid={`tab-${t.id}`}
            onClick={() => {
              setTab(t.id);
              setOpen(true);
            }}
            className={clsx(
              "relative flex h-9 items-center gap-1.5 px-2.5 text-xs font-medium transition-colors",
              tab === t.id && open ? "text-zinc-900" : "text-zinc-500 hover:text-zinc-800",
            )}
          >
            {t.label}
            {t.count !== undefined && t.count > 0 && (
              <span className={clsx("tabular rounded-full px-1.5 text-[10px] leading-4", t.tone ?? "bg-zinc-100 text-zinc-600")}>
                {formatCount(t.count)}
              </span>
            )}
            {tab === t.id && open && <span className="absolute inset-x-2 -bottom-px h-0.5 rounded-full bg-zinc-900" />}
          </button>
        ))}
        <button
          type="button"
          onClick={() => setOpen((o) => !o)}
          className="ml-auto flex size-7 items-center justify-center rounded-md text-zinc-400 hover:bg-zinc-100 hover:text-zinc-700"
          aria-label={open ? "Collapse the run panel" : "Expand the run panel"}
        >
          {open ? <ChevronDown className="size-4" /> : <ChevronUp className="size-4" />}
        </button>
      </div>
      {open && (
        <div className="min-h-0 flex-1">
          {tab === "traces" && <TracesTab />}
          {tab === "metrics" && <MetricsPanel />}
          {tab === "log" && <LogView />}
          {tab === "summary" && <SummaryTable />}
          {tab === "history" && <HistoryTab />}
          {tab === "problems" && <ProblemsList />}
        </div>
      )}
      <CompareDialog />
    </section>
  );
}

/**
 * The panel's height, set by dragging its top edge (or, focused, with the arrow
 * keys, Page Up/Down, Home and End, as a separator), kept within the window and
 * remembered in localStorage. A double click gives the default height back.
 */
function usePanelHeight() {
  const [height, setHeight] = useState(DEFAULT_PANEL_HEIGHT);
  const drag = useRef<{ startY: number; startHeight: number } | null>(null);

  useEffect(() => {
    setHeight(storedPanelHeight(window.localStorage.getItem(PANEL_HEIGHT_KEY), window.innerHeight));
    const fit = () => setHeight((h) => clampPanelHeight(h, window.innerHeight));
    window.addEventListener("resize", fit);
    return () => window.removeEventListener("resize", fit);
  }, []);

  const settle = useCallback((next: number) => {
    const fitted = clampPanelHeight(next, window.innerHeight);
    setHeight(fitted);
    window.localStorage.setItem(PANEL_HEIGHT_KEY, String(fitted));
  }, []);

  const resizeProps = {
    role: "separator",
    "aria-orientation": "horizontal" as const,
    "aria-label": "Resize the run panel",
    "aria-valuenow": height,
    "aria-valuemin": MIN_PANEL_HEIGHT,
    tabIndex: 0,
    "data-testid": "run-panel-resize",
    title: "Drag to resize · double-click for the default height",
    className:
      "absolute inset-x-0 -top-1 z-10 h-2 cursor-row-resize outline-none hover:bg-blue-500/20 focus-visible:bg-blue-500/30 active:bg-blue-500/30",
    onPointerDown: (e: PointerEvent<HTMLDivElement>) => {
      e.currentTarget.setPointerCapture(e.pointerId);
      drag.current = { startY: e.clientY, startHeight: height };
    },
    onPointerMove: (e: PointerEvent<HTMLDivElement>) => {
      if (!drag.current) return;
      // Up makes the panel taller: it sits at the bottom of the window.
      setHeight(clampPanelHeight(drag.current.startHeight + drag.current.startY - e.clientY, window.innerHeight));
    },
    onPointerUp: (e: PointerEvent<HTMLDivElement>) => {
      if (!drag.current) return;
      settle(drag.current.startHeight + drag.current.startY - e.clientY);
      drag.current = null;
    },
    onDoubleClick: () => settle(DEFAULT_PANEL_HEIGHT),
    onKeyDown: (e: KeyboardEvent<HTMLDivElement>) => {
      const next = heightAfterKey(e.key, height, window.innerHeight);
      if (next === undefined) return;
      e.preventDefault();
      settle(next);
    },
  };
  return { height, resizeProps };
}
