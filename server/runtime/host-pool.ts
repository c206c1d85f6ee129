/**
 * A warm pool of service hosts: processes forked ahead of time that have loaded
 * the bundle and wait for `init`. Loading is most of a host's start (about
 * 250–330 ms of CPU each, against 10–50 ms for `init` itself), so a run whose
 * nodes come from here is up in a few hundred milliseconds instead of seconds.
 *
 * The pool refills behind a run gently: one fork at a time (the next only once
 * the previous one says it has loaded), and not while a run's hosts are
 * starting or stopping (holdRefillsUntil), so refills never compete with those.
 *
 * Idle hosts hold no port, no Redis connection and no run: they are killed
 * with SIGKILL on `close()`, and exit by themselves when the server's IPC
 * channel closes (server/host/host-process.ts), even if the server was SIGKILLed;
 * on Linux the kernel kills them with the server too (./die-with-server.ts).
 */
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { LIMITS } from "@/lib/topology/limits";
import { isHostLoadedMessage } from "@/server/ipc/warm-host";
import { forkHost } from "./node-process";

/** The environment variable that sets the pool size; 0 disables the pool. */
export const WARM_HOSTS_ENV = "IPCPLAY_WARM_HOSTS";
/**
 * Enough for one run of the largest topology the gate allows, so any single
 * deploy is warm. Measured with bench/deploy.ts (a client and 20 services, 2
 * cores busy with other work, load 8–15): ready in 0.4–2.3 s from a full pool,
 * 7–9 s with 12 warm hosts (the 9 cold forks, about 0.35 s of CPU each,
 * dominate), 8–11 s with none, or past the 15 s start limit on a busier
 * machine. An idle host is 73 MiB of RSS, of which 32 MiB is its own (the
 * rest is the node binary, shared), so the full pool costs about 0.8 GiB. Set
 * IPCPLAY_WARM_HOSTS lower on a small machine: each node beyond the pool costs
 * a cold start instead.
 */
export const DEFAULT_WARM_HOSTS = LIMITS.maxNodes;
/** More idle hosts than every concurrent run could take at once is only memory. */
const MAX_WARM_HOSTS = LIMITS.maxNodes * LIMITS.maxConcurrentRuns;
/** A host that has not said it loaded by then is killed; a loading host normally takes well under a second. */
export const LOAD_TIMEOUT_MS = 10_000;
/** After a host failed to load, the pool waits this long before it forks again, so a broken bundle is not forked in a loop. */
export const RETRY_AFTER_FAILED_LOAD_MS = 5_000;
/** Quiet time after the last starting (or stopping) host is done before refilling: the run's first messages go first. */
export const REFILL_PAUSE_MS = 250;

export interface HostPoolOptions {
  bundlePath: string;
  /** Idle hosts to keep; 0 keeps none (every host is forked when a node needs it). */
  size: number;
  /** Where the pool reports hosts that failed to load and lines printed by idle hosts. */
  log?: (message: string) => void;
}

/** A host the pool forked, with the listeners the pool detaches when it hands the host out. */
interface PooledHost {
  child: ChildProcess;
  loaded: boolean;
  detach: () => void;
}

export class HostPool {
  readonly size: number;
  private readonly bundlePath: string;
  private readonly log: (message: string) => void;
  /** Loaded hosts first, in the order they loaded, then at most one still loading. */
  private readonly hosts: PooledHost[] = [];
  /** Hosts of runs that are starting or stopping (see holdRefillsUntil); the pool does not fork while there are any. */
  private nodesStarting = 0;
  private refillTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private fullWaiters: (() => void)[] = [];

  constructor(options: HostPoolOptions) {
    this.size = options.size;
    this.bundlePath = options.bundlePath;
    this.log = options.log ?? ((message) => console.error(message));
    this.refill();
  }

  /** Pids of the hosts the pool holds now, loaded or loading. */
  get pids(): number[] {
    return this.hosts.map((host) => host.child.pid ?? 0);
  }

  /** How many hosts have loaded and wait for `init`. */
  get loadedCount(): number {
    return this.hosts.filter((host) => host.loaded).length;
  }

  /**
   * A host for a node: a loaded one if there is one, else the one still loading
   * (it is partway there). Undefined when the pool is empty; the caller forks a
   * host itself.
   */
  take(): ChildProcess | undefined {
    let host = this.hosts.shift();
    // One that died a moment ago may not have been told to the pool yet.
    while (host && !(isRunning(host.child) && host.child.connected)) host = this.hosts.shift();
    if (!host) return undefined;
    host.detach();
    return host.child;
  }

  /**
   * No fork until `starting` settles (a node's host is up, failed, or has
   * exited after a stop), then a short pause: a run's start or stop, warm or
   * cold, has the CPU to itself.
   */
  holdRefillsUntil(starting: Promise<unknown>): void {
    this.nodesStarting++;
    const release = () => {
      this.nodesStarting--;
      this.scheduleRefill(REFILL_PAUSE_MS);
    };
    starting.then(release, release);
  }

  /** Resolves once the pool holds `size` loaded hosts (or is closed). For tests and benchmarks. */
  whenFull(): Promise<void> {
    if (this.closed || this.loadedCount >= this.size) return Promise.resolve();
    return new Promise((resolve) => this.fullWaiters.push(resolve));
  }

  /** Kills every idle host and resolves once all of them have exited; the pool forks no more. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.refillTimer);
    const hosts = this.hosts.splice(0);
    this.notifyIfFull();
    await Promise.all(
      hosts.map((host) => {
        host.detach();
        const exited = new Promise<void>((resolve) => {
          if (!isRunning(host.child)) return resolve();
          host.child.once("exit", () => resolve());
        });
        // An idle host has nothing to flush and nothing to close: no reason to wait for a polite exit.
        host.child.kill("SIGKILL");
        return exited;
      }),
    );
  }

  private scheduleRefill(delayMs: number): void {
    if (this.closed || this.refillTimer) return;
    this.refillTimer = setTimeout(() => {
      this.refillTimer = undefined;
      this.refill();
    }, delayMs);
    // A pending refill must not keep the server (or a test) alive.
    this.refillTimer.unref();
  }

  /** Forks one host if the pool is short, nothing is loading and no host is starting or stopping. */
  private refill(): void {
    if (this.closed || this.refillTimer || this.nodesStarting > 0) return;
    if (this.hosts.length >= this.size || this.hosts.some((host) => !host.loaded)) return;
    if (!existsSync(this.bundlePath)) {
      // Not built yet (StartRun says so): look again later rather than fork hosts that cannot load.
      this.scheduleRefill(RETRY_AFTER_FAILED_LOAD_MS);
      return;
    }
    this.hosts.push(this.forkOne());
  }

  private forkOne(): PooledHost {
    const child = forkHost(this.bundlePath);
    const pid = child.pid ?? 0;
    const printLine = (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n")) if (line) this.log(`warm host ${pid}: ${line}`);
    };
    const loadTimer = setTimeout(() => {
      this.log(`warm host ${pid} did not load within ${LOAD_TIMEOUT_MS} ms; killing it`);
      child.kill("SIGKILL");
    }, LOAD_TIMEOUT_MS);
    loadTimer.unref();

    const host: PooledHost = {
      child,
      loaded: false,
      detach: () => {
        clearTimeout(loadTimer);
        child.off("message", onMessage);
        child.off("exit", onExit);
        child.stdout?.off("data", printLine);
        child.stderr?.off("data", printLine);
      },
    };
    const onMessage = (message: unknown) => {
      if (!isHostLoadedMessage(message)) return;
      clearTimeout(loadTimer);
      host.loaded = true;
      this.notifyIfFull();
      this.refill();
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      host.detach();
      const index = this.hosts.indexOf(host);
      if (index >= 0) this.hosts.splice(index, 1);
      if (this.closed) return;
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      if (host.loaded) {
        this.log(`idle warm host ${pid} ${how}; replacing it`);
        this.refill();
      } else {
        this.log(`warm host ${pid} ${how} before it loaded; trying again in ${RETRY_AFTER_FAILED_LOAD_MS} ms`);
        this.scheduleRefill(RETRY_AFTER_FAILED_LOAD_MS);
      }
    };
    child.on("message", onMessage);
    child.on("exit", onExit);
    // Lines an idle host prints belong to no run: they go to the server's log. A
    // taken host's lines go to its run (NodeProcess reads the same pipes).
    child.stdout?.on("data", printLine);
    child.stderr?.on("data", printLine);
    return host;
  }

  private notifyIfFull(): void {
    if (!this.closed && this.loadedCount < this.size) return;
    for (const resolve of this.fullWaiters.splice(0)) resolve();
  }
}

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/**
 * The pool size from IPCPLAY_WARM_HOSTS, or DEFAULT_WARM_HOSTS when unset.
 *
 * @example warmHostsFromEnv({ IPCPLAY_WARM_HOSTS: "0" }); // 0: no pool
 */
export function warmHostsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const raw = env[WARM_HOSTS_ENV]?.trim();
  if (raw === undefined || raw === "") return DEFAULT_WARM_HOSTS;
  const size = Number(raw);
  if (!Number.isInteger(size) || size < 0 || size > MAX_WARM_HOSTS) {
    throw new Error(`${WARM_HOSTS_ENV} must be a whole number from 0 to ${MAX_WARM_HOSTS} (0 turns the warm pool off), got "${raw}".`);
  }
  return size;
}
