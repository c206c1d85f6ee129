"use client";

/**
 * Health thresholds (kept in localStorage) and the trace list's filter, which
 * the canvas sets when an edge's health caption is clicked.
 */
import { create } from "zustand";
import { checkThresholds, DEFAULT_THRESHOLDS, type HealthThresholds } from "@/lib/health/edge-health";
import { NO_FILTER, type TraceFilter } from "@/components/panels/trace-filter";

const THRESHOLDS_KEY = "ipcplay.health-thresholds";

interface HealthState {
  thresholds: HealthThresholds;
  filter: TraceFilter;
  /** Bumped to ask the run panel to show its trace list (edge-focus.ts; Metrics stays if open). */
  tracesRequest: number;
  loadThresholds(): void;
  setThresholds(t: HealthThresholds): void;
  setFilter(patch: Partial<TraceFilter>): void;
  clearFilter(): void;
  /** The trace list, filtered to one edge (and nothing else). */
  showEdgeTraces(edgeId: string): void;
}

export const useHealthStore = create<HealthState>()((set) => ({
  thresholds: DEFAULT_THRESHOLDS,
  filter: NO_FILTER,
  tracesRequest: 0,
  loadThresholds() {
    try {
      const raw = window.localStorage.getItem(THRESHOLDS_KEY);
      if (!raw) return;
      const v = JSON.parse(raw) as Partial<HealthThresholds>;
      const t = checkThresholds(Number(v.degraded), Number(v.failing));
      if (t) set({ thresholds: t });
    } catch (err) {
      console.warn("could not read the health thresholds; the defaults apply", err);
    }
  },
  setThresholds(thresholds) {
    set({ thresholds });
    try {
      window.localStorage.setItem(THRESHOLDS_KEY, JSON.stringify(thresholds));
    } catch (err) {
      console.warn("could not keep the health thresholds", err);
    }
  },
  setFilter: (patch) => set((s) => ({ filter: { ...s.filter, ...patch } })),
  clearFilter: () => set({ filter: NO_FILTER }),
  showEdgeTraces: (edgeId) => set((s) => ({ filter: { ...NO_FILTER, edge: edgeId }, tracesRequest: s.tracesRequest + 1 })),
}));
