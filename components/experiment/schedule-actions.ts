/**
 * Edits of the document's fault schedule (meta.schedule), each one store update,
 * so each is one undo step (history.ts never coalesces schedule edits) and the
 * autosave, files and share links carry it. Refused while a run is up: the run
 * has its own copy, and the schedule is armed when it starts.
 */
import type { ScheduledFault } from "@/lib/gen/ipcplay/v1/topology_pb";
import { useDocumentStore } from "@/components/state/document-store";
import { isLive, useRunStore } from "@/components/state/run-store";

function edit(change: (schedule: readonly ScheduledFault[]) => ScheduledFault[]): boolean {
  if (isLive(useRunStore.getState().phase)) return false;
  useDocumentStore.setState((s) => ({ meta: { ...s.meta, schedule: change(s.meta.schedule) } }));
  return true;
}

/** Adds an entry at the end; returns its index, or -1 when refused. */
export function addScheduledFault(entry: ScheduledFault): number {
  let index = -1;
  edit((schedule) => {
    index = schedule.length;
    return [...schedule, entry];
  });
  return index;
}

export function replaceScheduledFault(index: number, entry: ScheduledFault): boolean {
  return edit((schedule) => schedule.map((e, i) => (i === index ? entry : e)));
}

export function removeScheduledFault(index: number): boolean {
  return edit((schedule) => schedule.filter((_, i) => i !== index));
}
