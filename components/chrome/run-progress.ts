import { NodeStatus, type RunInfo } from "@/lib/gen/ipcplay/v1/playground_pb";

/** How many of a run's processes are up, for "Starting 2 of 3 services…". */
export function startProgress(info: RunInfo | null, expected: number): { up: number; total: number } {
  const total = Math.max(info?.nodes.length ?? 0, expected);
  const up = info?.nodes.filter((n) => n.status === NodeStatus.UP).length ?? 0;
  return { up, total };
}

/** `0:07`, `12:45` — elapsed run time. */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}
