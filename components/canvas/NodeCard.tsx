"use client";

import clsx from "clsx";
import { Handle, Position } from "@xyflow/react";
import { CircleAlert, Cpu, MemoryStick, MonitorSmartphone, Pause, Play, Power, RotateCcw, Server } from "lucide-react";
import { useState } from "react";
import { type Node, NodeKind } from "@/lib/gen/ipcplay/v1/topology_pb";
import { NodeStatus, type ProcessUsage } from "@/lib/gen/ipcplay/v1/playground_pb";
import { useProblems } from "@/components/state/problems";
import { killNode, pauseNode, resumeNode, startNodeAgain } from "@/components/state/fault-actions";
import { FaultBadges } from "@/components/faults/FaultBadges";
import { NotAppliedMark } from "@/components/state/LiveEditStatus";
import { isLive, useRunStore } from "@/components/state/run-store";
import { Spinner } from "@/components/ui/Spinner";
import { NodeStatusBadge } from "@/components/ui/status";
import { Tooltip } from "@/components/ui/Tooltip";
import { formatBytes, formatCount, formatCpu, formatRate } from "@/components/ui/format";
import { describeTraffic, describeWork } from "./describe";
import { SendButtons } from "./SendButtons";
import { blockedReason, downReason } from "./process-text";

/** The body shared by service and client nodes. */
export function NodeCard({ node, selected }: { node: Node; selected: boolean }) {
  const isClient = node.kind === NodeKind.CLIENT;
  const runtime = useRunStore((s) => s.nodes[node.id]);
  const live = useRunStore((s) => isLive(s.phase));
  // Sending needs a run that is up: not while it starts or stops.
  const running = useRunStore((s) => s.phase === "running");
  const problems = useProblems().nodes.get(node.id);
  const serverFlag = useProblems().server;
  const down = runtime?.status === NodeStatus.DOWN;
  const bad = down || (!!problems && serverFlag);
  const Icon = isClient ? MonitorSmartphone : Server;

  return (
    <div
      data-testid={`node-${node.id}`}
      data-node-status={runtime ? NodeStatus[runtime.status].toLowerCase() : "idle"}
      className={clsx(
        "group relative w-[216px] rounded-xl border bg-white text-left shadow-[0_1px_2px_rgb(0_0_0/0.05),0_4px_12px_-4px_rgb(0_0_0/0.08)] transition-[box-shadow,border-color]",
        bad ? "border-red-400" : selected ? "border-zinc-900" : "border-zinc-200 hover:border-zinc-300",
        selected && (bad ? "ring-3 ring-red-500/15" : "ring-3 ring-zinc-900/10"),
      )}
    >
      {live && (
        // On the card's top edge, so the header keeps its room for the name.
        <div className="absolute -top-2 left-3 z-10 flex">
          <NotAppliedMark kind="node" id={node.id} />
        </div>
      )}
      {live && <ProcessAction nodeId={node.id} status={runtime?.status ?? NodeStatus.UNSPECIFIED} selected={selected} />}
      {!isClient && (
        <Handle type="target" position={Position.Left} className="ipc-handle" data-testid={`handle-in-${node.id}`} />
      )}
      <Handle type="source" position={Position.Right} className="ipc-handle" data-testid={`handle-out-${node.id}`} />

      <div className="flex items-start gap-2.5 px-3 pt-3 pb-2.5">
        <div
          className={clsx(
            "flex size-8 shrink-0 items-center justify-center rounded-lg",
            isClient ? "bg-sky-50 text-sky-700 ring-1 ring-sky-100" : "bg-zinc-100 text-zinc-700 ring-1 ring-zinc-200/70",
          )}
        >
          <Icon className="size-4" strokeWidth={1.75} />
        </div>
        <div className="min-w-0 flex-1">
          <div className="truncate text-[13px] leading-4 font-semibold text-zinc-900" data-testid="node-label">
            {node.label || node.id}
          </div>
          <div className="mt-0.5 flex min-w-0 items-center gap-1 font-mono text-2xs text-zinc-500">
            {/* While live the pid stays whole and a long id gives way (the label above names the node anyway). */}
            <span className="min-w-[4ch] truncate" data-testid="node-id">
              {node.id}
            </span>
            {runtime && live && runtime.pid > 0 && <span className="tabular shrink-0 whitespace-nowrap text-zinc-400">· pid {runtime.pid}</span>}
          </div>
        </div>
        <div className="flex shrink-0 items-center gap-1">
          {problems && (
            <Tooltip
              content={
                <ul className="flex flex-col gap-1">
                  {problems.map((p, i) => (
                    <li key={i}>{p.message}</li>
                  ))}
                </ul>
              }
              align="end"
            >
              <CircleAlert
                data-testid={`node-problem-${node.id}`}
                className={clsx("size-4", serverFlag ? "text-red-500" : "text-amber-500")}
              />
            </Tooltip>
          )}
          {runtime && live && <NodeStatusBadge status={runtime.status} testId={`status-${node.id}`} />}
        </div>
      </div>

      {runtime && live && !down && <ProcessUsageLine nodeId={node.id} pid={runtime.pid} usage={runtime.usage} />}
      {isClient && running && (
        <div className="px-3 pb-2">
          <SendButtons nodeId={node.id} where="node" />
        </div>
      )}
      {live && (
        <div className="empty:hidden px-3 pb-2 [&>div]:max-w-none [&>div]:justify-start">
          <FaultBadges ids={{ nodeId: node.id }} target={{ type: "node", client: isClient }} testId={`node-faults-${node.id}`} />
        </div>
      )}

      <div className="flex h-8 items-center gap-2 overflow-hidden rounded-b-xl border-t whitespace-nowrap border-zinc-100 bg-zinc-50/70 px-3 text-2xs text-zinc-500">
        {down ? (
          <span className="min-w-0 truncate text-red-600" title={runtime?.error} data-testid={`down-reason-${node.id}`}>
            {downReason(runtime?.error ?? "")}
          </span>
        ) : runtime && live ? (
          <>
            <span className="tabular shrink-0 font-medium text-zinc-700" data-testid={`rate-${node.id}`}>
              {formatRate(runtime.ratePerSecond)}
            </span>
            <span className="text-zinc-300">·</span>
            <span className="tabular shrink-0">{formatCount(runtime.handled)} handled</span>
            {runtime.inFlight > 0 && (
              <span className="tabular ml-auto shrink-0 text-zinc-400">{formatCount(runtime.inFlight)} in flight</span>
            )}
          </>
        ) : isClient ? (
          <span className="truncate">{describeTraffic(node)}</span>
        ) : (
          <span className="truncate">
            {describeWork(node)}
            {node.behavior && node.behavior.replyBytes > 0 ? ` · ${formatBytes(node.behavior.replyBytes)} reply` : ""}
          </span>
        )}
      </div>
    </div>
  );
}

/**
 * CPU and memory of the node's own OS process, under its name while a run is
 * live: what this service costs the machine, so a slow hop can be told from
 * a process starved of CPU. Dashes until the server has two readings (about a
 * second), and where the OS cannot be read per process.
 */
function ProcessUsageLine({ nodeId, pid, usage }: { nodeId: string; pid: number; usage: ProcessUsage | undefined }) {
  const cpu = usage ? formatCpu(usage.cpuPercent) : "–";
  const memory = usage ? formatBytes(usage.rssBytes) : "–";
  const explain = (
    <>
      CPU and resident memory of this node&apos;s own OS process{pid > 0 ? ` (pid ${pid})` : ""}, read from the OS about once a second.
      CPU is a share of one core: 100 % is one core kept busy.
      {!usage && " Not measured yet, or not on this platform."}
    </>
  );
  return (
    <div className="px-3 pb-2">
      <Tooltip content={explain} align="start" className="w-full">
        <span
          data-testid={`usage-${nodeId}`}
          className={clsx("tabular flex h-4 w-full items-center gap-1.5 text-2xs whitespace-nowrap", usage ? "text-zinc-500" : "text-zinc-400")}
        >
          <Cpu className="size-3 shrink-0 text-zinc-400" aria-hidden />
          <span>
            cpu <span className="font-medium text-zinc-700">{cpu}</span>
          </span>
          <CpuBar percent={usage?.cpuPercent ?? 0} />
          <span className="sr-only"> · </span>
          <MemoryStick className="ml-auto size-3 shrink-0 text-zinc-400" aria-hidden />
          <span>
            mem <span className="font-medium text-zinc-700">{memory}</span>
          </span>
        </span>
      </Tooltip>
    </div>
  );
}

/** A short bar of one process's CPU, full at one core. */
function CpuBar({ percent }: { percent: number }) {
  return (
    <span className="relative h-1 w-10 shrink-0 overflow-hidden rounded-full bg-zinc-200" aria-hidden>
      <span
        className={clsx("absolute inset-y-0 left-0 rounded-full transition-[width] duration-500", percent >= 80 ? "bg-amber-500" : "bg-zinc-400")}
        style={{ width: `${Math.min(100, Math.max(0, percent))}%` }}
      />
    </span>
  );
}

/**
 * Pause / Resume and Kill process / Start again, in a small bar under the
 * card (never over its footer): shown on hover or selection while a run is
 * up, and always while the node is down or paused.
 */
function ProcessAction({ nodeId, status, selected }: { nodeId: string; status: NodeStatus; selected: boolean }) {
  const phase = useRunStore((s) => s.phase);
  /** The action in flight: its label stays while the status changes under it. */
  const [busy, setBusy] = useState<"kill" | "start" | "pause" | "resume" | null>(null);
  const down = status === NodeStatus.DOWN;
  const paused = status === NodeStatus.PAUSED;
  const starting = status === NodeStatus.RESTARTING || status === NodeStatus.STARTING;
  const blocked = blockedReason(phase, status);
  const act = async (what: "kill" | "start" | "pause" | "resume") => {
    setBusy(what);
    try {
      await (what === "start" ? startNodeAgain(nodeId) : what === "kill" ? killNode(nodeId) : what === "pause" ? pauseNode(nodeId) : resumeNode(nodeId));
    } finally {
      setBusy(null);
    }
  };
  const label = down ? "Start again" : starting && phase === "running" ? "Starting…" : "Kill process";
  // Shown only on hover otherwise: an invisible button must not take a Tab stop (keyboard users select the node, and it shows).
  const shown = down || paused || starting || selected || busy !== null;
  const title = blocked ?? (down ? "Start this node's process again" : "Kill this node's process (SIGKILL); messages to it fail or wait");
  const pauseTitle = blocked ?? (paused ? "Resume this node's process (SIGCONT)" : "Pause this node's process (SIGSTOP): it neither reads nor answers");
  const btn =
    "inline-flex h-6 items-center gap-1 rounded-md border bg-white px-2 text-2xs font-medium whitespace-nowrap shadow-xs transition-colors " +
    "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-500 disabled:cursor-not-allowed disabled:opacity-60";
  return (
    <div
      className={clsx(
        // Hangs under the card, joined to it by its padding so the pointer keeps the card's hover on the way down.
        "nodrag absolute top-full right-0 z-10 flex justify-end gap-1 pt-1 transition-opacity",
        shown ? "opacity-100" : "pointer-events-none opacity-0 group-hover:pointer-events-auto group-hover:opacity-100",
      )}
      data-testid={`node-actions-${nodeId}`}
    >
      {!down && (
        <span title={pauseTitle} className="inline-flex">
          <button
            type="button"
            data-testid={`node-pause-${nodeId}`}
            data-action={paused ? "resume" : "pause"}
            tabIndex={shown ? 0 : -1}
            disabled={(!!blocked && !paused) || starting || busy !== null}
            onClick={(e) => {
              e.stopPropagation();
              void act(paused ? "resume" : "pause");
            }}
            className={clsx(
              btn,
              paused ? "border-emerald-300 text-emerald-700 enabled:hover:bg-emerald-50" : "border-zinc-200 text-zinc-700 enabled:hover:border-zinc-300 enabled:hover:bg-zinc-50",
            )}
          >
            {busy === "pause" || busy === "resume" ? <Spinner className="size-3" /> : paused ? <Play className="size-3" /> : <Pause className="size-3" />}
            {busy === "pause" ? "Pausing…" : busy === "resume" ? "Resuming…" : paused ? "Resume" : "Pause"}
          </button>
        </span>
      )}
      <span title={title} className="inline-flex">
        <button
          type="button"
          data-testid={`node-action-${nodeId}`}
          data-action={down ? "start" : "kill"}
          tabIndex={shown ? 0 : -1}
          disabled={!!blocked || busy !== null}
          onClick={(e) => {
            e.stopPropagation();
            void act(down ? "start" : "kill");
          }}
          className={clsx(
            btn,
            down
              ? "border-emerald-300 text-emerald-700 enabled:hover:bg-emerald-50"
              : "border-red-200 text-red-600 enabled:hover:border-red-300 enabled:hover:bg-red-50",
          )}
        >
          {busy === "start" || busy === "kill" || (starting && phase === "running") ? (
            <Spinner className="size-3" />
          ) : down ? (
            <RotateCcw className="size-3" />
          ) : (
            <Power className="size-3" />
          )}
          {busy === "start" ? "Starting…" : busy === "kill" ? "Killing…" : label}
        </button>
      </span>
    </div>
  );
}
