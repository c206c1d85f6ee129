/**
 * Runs a topology's fault schedule (Topology.schedule) against a live run:
 * each entry is injected at its time after the run is up, through the same
 * path as InjectFault, with its duration as the fault's own duration_ms (so it
 * clears itself the way a called fault does). Entries are validated by the
 * gate; one that still cannot be injected (its node is down at that moment)
 * is logged and skipped, never stopping the rest of the experiment.
 */
import type { ScheduledFault } from "@/lib/gen/ipcplay/v1/topology_pb";
import { faultOfEntry, scheduleSteps, scheduledTarget } from "@/lib/faults/schedule";
import type { FaultRequest } from "./run-manager";

export interface FaultScheduleHooks {
  inject(fault: FaultRequest): Promise<unknown>;
  log(level: "info" | "warn", message: string): void;
}

/** Arms the schedule from now; returns the function that disarms what has not fired yet. */
export function startFaultSchedule(schedule: readonly ScheduledFault[], hooks: FaultScheduleHooks): () => void {
  const timers = scheduleSteps(schedule).map(({ atMs, index, entry }) =>
    setTimeout(() => {
      hooks.inject(faultOfEntry(entry)).then(
        () => hooks.log("info", `schedule[${index}] injected on ${scheduledTarget(entry)} at ${entry.atS} s`),
        (error: Error) => hooks.log("warn", `schedule[${index}] on ${scheduledTarget(entry)} was skipped: ${error.message}`),
      );
    }, atMs),
  );
  return () => timers.forEach(clearTimeout);
}
