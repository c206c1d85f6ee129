"use client";

import clsx from "clsx";
import { BaseEdge, type Edge as FlowEdge, EdgeLabelRenderer, type EdgeProps, getBezierPath } from "@xyflow/react";
import { CircleAlert } from "lucide-react";
import { memo, useEffect, useRef, useState } from "react";
import { type Edge, Transport } from "@/lib/gen/ipcplay/v1/topology_pb";
import { useDocumentStore } from "@/components/state/document-store";
import { useProblems } from "@/components/state/problems";
import { isLive, useRunStore } from "@/components/state/run-store";
import { transportStyle } from "@/components/ui/transport-style";
import { Tooltip } from "@/components/ui/Tooltip";
import { dotsForDelta, dotTally, type EdgeTally, MAX_DOTS_PER_UPDATE } from "./edge-dots";
import { badgeText, counterParts, edgeCaption, liveBadge } from "./edge-text";
import { useLabelPlace } from "./useLabelPlace";
import { breakerLook, breakerOf, breakerSentence } from "@/components/faults/breaker-text";
import { BreakerGlyph } from "@/components/faults/BreakerGlyph";
import { FaultBadges } from "@/components/faults/FaultBadges";
import { NotAppliedMark } from "@/components/state/LiveEditStatus";
import { useHealthStore } from "@/components/state/health-store";
import { focusEdge } from "@/components/state/edge-focus";
import {
  type Health,
  healthCaption,
  healthColor,
  healthOf,
  healthSentence,
  pushSample,
  runFigures,
  sampleOf,
  type TallySample,
  type WindowFigures,
  windowFigures,
} from "@/lib/health/edge-health";

/**
 * Edge labels sit above node cards. React Flow draws its label layer before
 * the nodes, and a selected node is raised to z-index 1000: a label drawn
 * lower was covered by cards ("616 waiting" read "0 waiting"). Placement keeps
 * labels off the cards; this keeps any remaining overlap in the label's favour.
 */
const LABEL_Z = 1001;

const DOT_MS = 900;
/** Counters come about once a second: a batch of dots spreads over most of that. */
const DOT_SPREAD_MS = 800;

interface Dot {
  key: number;
  failed: boolean;
  delay: number;
}

/**
 * Moving dots from this edge's counters: each RunInfo's new messages (a shared
 * queue's consumer: the ones it took, see dotTally) become a few dots
 * (dotsForDelta), failed or lost ones red, so the canvas moves the same at 1 or 5,000 msg/s
 * and is never driven by the span stream.
 */
function useDots(edgeId: string): Dot[] {
  // Two numbers, selected apart so an unchanged edge does not re-render.
  const sent = useRunStore((s) => {
    const c = s.edgeCounters[edgeId];
    return c ? dotTally(c).sent : undefined;
  });
  const failed = useRunStore((s) => {
    const c = s.edgeCounters[edgeId];
    return c ? dotTally(c).failed : undefined;
  });
  const prev = useRef<EdgeTally | null>(null);
  const seq = useRef(0);
  const timers = useRef(new Set<ReturnType<typeof setTimeout>>());
  const [dots, setDots] = useState<Dot[]>([]);

  useEffect(() => {
    const pending = timers.current;
    return () => {
      for (const t of pending) clearTimeout(t);
      pending.clear();
    };
  }, []);

  useEffect(() => {
    if (sent === undefined || failed === undefined) {
      prev.current = null;
      return;
    }
    const next = { sent, failed };
    const plan = dotsForDelta(prev.current, next, DOT_SPREAD_MS);
    prev.current = next;
    if (plan.length === 0) return;
    const added = plan.map((p) => ({ key: ++seq.current, failed: p.failed, delay: p.delayMs }));
    setDots((d) => [...d, ...added].slice(-MAX_DOTS_PER_UPDATE * 2));
    const keys = new Set(added.map((a) => a.key));
    // Each batch's dots leave on their own timer; a later batch never cancels it.
    const timer = setTimeout(() => {
      timers.current.delete(timer);
      setDots((d) => d.filter((x) => !keys.has(x.key)));
    }, DOT_MS + (added.at(-1)?.delay ?? 0) + 50);
    timers.current.add(timer);
  }, [sent, failed]);

  return dots;
}

const NO_FIGURES: WindowFigures = { rps: 0, failedShare: null, ended: 0, bad: 0 };

/**
 * The edge's health: while the run is up, over the live window of its counter
 * readings; after Stop, over the whole run (its summary's duration).
 */
function useHealth(edgeId: string): { health: Health; figures: WindowFigures } {
  const counters = useRunStore((s) => s.edgeCounters[edgeId]);
  const live = useRunStore((s) => isLive(s.phase));
  const runMs = useRunStore((s) => s.summary?.durationMs ?? 0);
  const thresholds = useHealthStore((s) => s.thresholds);
  const samples = useRef<TallySample[]>([]);
  const [figures, setFigures] = useState<WindowFigures>(NO_FIGURES);

  useEffect(() => {
    if (!counters) {
      samples.current = [];
      setFigures(NO_FIGURES);
      return;
    }
    if (!live) {
      samples.current = [];
      setFigures(runFigures(counters, runMs));
      return;
    }
    samples.current = pushSample(samples.current, sampleOf(counters, Date.now()));
    setFigures(windowFigures(samples.current));
  }, [counters, live, runMs]);

  return { health: counters ? healthOf(figures.failedShare, thresholds) : "idle", figures };
}

function MovingDot({ path, color, delay }: { path: string; color: string; delay: number }) {
  const ref = useRef<SVGCircleElement>(null);
  useEffect(() => {
    const circle = ref.current;
    if (!circle) return;
    const t = setTimeout(() => {
      for (const anim of circle.querySelectorAll<SVGAnimationElement>("animate, animateMotion")) {
        try {
          anim.beginElement();
        } catch (err) {
          console.warn("edge animation could not start", err);
        }
      }
    }, delay);
    return () => clearTimeout(t);
  }, [delay]);
  return (
    <circle ref={ref} r={4.5} fill={color} stroke="#fff" strokeWidth={1.5} opacity={0} pointerEvents="none">
      <animate attributeName="opacity" values="0;1;1;0" keyTimes="0;0.12;0.85;1" dur={`${DOT_MS}ms`} begin="indefinite" />
      <animateMotion
        dur={`${DOT_MS}ms`}
        begin="indefinite"
        path={path}
        calcMode="spline"
        keyPoints="0;1"
        keyTimes="0;1"
        keySplines="0.45 0 0.25 1"
      />
    </circle>
  );
}

export const TransportEdge = memo(function TransportEdge(props: EdgeProps<FlowEdge<{ edge: Edge }, "transport">>) {
  const { id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, selected, markerEnd } = props;
  const edge = data?.edge;
  const style = transportStyle(edge?.transport ?? 0);
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  const counters = useRunStore((s) => s.edgeCounters[id]);
  const hasRun = useRunStore((s) => s.phase !== "idle" && s.runId !== null);
  const live = useRunStore((s) => isLive(s.phase));
  const problems = useProblems().edges.get(id);
  const serverFlag = useProblems().server;
  const select = useDocumentStore((s) => s.select);
  const dots = useDots(id);
  const { health, figures } = useHealth(id);
  const thresholds = useHealthStore((s) => s.thresholds);
  const healthy = healthColor(health);
  const caption = edge ? edgeCaption(edge) : "";
  // Queue depth and subscribers describe live brokers; after Stop the summary has the totals.
  const badge = live && edge ? liveBadge(edge.transport, counters) : null;
  const labelRef = useRef<HTMLDivElement>(null);
  const { centre, anchor } = useLabelPlace(id, path, labelX, labelY, labelRef);
  // The breaker's live state only while the run is up; its settings say there is one otherwise.
  const look = edge ? breakerLook(edge, live ? counters : undefined) : null;
  const stepsAside = Math.hypot(centre.x - anchor.x, centre.y - anchor.y) > 4;

  return (
    <>
      <path d={path} fill="none" stroke={style.color} strokeWidth={12} strokeOpacity={0} className="ipc-edge-halo" />
      <BaseEdge
        id={id}
        path={path}
        markerEnd={markerEnd}
        interactionWidth={18}
        style={{
          // An open breaker turns its edge red, a half-open one amber: the calls on it fail at once or are probes.
          // Health (Kiali's rule over the live window) paints a degraded edge amber and a failing one red.
          stroke: (problems && serverFlag) || look === "open" ? "#ef4444" : look === "half-open" ? "#f59e0b" : (healthy ?? style.color),
          strokeWidth: selected ? 2.5 : 2,
          strokeDasharray: style.dash,
          strokeLinecap: "round",
        }}
      />
      {stepsAside && (
        // The label stepped off the path to stay clear of the cards: a faint leader says which edge it belongs to.
        <path
          d={`M${anchor.x},${anchor.y} L${centre.x},${centre.y}`}
          stroke={style.color}
          strokeOpacity={0.45}
          strokeWidth={1}
          strokeDasharray="2 3"
          fill="none"
          pointerEvents="none"
          data-testid={`edge-leader-${id}`}
        />
      )}
      {dots.map((d) => (
        <MovingDot key={d.key} path={path} color={d.failed ? "#ef4444" : style.color} delay={d.delay} />
      ))}
      <EdgeLabelRenderer>
        <div
          ref={labelRef}
          // w-max: an absolute box near the layer's right edge would otherwise shrink to the room left of it
          // and wrap its captions letter by letter; the pills' own max width decides where they wrap.
          className="nodrag nopan pointer-events-auto absolute flex w-max -translate-x-1/2 -translate-y-1/2 flex-col items-center gap-1"
          style={{ left: centre.x, top: centre.y, zIndex: LABEL_Z }}
          // The whole label is one target: during or after a run, the edge's traces and chart (edge-focus.ts);
          // before one, the selection. Its parts (the health caption in the middle of a running label) agree.
          onClick={() => {
            if (!focusEdge(id)) select({ edges: [id] });
          }}
          data-testid={`edge-${id}`}
          data-health={hasRun && counters ? health : undefined}
        >
          <div
            className={clsx(
              // At most 128 px wide, like the pills below: with the 144 px between two template columns the
              // whole label fits between the cards; a long caption wraps at its space ('queue' / '"async-worker"').
              "flex min-h-6 max-w-32 cursor-pointer items-center gap-1.5 rounded-md border bg-white px-2 py-0.5 font-mono text-2xs leading-4 font-medium shadow-xs transition-shadow",
              selected ? "shadow-md ring-2" : "hover:shadow-sm",
              problems && serverFlag ? "border-red-300" : "border-zinc-200",
            )}
            style={{ color: style.color, ...(selected ? { ["--tw-ring-color" as string]: `${style.color}33` } : {}) }}
          >
            <span className="size-1.5 shrink-0 rounded-full" style={{ background: style.color }} />
            <span className="min-w-0 text-center [overflow-wrap:anywhere]">{caption}</span>
            {look && edge && (
              <span
                role="img"
                data-testid={`edge-breaker-${id}`}
                data-state={look}
                aria-label={breakerSentence(look, breakerOf(edge), counters?.shortCircuited)}
                title={breakerSentence(look, breakerOf(edge), counters?.shortCircuited)}
                className={clsx(
                  "-mr-1 inline-flex h-4 shrink-0 items-center gap-0.5 rounded-sm px-0.5 text-[9px] leading-none font-semibold",
                  look === "open" ? "bg-red-100 text-red-700 ring-1 ring-red-300" : look === "half-open" ? "bg-amber-100 text-amber-800 ring-1 ring-amber-300" : "",
                )}
              >
                <BreakerGlyph look={look} />
                {look === "open" ? "open" : look === "half-open" ? "half-open" : null}
              </span>
            )}
            {problems && (
              <Tooltip content={problems.map((p) => p.message).join("\n")}>
                <CircleAlert className={clsx("size-3.5 shrink-0", serverFlag ? "text-red-500" : "text-amber-500")} />
              </Tooltip>
            )}
          </div>
          {live && <NotAppliedMark kind="edge" id={id} />}
          {live && edge && <FaultBadges ids={{ edgeId: id }} target={{ type: "edge", transport: edge.transport }} testId={`edge-faults-${id}`} />}
          {badge && (
            <div
              data-testid={`edge-badge-${id}`}
              data-waiting={counters?.queue?.waiting ?? 0}
              data-active={counters?.queue?.active ?? 0}
              data-subscribers={counters?.subscribers ?? 0}
              data-lost={counters?.lost ?? 0}
              title={
                edge?.transport !== Transport.QUEUE
                  ? "Subscribers of the topic, and messages one of them never got"
                  : counters?.sharedWith.length
                    ? "Jobs in the queue right now — the whole queue, which its consumers share"
                    : "Jobs in the queue right now"
              }
              // Wraps piece by piece (each figure whole) so the pill fits between two columns of cards.
              className="tabular flex min-h-5 max-w-32 flex-wrap items-center justify-center gap-x-1 rounded-[10px] border px-2 py-0.5 text-[10px] leading-4 font-semibold shadow-xs [&>span]:whitespace-nowrap"
              style={{ color: style.color, background: style.tint, borderColor: `${style.color}40` }}
              aria-label={badgeText(badge)}
            >
              {badge.map((p, i) => (
                // The dot ends a piece rather than starts the next: a wrapped line never begins with "·".
                <span key={p.key} className="flex items-center gap-1">
                  <span className={clsx(p.alarm ? "text-red-600" : p.quiet ? "opacity-60" : "")}>{p.text}</span>
                  {i < badge.length - 1 && <span className="opacity-40">·</span>}
                </span>
              ))}
            </div>
          )}
          {hasRun && counters && (
            <button
              type="button"
              data-testid={`edge-health-${id}`}
              data-health={health}
              onClick={(e) => {
                e.stopPropagation();
                if (!focusEdge(id)) select({ edges: [id] });
              }}
              title={`${healthSentence(health, figures, thresholds)}\nClick for this edge's traces and chart.`}
              aria-label={`${health}: ${healthCaption(figures, counters.p95Ms).map((p) => p.text).join(", ")}. Show this edge's traces and chart`}
              className={clsx(
                "tabular flex min-h-5 max-w-32 cursor-pointer flex-wrap items-center justify-center gap-x-1 rounded-md border bg-white px-1.5 py-0.5 text-[10px] leading-4 font-semibold shadow-xs hover:shadow-sm [&>span]:whitespace-nowrap",
                health === "failing" ? "border-red-300 bg-red-50 text-red-700" : health === "degraded" ? "border-amber-300 bg-amber-50 text-amber-800" : "border-zinc-200 text-zinc-600",
              )}
            >
              {healthCaption(figures, counters.p95Ms).map((p, i, all) => (
                <span key={p.key} data-part={p.key} className="flex items-center gap-1">
                  <span>{p.text}</span>
                  {i < all.length - 1 && <span className="opacity-40">·</span>}
                </span>
              ))}
            </button>
          )}
          {hasRun && counters && (
            <div
              data-testid={`edge-counters-${id}`}
              data-sent={counters.sent}
              // Wraps (each figure whole) rather than run under the node cards when the figures grow.
              className="tabular flex min-h-5 max-w-32 flex-wrap items-center justify-center gap-x-1.5 rounded-md bg-zinc-900/85 px-1.5 py-0.5 text-[10px] leading-4 font-medium text-zinc-100 shadow-sm [&>span]:whitespace-nowrap"
            >
              {counterParts(edge?.transport ?? Transport.REST, counters, live).map((p) => (
                <span key={p.key} className={p.alarm ? "text-red-300" : p.quiet ? "text-zinc-400" : undefined} title={p.title} data-part={p.key}>
                  {p.text}
                </span>
              ))}
            </div>
          )}
        </div>
      </EdgeLabelRenderer>
    </>
  );
});
