/**
 * Two runs — or two designs of one run — side by side (issue 10): the numbers
 * a person compares (throughput, the client's latency percentiles, the time to
 * finish the work, errors by outcome) and the series to overlay on one time
 * axis (seconds since each run's start).
 *
 * A side is a whole run or one design of it. What a client sees of a side is
 * what its entry edges carry (edges from clients into it); errors and queues
 * are those of every edge into its services.
 *
 * Pure: no I/O.
 */
import type { EdgeCounters } from "@/lib/gen/ipcplay/v1/playground_pb";
import { NodeKind, Transport } from "@/lib/gen/ipcplay/v1/topology_pb";
import type { DesignRecord, OpenedRecord, TimeStats } from "./run-record";

export interface Side {
  opened: OpenedRecord;
  /** One design of the run; absent: the whole run. */
  design?: DesignRecord;
}

export interface SideStats {
  label: string;
  /** The run's wall time, StartRun to StopRun: process start-up and stop included. */
  durationS: number;
  /**
   * Seconds the run was measured (its 1 s series points), the time traffic
   * flowed; the wall time when no series was kept. Throughput is over this, so
   * a slow start-up on a busy machine does not read as a slower design.
   */
  measuredS: number;
  /** Over the entry edges: what the clients sent and what came of it. */
  sent: number;
  delivered: number;
  failed: number;
  lost: number;
  /** Delivered on the entry edges per measured second. */
  throughputPerS: number;
  /** The client's call into the side, every message (the books' whole-run histograms); the slowest entry edge's. */
  clientLatency: { p50Ms: number; p95Ms: number; p99Ms: number };
  /** Until the side finished its work on a message (queue waits included), over the traces kept. */
  endToEnd: TimeStats;
  /**
   * Failed and lost by outcome, summed over every edge into the side: per edge,
   * not per message — a sync call that fails three hops down is an "error
   * reply" on each edge back to its client (the Failed row counts messages).
   */
  outcomes: Array<{ outcome: string; failed: number; lost: number }>;
  /** Per second since the run's start. */
  series: { seconds: number[]; delivered: number[]; failed: number[]; p95Ms: number[]; queueWaiting: number[] };
}

export function sideLabel(side: Side): string {
  return side.design ? `${side.opened.record.name} · ${side.design.name}` : side.opened.record.name;
}

export function sideStats(side: Side): SideStats {
  const { opened, design } = side;
  const { topology, summary, record } = opened;
  const clients = new Set(topology.nodes.filter((n) => n.kind === NodeKind.CLIENT).map((n) => n.id));
  const entryIds = new Set(design ? design.entryEdgeIds : topology.edges.filter((e) => clients.has(e.source)).map((e) => e.id));
  const sideEdgeIds = new Set(design ? design.edgeIds : topology.edges.map((e) => e.id));
  const countersOf = new Map(summary.edges.map((c) => [c.edgeId, c]));
  const entries = [...entryIds].map((id) => countersOf.get(id)).filter((c): c is EdgeCounters => c !== undefined);
  const total = (pick: (c: EdgeCounters) => number) => entries.reduce((sum, c) => sum + pick(c), 0);
  const durationS = Math.max(summary.durationMs, record.stoppedUnixMs - record.startedUnixMs) / 1000 || 1;
  const times = record.series.timestampsUnixMs;
  const measuredS = times.length ? Math.min(durationS, (times[times.length - 1] - times[0]) / 1000 + 1) : durationS;

  const outcomes = new Map<string, { failed: number; lost: number }>();
  for (const id of sideEdgeIds) {
    const c = countersOf.get(id);
    if (!c) continue;
    for (const { outcome, count } of c.failedBy) outcomes.set(outcome, { failed: (outcomes.get(outcome)?.failed ?? 0) + count, lost: outcomes.get(outcome)?.lost ?? 0 });
    for (const { outcome, count } of c.lostBy) outcomes.set(outcome, { failed: outcomes.get(outcome)?.failed ?? 0, lost: (outcomes.get(outcome)?.lost ?? 0) + count });
  }

  const queueChannels = new Set(
    topology.edges.filter((e) => sideEdgeIds.has(e.id) && e.transport === Transport.QUEUE && e.settings.case === "queue").map((e) => (e.settings.value as { channel: string }).channel),
  );
  const start = record.series.timestampsUnixMs[0] ?? record.startedUnixMs;
  const column = (subject: string, id: string, metric: string) => record.series.series.find((s) => s.subject === subject && s.id === id && s.metric === metric)?.values;
  const sumOf = (subject: string, ids: Iterable<string>, metric: string) => {
    const out = record.series.timestampsUnixMs.map(() => 0);
    for (const id of ids) column(subject, id, metric)?.forEach((v, i) => (out[i] += v));
    return out;
  };
  const maxOf = (subject: string, ids: Iterable<string>, metric: string) => {
    const out = record.series.timestampsUnixMs.map(() => 0);
    for (const id of ids) column(subject, id, metric)?.forEach((v, i) => (out[i] = Math.max(out[i], v)));
    return out;
  };

  return {
    label: sideLabel(side),
    durationS,
    measuredS,
    sent: total((c) => c.sent),
    delivered: total((c) => c.delivered),
    failed: total((c) => c.failed),
    lost: total((c) => c.lost),
    throughputPerS: total((c) => c.delivered) / measuredS,
    clientLatency: {
      p50Ms: Math.max(0, ...entries.map((c) => c.p50Ms)),
      p95Ms: Math.max(0, ...entries.map((c) => c.p95Ms)),
      p99Ms: Math.max(0, ...entries.map((c) => c.p99Ms)),
    },
    endToEnd: design?.endToEnd ?? {
      traces: summary.endToEnd?.traces ?? 0,
      p50Ms: summary.endToEnd?.p50Ms ?? 0,
      p95Ms: summary.endToEnd?.p95Ms ?? 0,
      p99Ms: summary.endToEnd?.p99Ms ?? 0,
      maxMs: summary.endToEnd?.maxMs ?? 0,
    },
    outcomes: [...outcomes].map(([outcome, n]) => ({ outcome, ...n })).sort((a, b) => b.failed + b.lost - (a.failed + a.lost)),
    series: {
      seconds: record.series.timestampsUnixMs.map((t) => (t - start) / 1000),
      delivered: sumOf("edge", entryIds, "delivered"),
      failed: sumOf("edge", entryIds, "failed"),
      p95Ms: maxOf("edge", entryIds, "p95_ms"),
      queueWaiting: sumOf("queue", queueChannels, "waiting"),
    },
  };
}

export interface CompareRow {
  key: string;
  label: string;
  a: number;
  b: number;
  /**
   * How to read the difference: lower is better (latency, errors), higher
   * (throughput), or neither (counts that grow with a run's length).
   */
  better: "lower" | "higher" | "neither";
  unit: "ms" | "per_s" | "count";
}

/** The table of a comparison: one row a number, the outcomes of either side included. */
export function compareRows(a: SideStats, b: SideStats): CompareRow[] {
  const rows: CompareRow[] = [
    { key: "throughput", label: "Throughput (delivered)", a: a.throughputPerS, b: b.throughputPerS, better: "higher", unit: "per_s" },
    { key: "sent", label: "Sent", a: a.sent, b: b.sent, better: "neither", unit: "count" },
    { key: "delivered", label: "Delivered", a: a.delivered, b: b.delivered, better: "neither", unit: "count" },
    { key: "failed", label: "Failed", a: a.failed, b: b.failed, better: "lower", unit: "count" },
    { key: "lost", label: "Lost", a: a.lost, b: b.lost, better: "lower", unit: "count" },
    { key: "client-p50", label: "Client's call p50", a: a.clientLatency.p50Ms, b: b.clientLatency.p50Ms, better: "lower", unit: "ms" },
    { key: "client-p95", label: "Client's call p95", a: a.clientLatency.p95Ms, b: b.clientLatency.p95Ms, better: "lower", unit: "ms" },
    { key: "client-p99", label: "Client's call p99", a: a.clientLatency.p99Ms, b: b.clientLatency.p99Ms, better: "lower", unit: "ms" },
    { key: "e2e-p50", label: "Work done, end to end p50", a: a.endToEnd.p50Ms, b: b.endToEnd.p50Ms, better: "lower", unit: "ms" },
    { key: "e2e-p95", label: "Work done, end to end p95", a: a.endToEnd.p95Ms, b: b.endToEnd.p95Ms, better: "lower", unit: "ms" },
    { key: "e2e-p99", label: "Work done, end to end p99", a: a.endToEnd.p99Ms, b: b.endToEnd.p99Ms, better: "lower", unit: "ms" },
    { key: "queue-max", label: "Most jobs waiting", a: Math.max(0, ...a.series.queueWaiting), b: Math.max(0, ...b.series.queueWaiting), better: "lower", unit: "count" },
  ];
  const outcomes = [...new Set([...a.outcomes, ...b.outcomes].map((o) => o.outcome))];
  const of = (s: SideStats, outcome: string) => {
    const o = s.outcomes.find((x) => x.outcome === outcome);
    return (o?.failed ?? 0) + (o?.lost ?? 0);
  };
  for (const outcome of outcomes) rows.push({ key: `outcome:${outcome}`, label: `  ${outcome}`, a: of(a, outcome), b: of(b, outcome), better: "lower", unit: "count" });
  return rows;
}

/** B against A in words for a row: "+12%", "−3.1×"; empty when equal or not comparable. */
export function deltaText(row: CompareRow): { text: string; tone: "better" | "worse" | "same" } {
  if (row.a === row.b) return { text: "", tone: "same" };
  const worse = row.better === "lower" ? row.b > row.a : row.b < row.a;
  const tone = row.better === "neither" ? "same" : worse ? "worse" : "better";
  if (row.a === 0) return { text: row.b > 0 ? "new" : "", tone };
  if (row.b === 0) return { text: "none", tone };
  const ratio = row.b / row.a;
  if (ratio >= 2 || ratio <= 0.5) return { text: `${ratio >= 1 ? ratio.toFixed(1) : (1 / ratio).toFixed(1)}× ${ratio >= 1 ? "more" : "less"}`, tone };
  const pct = Math.round((ratio - 1) * 100);
  return { text: pct === 0 ? "≈" : `${pct > 0 ? "+" : "−"}${Math.abs(pct)}%`, tone: pct === 0 ? "same" : tone };
}
