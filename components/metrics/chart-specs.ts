/**
 * Which charts a selected edge or service gets, with which series (README
 * "Metrics over time" lists what the server keeps per subject).
 */
import { formatBytes, formatCount, formatCpu, formatMs } from "@/components/ui/format";
import { type MetricsWindow, metricsOf, type Subject, valuesOf } from "./metrics-window";

export interface SpecSeries {
  label: string;
  values: number[];
  color: string;
  dash?: boolean;
}

export interface ChartSpec {
  key: string;
  title: string;
  series: SpecSeries[];
  format: (v: number) => string;
  /** Whole numbers only (jobs, messages): no 0.5 ticks. */
  integer?: boolean;
}

/** Compact axis numbers: 3, 2.5, 1.2k. */
export function shortNumber(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${trim((v / 1e6).toFixed(1))}M`;
  if (a >= 1e3) return `${trim((v / 1e3).toFixed(1))}k`;
  if (a >= 10 || v === 0) return formatCount(v);
  return trim(v.toFixed(1));
}
const trim = (s: string) => s.replace(/\.0$/, "");
const MIB = 1024 ** 2;
const perSecond = (v: number) => `${shortNumber(v)}/s`;

const FAIL_COLORS = ["#dc2626", "#f97316", "#be185d", "#9333ea", "#b91c1c", "#ea580c"];
const LOST_COLORS = ["#a16207", "#ca8a04", "#854d0e"];

/** Words for the outcome part of "failed:<outcome>". */
function outcomeWord(outcome: string): string {
  return outcome.toLowerCase().replace(/_/g, " ");
}

export interface EdgeSubject {
  id: string;
  /** The queue channel, for a queue edge. */
  queueChannel?: string;
  /** A pub/sub edge: a subscriber gets each message once, so it has no attempts to chart. */
  pubsub?: boolean;
}

export function edgeCharts(win: MetricsWindow, edge: EdgeSubject): ChartSpec[] {
  const v = (subject: Subject, id: string, metric: string) => valuesOf(win, subject, id, metric);
  const names = metricsOf(win, "edge", edge.id);
  const failed = names.filter((n) => n.startsWith("failed:"));
  const lost = names.filter((n) => n.startsWith("lost:"));
  const rate: SpecSeries[] = [
    { label: "sent", values: v("edge", edge.id, "sent"), color: "#3f3f46" },
    { label: "delivered", values: v("edge", edge.id, "delivered"), color: "#10b981" },
    ...(failed.length
      ? failed.map((n, i) => ({ label: `failed ${outcomeWord(n.slice(7))}`, values: v("edge", edge.id, n), color: FAIL_COLORS[i % FAIL_COLORS.length] }))
      : [{ label: "failed", values: v("edge", edge.id, "failed"), color: "#dc2626" }]),
    ...lost.map((n, i) => ({ label: `lost ${outcomeWord(n.slice(5))}`, values: v("edge", edge.id, n), color: LOST_COLORS[i % LOST_COLORS.length], dash: true })),
  ];
  const charts: ChartSpec[] = [
    // Counts of one second are whole numbers.
    { key: "rate", title: "Messages per second", series: rate, format: perSecond, integer: true },
    {
      key: "latency",
      title: "Latency",
      series: [
        { label: "p50", values: v("edge", edge.id, "p50_ms"), color: "#0ea5e9" },
        { label: "p95", values: v("edge", edge.id, "p95_ms"), color: "#6366f1" },
        { label: "p99", values: v("edge", edge.id, "p99_ms"), color: "#a855f7", dash: true },
      ],
      format: formatMs,
    },
  ];
  if (!edge.pubsub) {
    charts.push({
      key: "attempts",
      title: "Attempts per second",
      series: [
        { label: "attempts", values: v("edge", edge.id, "attempts"), color: "#3f3f46" },
        { label: "retries", values: v("edge", edge.id, "retries"), color: "#f59e0b" },
      ],
      format: perSecond,
      integer: true,
    });
  }
  if (edge.queueChannel) {
    const q = edge.queueChannel;
    charts.push({
      key: "queue",
      title: `Queue “${q}”`,
      series: [
        { label: "waiting", values: v("queue", q, "waiting"), color: "#d97706" },
        { label: "active", values: v("queue", q, "active"), color: "#0ea5e9" },
        { label: "delayed", values: v("queue", q, "delayed"), color: "#8b5cf6", dash: true },
        { label: "dead letters", values: v("queue", q, "dead_letters"), color: "#dc2626" },
      ],
      format: shortNumber,
      integer: true,
    });
    charts.push({
      key: "lag",
      title: "Queue lag",
      series: [
        { label: "oldest waiting", values: v("queue", q, "lag_s").map((s) => s * 1000), color: "#d97706" },
        { label: "time to drain (est.)", values: v("queue", q, "drain_s").map((s) => s * 1000), color: "#64748b", dash: true },
      ],
      format: formatMs,
    });
  }
  return charts;
}

export function nodeCharts(win: MetricsWindow, nodeId: string): ChartSpec[] {
  const v = (metric: string) => valuesOf(win, "node", nodeId, metric);
  return [
    { key: "handled", title: "Handled per second", series: [{ label: "handled", values: v("handled_per_s"), color: "#10b981" }], format: perSecond },
    {
      key: "load",
      title: "Waiting and in flight",
      series: [
        { label: "waiting", values: v("waiting"), color: "#d97706" },
        { label: "in flight", values: v("in_flight"), color: "#0ea5e9" },
      ],
      format: shortNumber,
      integer: true,
    },
    { key: "cpu", title: "CPU (of one core)", series: [{ label: "CPU", values: v("cpu_percent"), color: "#6366f1" }], format: formatCpu },
    // In MiB, so the axis ticks fall on round numbers of the unit shown.
    { key: "rss", title: "Memory (RSS)", series: [{ label: "RSS", values: v("rss_bytes").map((b) => b / MIB), color: "#64748b" }], format: (mib) => formatBytes(mib * MIB) },
  ];
}
