"use client";

import clsx from "clsx";
import { ChevronDown, ChevronUp, CircleAlert, FlaskConical, Hand, Lock, Plus, Server } from "lucide-react";
import { useEffect, useId, useLayoutEffect, useMemo, useRef, useState } from "react";
import type { ActiveFault } from "@/lib/gen/ipcplay/v1/playground_pb";
import { FaultKind, NodeKind, type ScheduledFault, type Topology, Transport } from "@/lib/gen/ipcplay/v1/topology_pb";
import { scheduledEnd } from "@/lib/faults/schedule";
import { selectTopology, useDocumentStore } from "@/components/state/document-store";
import { useProblems } from "@/components/state/problems";
import { isLive, useRunStore } from "@/components/state/run-store";
import { useUiStore } from "@/components/state/ui-store";
import { Button } from "@/components/ui/Button";
import { transportStyle } from "@/components/ui/transport-style";
import { faultTone, targetOf as faultTargetOf } from "@/components/faults/fault-kinds";
import { entryProblems, faultLabel, faultParamsText, newEntry, whenText } from "./fault-words";
import { ScheduleEditor } from "./ScheduleEditor";
import {
  axisEnd,
  barBox,
  buildLanes,
  type HappenedBar,
  happenedBars,
  type LaneTarget,
  runUpUnixMs,
  secondsText,
  tickStep,
  ticks,
  xPercent,
} from "./timeline-layout";

/** How often the "now" cursor moves while a run is up. */
const NOW_TICK_MS = 250;

/** Stripes: a fault injected by hand rather than by the schedule. */
const HATCH = "repeating-linear-gradient(135deg, rgb(255 255 255 / 0.3) 0 3px, transparent 3px 7px)";

interface PlanBar {
  index: number;
  entry: ScheduledFault;
  nodeId?: string;
  edgeId?: string;
  fromS: number;
  toS: number;
}

interface RanBar extends HappenedBar {
  nodeId?: string;
  edgeId?: string;
}

interface Tip {
  rect: DOMRect;
  content: React.ReactNode;
}

/**
 * The experiment under the canvas: the document's fault schedule as bars on a
 * time axis (0 = the run is up), one lane per faulted node or edge, and — once
 * a run reported them — what actually happened, scheduled and by hand, with a
 * "now" cursor while it runs. Entries are added and edited here when no run is up.
 */
export function ExperimentStrip() {
  const open = useUiStore((s) => s.experimentOpen);
  const setOpen = useUiStore((s) => s.setExperimentOpen);
  const topology = useDocumentStore(selectTopology);
  const schedule = topology.schedule;
  const phase = useRunStore((s) => s.phase);
  const info = useRunStore((s) => s.info);
  const runId = useRunStore((s) => s.runId);
  const live = isLive(phase);
  const documentProblems = useProblems();
  const bodyId = useId();
  const [editing, setEditing] = useState<{ index: number | null; entry: ScheduledFault } | null>(null);
  const [tip, setTip] = useState<Tip | null>(null);

  useEffect(() => useUiStore.getState().loadPrefs(), []);
  // A run locks the schedule: an open form goes.
  useEffect(() => {
    if (live) setEditing(null);
  }, [live]);
  // Undo, a template or a link may take the edited entry away.
  useEffect(() => {
    if (editing && editing.index !== null && editing.index >= schedule.length) setEditing(null);
  }, [editing, schedule]);

  // A bar that goes while hovered (undo, a new document, the strip closed) takes its tooltip with it.
  useEffect(() => setTip(null), [schedule, open, runId]);

  const clock = useRunClock(runId, phase, live);

  const scheduleProblemList = useMemo(
    () => documentProblems.all.filter((p) => p.problem.path.startsWith("schedule")).map((p) => p.problem),
    [documentProblems],
  );

  const transportOf = (t: LaneTarget): Transport | undefined => (t.edgeId ? topology.edges.find((e) => e.id === t.edgeId)?.transport : undefined);

  // What happened, on the schedule's clock (0 = the run was up).
  const happened = info ? [...info.pastFaults, ...info.faults] : [];
  const upMs = info ? runUpUnixMs(info.startedUnixMs, happened, schedule, clock.seenRunningAt) : 0;
  const nowS = info ? ((live ? clock.now : (clock.stoppedAt ?? clock.now)) - upMs) / 1000 : null;
  const ran: RanBar[] = info && nowS !== null ? happenedBars(info.faults, info.pastFaults, upMs, nowS).map((b) => ({ ...b, ...targetOf(b.fault) })) : [];
  const planned: PlanBar[] = schedule.map((entry, index) => ({
    index,
    entry,
    ...(entry.nodeId ? { nodeId: entry.nodeId } : { edgeId: entry.edgeId }),
    fromS: entry.atS,
    toS: scheduledEnd(entry),
  }));
  const end = axisEnd(schedule, nowS, ran.reduce((m, b) => Math.max(m, b.toS), 0));
  const lanes = buildLanes(planned, ran);

  const empty = schedule.length === 0 && ran.length === 0;
  const canEdit = !live;
  const startNew = () => {
    const first = topology.nodes.find((n) => n.kind === NodeKind.SERVICE) ?? topology.nodes[0];
    if (!first) return;
    setEditing({ index: null, entry: newEntry(topology, { nodeId: first.id }) });
    setOpen(true);
  };
  const activeCount = info && live ? info.faults.length : 0;

  return (
    <section
      className="relative flex shrink-0 flex-col border-t border-zinc-200 bg-white phone:hidden"
      aria-label="Experiment"
      data-testid="experiment-strip"
      data-open={open}
    >
      <div className="flex h-9 shrink-0 items-center gap-2 px-2">
        <button
          type="button"
          onClick={() => setOpen(!open)}
          aria-expanded={open}
          aria-controls={bodyId}
          data-testid="experiment-toggle"
          className="flex h-7 items-center gap-1.5 rounded-md px-1.5 text-xs font-medium text-zinc-800 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-blue-500"
        >
          {open ? <ChevronDown className="size-3.5 text-zinc-400" /> : <ChevronUp className="size-3.5 text-zinc-400" />}
          <FlaskConical className="size-3.5 text-zinc-500" strokeWidth={1.75} />
          Experiment
        </button>
        <span className="tabular min-w-0 truncate text-2xs text-zinc-500" data-testid="experiment-summary">
          {schedule.length === 0 ? "no faults scheduled" : `${schedule.length} scheduled fault${schedule.length === 1 ? "" : "s"}`}
          {activeCount > 0 && ` · ${activeCount} in force now`}
          {scheduleProblemList.length > 0 && (
            <span className="ml-1 text-amber-700">
              · {scheduleProblemList.length} problem{scheduleProblemList.length === 1 ? "" : "s"}
            </span>
          )}
        </span>
        {open && !empty && <Legend running={!!info} />}
        <div className="ml-auto flex shrink-0 items-center gap-2">
          {live && (
            <span className="flex items-center gap-1 text-2xs text-zinc-500" data-testid="experiment-locked">
              <Lock className="size-3" /> <span className="narrow:hidden">Stop the run to edit the schedule</span>
              <span className="hidden narrow:inline">Locked while running</span>
            </span>
          )}
          {!live && topology.nodes.length > 0 && !empty && (
            <Button size="sm" variant="ghost" onClick={startNew} disabled={!!editing} data-testid="experiment-add">
              <Plus className="size-3.5" /> Add fault
            </Button>
          )}
        </div>
      </div>

      {open && (
        <div id={bodyId} className="flex min-h-0 flex-col" data-testid="experiment-body">
          {empty ? (
            <EmptyState canAdd={canEdit && topology.nodes.length > 0 && !editing} hasNodes={topology.nodes.length > 0} onAdd={startNew} live={live} />
          ) : (
            <Timeline
              end={end}
              nowS={live ? nowS : null}
              lanes={lanes}
              transportOf={transportOf}
              topology={topology}
              problems={scheduleProblemList}
              canEdit={canEdit}
              editingIndex={editing?.index ?? null}
              onEdit={(index) => setEditing({ index, entry: schedule[index] })}
              onTip={setTip}
            />
          )}
        </div>
      )}
      {/* Over the canvas's foot, so opening the form does not squeeze the canvas. */}
      {editing && canEdit && (
        <div className="absolute bottom-full left-2 z-40 mb-2 w-[min(60rem,calc(100%-1rem))]">
          <ScheduleEditor
            key={`${editing.index ?? "new"}`}
            topology={topology}
            index={editing.index}
            initial={editing.entry}
            onClose={() => setEditing(null)}
          />
        </div>
      )}
      {tip && <FloatingTip tip={tip} />}
    </section>
  );
}

function targetOf(f: ActiveFault): LaneTarget {
  return f.fault?.nodeId ? { nodeId: f.fault.nodeId } : { edgeId: f.fault?.edgeId ?? "" };
}

/** The run's clock for the strip: now (ticking while live), when the page saw it running, when it stopped. */
function useRunClock(runId: string | null, phase: string, live: boolean) {
  const [now, setNow] = useState(() => Date.now());
  const seen = useRef<{ runId: string | null; runningAt: number | null; stoppedAt: number | null }>({ runId: null, runningAt: null, stoppedAt: null });
  if (seen.current.runId !== runId) seen.current = { runId, runningAt: null, stoppedAt: null };
  if (phase === "running" && seen.current.runningAt === null) seen.current.runningAt = Date.now();
  if (!live && runId && seen.current.stoppedAt === null && seen.current.runningAt !== null) seen.current.stoppedAt = Date.now();
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => setNow(Date.now()), NOW_TICK_MS);
    return () => clearInterval(timer);
  }, [live]);
  return { now, seenRunningAt: seen.current.runningAt, stoppedAt: seen.current.stoppedAt };
}

function Legend({ running }: { running: boolean }) {
  return (
    <div
      className="flex shrink-0 items-center gap-3 text-2xs text-zinc-500 narrow:gap-2"
      aria-hidden
      title="Red: the fault stops traffic (kill, errors, partition…); amber: it slows it (latency, bandwidth, pause…)"
    >
      <span className="flex items-center gap-1">
        <span className="h-2.5 w-5 rounded-sm border border-dashed border-zinc-400 bg-zinc-100" /> planned
      </span>
      {running && (
        <>
          <span className="flex items-center gap-1">
            <span className="h-2.5 w-5 rounded-sm bg-zinc-700" /> happened
          </span>
          <span className="flex items-center gap-1">
            <span className="h-2.5 w-5 rounded-sm bg-zinc-700" style={{ backgroundImage: HATCH }} /> by hand
          </span>
        </>
      )}
    </div>
  );
}

function EmptyState({ canAdd, hasNodes, onAdd, live }: { canAdd: boolean; hasNodes: boolean; onAdd: () => void; live: boolean }) {
  return (
    <div className="flex items-center gap-3 border-t border-zinc-100 px-4 py-2.5" data-testid="experiment-empty">
      <p className="min-w-0 flex-1 text-xs leading-relaxed text-zinc-500">
        A schedule injects faults at set times after the run is up — say, latency on an edge at 10 s for 20 s — and is saved with the topology, so
        a file or a share link carries the whole experiment.
        {!hasNodes && " Draw a node first."}
        {live && " Stop the run to add one."}
      </p>
      {hasNodes && (
        <Button size="sm" onClick={onAdd} disabled={!canAdd} data-testid="experiment-add-first">
          <Plus className="size-3.5" /> Add a scheduled fault
        </Button>
      )}
    </div>
  );
}

type Lanes = ReturnType<typeof buildLanes<PlanBar, RanBar>>;

const ROW_PX = 22;

function Timeline({
  end,
  nowS,
  lanes,
  transportOf,
  topology,
  problems,
  canEdit,
  editingIndex,
  onEdit,
  onTip,
}: {
  end: number;
  nowS: number | null;
  lanes: Lanes;
  transportOf: (t: LaneTarget) => Transport | undefined;
  topology: Topology;
  problems: { path: string; message: string }[];
  canEdit: boolean;
  editingIndex: number | null;
  onEdit: (index: number) => void;
  onTip: (tip: Tip | null) => void;
}) {
  const trackRef = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(800);
  useLayoutEffect(() => {
    const el = trackRef.current;
    if (!el) return;
    const update = () => setWidth(el.getBoundingClientRect().width);
    update();
    const ro = new ResizeObserver(update);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const step = tickStep(end, width);
  const marks = ticks(end, step);
  const nowX = nowS !== null ? xPercent(nowS, end) : null;

  const grid = (
    <>
      {marks.map((m) => (
        <span key={m.s} className="absolute inset-y-0 w-px bg-zinc-100" style={{ left: `${xPercent(m.s, end)}%` }} />
      ))}
      {nowX !== null && <span className="absolute inset-y-0 z-10 w-px bg-sky-500" style={{ left: `${nowX}%` }} />}
    </>
  );

  return (
    <div className="max-h-[min(176px,24vh)] overflow-y-auto border-t border-zinc-100" data-testid="experiment-timeline">
      {/* The axis: seconds after the run is up. */}
      <div className="sticky top-0 z-20 grid grid-cols-[var(--lane-label)_1fr] bg-white [--lane-label:11rem] narrow:[--lane-label:8rem]">
        <div className="flex h-6 items-center px-3 text-2xs text-zinc-400">after the run is up</div>
        <div ref={trackRef} className="relative mr-4 h-6 border-b border-zinc-200" data-testid="experiment-axis">
          {marks.map((m, i) => (
            <span
              key={m.s}
              className={clsx(
                "tabular absolute top-1 text-2xs whitespace-nowrap text-zinc-400",
                // The now label covers the tick labels under it.
                nowX !== null && Math.abs(xPercent(m.s, end) - nowX) * width < 4_000 && "opacity-0",
                i === 0 ? "" : i === marks.length - 1 && xPercent(m.s, end) > 97 ? "-translate-x-full" : "-translate-x-1/2",
              )}
              style={{ left: `${xPercent(m.s, end)}%` }}
            >
              {m.label}
            </span>
          ))}
          {nowX !== null && nowS !== null && (
            <span
              className="tabular absolute top-0.5 z-10 -translate-x-1/2 rounded bg-sky-500 px-1 text-2xs font-medium text-white"
              style={{ left: `${nowX}%` }}
              data-testid="experiment-now"
            >
              {secondsText(Math.max(0, nowS))}
            </span>
          )}
        </div>
      </div>
      {lanes.map((lane) => {
        const transport = transportOf(lane.target);
        const target = faultTargetOf(topology, lane.target);
        const id = lane.target.nodeId ?? lane.target.edgeId ?? "";
        const node = lane.target.nodeId ? topology.nodes.find((n) => n.id === id) : undefined;
        const gone = lane.target.nodeId ? !node : !topology.edges.some((e) => e.id === id);
        const rows = lane.plannedRows + lane.happenedRows;
        return (
          <div
            key={lane.key}
            className="grid grid-cols-[var(--lane-label)_1fr] border-b border-zinc-100 [--lane-label:11rem] last:border-b-0 narrow:[--lane-label:8rem]"
            data-testid={`lane-${lane.key.replace(":", "-")}`}
          >
            <div className="flex min-w-0 items-center gap-1.5 px-3 py-1" title={`${lane.target.nodeId ? "node" : "edge"} ${id}${node?.label ? ` — ${node.label}` : ""}${gone ? " (no longer in the topology)" : ""}`}>
              {lane.target.nodeId ? (
                <Server className="size-3 shrink-0 text-zinc-400" strokeWidth={2} />
              ) : (
                <svg width="14" height="6" className="shrink-0" aria-hidden>
                  <line x1="0" y1="3" x2="14" y2="3" stroke={transport ? transportStyle(transport).color : "#a1a1aa"} strokeWidth="2.5" strokeDasharray={transport ? transportStyle(transport).dash : undefined} />
                </svg>
              )}
              <span className={clsx("min-w-0 truncate font-mono text-2xs", gone ? "text-zinc-400 line-through" : "text-zinc-700")}>{id}</span>
            </div>
            <div className="relative mr-4" style={{ height: Math.max(1, rows) * ROW_PX + 6 }}>
              {grid}
              {lane.planned.map(({ item, row }) => {
                const mine = entryProblems(problems, item.index);
                const label = faultLabel(item.entry, target);
                const box = barBox(item.fromS, item.toS, end);
                const t = faultTone(item.entry.kind);
                const tipContent = (
                  <TipBody
                    title={`${label} on ${item.nodeId ? "node" : "edge"} ${id}`}
                    lines={[`Planned: ${faultParamsText(item.entry, item)}`, whenText(item.entry.atS, item.entry.durationS), ...mine.map((p) => `⚠ ${p.field ? `${p.field}: ` : ""}${p.message}`)]}
                  />
                );
                return (
                  <button
                    key={`p${item.index}`}
                    type="button"
                    data-testid={`plan-bar-${item.index}`}
                    data-problems={mine.length}
                    aria-label={`Scheduled: ${label} on ${id}, ${whenText(item.entry.atS, item.entry.durationS)}${mine.length ? `; ${mine.length} problem${mine.length === 1 ? "" : "s"}` : ""}${canEdit ? ". Press to edit." : ""}`}
                    onClick={() => canEdit && onEdit(item.index)}
                    onMouseEnter={(e) => onTip({ rect: e.currentTarget.getBoundingClientRect(), content: tipContent })}
                    onMouseLeave={() => onTip(null)}
                    onFocus={(e) => onTip({ rect: e.currentTarget.getBoundingClientRect(), content: tipContent })}
                    onBlur={() => onTip(null)}
                    className={clsx(
                      "absolute z-[5] flex h-[18px] items-center gap-1 overflow-hidden rounded border border-dashed px-1.5 text-left text-2xs leading-none whitespace-nowrap",
                      "focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-blue-500",
                      t === "red" ? "border-red-400 bg-red-50 text-red-800" : "border-amber-400 bg-amber-50 text-amber-900",
                      mine.length > 0 && "ring-2 ring-amber-400",
                      editingIndex === item.index && "ring-2 ring-zinc-900",
                      canEdit ? "cursor-pointer hover:brightness-95" : "cursor-default",
                      !Number.isFinite(item.toS) && "rounded-r-none border-r-0",
                    )}
                    style={{ left: `${box.left}%`, width: `${box.width}%`, top: 3 + row * ROW_PX }}
                  >
                    {mine.length > 0 && <CircleAlert className="size-3 shrink-0 text-amber-600" />}
                    <span className="truncate">{label}</span>
                  </button>
                );
              })}
              {lane.happened.map(({ item, row }, i) => {
                const f = item.fault.fault!;
                const label = faultLabel(f, target);
                const box = barBox(item.fromS, item.toS, end);
                const t = faultTone(f.kind);
                const how = item.scheduled ? "by the schedule" : "by hand";
                const tipContent = (
                  <TipBody
                    title={`${label} on ${item.nodeId ? "node" : "edge"} ${id}`}
                    lines={[
                      `${item.active ? "In force" : "Happened"}, ${how}: ${faultParamsText(f, item)}`,
                      item.active
                        ? `since ${secondsText(item.fromS)}${item.fault.endsUnixMs > 0 ? `, clears at ${secondsText(item.fromS + (item.fault.endsUnixMs - item.fault.startedUnixMs) / 1000)}` : ", until cleared"}`
                        : `from ${secondsText(item.fromS)} to ${secondsText(item.toS)} (${secondsText(item.toS - item.fromS)})`,
                    ]}
                  />
                );
                return (
                  <span
                    key={`h${i}`}
                    role="img"
                    tabIndex={0}
                    data-testid={`ran-bar-${id}`}
                    data-kind={FaultKind[f.kind]}
                    data-active={item.active}
                    data-scheduled={item.scheduled}
                    aria-label={`${item.active ? "In force" : "Happened"} ${how}: ${label} on ${id}, ${item.active ? `since ${secondsText(item.fromS)}` : `from ${secondsText(item.fromS)} to ${secondsText(item.toS)}`}`}
                    onMouseEnter={(e) => onTip({ rect: e.currentTarget.getBoundingClientRect(), content: tipContent })}
                    onMouseLeave={() => onTip(null)}
                    onFocus={(e) => onTip({ rect: e.currentTarget.getBoundingClientRect(), content: tipContent })}
                    onBlur={() => onTip(null)}
                    className={clsx(
                      "absolute z-[5] flex h-[18px] items-center gap-1 overflow-hidden rounded px-1.5 text-2xs leading-none font-medium whitespace-nowrap text-white",
                      "focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-blue-500",
                      t === "red" ? "bg-red-500" : "bg-amber-500",
                      item.active && "rounded-r-none",
                    )}
                    style={{
                      left: `${box.left}%`,
                      width: `${box.width}%`,
                      top: 3 + (lane.plannedRows + row) * ROW_PX,
                      backgroundImage: item.scheduled ? undefined : HATCH,
                    }}
                  >
                    {!item.scheduled && <Hand className="size-3 shrink-0" />}
                    <span className="truncate">{label}</span>
                  </span>
                );
              })}
            </div>
          </div>
        );
      })}
    </div>
  );
}

function TipBody({ title, lines }: { title: string; lines: string[] }) {
  return (
    <>
      <div className="font-medium text-white">{title}</div>
      {lines.map((l, i) => (
        <div key={i} className="text-zinc-300">
          {l}
        </div>
      ))}
    </>
  );
}

/** The tooltip, fixed above the bar: the strip's scrolling body would clip one inside it. */
function FloatingTip({ tip }: { tip: Tip }) {
  const ref = useRef<HTMLDivElement>(null);
  const [pos, setPos] = useState<{ left: number; top: number } | null>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const w = el.offsetWidth;
    const h = el.offsetHeight;
    const center = tip.rect.left + Math.min(tip.rect.width, 160) / 2;
    const left = Math.max(8, Math.min(window.innerWidth - w - 8, center - w / 2));
    const above = tip.rect.top - h - 6;
    setPos({ left, top: above >= 8 ? above : tip.rect.bottom + 6 });
  }, [tip]);
  return (
    <div
      ref={ref}
      role="tooltip"
      data-testid="experiment-tip"
      className="pointer-events-none fixed z-50 w-max max-w-80 rounded-md bg-zinc-900 px-2.5 py-1.5 text-xs leading-snug shadow-lg"
      style={pos ? { left: pos.left, top: pos.top } : { left: -9999, top: -9999 }}
    >
      {tip.content}
    </div>
  );
}
