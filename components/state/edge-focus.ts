/**
 * "Click an edge → its traces, its chart": one action for every way of
 * pointing at an edge while a run is up or after it stopped (the line, its
 * label, its health caption, Enter on a focused edge, the inspector's link).
 * It selects the edge (the Metrics panel and the traces tab's chart follow the
 * selection), closes an open trace so the chart shows, and filters the trace
 * list to the edge; the run panel opens on its traces (or stays on Metrics).
 */
import { useDocumentStore } from "./document-store";
import { useHealthStore } from "./health-store";
import { useRunStore } from "./run-store";

/** There is a run (going or stopped) whose traces and series can be shown. */
export function hasRunToShow(): boolean {
  const { phase, runId } = useRunStore.getState();
  return phase !== "idle" && runId !== null;
}

/** Focuses the run's views on one edge; returns false (and does nothing) with no run to show. */
export function focusEdge(edgeId: string): boolean {
  if (!hasRunToShow()) return false;
  useDocumentStore.getState().select({ edges: [edgeId] });
  useRunStore.getState().selectTrace(null);
  useHealthStore.getState().showEdgeTraces(edgeId);
  return true;
}
