/**
 * What the playground itself costs: CPU and memory of every service process,
 * of the server, and of the machine, read from the OS about once a second.
 *
 * One sampler per server, shared by all runs, and lazy: the first question
 * (LiveRun.info() asking for a pid or the machine) starts it, and it stops
 * itself once nobody has asked for IDLE_STOP_MS — so a server with no run
 * live reads nothing. Answers are the last sample, synchronously: info() is
 * never held up by file reads.
 *
 * Cost on Linux per tick: /proc/stat and /proc/meminfo, plus /proc/<pid>/stat
 * and /proc/<pid>/status per node — async reads of small kernel-generated
 * files, no child processes. Elsewhere (macOS, Windows) the machine comes
 * from os.cpus()/os.totalmem()/os.freemem() and nodes' usage stays unset.
 */
import { readFile } from "node:fs/promises";
import os from "node:os";
import { monitorEventLoopDelay, performance, type IntervalHistogram } from "node:perf_hooks";
import { create } from "@bufbuild/protobuf";
import {
  MachineLoadSchema,
  ProcessUsageSchema,
  type MachineLoad,
  type ProcessUsage,
} from "@/lib/gen/ipcplay/v1/playground_pb";
import { nextBusyState, NOT_BUSY, type BusyState } from "@/lib/metrics/busy-rule";
import { cpuPercentFromMicros, machineCpuPercent, processCpuPercent, type ProcessCpuReading } from "@/lib/metrics/cpu-share";
import {
  parseMeminfo,
  parseProcPidStat,
  parseProcStat,
  parseProcStatusRss,
  USER_HZ,
  type MachineCpuTicks,
  type MachineMemory,
} from "@/lib/metrics/proc-text";

/** About once a second, like the RunInfo heartbeat that shows it. */
export const SAMPLE_INTERVAL_MS = 1_000;
/** Nobody asked for this long: stop reading (and forget pids nobody asks about). */
export const IDLE_STOP_MS = 5_000;
/** Granularity of the event-loop delay histogram; its readings include it. */
const LOOP_RESOLUTION_MS = 20;

export interface UsageSamplerOptions {
  intervalMs?: number;
  idleStopMs?: number;
  /** Tests pass another platform to exercise the fallback. */
  platform?: NodeJS.Platform;
}

/** What the sampler costs, for tests and the curious. */
export interface SamplerStats {
  running: boolean;
  ticks: number;
  /** Wall time of the last tick (all reads in parallel), ms. */
  lastTickMs: number;
  /** Files read in the last tick. */
  lastTickReads: number;
}

interface PidSample {
  reading: ProcessCpuReading;
  usage: ProcessUsage | undefined;
}

interface MachineReading {
  cpu: MachineCpuTicks;
  memory: MachineMemory;
}

export class UsageSampler {
  private readonly intervalMs: number;
  private readonly idleStopMs: number;
  private readonly useProc: boolean;
  private timer: NodeJS.Timeout | undefined;
  private loop: IntervalHistogram | undefined;
  private ticking = false;
  private readsThisTick = 0;
  private lastAskedAt = 0;
  /** pid → when it was last asked for. */
  private readonly wanted = new Map<number, number>();
  private readonly pids = new Map<number, PidSample>();
  private machinePrev: MachineReading | undefined;
  private serverPrev: { cpu: NodeJS.CpuUsage; atMs: number } | undefined;
  private machine: MachineLoad | undefined;
  private busy: BusyState = NOT_BUSY;
  private readonly reportedErrors = new Set<string>();
  private readonly counters = { ticks: 0, lastTickMs: 0, lastTickReads: 0 };

  constructor(options: UsageSamplerOptions = {}) {
    this.intervalMs = options.intervalMs ?? SAMPLE_INTERVAL_MS;
    this.idleStopMs = options.idleStopMs ?? IDLE_STOP_MS;
    this.useProc = (options.platform ?? process.platform) === "linux";
  }

  /** The last usage of this process, or undefined until two readings exist (or off Linux). */
  processUsage(pid: number): ProcessUsage | undefined {
    if (pid <= 0) return undefined;
    this.wake();
    this.wanted.set(pid, this.lastAskedAt);
    return this.pids.get(pid)?.usage;
  }

  /** The machine and the server, or undefined until two readings exist. */
  machineLoad(): MachineLoad | undefined {
    this.wake();
    return this.machine;
  }

  stats(): SamplerStats {
    return { running: this.timer !== undefined, ...this.counters };
  }

  /** Stops at once; the next question starts it again. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.loop?.disable();
    this.loop = undefined;
    this.wanted.clear();
    this.pids.clear();
    this.machinePrev = undefined;
    this.serverPrev = undefined;
    this.machine = undefined;
    this.busy = NOT_BUSY;
  }

  private wake(): void {
    this.lastAskedAt = performance.now();
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    // A sampler must never keep the server (or a test) alive.
    this.timer.unref();
    this.loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    this.loop.enable();
    void this.tick();
  }

  private async tick(): Promise<void> {
    const now = performance.now();
    if (now - this.lastAskedAt > this.idleStopMs) return this.stop();
    // A tick slower than the interval (a machine that busy) is not stacked on.
    if (this.ticking) return;
    this.ticking = true;
    try {
      for (const [pid, askedAt] of this.wanted) {
        if (now - askedAt > this.idleStopMs) {
          this.wanted.delete(pid);
          this.pids.delete(pid);
        }
      }
      this.readsThisTick = 0;
      const machine = this.useProc ? this.readProcMachine() : Promise.resolve(readOsMachine());
      const pids = this.useProc ? [...this.wanted.keys()].map((pid) => this.samplePid(pid)) : [];
      const [machineReading] = await Promise.all([machine, ...pids]);
      this.sampleMachine(machineReading);
      this.counters.ticks++;
      this.counters.lastTickMs = performance.now() - now;
      this.counters.lastTickReads = this.readsThisTick;
    } finally {
      this.ticking = false;
    }
  }

  private async samplePid(pid: number): Promise<void> {
    const atMs = performance.now();
    const [statText, statusText] = await Promise.all([
      this.readProc(`/proc/${pid}/stat`),
      this.readProc(`/proc/${pid}/status`),
    ]);
    const cpu = statText === undefined ? undefined : parseProcPidStat(statText);
    const rssBytes = statusText === undefined ? undefined : parseProcStatusRss(statusText);
    if (!cpu || rssBytes === undefined) {
      // Gone (killed, exited) or a zombie: unknown, not idle.
      this.pids.delete(pid);
      return;
    }
    const reading = { ...cpu, atMs };
    const prev = this.pids.get(pid)?.reading;
    const cpuPercent = prev ? processCpuPercent(prev, reading, USER_HZ) : undefined;
    this.pids.set(pid, {
      reading,
      usage: cpuPercent === undefined ? undefined : create(ProcessUsageSchema, { cpuPercent, rssBytes }),
    });
  }

  private async readProcMachine(): Promise<MachineReading | undefined> {
    const [statText, memText] = await Promise.all([this.readProc("/proc/stat"), this.readProc("/proc/meminfo")]);
    const cpu = statText === undefined ? undefined : parseProcStat(statText);
    const memory = memText === undefined ? undefined : parseMeminfo(memText);
    // A Linux without a readable /proc (a locked-down container): the OS module still knows.
    return cpu && memory ? { cpu, memory } : readOsMachine();
  }

  private sampleMachine(reading: MachineReading | undefined): void {
    const prev = this.machinePrev;
    this.machinePrev = reading;
    const atMs = performance.now();
    const serverCpu = process.cpuUsage();
    const serverPrev = this.serverPrev;
    this.serverPrev = { cpu: serverCpu, atMs };
    const loopP99Ms = this.loop ? Math.max(0, this.loop.percentile(99) / 1e6 - LOOP_RESOLUTION_MS) : undefined;
    this.loop?.reset();
    if (!reading || !prev || !serverPrev) return;

    const cpuPercent = machineCpuPercent(prev.cpu, reading.cpu);
    const { totalBytes, availableBytes } = reading.memory;
    const memoryUsedBytes = Math.max(0, totalBytes - availableBytes);
    this.busy = nextBusyState(this.busy, {
      cores: reading.cpu.cores,
      machineCpuPercent: cpuPercent,
      memoryUsedPercent: totalBytes > 0 ? (memoryUsedBytes / totalBytes) * 100 : 0,
      eventLoopP99Ms: loopP99Ms,
    });
    const serverMicros = serverCpu.user + serverCpu.system - serverPrev.cpu.user - serverPrev.cpu.system;
    this.machine = create(MachineLoadSchema, {
      cores: reading.cpu.cores,
      cpuPercent: cpuPercent ?? this.machine?.cpuPercent ?? 0,
      memoryUsedBytes,
      memoryTotalBytes: totalBytes,
      // The server measures itself directly: the same kernel counters as
      // /proc/self, without a file read.
      server: create(ProcessUsageSchema, {
        cpuPercent: cpuPercentFromMicros(serverMicros, atMs - serverPrev.atMs) ?? 0,
        rssBytes: process.memoryUsage.rss(),
      }),
      busy: this.busy.busy,
      busyReason: this.busy.reason,
    });
  }

  /** The file's text, or undefined when the process is gone. */
  private async readProc(path: string): Promise<string | undefined> {
    this.readsThisTick++;
    try {
      return await readFile(path, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "unknown";
      // ENOENT/ESRCH: the process exited between being asked for and read — expected.
      if (code !== "ENOENT" && code !== "ESRCH" && !this.reportedErrors.has(code)) {
        this.reportedErrors.add(code);
        console.warn(`process usage: cannot read ${path} (${code}); usage of such processes stays unknown`);
      }
      return undefined;
    }
  }
}

/** The machine from the os module: every platform, a little coarser. */
function readOsMachine(): MachineReading {
  const cpus = os.cpus();
  let busyTicks = 0;
  let idleTicks = 0;
  for (const { times } of cpus) {
    busyTicks += times.user + times.nice + times.sys + times.irq;
    idleTicks += times.idle;
  }
  return {
    cpu: { busyTicks, idleTicks, cores: Math.max(1, cpus.length) },
    memory: { totalBytes: os.totalmem(), availableBytes: os.freemem() },
  };
}

/** The server's one sampler, shared by every run. */
export const usageSampler = new UsageSampler();
