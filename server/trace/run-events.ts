/**
 * The watchers of one run and what they get besides spans: a RunInfo snapshot
 * when they subscribe, on every change of state and once a second, and with
 * it each second the run's newest metrics point.
 */
import { create } from "@bufbuild/protobuf";
import { RunEventSchema, type RunEvent, type RunInfo } from "@/lib/gen/ipcplay/v1/playground_pb";

export const RUN_INFO_INTERVAL_MS = 1_000;

export type RunEventListener = (event: RunEvent) => void;

export class RunEvents {
  private readonly listeners = new Set<RunEventListener>();
  private heartbeat: NodeJS.Timeout | undefined;

  /**
   * @param onHeartbeat called with each heartbeat's RunInfo, after it was sent;
   *   an event it returns is sent next (the run's metrics point of that second).
   */
  constructor(
    private readonly snapshot: () => RunInfo,
    private readonly onHeartbeat?: (info: RunInfo) => RunEvent | undefined,
  ) {}

  subscribe(listener: RunEventListener): () => void {
    this.listeners.add(listener);
    listener(runInfoEvent(this.snapshot()));
    return () => this.listeners.delete(listener);
  }

  emit(event: RunEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        // One broken watcher (a closed socket) must not starve the others.
        console.error(`run event listener failed: ${(error as Error).message}`);
      }
    }
  }

  /** Sends the current RunInfo now (a state changed). */
  changed(): void {
    this.emit(runInfoEvent(this.snapshot()));
  }

  startHeartbeat(): void {
    this.heartbeat ??= setInterval(() => this.beat(), RUN_INFO_INTERVAL_MS);
    this.heartbeat.unref();
  }

  private beat(): void {
    const info = this.snapshot();
    this.emit(runInfoEvent(info));
    let next: RunEvent | undefined;
    try {
      next = this.onHeartbeat?.(info);
    } catch (error) {
      // A timer's throw would take the server down with every run: the point is skipped, the run goes on.
      console.error(`run heartbeat failed: ${(error as Error).message}`);
    }
    if (next) this.emit(next);
  }

  /** Stops the heartbeat; listeners stay until they unsubscribe. */
  stopHeartbeat(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}

export function runInfoEvent(run: RunInfo): RunEvent {
  return create(RunEventSchema, { event: { case: "run", value: run } });
}
