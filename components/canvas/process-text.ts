/**
 * Words for a node's process while a run is up: why it is down, and why its
 * Kill process / Start again button cannot act right now.
 */
import { NodeStatus } from "@/lib/gen/ipcplay/v1/playground_pb";
import type { RunPhase } from "@/components/state/run-store";

/** A down node's reason, short enough for its footer (the full text is its title). */
export function downReason(error: string): string {
  if (!error) return "Process is down";
  if (/InjectFault|SIGKILL/.test(error)) return "Killed (SIGKILL)";
  return error.replace(/^the process /, "Process ");
}

/** Why the process button cannot act now, or null when it can. */
export function blockedReason(phase: RunPhase, status: NodeStatus): string | null {
  if (phase === "starting") return "The run is still starting";
  if (phase === "stopping") return "The run is stopping";
  if (phase !== "running") return "Only while the run is up";
  if (status === NodeStatus.STARTING || status === NodeStatus.RESTARTING) return "The process is starting";
  if (status === NodeStatus.STOPPED) return "The process has stopped";
  return null;
}

