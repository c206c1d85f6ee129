/**
 * The contract between the control plane (server/control), socket.io fan-out
 * (server/main.ts) and the runtime. Implemented by `createRunManager` in
 * ./orchestrator.ts. Handlers stay thin: they validate through parseTopology and
 * call these methods; errors are RunError with a code that maps to a Connect code.
 */
import type { FaultKind, Topology } from "@/lib/gen/ipcplay/v1/topology_pb";
import type { DeadLetter, InjectFaultRequest, Metrics, RunEvent, RunInfo, RunSummary, Span, TraceSummary } from "@/lib/gen/ipcplay/v1/playground_pb";

import type { Problem } from "@/lib/run/problem";

export type RunErrorCode =
  | "invalid_argument"
  | "not_found"
  | "permission_denied"
  | "resource_exhausted"
  | "failed_precondition"
  | "unavailable"
  | "internal";

export class RunError extends Error {
  constructor(
    readonly code: RunErrorCode,
    message: string,
    readonly problems: readonly Problem[] = [],
  ) {
    super(message);
    this.name = "RunError";
  }
}

export interface StartOptions {
  /** Resolve as soon as processes are launching instead of when all are ready. */
  detach: boolean;
}

/** InjectFaultRequest's fields (playground.proto documents each); unset = zero, as in the proto. */
export type FaultRequest = Partial<Omit<InjectFaultRequest, "$typeName" | "$unknown" | "runId" | "kind">> & { kind: FaultKind };

/** What UpdateRun did (UpdateRunResponse without the RunInfo). */
export interface UpdateResult {
  applied: string[];
  restarted: string[];
  started: string[];
  stopped: string[];
}

/** DeadLetter's fields (playground.proto documents each). */
export type DeadLetterInfo = Omit<DeadLetter, "$typeName" | "$unknown">;

export interface RunManager {
  /** `topology` has already passed parseTopology (defaults filled, no problems). */
  start(topology: Topology, options: StartOptions): Promise<{ runId: string; token: string; run: RunInfo }>;
  /** Stops processes, removes the run's Redis keys; idempotent for a stopped run. */
  stop(runId: string): Promise<RunSummary>;
  get(runId: string): RunInfo;
  /** True when `token` is the run's token (constant-time compare). */
  checkToken(runId: string, token: string): boolean;
  sendMessage(runId: string, nodeId: string, count: number, payload?: string): Promise<string[]>;
  getTrace(runId: string, traceId: string): Span[];
  /** The run's metrics points taken after `sinceUnixMs` (0: all it keeps), live or stopped (see GetMetrics). */
  getMetrics(runId: string, sinceUnixMs: number): Metrics;
  listTraces(runId: string, limit: number): TraceSummary[];
  injectFault(runId: string, fault: FaultRequest): Promise<RunInfo>;
  /** Clears the target's faults of `kind` (FaultKind.UNSPECIFIED: all of them). */
  clearFault(runId: string, target: { nodeId?: string; edgeId?: string; kind?: FaultKind }): Promise<RunInfo>;
  /** `topology` has already passed parseTopology. Applies it to the running run (see UpdateRun in playground.proto). */
  updateRun(runId: string, topology: Topology): Promise<{ run: RunInfo } & UpdateResult>;
  /** A queue edge's dead letters, newest first, at most `limit` (0 = 50, ≤ 200), and how many there are. */
  listDeadLetters(runId: string, edgeId: string, limit: number): Promise<{ deadLetters: DeadLetterInfo[]; total: number }>;
  /** Puts a queue edge's dead letters (none named: all) back in its queue, each booked as a send; answers how many went. */
  redriveDeadLetters(runId: string, edgeId: string, jobIds: readonly string[]): Promise<{ redriven: number; run: RunInfo }>;
  /**
   * Calls `listener` with a RunInfo snapshot at once, then with every event of
   * the run (spans batched ≤ 20/s, RunInfo on change and each second, the
   * summary when it stops). Returns the unsubscribe function.
   */
  watch(runId: string, listener: (event: RunEvent) => void): () => void;
  /** Stops every run; used on server exit. */
  shutdown(): Promise<void>;
}

type MaybePromise<T> = T | Promise<T>;

/**
 * What the control plane and socket.io use: a RunManager whose answers may
 * come later — a web server that only places runs (IPCPLAY_RUNNERS=remote)
 * asks Redis and the run's runner (server/runner/remote-runs.ts). The embedded
 * RunManager is one as it is.
 */
export interface ControlRuns extends Omit<RunManager, "get" | "checkToken" | "getTrace" | "getMetrics" | "listTraces"> {
  get(runId: string): MaybePromise<RunInfo>;
  checkToken(runId: string, token: string): MaybePromise<boolean>;
  getTrace(runId: string, traceId: string): MaybePromise<Span[]>;
  getMetrics(runId: string, sinceUnixMs: number): MaybePromise<Metrics>;
  listTraces(runId: string, limit: number): MaybePromise<TraceSummary[]>;
}
