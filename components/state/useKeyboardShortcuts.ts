"use client";
import { useEffect } from "react";
import { copyNodes, type NodeClip, pasteNodes } from "@/lib/topology/clipboard";
import { selectTopology, useDocumentStore } from "./document-store";
import { isEditLocked, useRunStore } from "./run-store";

/** How far each paste lands from the copied nodes, so copies never hide the originals. */
const PASTE_STEP_PX = 40;

/** The last copied nodes and how many times they were pasted; kept for this tab only. */
let clipboard: { clip: NodeClip; pastes: number } | null = null;

/** True when keys go to a field (or other editable text), where our shortcuts must not fire. */
export function isTypingTarget(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || typeof el.tagName !== "string") return false;
  return el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable;
}

/** Copies the selected nodes (and the edges between them). Returns how many were copied. */
export function copySelection(): number {
  const s = useDocumentStore.getState();
  const ids = s.nodes.filter((n) => n.selected).map((n) => n.id);
  if (ids.length === 0) return 0;
  clipboard = { clip: copyNodes(selectTopology(s), ids), pastes: 0 };
  return ids.length;
}

/** Pastes the copied nodes with fresh ids, a step further each time, and selects them. */
export function pasteClipboard(): number {
  if (!clipboard) return 0;
  clipboard.pastes++;
  const step = PASTE_STEP_PX * clipboard.pastes;
  const s = useDocumentStore.getState();
  const { nodes, edges } = pasteNodes(selectTopology(s), clipboard.clip, { x: step, y: step });
  s.insert(nodes, edges);
  return nodes.length;
}

/**
 * The canvas's keyboard: undo (Ctrl/⌘+Z), redo (Ctrl/⌘+Shift+Z, Ctrl+Y), copy
 * and paste of nodes (Ctrl/⌘+C, Ctrl/⌘+V). Silent while typing in a field, and
 * while a run starts or stops (the document is locked then; while it runs, edits go out with UpdateRun).
 */
export function useKeyboardShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey || isTypingTarget(e.target)) return;
      if (isEditLocked(useRunStore.getState().phase)) return;
      const key = e.key.toLowerCase();
      const doc = useDocumentStore.getState();
      if (key === "z") {
        e.preventDefault();
        if (e.shiftKey) doc.redo();
        else doc.undo();
      } else if (key === "y" && !e.shiftKey) {
        e.preventDefault();
        doc.redo();
      } else if (key === "c" && !e.shiftKey) {
        // Text selected on the page (a log line, a trace id) is copied as text, as usual.
        if (window.getSelection()?.toString()) return;
        if (copySelection() > 0) e.preventDefault();
      } else if (key === "v" && !e.shiftKey) {
        if (pasteClipboard() > 0) e.preventDefault();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
}
