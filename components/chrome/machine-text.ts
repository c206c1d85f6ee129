/**
 * The words for the machine's load in the top bar and the busy banner: one
 * place, so the bar, its tooltip and the banner say the same numbers.
 */
import type { MachineLoad, ProcessUsage } from "@/lib/gen/ipcplay/v1/playground_pb";
import { formatBytes, formatCpu } from "@/components/ui/format";

/** The busy banner's headline, as the issue words it. */
export const BUSY_HEADLINE = "The machine is busy — latencies now include the playground's own load";

export interface MachineText {
  /** `34 %` — of all cores. */
  cpu: string;
  /** `of 2 cores`. */
  cores: string;
  /** `6.1 / 23.5 GiB`. */
  memory: string;
  /** `8 % · 210 MiB` — the server process, CPU as a share of one core. */
  server: string;
  /** The whole picture in sentences, for the tooltip. */
  explain: string;
}

/** `12 % · 48 MiB`: one process's CPU (share of one core) and resident memory. */
export function usageText(usage: ProcessUsage): string {
  return `${formatCpu(usage.cpuPercent)} · ${formatBytes(usage.rssBytes)}`;
}

export function machineText(machine: MachineLoad): MachineText {
  const cpu = `${Math.round(machine.cpuPercent)} %`;
  const cores = machine.cores === 1 ? "of 1 core" : `of ${machine.cores} cores`;
  const memory = memoryFraction(machine.memoryUsedBytes, machine.memoryTotalBytes);
  const server = machine.server ? usageText(machine.server) : "–";
  const explain =
    `This machine: ${cpu} ${cores} busy, ${formatBytes(machine.memoryUsedBytes)} of ${formatBytes(machine.memoryTotalBytes)} memory in use, ` +
    `by every program on it. The playground server itself (control plane, trace hub, this UI): ${server}` +
    ` — CPU as a share of one core, so ${machine.cores * 100} % would be every core.`;
  return { cpu, cores, memory, server, explain };
}

/**
 * `6.1 / 23.5 GiB`: the used part drops its unit when it shares the total's,
 * so it reads as one fraction; `700 MiB / 2 GiB` otherwise.
 */
function memoryFraction(usedBytes: number, totalBytes: number): string {
  const used = formatBytes(usedBytes);
  const total = formatBytes(totalBytes);
  const unit = ` ${total.split(" ")[1]}`;
  return `${used.endsWith(unit) ? used.slice(0, -unit.length) : used} / ${total}`;
}
