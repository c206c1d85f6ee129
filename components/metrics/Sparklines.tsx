"use client";

/**
 * Small uPlot lines in the inspectors: the last few minutes of an edge's rate
 * and p95 (and its queue's waiting), or a service's handled/s. The Metrics tab
 * has the full charts.
 */
import { Section } from "@/components/ui/fields";
import { formatMs } from "@/components/ui/format";
import { useRunStore } from "@/components/state/run-store";
import { shortNumber } from "./chart-specs";
import { type MetricsWindow, type Subject, sparkFrom, valuesOf } from "./metrics-window";
import { useMetricsStore } from "./metrics-store";
import { useBands } from "./MetricsPanel";
import { TimeChart } from "./TimeChart";

/** The sparklines show this much of the newest time. */
export const SPARK_MS = 5 * 60 * 1000;

interface Line {
  key: string;
  label: string;
  subject: Subject;
  id: string;
  metric: string;
  color: string;
  format: (v: number) => string;
}

function SparkRow({ line, win, from, version, bands }: { line: Line; win: MetricsWindow; from: number; version: number; bands: ReturnType<typeof useBands> }) {
  const values = valuesOf(win, line.subject, line.id, line.metric).slice(from);
  const last = values.length ? values[values.length - 1] : 0;
  return (
    <div className="grid grid-cols-[64px_1fr_64px] items-center gap-2" data-testid={`spark-${line.key}`} data-last={last}>
      <span className="text-2xs text-zinc-500">{line.label}</span>
      <div className="min-w-0 rounded bg-zinc-50">
        <TimeChart times={win.times.slice(from)} series={[{ label: line.label, values, color: line.color }]} bands={bands} spark height={26} version={version} />
      </div>
      <span className="tabular text-right text-2xs text-zinc-700">{line.format(last)}</span>
    </div>
  );
}

function Sparklines({ lines, subject }: { lines: Line[]; subject: { nodeId?: string; edgeId?: string } }) {
  const win = useMetricsStore((s) => s.win);
  const version = useMetricsStore((s) => s.version);
  const hasRun = useRunStore((s) => s.runId !== null);
  const bands = useBands(subject);
  if (!hasRun || win.times.length < 2) return null;
  const from = sparkFrom(win.times, SPARK_MS);
  return (
    <Section title="Last 5 minutes" aside={<span className="text-2xs text-zinc-400">Metrics tab for more</span>}>
      <div className="flex flex-col gap-1.5" data-testid="sparklines">
        {lines.map((l) => (
          <SparkRow key={l.key} line={l} win={win} from={from} version={version} bands={bands} />
        ))}
      </div>
    </Section>
  );
}

const perSecond = (v: number) => `${shortNumber(v)}/s`;

export function EdgeSparklines({ edgeId, queueChannel }: { edgeId: string; queueChannel?: string }) {
  const lines: Line[] = [
    { key: "sent", label: "sent/s", subject: "edge", id: edgeId, metric: "sent", color: "#3f3f46", format: perSecond },
    { key: "p95", label: "p95", subject: "edge", id: edgeId, metric: "p95_ms", color: "#6366f1", format: formatMs },
  ];
  if (queueChannel) lines.push({ key: "waiting", label: "waiting", subject: "queue", id: queueChannel, metric: "waiting", color: "#d97706", format: shortNumber });
  return <Sparklines lines={lines} subject={{ edgeId }} />;
}

export function NodeSparklines({ nodeId }: { nodeId: string }) {
  const lines: Line[] = [{ key: "handled", label: "handled/s", subject: "node", id: nodeId, metric: "handled_per_s", color: "#10b981", format: perSecond }];
  return <Sparklines lines={lines} subject={{ nodeId }} />;
}
