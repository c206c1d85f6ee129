"use client";

import { ReactFlowProvider, useReactFlow } from "@xyflow/react";
import { Eye } from "lucide-react";
import { useCallback, useEffect } from "react";
import { NodeKind } from "@/lib/gen/ipcplay/v1/topology_pb";
import { Canvas } from "./canvas/Canvas";
import { ExperimentStrip } from "./experiment/ExperimentStrip";
import { Palette } from "./canvas/Palette";
import { PanelSlot } from "./chrome/Drawers";
import { Notices } from "./chrome/Notices";
import { TopBar } from "./chrome/TopBar";
import { Inspector } from "./panels/Inspector";
import { RunPanel } from "./panels/RunPanel";
import { startAutosave, startHistory, useDocumentStore } from "./state/document-store";
import { openLinkFromLocation } from "./state/open-topology";
import { useKeyboardShortcuts } from "./state/useKeyboardShortcuts";
import { resumeRun } from "./state/run-actions";
import { ProblemsContext } from "./state/problems";
import { isEditLocked, useRunStore } from "./state/run-store";
import { startLiveEdits } from "./state/live-edit";
import { useDocumentProblems } from "./state/useDocumentProblems";
import { isTypingTarget } from "./state/useKeyboardShortcuts";
import { useUiStore, watchScreen } from "./state/ui-store";
import { Spinner } from "./ui/Spinner";
import { ReplayBar } from "./replay/ReplayBar";
import { useReplayStore } from "./replay/replay-store";

/**
 * The one screen: top bar, palette, canvas, inspector, run panel. Below
 * 1,100 px the palette and the inspector are drawers; on a phone the canvas is
 * a read-only view (see `Screen` in state/ui-store.ts).
 */
export function Playground() {
  return (
    <ReactFlowProvider>
      <Shell />
    </ReactFlowProvider>
  );
}

function Shell() {
  const hydrated = useDocumentStore((s) => s.hydrated);
  // Adding nodes waits only while a run starts or stops; while it runs, added nodes go out with UpdateRun.
  const live = useRunStore((s) => isEditLocked(s.phase));
  const problems = useDocumentProblems();
  const { screenToFlowPosition } = useReactFlow();
  // A recorded run replayed (components/replay): its bar replaces the top bar; nothing to add, inspect-edit or schedule.
  const replaying = useReplayStore((s) => s.replay !== null);

  useEffect(() => {
    // First, so the canvas's first render already knows whether it is a read-only view.
    const stopScreen = watchScreen();
    useDocumentStore.getState().hydrate();
    const stopHistory = startHistory();
    // After hydrate and the history: the canvas a link replaces stays one undo away.
    openLinkFromLocation();
    window.addEventListener("hashchange", openLinkFromLocation);
    void resumeRun();
    const stopAutosave = startAutosave();
    const stopLiveEdits = startLiveEdits();
    return () => {
      window.removeEventListener("hashchange", openLinkFromLocation);
      stopHistory();
      stopAutosave();
      stopLiveEdits();
      stopScreen();
    };
  }, []);
  useKeyboardShortcuts();

  // The server's problems describe the document as it was sent: drop them on the next edit.
  useEffect(
    () =>
      useDocumentStore.subscribe((s, prev) => {
        if (!useRunStore.getState().serverProblems) return;
        const changed =
          s.edges !== prev.edges
            ? s.edges.length !== prev.edges.length || s.edges.some((e, i) => e.data !== prev.edges[i]?.data)
            : s.nodes.length !== prev.nodes.length || s.nodes.some((n, i) => n.data !== prev.nodes[i]?.data);
        if (changed) useRunStore.getState().clearServerProblems();
      }),
    [],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT")) {
        t.blur();
        return;
      }
      // An open drawer closes first; the selection stays (it is what the inspector was showing).
      if (useUiStore.getState().drawer) {
        useUiStore.getState().closeDrawer();
        return;
      }
      useDocumentStore.getState().deselectAll();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  // A read-only view takes no editing keys: undo, redo and paste would change the topology behind it.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // A replay is read-only too: its topology is a recorded run's, not the person's.
      if ((useUiStore.getState().screen !== "phone" && !useReplayStore.getState().replay) || !(e.ctrlKey || e.metaKey) || isTypingTarget(e.target)) return;
      if (["z", "y", "v"].includes(e.key.toLowerCase())) e.stopImmediatePropagation();
    };
    // Capture, on window: before the shortcuts' own listener.
    window.addEventListener("keydown", onKey, true);
    return () => window.removeEventListener("keydown", onKey, true);
  }, []);

  const onAdd = useCallback(
    (kind: NodeKind) => {
      if (live || useUiStore.getState().screen === "phone" || useReplayStore.getState().replay) return;
      const { nodes, addNode } = useDocumentStore.getState();
      const last = nodes[nodes.length - 1];
      if (last) {
        addNode(kind, { x: last.position.x + 288, y: last.position.y });
        return;
      }
      const pane = document.querySelector('[data-testid="canvas"]')?.getBoundingClientRect();
      const center = pane
        ? screenToFlowPosition({ x: pane.left + pane.width / 2, y: pane.top + pane.height / 2 })
        : { x: 0, y: 0 };
      addNode(kind, { x: Math.round(center.x - 108), y: Math.round(center.y - 46) });
    },
    [live, screenToFlowPosition],
  );

  return (
    <ProblemsContext.Provider value={problems}>
      <div className="flex h-screen flex-col overflow-hidden">
        {replaying ? <ReplayBar /> : <TopBar />}
        <ReadOnlyNote />
        <div className="relative flex min-h-0 flex-1">
          {!replaying && (
            <PanelSlot drawer="palette" title="Palette" side="left">
              <Palette onAdd={onAdd} disabled={live} />
            </PanelSlot>
          )}
          <main className="min-w-0 flex-1">
            {hydrated ? (
              <Canvas onAdd={onAdd} />
            ) : (
              <div className="flex h-full items-center justify-center gap-2 bg-zinc-50 text-xs text-zinc-500">
                <Spinner /> Opening your topology…
              </div>
            )}
          </main>
          {!replaying && (
            <PanelSlot drawer="inspector" title="Inspector" side="right">
              <Inspector />
            </PanelSlot>
          )}
        </div>
        {!replaying && <ExperimentStrip />}
        {/* A phone does not run topologies: no traces, log or summary to show. */}
        <div className="flex shrink-0 flex-col phone:hidden">
          <RunPanel />
        </div>
      </div>
      <Notices />
    </ProblemsContext.Provider>
  );
}

/** On a phone, one line under the bar: what this view is and is not. */
function ReadOnlyNote() {
  return (
    <div
      className="hidden shrink-0 items-center gap-2 border-b border-zinc-200 bg-zinc-50 px-3 py-1.5 text-xs text-zinc-600 phone:flex"
      data-testid="read-only-note"
      role="note"
    >
      <Eye className="size-3.5 shrink-0 text-zinc-400" />
      <span>
        <span className="font-medium text-zinc-800">Read-only view.</span> Editing needs a wider screen.
      </span>
    </div>
  );
}
