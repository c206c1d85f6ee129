/**
 * Parsers for the few Linux /proc files the playground reads to show its own
 * cost: /proc/<pid>/stat (CPU time of one process), /proc/<pid>/status (its
 * resident memory), /proc/stat (CPU time of the whole machine) and
 * /proc/meminfo (memory of the machine). Text in, numbers out: no I/O here, so
 * the server reads the files and tests feed real-shaped text.
 *
 * Each parser returns `undefined` for text it cannot read, never a made-up 0:
 * a process that vanished between two reads must show as "unknown", not idle.
 */

/**
 * Clock ticks per second of the tick counts in /proc (USER_HZ). The kernel
 * fixes it at 100 for user space on every architecture Node runs on (x86,
 * arm, arm64, ppc, s390, riscv); reading it would need `getconf CLK_TCK`, a
 * child process per server start for a constant.
 */
export const USER_HZ = 100;

/** CPU time one process has used since it started, from /proc/<pid>/stat. */
export interface ProcessCpuTicks {
  /** utime + stime: user and kernel time, in clock ticks. */
  cpuTicks: number;
  /**
   * When the process started, in clock ticks after boot: with the pid it
   * names one process, so a pid reused by a new process is not compared
   * against the old one's CPU time.
   */
  startTicks: number;
}

/**
 * Reads utime, stime and starttime from /proc/<pid>/stat.
 *
 * The second field, comm, is the executable name in parentheses and may hold
 * spaces and parentheses itself (`(node (worker))`), so fields are counted
 * after the *last* `)`, never by splitting the whole line.
 *
 * @example parseProcPidStat("42 (my (odd) name) S 1 42 …") // { cpuTicks, startTicks }
 */
export function parseProcPidStat(text: string): ProcessCpuTicks | undefined {
  const close = text.lastIndexOf(")");
  if (close < 0) return undefined;
  // After ") ": field 3 (state) is index 0, so field n is index n - 3.
  const fields = text.slice(close + 2).trim().split(/\s+/);
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  const start = Number(fields[22 - 3]);
  if (![utime, stime, start].every(Number.isFinite)) return undefined;
  return { cpuTicks: utime + stime, startTicks: start };
}

/** Resident memory in bytes from the `VmRSS:` line of /proc/<pid>/status. */
export function parseProcStatusRss(text: string): number | undefined {
  // status gives kB (KiB in fact) and needs no page size, unlike statm.
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(text);
  return match ? Number(match[1]) * 1024 : undefined;
}

/** The machine's CPU time, summed over all cores, from /proc/stat. */
export interface MachineCpuTicks {
  busyTicks: number;
  idleTicks: number;
  /** Online cores: the `cpuN` lines. */
  cores: number;
}

/**
 * Reads the aggregate `cpu` line of /proc/stat: user nice system idle iowait
 * irq softirq steal [guest guest_nice]. Idle is idle + iowait (a core waiting
 * on the disk could run something else); busy is the rest up to steal. guest
 * and guest_nice are already counted inside user and nice, so they are left
 * out rather than counted twice.
 */
export function parseProcStat(text: string): MachineCpuTicks | undefined {
  const line = /^cpu\s+([\d\s]+)$/m.exec(text);
  if (!line) return undefined;
  const [user, nice, system, idle, iowait = 0, irq = 0, softirq = 0, steal = 0] = line[1].trim().split(/\s+/).map(Number);
  if (![user, nice, system, idle].every(Number.isFinite)) return undefined;
  const cores = text.match(/^cpu\d+\s/gm)?.length ?? 0;
  return {
    busyTicks: user + nice + system + irq + softirq + steal,
    idleTicks: idle + iowait,
    cores: Math.max(1, cores),
  };
}

/** Memory of the machine from /proc/meminfo, in bytes. */
export interface MachineMemory {
  totalBytes: number;
  /** What the kernel could give to new work without swapping (MemAvailable). */
  availableBytes: number;
}

/**
 * Reads MemTotal and MemAvailable. Used memory is total − available, not
 * total − free: the page cache is free in all but name and would make every
 * long-running machine look full.
 */
export function parseMeminfo(text: string): MachineMemory | undefined {
  const total = /^MemTotal:\s+(\d+)\s+kB$/m.exec(text);
  const available = /^MemAvailable:\s+(\d+)\s+kB$/m.exec(text);
  if (!total || !available) return undefined;
  return { totalBytes: Number(total[1]) * 1024, availableBytes: Number(available[1]) * 1024 };
}
