/**
 * The machine-wide admission check: a run that would not fit the machine's
 * free memory, or that would start on a machine whose CPUs are already
 * saturated, is refused with the numbers instead of degrading every run.
 * Pure: the server reads the machine (os.freemem, os.loadavg, the hosts'
 * measured RSS) and asks.
 *
 * The CPU check applies only while this server has runs up: it is there so a
 * new run does not degrade the runs already up. With none up, a load from
 * elsewhere (a build, a test suite) is not ours to refuse for — the busy
 * banner says latencies include it.
 *
 * A run's memory is estimated as its processes × the RSS a service process
 * takes here: the mean of the hosts measured now (runs already up), else
 * `serviceBytes` (a fresh host with its transports loaded).
 */

export interface AdmissionLimits {
  /** A service process's memory when none is measured yet, bytes. */
  serviceBytes: number;
  /** Memory the machine keeps free for everything else (the server, the browser, the OS), bytes. */
  memoryReserveBytes: number;
  /** The 1-minute load average per CPU past which no run is started. */
  maxLoadPerCpu: number;
}

export interface MachineNow {
  /** Memory available to new processes now, bytes. */
  freeBytes: number;
  /** 1-minute load average. */
  loadAverage: number;
  cpus: number;
  /** RSS of every service process of the runs up now, bytes. */
  hostRssBytes: readonly number[];
  /** Runs up now. */
  runs: number;
}

/** Undefined when a run of `processes` services fits; else why not, with the numbers. */
export function admissionRefusal(processes: number, machine: MachineNow, limits: AdmissionLimits): string | undefined {
  const measured = machine.hostRssBytes.filter((rss) => rss > 0);
  const perService = measured.length > 0 ? measured.reduce((sum, rss) => sum + rss, 0) / measured.length : limits.serviceBytes;
  const needs = processes * perService;
  const room = machine.freeBytes - limits.memoryReserveBytes;
  const upNow = `${machine.runs} run${machine.runs === 1 ? "" : "s"} (${measured.length} service processes) up now`;
  if (needs > room) {
    const estimate = measured.length > 0 ? `measured mean of the services up now` : `estimate for a fresh service`;
    return (
      `This run would not fit the machine's memory: ${processes} processes × ${mb(perService)} (${estimate}) = ${mb(needs)}, ` +
      `and the machine has ${mb(machine.freeBytes)} free of which it keeps ${mb(limits.memoryReserveBytes)} in reserve, with ${upNow}. ` +
      `Stop a run or start a smaller topology.`
    );
  }
  const cpus = Math.max(1, machine.cpus);
  const loadPerCpu = machine.loadAverage / cpus;
  if (machine.runs > 0 && loadPerCpu > limits.maxLoadPerCpu) {
    return (
      `The machine's CPUs are saturated: load average ${machine.loadAverage.toFixed(1)} on ${cpus} CPUs (${loadPerCpu.toFixed(1)} per CPU), ` +
      `above the ${limits.maxLoadPerCpu} per CPU this server starts runs at, with ${upNow}. Stop a run or try again when the load falls.`
    );
  }
  return undefined;
}

function mb(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024)).toLocaleString("en-US")} MB`;
}
