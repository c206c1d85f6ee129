import clsx from "clsx";
import { CircleAlert, CircleCheck, Clock, Skull, Unplug, Repeat } from "lucide-react";
import { NodeStatus, SpanStatus } from "@/lib/gen/ipcplay/v1/playground_pb";
import { spanStatusLabel } from "@/lib/trace";
import { Spinner } from "./Spinner";


export function isOk(status: SpanStatus): boolean {
  return status === SpanStatus.OK || status === SpanStatus.UNSPECIFIED;
}

export function SpanStatusIcon({ status, className }: { status: SpanStatus; className?: string }) {
  const cls = clsx("shrink-0", className ?? "size-3.5");
  const label = spanStatusLabel(status);
  switch (status) {
    case SpanStatus.OK:
    case SpanStatus.UNSPECIFIED:
      return <CircleCheck aria-label={label} className={clsx(cls, "text-emerald-600")} />;
    case SpanStatus.TIMEOUT:
      return <Clock aria-label={label} className={clsx(cls, "text-amber-600")} />;
    case SpanStatus.UNAVAILABLE:
      return <Unplug aria-label={label} className={clsx(cls, "text-red-600")} />;
    case SpanStatus.HOP_LIMIT:
      return <Repeat aria-label={label} className={clsx(cls, "text-amber-600")} />;
    case SpanStatus.DEAD_LETTER:
      return <Skull aria-label={label} className={clsx(cls, "text-red-600")} />;
    default:
      return <CircleAlert aria-label={label} className={clsx(cls, "text-red-600")} />;
  }
}

const NODE_STATUS: Record<NodeStatus, { label: string; tone: string; dot?: string; spin?: boolean }> = {
  [NodeStatus.UNSPECIFIED]: { label: "Pending", tone: "bg-zinc-100 text-zinc-600", dot: "bg-zinc-400" },
  [NodeStatus.STARTING]: { label: "Starting", tone: "bg-amber-50 text-amber-700 ring-amber-200", spin: true },
  [NodeStatus.UP]: { label: "Up", tone: "bg-emerald-50 text-emerald-700 ring-emerald-200", dot: "bg-emerald-500" },
  [NodeStatus.DOWN]: { label: "Down", tone: "bg-red-50 text-red-700 ring-red-200", dot: "bg-red-500" },
  [NodeStatus.RESTARTING]: { label: "Restarting", tone: "bg-amber-50 text-amber-700 ring-amber-200", spin: true },
  [NodeStatus.PAUSED]: { label: "Paused", tone: "bg-zinc-100 text-zinc-600 ring-zinc-200", dot: "bg-zinc-400" },
  [NodeStatus.STOPPED]: { label: "Stopped", tone: "bg-zinc-100 text-zinc-600 ring-zinc-200", dot: "bg-zinc-400" },
};

export function nodeStatusLabel(status: NodeStatus): string {
  return NODE_STATUS[status].label;
}

export function NodeStatusBadge({ status, testId }: { status: NodeStatus; testId?: string }) {
  const s = NODE_STATUS[status];
  return (
    <span
      data-testid={testId}
      data-status={s.label.toLowerCase()}
      className={clsx("inline-flex h-5 items-center gap-1 rounded-full px-1.5 text-2xs font-medium ring-1 ring-inset", s.tone)}
    >
      {s.spin ? <Spinner className="size-3" /> : <span className={clsx("size-1.5 rounded-full", s.dot)} />}
      {s.label}
    </span>
  );
}

