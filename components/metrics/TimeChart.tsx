"use client";

/**
 * One uPlot chart over the run's time. The uPlot instance is made once per
 * set of series (their labels) and fed with setData after that; it follows its
 * container's size (ResizeObserver). Fault bands and live-edit lines are drawn
 * under the series by a drawClear hook that reads the newest marks.
 */
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import "./charts.css";
import type { Band } from "./chart-marks";

export interface ChartSeries {
  label: string;
  /** null: no point there (a gap in the line). */
  values: readonly (number | null)[];
  color: string;
  /** Dashed (a secondary line). */
  dash?: boolean;
}

const TONE = {
  red: { fill: "rgba(239, 68, 68, 0.10)", own: "rgba(239, 68, 68, 0.20)", text: "#b91c1c" },
  amber: { fill: "rgba(245, 158, 11, 0.10)", own: "rgba(245, 158, 11, 0.22)", text: "#b45309" },
} as const;
const INTEGER_INCRS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000, 1e6];
const EDIT_COLOR = "#6366f1";
/** Steps of an elapsed-time axis, in seconds: round numbers a person counts in. */
const ELAPSED_INCRS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600];

const CURSOR_COLOR = "#18181b";

function drawMarks(u: uPlot, bands: readonly Band[], edits: readonly number[], spark: boolean, cursor: number | null = null): void {
  const { ctx } = u;
  const { left, top, width, height } = u.bbox;
  const min = u.scales.x.min;
  const max = u.scales.x.max;
  if (min === undefined || max === undefined) return;
  const px = devicePixelRatio || 1;
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  ctx.font = `${10 * px}px ui-sans-serif, system-ui, sans-serif`;
  ctx.textBaseline = "top";
  // uPlot leaves the alignment of its last axis label behind.
  ctx.textAlign = "left";
  const placed: { b: Band; x0: number }[] = [];
  for (const b of bands) {
    const s = b.startMs / 1000;
    const e = b.endMs / 1000;
    if (e < min || s > max) continue;
    const x0 = u.valToPos(Math.max(s, min), "x", true);
    const x1 = Math.max(u.valToPos(Math.min(e, max), "x", true), x0 + 2 * px);
    const tone = TONE[b.tone];
    ctx.fillStyle = b.own ? tone.own : tone.fill;
    ctx.fillRect(x0, top, x1 - x0, height);
    ctx.fillStyle = tone.text;
    ctx.fillRect(x0, top, 1 * px, height);
    placed.push({ b, x0 });
  }
  if (!spark) {
    /** Where each row of labels ends, so neighbouring faults' labels do not overlap. */
    const rowEnds: number[] = [];
    for (const { b, x0 } of placed) {
      const w = ctx.measureText(b.label).width;
      const x = Math.max(left, Math.min(x0 + 3 * px, left + width - w - 2 * px));
      let row = rowEnds.findIndex((end) => end < x);
      if (row < 0) row = rowEnds.length;
      if (row >= 3) continue;
      rowEnds[row] = x + w + 6 * px;
      const y = top + (2 + row * 12) * px;
      // A backing, so the edge line of a neighbouring band does not cut through the words.
      ctx.fillStyle = "rgba(255, 255, 255, 0.85)";
      ctx.fillRect(x - 2 * px, y - 1 * px, w + 4 * px, 12 * px);
      ctx.fillStyle = TONE[b.tone].text;
      ctx.fillText(b.label, x, y);
    }
  }
  ctx.strokeStyle = EDIT_COLOR;
  ctx.lineWidth = px;
  ctx.setLineDash([3 * px, 3 * px]);
  for (const t of edits) {
    const s = t / 1000;
    if (s < min || s > max) continue;
    const x = Math.round(u.valToPos(s, "x", true));
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + height);
    ctx.stroke();
  }
  // A replay's time: a solid line the scrubber moves.
  if (cursor !== null && cursor / 1000 >= min && cursor / 1000 <= max) {
    const x = Math.round(u.valToPos(cursor / 1000, "x", true));
    ctx.setLineDash([]);
    ctx.strokeStyle = CURSOR_COLOR;
    ctx.lineWidth = 1.5 * px;
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + height);
    ctx.stroke();
  }
  ctx.restore();
}

/** A time tick on one line: "14:05" on a whole minute, ":15" between. */
export function clockTick(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return d.getSeconds() ? `:${pad(d.getSeconds())}` : `${d.getHours()}:${pad(d.getMinutes())}`;
}

/** A tick on an axis of time since the start: "0 s", "45 s", "1:30", "12:00". */
export function elapsedTick(seconds: number): string {
  const s = Math.round(seconds);
  if (Math.abs(s) < 60) return `${s} s`;
  return `${Math.floor(s / 60)}:${String(Math.abs(s) % 60).padStart(2, "0")}`;
}

/** The legend shows the newest values while the cursor is off the chart. */
function showNewest(u: uPlot, cursorMs: number | null = null): void {
  const n = u.data[0]?.length ?? 0;
  if (n > 0 && u.cursor.idx == null && u.legend.show !== false && u.legend.live !== false) u.setLegend({ idx: cursorMs === null ? n - 1 : pointAtOrBefore(u.data[0], cursorMs / 1000) }, false);
}

/** A replay's legend: the values of the last point at or before its time. */
function pointAtOrBefore(xs: ArrayLike<number>, x: number): number {
  let i = xs.length - 1;
  while (i > 0 && xs[i] > x) i--;
  return i;
}

export interface TimeChartProps {
  /** Point times, Unix ms; with `axis: "elapsed"`, ms since the start. */
  times: readonly number[];
  /**
   * "clock" (default): times of day. "elapsed": time since the start
   * ("0 s", "1:30"), for series of runs that happened at different times
   * laid over one another (History → Compare).
   */
  axis?: "clock" | "elapsed";
  series: readonly ChartSeries[];
  bands?: readonly Band[];
  /** Live edits applied, Unix ms. */
  edits?: readonly number[];
  /** A replay's time, Unix ms: drawn as a solid line. */
  cursor?: number | null;
  /** Axis and legend numbers. */
  format?: (v: number) => string;
  /** Whole-number ticks only. */
  integer?: boolean;
  /** A sparkline: no axes, no legend, no cursor. */
  spark?: boolean;
  height: number;
  /** Changes when the data did (the columns are mutated in place). */
  version: number;
}

export function TimeChart({ times, series, bands = [], edits = [], cursor = null, format = (v) => String(v), spark = false, integer = false, height, version, axis = "clock" }: TimeChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const marks = useRef({ bands, edits, cursor });
  marks.current = { bands, edits, cursor };
  const fmt = useRef(format);
  fmt.current = format;
  const shape = series.map((s) => `${s.label}:${s.color}`).join("|");

  const data = (): uPlot.AlignedData => [times.map((t) => t / 1000), ...series.map((s) => s.values as (number | null)[])];
  const elapsed = axis === "elapsed";

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const opts: uPlot.Options = {
      width: Math.max(el.clientWidth, 50),
      height,
      // Elapsed: series of different lengths, whose newest points are at different seconds; the legend is a key (A, B), the table has the numbers.
      legend: { show: !spark, live: !elapsed },
      cursor: spark ? { show: false } : { y: false, points: { size: 5 } },
      padding: spark ? [2, 0, 2, 0] : [8, 18, 0, 0],
      scales: { x: { time: !elapsed }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: spark
        ? [{ show: false }, { show: false }]
        : [
            {
              stroke: "#71717a",
              grid: { stroke: "#f4f4f5" },
              ticks: { stroke: "#e4e4e7" },
              font: "10px ui-sans-serif, system-ui",
              space: 60,
              size: 24,
              incrs: elapsed ? ELAPSED_INCRS : undefined,
              values: (_u, vals) => vals.map(elapsed ? elapsedTick : clockTick),
            },
            {
              stroke: "#71717a",
              grid: { stroke: "#f4f4f5" },
              ticks: { stroke: "#e4e4e7" },
              font: "10px ui-sans-serif, system-ui",
              size: 58,
              incrs: integer ? INTEGER_INCRS : undefined,
              values: (_u, vals) => vals.map((v) => fmt.current(v)),
            },
          ],
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: spark ? 1.25 : 1.5,
          dash: s.dash ? [4, 3] : undefined,
          points: { show: false },
          // Elapsed: a second the server took no reading of (a loaded machine) is bridged; a shorter run still ends where it ended.
          spanGaps: elapsed,
          value: (_u: uPlot, v: number | null) => (v === null ? "–" : fmt.current(v)),
        })),
      ],
      hooks: {
        drawClear: [(u) => drawMarks(u, marks.current.bands, marks.current.edits, spark, marks.current.cursor)],
        // Off the chart, the legend reads the newest point rather than dashes.
        setCursor: [(u) => showNewest(u, marks.current.cursor)],
      },
    };
    const u = new uPlot(opts, data(), el);
    plot.current = u;
    showNewest(u);
    const ro = new ResizeObserver(() => {
      const w = el.clientWidth;
      if (w > 0 && w !== u.width) u.setSize({ width: w, height });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
    // Made again only when the set of series or the height changes; data goes in with setData.
  }, [shape, height, spark, integer, elapsed]);

  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    u.setData(data());
    showNewest(u, cursor);
  }, [version, bands, edits, cursor]);

  return <div ref={box} className={spark ? "ipc-spark w-full" : elapsed ? "ipc-chart ipc-key w-full" : "ipc-chart w-full"} />;
}
