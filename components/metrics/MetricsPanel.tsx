"use client";

/**
 * The run panel's Metrics tab: the selected edge's or service's numbers over
 * the run's time, with the run's faults as bands and live edits as lines.
 */
import { BarChart3 } from "lucide-react";
import { useMemo } from "react";
import { useShallow } from "zustand/react/shallow";
import { selectTopology, useDocumentStore } from "@/components/state/document-store";
import { useRunStore } from "@/components/state/run-store";
import { Spinner } from "@/components/ui/Spinner";
import { targetOf } from "@/components/faults/fault-kinds";
import { faultBands } from "./chart-marks";
import { type ChartSpec, type EdgeSubject, edgeCharts, nodeCharts, shortNumber } from "./chart-specs";
import { lastValue } from "./metrics-window";
import { useMetricsStore } from "./metrics-store";
import { queueLagText } from "./queue-lag";
import { TimeChart } from "./TimeChart";

/** The one selected edge or node, as the metrics know it. */
export function useMetricsSubject(): ({ kind: "edge"; label: string } & EdgeSubject) | { kind: "node"; id: string; label: string } | null {
  return useDocumentStore(
    useShallow((s) => {
      const nodes = s.nodes.filter((n) => n.selected);
      const edges = s.edges.filter((e) => e.selected);
      if (nodes.length === 1 && edges.length === 0) {
        const n = nodes[0].data.node;
        return { kind: "node" as const, id: n.id, label: n.label || n.id };
      }
      if (edges.length === 1 && nodes.length === 0) {
        const e = edges[0].data.edge;
        const name = (id: string) => s.nodes.find((n) => n.id === id)?.data.node.label || id;
        return {
          kind: "edge" as const,
          id: e.id,
          label: `${name(e.source)} → ${name(e.target)}`,
          queueChannel: e.settings.case === "queue" ? e.settings.value.channel || undefined : undefined,
          pubsub: e.settings.case === "pubsub",
        };
      }
      return null;
    }),
  );
}

/** Faults as bands for a subject, from the run's info. */
export function useBands(subject: { nodeId?: string; edgeId?: string }) {
  const faults = useRunStore((s) => s.info?.faults);
  const past = useRunStore((s) => s.info?.pastFaults);
  const version = useMetricsStore((s) => s.version);
  const win = useMetricsStore((s) => s.win);
  const { nodeId, edgeId } = subject;
  return useMemo(() => {
    const topo = selectTopology(useDocumentStore.getState());
    const now = win.times.length ? Math.max(win.times[win.times.length - 1], Date.now()) : Date.now();
    return faultBands(faults ?? [], past ?? [], now, { nodeId, edgeId }, (f) => targetOf(topo, { nodeId: f.nodeId || undefined, edgeId: f.edgeId || undefined }));
    // version: an open band grows with each new point.
  }, [faults, past, nodeId, edgeId, win, version]);
}

export function MetricsPanel() {
  const subject = useMetricsSubject();
  const version = useMetricsStore((s) => s.version);
  const win = useMetricsStore((s) => s.win);
  const loading = useMetricsStore((s) => s.loading);
  const edits = useMetricsStore((s) => s.editTimes);
  const cursor = useMetricsStore((s) => s.cursorUnixMs);
  const phase = useRunStore((s) => s.phase);
  const bands = useBands(subject ? (subject.kind === "node" ? { nodeId: subject.id } : { edgeId: subject.id }) : {});

  const charts: ChartSpec[] = useMemo(
    () => (!subject ? [] : subject.kind === "node" ? nodeCharts(win, subject.id) : edgeCharts(win, subject)),
    [subject, win, version],
  );

  if (phase === "idle" && win.times.length === 0) {
    return <Empty text="Run the topology to record its numbers over time: one point a second, the last 30 minutes." />;
  }
  if (!subject) return <Empty text="Select an edge or a service to see its numbers over time." />;
  if (win.times.length === 0) {
    return loading || phase === "starting" || phase === "running" ? (
      <Empty text="Waiting for the first points (one a second)…" busy />
    ) : (
      <Empty text="This run recorded no points." />
    );
  }

  const waiting = subject.kind === "edge" && subject.queueChannel ? lastValue(win, "queue", subject.queueChannel, "waiting") : undefined;
  const lagText = subject.kind === "edge" && subject.queueChannel ? queueLagText(win, subject.queueChannel) : null;
  const seconds = Math.round((win.times[win.times.length - 1] - win.times[0]) / 1000);

  return (
    <div className="flex h-full min-h-0 flex-col" data-testid="metrics-panel" data-subject={`${subject.kind}:${subject.id}`} data-points={win.times.length} data-last-waiting={waiting} data-edits={edits.length} data-faults={bands.length} data-cursor={cursor ?? undefined}>
      <div className="flex shrink-0 items-center gap-3 px-3 pt-2 text-2xs text-zinc-500">
        <span className="font-semibold text-zinc-800">{subject.label}</span>
        <span>
          last {seconds >= 120 ? `${Math.round(seconds / 60)} min` : `${seconds} s`} · one point a second
          {phase === "stopped" ? " · run stopped" : ""}
        </span>
        {lagText && (
          <span className="text-amber-700" data-testid="metrics-queue-lag">
            {lagText}
          </span>
        )}
        <span className="ml-auto flex items-center gap-3">
          {bands.length > 0 && (
            <span className="flex items-center gap-1">
              <span className="inline-block h-2.5 w-3 rounded-sm bg-red-500/20 ring-1 ring-red-500/40" /> fault
            </span>
          )}
          {edits.length > 0 && (
            <span className="flex items-center gap-1">
              <span className="inline-block h-2.5 w-0 border-l border-dashed border-indigo-500" /> live edit
            </span>
          )}
        </span>
        {waiting !== undefined && (
          <span className="sr-only" aria-live="polite" data-testid="metrics-waiting">
            {`${shortNumber(waiting)} waiting in ${subject.kind === "edge" ? subject.queueChannel : ""}`}
          </span>
        )}
      </div>
      <div className="grid min-h-0 flex-1 auto-cols-[minmax(260px,1fr)] grid-flow-col gap-3 overflow-x-auto px-3 pt-1 pb-2">
        {charts.map((c) => (
          <figure key={c.key} className="flex min-w-0 flex-col" data-testid={`metrics-chart-${c.key}`}>
            <figcaption className="text-2xs font-semibold tracking-wider text-zinc-400 uppercase">{c.title}</figcaption>
            <TimeChart times={win.times} series={c.series} bands={bands} edits={edits} cursor={cursor} format={c.format} integer={c.integer} height={165} version={version} />
          </figure>
        ))}
      </div>
    </div>
  );
}

function Empty({ text, busy }: { text: string; busy?: boolean }) {
  return (
    <div className="flex h-full items-center justify-center gap-2 px-6 text-center text-xs text-zinc-500" data-testid="metrics-empty">
      {busy ? <Spinner /> : <BarChart3 className="size-4 text-zinc-400" />}
      {text}
    </div>
  );
}
