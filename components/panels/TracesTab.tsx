"use client";

/**
 * The run panel's Traces tab: the trace list, and beside it the open trace's
 * waterfall — or, when an edge was clicked on the canvas (its traces fill the
 * list) and no trace is open, that edge's charts (the Metrics panel, which
 * follows the selection). The trace comparison opens over the page from here.
 */
import { MetricsPanel } from "@/components/metrics/MetricsPanel";
import { useDocumentStore } from "@/components/state/document-store";
import { useHealthStore } from "@/components/state/health-store";
import { useRunStore } from "@/components/state/run-store";
import { useTraceCompare } from "@/components/state/trace-compare";
import { TraceCompare } from "./TraceCompare";
import { TraceList } from "./TraceList";
import { Waterfall } from "./Waterfall";

export function TracesTab() {
  const traceOpen = useRunStore((s) => s.selectedTraceId !== null);
  const hasRun = useRunStore((s) => s.phase !== "idle" && s.runId !== null);
  const filterEdge = useHealthStore((s) => s.filter.edge);
  // The one selected edge, with nothing else selected; null otherwise.
  const selectedEdge = useDocumentStore((s) => {
    if (s.nodes.some((n) => n.selected)) return null;
    let id: string | null = null;
    for (const e of s.edges) {
      if (!e.selected) continue;
      if (id !== null) return null;
      id = e.id;
    }
    return id;
  });
  const comparing = useTraceCompare((s) => s.a !== null && s.b !== null);
  const showChart = hasRun && !traceOpen && filterEdge !== "" && filterEdge === selectedEdge;

  return (
    <>
      <div className="grid h-full grid-cols-[400px_1fr]">
        <div className="min-h-0 border-r border-zinc-100">
          <TraceList />
        </div>
        <div className="min-h-0">
          {showChart ? (
            <div className="h-full" data-testid="edge-chart" data-edge={filterEdge}>
              <MetricsPanel />
            </div>
          ) : (
            <Waterfall />
          )}
        </div>
      </div>
      {comparing && <TraceCompare />}
    </>
  );
}
