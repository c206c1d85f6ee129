"use client";

import clsx from "clsx";
import { CircleAlert, CircleCheck, Radio } from "lucide-react";
import { Spinner } from "@/components/ui/Spinner";
import { Tooltip } from "@/components/ui/Tooltip";
import { useLiveEditStore } from "./live-edit";
import { useRunStore } from "./run-store";

/**
 * One line at the top of the inspector while a run is up: edits apply live;
 * then what the last update did, or why it was not applied.
 */
export function LiveEditStatus() {
  const phase = useRunStore((s) => s.phase);
  const { status, message } = useLiveEditStore();
  if (phase === "starting" || phase === "stopping") {
    return (
      <div className="flex items-center gap-2 border-b border-zinc-100 bg-zinc-50 px-4 py-2 text-2xs text-zinc-600" data-testid="live-edit-status" data-status="locked">
        <Spinner className="size-3" />
        {phase === "starting" ? "Starting: settings can change once the run is up." : "Stopping the run…"}
      </div>
    );
  }
  if (phase !== "running") return null;
  const tone =
    status === "refused"
      ? "border-amber-200 bg-amber-50 text-amber-900"
      : status === "applied"
        ? "border-emerald-100 bg-emerald-50/70 text-emerald-900"
        : "border-zinc-100 bg-zinc-50 text-zinc-600";
  return (
    <div
      className={clsx("flex items-start gap-2 border-b px-4 py-2 text-2xs leading-relaxed", tone)}
      data-testid="live-edit-status"
      data-status={status}
      role="status"
      aria-live="polite"
    >
      {status === "sending" || status === "pending" ? (
        <Spinner className="mt-px size-3 shrink-0" />
      ) : status === "refused" ? (
        <CircleAlert className="mt-px size-3 shrink-0 text-amber-600" aria-hidden />
      ) : status === "applied" ? (
        <CircleCheck className="mt-px size-3 shrink-0 text-emerald-600" aria-hidden />
      ) : (
        <Radio className="mt-px size-3 shrink-0 text-zinc-400" aria-hidden />
      )}
      <span className="min-w-0 [overflow-wrap:anywhere]" data-testid="live-edit-message">
        {status === "pending" || status === "sending"
          ? "Applying your change to the running run…"
          : status === "refused"
            ? <><span className="font-semibold">Not applied.</span> {sentence(message)} Your edit stays on the canvas, marked.</>
            : status === "applied"
              ? <><span className="font-semibold">Applied:</span> {message}</>
              : "Running: changes apply to the run as you edit."}
      </span>
    </div>
  );
}

/** A message as a sentence: it ends with a full stop. */
function sentence(text: string | null): string {
  const t = (text ?? "").trim();
  return !t || /[.!?]$/.test(t) ? t : `${t}.`;
}

/** A small "not applied" mark on a node card or an edge label the run has not taken. */
export function NotAppliedMark({ kind, id }: { kind: "node" | "edge"; id: string }) {
  const marked = useLiveEditStore((s) => !!s.diff && (kind === "node" ? s.diff.nodes.includes(id) : s.diff.edges.includes(id)));
  const why = useLiveEditStore((s) => s.message);
  if (!marked) return null;
  const words = `Not applied to the running run${why ? `: ${why}` : ""}`;
  return (
    <Tooltip content={words} align="end">
      <span
        role="img"
        aria-label={words}
        tabIndex={0}
        data-testid={`not-applied-${id}`}
        className="inline-flex h-4 items-center rounded-sm bg-amber-100 px-1 text-[9px] leading-none font-semibold tracking-wide whitespace-nowrap text-amber-800 uppercase ring-1 ring-amber-300"
      >
        not applied
      </span>
    </Tooltip>
  );
}
