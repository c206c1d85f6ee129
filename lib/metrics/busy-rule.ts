/**
 * When is the machine too busy for the playground's latencies to mean what
 * they say? A user must be able to tell a slow design from a busy laptop.
 *
 * The rule, fed one sample about once a second:
 *
 * - A sample is **hot** when the machine's CPU is ≥ 90 % of all cores, or the
 *   server's event loop is ≥ 100 ms late at p99, or memory is ≥ 95 % used.
 *   - CPU: at 90 % of every core, runnable processes queue for a core, and
 *     that wait lands inside every measured hop. Below it the scheduler still
 *     finds a free core most of the time.
 *   - Event loop: the server (trace hub, counters, socket.io, Next) is one
 *     thread. It can be saturated while the machine is not — on 2 cores, one
 *     pegged server is only 50 % — and then spans and counters reach the
 *     screen late even though the services are fine. 100 ms is far above a
 *     healthy loop's few ms and above a single GC pause's usual cost.
 *   - Memory: near full, the kernel reclaims and swaps, and any process can
 *     stall on a page fault.
 *   A single service pegging its own core is *not* hot: that is the design's
 *   own work time, which the node card's CPU shows.
 * - The warning turns **on** after 2 hot samples in a row (≈ 2 s), so one
 *   spike (a build starting, a GC) does not raise it.
 * - It turns **off** only after 3 cool samples in a row, cool meaning clearly
 *   below the thresholds (CPU < 75 %, loop < 50 ms, memory < 90 %). The gap
 *   between "hot" and "cool" is the hysteresis: a machine hovering around
 *   90 % keeps the warning instead of flickering it every second.
 */

export const BUSY_RULE = {
  cpuHotPercent: 90,
  cpuCoolPercent: 75,
  loopHotMs: 100,
  loopCoolMs: 50,
  memoryHotPercent: 95,
  memoryCoolPercent: 90,
  /** Hot samples in a row before the warning turns on. */
  enterSamples: 2,
  /** Cool samples in a row before it turns off. */
  leaveSamples: 3,
} as const;

/** What the sampler saw over about the last second. */
export interface LoadSample {
  cores: number;
  /** Share of all cores busy, 0–100; undefined before the second reading. */
  machineCpuPercent: number | undefined;
  /** Share of memory in use (total − available), 0–100. */
  memoryUsedPercent: number;
  /** The server's event-loop delay at p99, ms; undefined where not measured. */
  eventLoopP99Ms: number | undefined;
}

export interface BusyState {
  busy: boolean;
  /** Why, in a sentence; "" while not busy. */
  reason: string;
  hotStreak: number;
  coolStreak: number;
}

export const NOT_BUSY: BusyState = { busy: false, reason: "", hotStreak: 0, coolStreak: 0 };

/**
 * The busy state after one more sample.
 *
 * @example
 * let state = NOT_BUSY;
 * for (const cpu of [95, 97]) state = nextBusyState(state, { cores: 2, machineCpuPercent: cpu, memoryUsedPercent: 40, eventLoopP99Ms: 12 });
 * state.busy // true; state.reason === "CPU is at 97 % of all 2 cores."
 */
export function nextBusyState(state: BusyState, sample: LoadSample): BusyState {
  const hot = isHot(sample);
  const cool = isCool(sample);
  const hotStreak = hot ? state.hotStreak + 1 : 0;
  const coolStreak = cool ? state.coolStreak + 1 : 0;
  const busy = state.busy ? coolStreak < BUSY_RULE.leaveSamples : hotStreak >= BUSY_RULE.enterSamples;
  if (!busy) return { busy, reason: "", hotStreak, coolStreak };
  // The sentence follows the numbers while they stay high; in the calm tail
  // before the warning clears, the last cause stays named.
  return { busy, reason: busyReason(sample) || state.reason, hotStreak, coolStreak };
}

function isHot(s: LoadSample): boolean {
  return (
    (s.machineCpuPercent ?? 0) >= BUSY_RULE.cpuHotPercent ||
    (s.eventLoopP99Ms ?? 0) >= BUSY_RULE.loopHotMs ||
    s.memoryUsedPercent >= BUSY_RULE.memoryHotPercent
  );
}

function isCool(s: LoadSample): boolean {
  return (
    (s.machineCpuPercent ?? 0) < BUSY_RULE.cpuCoolPercent &&
    (s.eventLoopP99Ms ?? 0) < BUSY_RULE.loopCoolMs &&
    s.memoryUsedPercent < BUSY_RULE.memoryCoolPercent
  );
}

/**
 * The causes above their cool line, as one sentence: "CPU is at 97 % of all
 * 2 cores; the server's event loop runs 180 ms late (p99)." Empty when none.
 */
export function busyReason(s: LoadSample): string {
  const causes: string[] = [];
  if (s.machineCpuPercent !== undefined && s.machineCpuPercent >= BUSY_RULE.cpuCoolPercent) {
    const cores = s.cores === 1 ? "its only core" : `all ${s.cores} cores`;
    causes.push(`CPU is at ${Math.round(s.machineCpuPercent)} % of ${cores}`);
  }
  if (s.eventLoopP99Ms !== undefined && s.eventLoopP99Ms >= BUSY_RULE.loopCoolMs) {
    causes.push(`the server's event loop runs ${Math.round(s.eventLoopP99Ms)} ms late (p99)`);
  }
  if (s.memoryUsedPercent >= BUSY_RULE.memoryCoolPercent) {
    causes.push(`memory is ${Math.round(s.memoryUsedPercent)} % used`);
  }
  if (!causes.length) return "";
  const text = causes.join("; ");
  return `${text[0].toUpperCase()}${text.slice(1)}.`;
}
