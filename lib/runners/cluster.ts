/**
 * The runner cluster's names and decisions, pure (no I/O): which mode the web
 * server runs in, every Redis key / BullMQ queue / channel the cluster uses
 * (all under one prefix, so a deployment — or a test — owns its own), a
 * runner's capacity record and the placement answer when none has room.
 * docs/runners.md tells the design.
 */

/** Where runs are hosted: by the web server itself (one machine, the default) or by runners. */
export type RunnersMode = "embedded" | "remote";

/** IPCPLAY_RUNNERS=remote: the web server only places runs; anything else (unset): embedded, as always. */
export function runnersMode(env: Record<string, string | undefined>): RunnersMode {
  const value = (env.IPCPLAY_RUNNERS ?? "").trim().toLowerCase();
  if (value === "" || value === "embedded") return "embedded";
  if (value === "remote") return "remote";
  throw new Error(`IPCPLAY_RUNNERS must be "embedded" or "remote" (got ${JSON.stringify(env.IPCPLAY_RUNNERS)})`);
}

export const DEFAULT_CLUSTER_PREFIX = "ipcplay:cluster";

/** IPCPLAY_CLUSTER_PREFIX, else the default; must start with "ipcplay:" and hold no glob or space. */
export function clusterPrefixFromEnv(env: Record<string, string | undefined>): string {
  const prefix = env.IPCPLAY_CLUSTER_PREFIX?.trim() || DEFAULT_CLUSTER_PREFIX;
  if (!/^ipcplay:[A-Za-z0-9_.:-]+$/.test(prefix) || prefix.endsWith(":")) {
    throw new Error(`IPCPLAY_CLUSTER_PREFIX must look like "ipcplay:<name>" without a trailing ":" (got ${JSON.stringify(prefix)})`);
  }
  return prefix;
}

export interface ClusterKeys {
  readonly prefix: string;
  /** BullMQ's `prefix` option; the placement queue's keys are `<bullPrefix>:placement:*`. */
  readonly bullPrefix: string;
  /** The BullMQ queue every run is placed through. */
  readonly placementQueue: string;
  /** Set of runner ids that announced themselves. */
  readonly runners: string;
  /** A runner's capacity record (JSON, with a TTL: gone when its heartbeat stops). */
  runner(runnerId: string): string;
  /** Pub/Sub channel a runner takes control calls on. */
  control(runnerId: string): string;
  /** Pub/Sub channel a web instance takes replies on (placements and control calls). */
  reply(instanceId: string): string;
  /** A run's registry record (hash: runner, tokenHash, state, info, summary, error). */
  run(runId: string): string;
  /** The run's events from its runner to every web instance (a Redis Stream, MAXLEN ~). */
  events(runId: string): string;
  /** Hash: placement job id → run id, while the run lives (the failure path's way from a job to its run). */
  readonly placements: string;
  /** Which web instance reads a run's event stream for the whole cluster's socket.io room (a short lease). */
  reader(runId: string): string;
  /** Stream name (and Pub/Sub channel prefix) of socket.io's Redis Streams adapter. */
  readonly socketIo: string;
  /** SCAN pattern of every key of the cluster. */
  readonly pattern: string;
}

export function clusterKeys(prefix: string): ClusterKeys {
  return {
    prefix,
    bullPrefix: `${prefix}:bull`,
    placementQueue: "placement",
    runners: `${prefix}:runners`,
    runner: (id) => `${prefix}:runner:${id}`,
    control: (id) => `${prefix}:control:${id}`,
    reply: (id) => `${prefix}:reply:${id}`,
    run: (runId) => `${prefix}:run:${runId}`,
    events: (runId) => `${prefix}:events:${runId}`,
    placements: `${prefix}:placements`,
    reader: (runId) => `${prefix}:reader:${runId}`,
    socketIo: `${prefix}:socket.io`,
    pattern: `${prefix}:*`,
  };
}

/** What a runner reports about itself with each heartbeat. */
export interface RunnerCapacity {
  id: string;
  /** Host name and pid of the runner process. */
  host: string;
  pid: number;
  /** Runs it takes at once (its placement Worker's concurrency). */
  slots: number;
  runs: number;
  services: number;
  /** Largest number of services one run may have there. */
  maxServicesPerRun: number;
  cpus: number;
  load1: number;
  freeMemBytes: number;
  totalMemBytes: number;
  /** SIGTERM received: finishing its runs, taking no new one. */
  draining: boolean;
  /** When this was written (Unix ms). */
  at: number;
}

export function encodeCapacity(capacity: RunnerCapacity): string {
  return JSON.stringify(capacity);
}

/** The record, or undefined when it is not one (foreign or truncated data is ignored, never trusted). */
export function decodeCapacity(text: string | null | undefined): RunnerCapacity | undefined {
  if (!text) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const numbers = ["pid", "slots", "runs", "services", "maxServicesPerRun", "cpus", "load1", "freeMemBytes", "totalMemBytes", "at"] as const;
  if (typeof v.id !== "string" || typeof v.host !== "string" || typeof v.draining !== "boolean") return undefined;
  if (!numbers.every((key) => typeof v[key] === "number" && Number.isFinite(v[key]))) return undefined;
  return v as unknown as RunnerCapacity;
}

/** Free run slots of a runner that takes runs now (0 while it drains). */
export function freeSlots(capacity: RunnerCapacity): number {
  return capacity.draining ? 0 : Math.max(0, capacity.slots - capacity.runs);
}

/** The runners that could take a run of `services` services now (placement itself is BullMQ's). */
export function runnersWithRoom(capacities: readonly RunnerCapacity[], services: number): RunnerCapacity[] {
  return capacities.filter((c) => freeSlots(c) > 0 && services <= c.maxServicesPerRun);
}

export interface ClusterLoad {
  runners: number;
  runs: number;
  services: number;
}

export function clusterLoad(capacities: readonly RunnerCapacity[]): ClusterLoad {
  return {
    runners: capacities.length,
    runs: capacities.reduce((sum, c) => sum + c.runs, 0),
    services: capacities.reduce((sum, c) => sum + c.services, 0),
  };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/**
 * The answer when no runner has room: what is running, and where this run
 * stood in the placement queue (1 = next), so nobody waits in silence.
 */
export function busyMessage(load: ClusterLoad, position: number): string {
  if (load.runners === 0) return `no runner is up to host the run (start one with \`npm run runner\`); it would be number ${position} in the placement queue`;
  return (
    `all runners are busy (${plural(load.runs, "run")}, ${plural(load.services, "service")} on ${plural(load.runners, "runner")}); ` +
    `the run would be number ${position} in the placement queue — try again when a run stops`
  );
}

/** What the failure path tells about the runs of a runner that died. */
export function runnerDiedMessage(runnerId: string, why: string): string {
  return `runner ${runnerId} died (${why}); the run's processes went with it`;
}
