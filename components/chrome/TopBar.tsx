"use client";

import clsx from "clsx";
import { PanelRight, Play, Plus, Square } from "lucide-react";
import { useEffect, useState } from "react";
import { useShallow } from "zustand/react/shallow";
import { LIMITS } from "@/lib/topology/limits";
import { selectTopology, useDocumentStore } from "@/components/state/document-store";
import { useProblems } from "@/components/state/problems";
import { startRun, stopRun } from "@/components/state/run-actions";
import { isLive, type RunPhase, useRunStore } from "@/components/state/run-store";
import { useUiStore } from "@/components/state/ui-store";
import { Button } from "@/components/ui/Button";
import { Spinner } from "@/components/ui/Spinner";
import { Tooltip } from "@/components/ui/Tooltip";
import { BusyBanner } from "./BusyBanner";
import { DrawerToggle } from "./Drawers";
import { FileMenu } from "./FileMenu";
import { HistoryButtons } from "./HistoryButtons";
import { TemplatesMenu } from "@/components/templates/TemplatesMenu";
import { Logo } from "./Logo";
import { MachineMeter } from "./MachineMeter";
import { ShareButton } from "./ShareButton";
import { formatElapsed, startProgress } from "./run-progress";

/**
 * The bar over everything. Wide: every control. Narrow (< 1,100 px): the
 * product name and the run-state pill give way to the buttons that open the
 * palette and inspector drawers. Phone: the name of the topology and Share —
 * no editing, and no Run (Stop stays while a run of this tab is live).
 */
export function TopBar() {
  const live = useRunStore((s) => isLive(s.phase));
  return (
    <>
      <header className="flex h-12 shrink-0 items-center gap-3 border-b border-zinc-200 bg-white px-3 narrow:gap-2">
        <div className="flex shrink-0 items-center gap-2 pr-1">
          <Logo />
          <span className="text-[13px] font-semibold tracking-tight whitespace-nowrap text-zinc-900 narrow:hidden">IPC Playground</span>
        </div>
        <span className="text-zinc-300 narrow:hidden">/</span>
        <DrawerToggle drawer="palette" label="Add" hint="Add a client or a service; the transports" icon={<Plus className="size-4" />} />
        <TopologyName />
        <div className="phone:hidden">
          <HistoryButtons />
        </div>
        {/* Only the name gives way when the bar is full (the machine meter joins it while a run is live). */}
        <div className="ml-auto flex shrink-0 items-center gap-2">
          <div className="flex items-center gap-2 phone:hidden">
            <TemplatesMenu />
            <FileMenu />
          </div>
          <ShareButton />
          <DrawerToggle drawer="inspector" label="Inspector" hint="Settings of the selection" icon={<PanelRight className="size-4" />} compactLabel />
          <span className="mx-1 h-5 w-px bg-zinc-200 phone:hidden" />
          {/* Below 1,024 px the bar is full with the buttons: the amber strip under it still says when the machine is saturated. */}
          <div className="max-lg:hidden">
            <MachineMeter />
          </div>
          <div className="narrow:hidden">
            <RunStatePill />
          </div>
          <div className={clsx(!live && "phone:hidden")}>
            <RunButton />
          </div>
        </div>
      </header>
      {/* Its own row under the bar, in the page's column: the warning pushes the canvas down rather than hiding its top. */}
      <BusyBanner />
    </>
  );
}

function TopologyName() {
  const name = useDocumentStore((s) => s.meta.name);
  const setName = useDocumentStore((s) => s.setName);
  const readOnly = useUiStore((s) => s.screen === "phone");
  return (
    <input
      readOnly={readOnly}
      aria-label="Topology name"
      data-testid="topology-name"
      value={name}
      maxLength={LIMITS.maxNameLength}
      placeholder="Untitled topology"
      onChange={(e) => setName(e.target.value)}
      onKeyDown={(e) => {
        if (e.key === "Enter" || e.key === "Escape") e.currentTarget.blur();
      }}
      className="h-8 w-64 min-w-24 truncate narrow:min-w-20 rounded-md border border-transparent bg-transparent px-2 text-[13px] font-medium text-zinc-700 transition-colors hover:border-zinc-200 focus:border-blue-500 focus:bg-white focus:ring-3 focus:ring-blue-500/15 focus:outline-none read-only:pointer-events-none read-only:hover:border-transparent"
    />
  );
}

const PILL: Record<RunPhase, { label: string; tone: string; dot: string }> = {
  idle: { label: "Not running", tone: "bg-zinc-100 text-zinc-600", dot: "bg-zinc-400" },
  starting: { label: "Starting", tone: "bg-amber-50 text-amber-800 ring-1 ring-amber-200", dot: "" },
  running: { label: "Running", tone: "bg-emerald-50 text-emerald-800 ring-1 ring-emerald-200", dot: "bg-emerald-500 ipc-live-dot" },
  stopping: { label: "Stopping", tone: "bg-zinc-100 text-zinc-700", dot: "" },
  stopped: { label: "Stopped", tone: "bg-zinc-100 text-zinc-600", dot: "bg-zinc-400" },
  failed: { label: "Failed", tone: "bg-red-50 text-red-700 ring-1 ring-red-200", dot: "bg-red-500" },
};

function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [active]);
  return now;
}

function RunStatePill() {
  const { phase, info } = useRunStore(useShallow((s) => ({ phase: s.phase, info: s.info })));
  const nodeCount = useDocumentStore((s) => s.nodes.length);
  const now = useNow(phase === "running");
  const p = PILL[phase];
  let text = p.label;
  if (phase === "starting") {
    const { up, total } = startProgress(info, nodeCount);
    text = `Starting ${up} of ${total} services…`;
  } else if (phase === "running" && info?.startedUnixMs) {
    text = `Running · ${formatElapsed(now - info.startedUnixMs)}`;
  }
  return (
    <span
      data-testid="run-state"
      data-phase={phase}
      className={clsx("tabular inline-flex h-7 shrink-0 items-center gap-1.5 rounded-full px-2.5 text-xs font-medium whitespace-nowrap", p.tone)}
      title={info?.error || undefined}
    >
      {phase === "starting" || phase === "stopping" ? <Spinner className="size-3" /> : <span className={clsx("size-1.5 rounded-full", p.dot)} />}
      {text}
    </span>
  );
}

function RunButton() {
  const phase = useRunStore((s) => s.phase);
  const info = useRunStore((s) => s.info);
  const problems = useProblems();
  const { nodeCount, hasService, hasClient } = useDocumentStore(
    useShallow((s) => ({
      nodeCount: s.nodes.length,
      hasService: s.nodes.some((n) => n.type === "service"),
      hasClient: s.nodes.some((n) => n.type === "client"),
    })),
  );

  if (phase === "starting") {
    const { up, total } = startProgress(info, nodeCount);
    return (
      <Button variant="secondary" onClick={() => void stopRun()} data-testid="stop" disabled={!info} className="min-w-32 narrow:min-w-20">
        <Spinner />
        <span className="tabular">Starting {up}/{total}</span>
      </Button>
    );
  }
  if (phase === "running" || phase === "stopping") {
    return (
      <Button variant="secondary" onClick={() => void stopRun()} disabled={phase === "stopping"} data-testid="stop" className="min-w-32 narrow:min-w-20">
        {phase === "stopping" ? <Spinner /> : <Square className="size-3 fill-red-500 text-red-500" />}
        {phase === "stopping" ? "Stopping…" : "Stop"}
      </Button>
    );
  }

  const live = problems.all.filter((p) => p.source === "live");
  const reason = !hasService
    ? "Add at least one service to run."
    : !hasClient
      ? "Add a client to send traffic."
      : live.length
        ? `${live.length === 1 ? "1 problem" : `${live.length} problems`} to fix first: ${live[0].problem.message}`
        : null;
  return (
    <Tooltip content={reason} align="end">
      <Button
        variant="primary"
        disabled={!!reason}
        onClick={() => void startRun(selectTopology(useDocumentStore.getState()))}
        data-testid="run"
        className="min-w-32 narrow:min-w-20"
      >
        <Play className="size-3.5 fill-current" />
        Run
      </Button>
    </Tooltip>
  );
}
