/**
 * CPU shares from two readings of cumulative CPU time: what a process or the
 * machine used between them, as the percentages the UI shows.
 */
import type { MachineCpuTicks, ProcessCpuTicks } from "./proc-text";

/** One reading of a process's cumulative CPU time and when it was taken. */
export interface ProcessCpuReading {
  cpuTicks: ProcessCpuTicks["cpuTicks"];
  startTicks: ProcessCpuTicks["startTicks"];
  /** Monotonic clock, ms (performance.now()). */
  atMs: number;
}

/**
 * Share of ONE core a process used between two readings, in percent: 100 is
 * one core kept busy, 200 two. `undefined` when the two readings are not of
 * the same process (the pid was reused) or no time passed.
 *
 * @example processCpuPercent({ cpuTicks: 100, startTicks: 5, atMs: 0 }, { cpuTicks: 150, startTicks: 5, atMs: 1000 }, 100) // 50
 */
export function processCpuPercent(before: ProcessCpuReading, after: ProcessCpuReading, ticksPerSecond: number): number | undefined {
  const elapsedMs = after.atMs - before.atMs;
  if (after.startTicks !== before.startTicks || elapsedMs <= 0) return undefined;
  const cpuMs = ((after.cpuTicks - before.cpuTicks) / ticksPerSecond) * 1000;
  return Math.max(0, (cpuMs / elapsedMs) * 100);
}

/**
 * Share of one core from microseconds of CPU time (process.cpuUsage()), for
 * the server itself and where /proc is absent.
 */
export function cpuPercentFromMicros(cpuMicros: number, elapsedMs: number): number | undefined {
  if (elapsedMs <= 0) return undefined;
  return Math.max(0, (cpuMicros / 1000 / elapsedMs) * 100);
}

/**
 * Share of all cores busy between two readings of the machine, 0–100. The
 * ticks themselves say how much time passed, so no wall clock is needed.
 */
export function machineCpuPercent(before: MachineCpuTicks, after: MachineCpuTicks): number | undefined {
  const busy = after.busyTicks - before.busyTicks;
  const total = busy + (after.idleTicks - before.idleTicks);
  if (total <= 0 || busy < 0) return undefined;
  return Math.min(100, (busy / total) * 100);
}
