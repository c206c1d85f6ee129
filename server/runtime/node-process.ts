/**
 * One service host process, seen from the parent: fork it (or take a warm one
 * from the pool), hand it its config, learn its ports, talk to it, and end it —
 * politely first, then with SIGKILL after SHUTDOWN_GRACE_MS.
 */
import { fork, type ChildProcess } from "node:child_process";
import readline from "node:readline";
import {
  isChildMessage,
  type ChildMessage,
  type HostConfig,
  type LogLevel,
  type NodePorts,
  type ParentMessage,
} from "@/server/ipc/host-messages";
import { diesWithServer } from "./die-with-server";

/** How long a host gets to close its listeners and exit after `shutdown`. */
export const SHUTDOWN_GRACE_MS = 2_000;

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** "exited with code 1", "killed by SIGKILL". */
  reason: string;
}

/**
 * Extra node flags for every host, space-separated, e.g.
 * `IPCPLAY_HOST_EXEC_ARGV="--cpu-prof --cpu-prof-dir=/tmp/prof"` to profile
 * hosts under load (bench/profile-load.ts). Unset: none.
 */
export const HOST_EXEC_ARGV_ENV = "IPCPLAY_HOST_EXEC_ARGV";

function hostExecArgv(): string[] {
  return (process.env[HOST_EXEC_ARGV_ENV] ?? "").split(/\s+/).filter(Boolean);
}

/**
 * Forks a service host that waits for `init`. Every host is forked this way,
 * whether for a node at once or ahead of time for the warm pool.
 */
export function forkHost(bundlePath: string): ChildProcess {
  // fork runs `execPath ...execArgv bundlePath`: through setpriv, the host dies with the server even while
  // paused (die-with-server.ts); the IPC channel's descriptor passes through setpriv's exec unchanged.
  const { command, args } = diesWithServer(process.execPath, hostExecArgv());
  return fork(bundlePath, [], {
    execPath: command,
    // Never inherit the parent's --import tsx or inspector flags: a host is a plain bundle.
    // HOST_EXEC_ARGV_ENV adds flags on purpose (e.g. `--cpu-prof`, which NODE_OPTIONS refuses).
    execArgv: args,
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    serialization: "json",
  });
}

export interface NodeProcessOptions {
  bundlePath: string;
  /**
   * A host forked ahead of time (server/runtime/host-pool.ts), alive and not yet
   * given `init`; without one, a host is forked from `bundlePath` now.
   */
  warmHost?: ChildProcess;
  config: HostConfig;
  /** Every message but `ready` (which resolves `ready`). */
  onMessage: (message: ChildMessage) => void;
  /** Lines the host printed on stdout (info) or stderr (error). */
  onOutput: (level: LogLevel, line: string) => void;
  onExit: (exit: ProcessExit) => void;
  /** Called when `stop()` asks the host to shut down, with its coming exit (the warm pool holds its refills until then). */
  onStopping?: (exited: Promise<ProcessExit>) => void;
}

export class NodeProcess {
  readonly pid: number;
  /** Resolves with the ports once the host is listening; rejects if it dies or fails first. */
  readonly ready: Promise<NodePorts>;
  private readonly child: ChildProcess;
  private exit: ProcessExit | undefined;
  private readonly exited: Promise<ProcessExit>;
  private readonly onStopping: ((exited: Promise<ProcessExit>) => void) | undefined;

  constructor(options: NodeProcessOptions) {
    this.onStopping = options.onStopping;
    this.child = options.warmHost ?? forkHost(options.bundlePath);
    this.pid = this.child.pid ?? 0;
    for (const [stream, level] of [[this.child.stdout, "info"], [this.child.stderr, "error"]] as const) {
      if (stream) readline.createInterface({ input: stream }).on("line", (line) => options.onOutput(level, line));
    }

    this.exited = new Promise((resolve) => {
      // "close", not "exit": it comes after the IPC channel and pipes are drained, so
      // the host's last spans and counters have been delivered by then.
      this.child.once("close", (code, signal) => {
        this.exit = { code, signal, reason: describeExit(code, signal) };
        options.onExit(this.exit);
        resolve(this.exit);
      });
    });

    this.ready = new Promise<NodePorts>((resolve, reject) => {
      this.child.on("message", (message: unknown) => {
        if (!isChildMessage(message)) return;
        if (message.type === "ready") return resolve(message.ports);
        if (message.type === "fatal") reject(new Error(message.message));
        options.onMessage(message);
      });
      this.child.once("error", reject);
      void this.exited.then((exit) => reject(new Error(`the process ${exit.reason} before it was ready`)));
    });
    // Whoever starts the node awaits `ready`; this only keeps a late rejection from being "unhandled".
    this.ready.catch(() => undefined);

    this.send({ type: "init", config: options.config });
  }

  get alive(): boolean {
    return this.exit === undefined;
  }

  /** Sends if the process is still there; a message to a dead node is moot. */
  send(message: ParentMessage): void {
    if (this.alive && this.child.connected) this.child.send(message);
  }

  signal(signal: NodeJS.Signals): void {
    if (this.alive) this.child.kill(signal);
  }

  /** SIGKILL, resolving when the process is gone. */
  async kill(): Promise<ProcessExit> {
    this.signal("SIGKILL");
    return this.exited;
  }

  /** `shutdown`, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = SHUTDOWN_GRACE_MS): Promise<ProcessExit> {
    if (!this.alive) return this.exited;
    // A paused (SIGSTOPped) host cannot read `shutdown`; wake it first.
    this.signal("SIGCONT");
    this.send({ type: "shutdown" });
    this.onStopping?.(this.exited);
    const timer = setTimeout(() => this.signal("SIGKILL"), graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  whenExited(): Promise<ProcessExit> {
    return this.exited;
  }
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `was killed by ${signal}` : `exited with code ${code}`;
}
