"use client";

import { ReactFlowProvider, useReactFlow } from "@xyflow/react";
import { useCallback, useEffect } from "react";
import { NodeKind } from "@/lib/gen/ipcplay/v1/topology_pb";
import { Canvas } from "./canvas/Canvas";
import { Palette } from "./canvas/Palette";
import { Notices } from "./chrome/Notices";
import { TopBar } from "./chrome/TopBar";
import { Inspector } from "./panels/Inspector";
import { RunPanel } from "./panels/RunPanel";
import { startAutosave, startHistory, useDocumentStore } from "./state/document-store";
import { openLinkFromLocation } from "./state/open-topology";
import { useKeyboardShortcuts } from "./state/useKeyboardShortcuts";
import { resumeRun } from "./state/run-actions";
import { ProblemsContext } from "./state/problems";
import { isLive, useRunStore } from "./state/run-store";
import { useDocumentProblems } from "./state/useDocumentProblems";
import { Spinner } from "./ui/Spinner";

/** The one screen: top bar, palette, canvas, inspector, run panel. */
export function Playground() {
  return (
    <ReactFlowProvider>
      <Shell />
    </ReactFlowProvider>
  );
}

function Shell() {
  const hydrated = useDocumentStore((s) => s.hydrated);
  const live = useRunStore((s) => isLive(s.phase));
  const problems = useDocumentProblems();
  const { screenToFlowPosition } = useReactFlow();

  useEffect(() => {
    useDocumentStore.getState().hydrate();
    const stopHistory = startHistory();
    // After hydrate and the history: the canvas a link replaces stays one undo away.
    openLinkFromLocation();
    window.addEventListener("hashchange", openLinkFromLocation);
    void resumeRun();
    const stopAutosave = startAutosave();
    return () => {
      window.removeEventListener("hashchange", openLinkFromLocation);
      stopHistory();
      stopAutosave();
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
      useDocumentStore.getState().deselectAll();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const onAdd = useCallback(
    (kind: NodeKind) => {
      if (live) return;
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
      <div className="flex h-screen min-w-[1100px] flex-col overflow-hidden">
        <TopBar />
        <div className="flex min-h-0 flex-1">
          <Palette onAdd={onAdd} disabled={live} />
          <main className="min-w-0 flex-1">
            {hydrated ? (
              <Canvas onAdd={onAdd} />
            ) : (
              <div className="flex h-full items-center justify-center gap-2 bg-zinc-50 text-xs text-zinc-500">
                <Spinner /> Opening your topology…
              </div>
            )}
          </main>
          <Inspector />
        </div>
        <RunPanel />
      </div>
      <Notices />
    </ProblemsContext.Provider>
  );
}
