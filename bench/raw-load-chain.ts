/**
 * The raw side of one load step: the same process shape as the playground's
 * chain — N raw client processes → one raw gw process → one raw be process —
 * started fresh for the step (as a playground run is), read through IPC
 * snapshots, and stopped.
 */
import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import type { BenchTransport } from "./raw-baselines";
import type { FromChild, RawConfig, RawSnapshot, Samples, ToChild } from "./raw-load-protocol";

/** A child that has not exited this long after being told to is killed. */
const CHILD_EXIT_GRACE_MS = 3_000;
const CHILD_READY_TIMEOUT_MS = 20_000;

interface Child {
  role: string;
  ports: { httpPort: number; connectPort: number };
  snapshot(): Promise<RawSnapshot>;
  stop(): Promise<void>;
}

async function startChild(script: string, config: RawConfig): Promise<Child> {
  const child: ChildProcess = fork(path.join(import.meta.dirname, script), {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const pending = new Map<number, (snapshot: RawSnapshot) => void>();
  let nextId = 0;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    if (child.connected) child.disconnect();
    const timer = setTimeout(() => child.kill("SIGKILL"), CHILD_EXIT_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };
  try {
    const ports = await new Promise<{ httpPort: number; connectPort: number }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`raw ${config.role} not ready after ${CHILD_READY_TIMEOUT_MS} ms`)), CHILD_READY_TIMEOUT_MS);
      child.once("exit", (code) => reject(new Error(`raw ${config.role} exited with ${code} before it was ready`)));
      child.on("message", (message: FromChild) => {
        if (message.type === "ready") {
          clearTimeout(timer);
          resolve(message);
        } else if (message.type === "failed") reject(new Error(message.message));
        else pending.get(message.id)?.(message.snapshot);
      });
      child.send({ type: "config", config } satisfies ToChild);
    });
    return {
      role: config.role,
      ports,
      snapshot: () =>
        new Promise((resolve, reject) => {
          const id = nextId++;
          if (!child.connected) return reject(new Error(`raw ${config.role} is gone`));
          pending.set(id, (snapshot) => {
            pending.delete(id);
            resolve(snapshot);
          });
          child.send({ type: "snapshot", id } satisfies ToChild);
        }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Totals over every process of the chain at one moment. */
export interface RawChainSnapshot {
  /** Sent by the clients. */
  sent: number;
  /** Client requests that failed or timed out. */
  failed: number;
  /** Messages be took. */
  taken: number;
  /** Client round trips since the previous snapshot. */
  roundTrips: Samples;
  /** Hand-off → consumer start at be since the previous snapshot (queue, pub/sub). */
  waits: Samples;
}

export interface RawChain {
  snapshot(): Promise<RawChainSnapshot>;
  stop(): Promise<void>;
}

export interface RawChainOptions {
  transport: BenchTransport;
  clients: number;
  /** Offered rate of the whole chain; each client sends its share. */
  ratePerSecond: number;
  redisUrl: string;
  /** BullMQ prefix, queue name and Pub/Sub channel, unique to this step. */
  bullmqPrefix: string;
  queueName: string;
  channel: string;
  concurrency: number;
  timeoutMs: number;
}

export async function startRawChain(options: RawChainOptions): Promise<RawChain> {
  const started: Child[] = [];
  const stopAll = async () => {
    // Clients first (together), so nothing is sent into a closing gw; be last, so gw's hand-offs finish.
    const [be, gw, ...clients] = started;
    await Promise.all(clients.map((client) => client.stop()));
    await gw?.stop();
    await be?.stop();
  };
  try {
    const { transport, redisUrl, bullmqPrefix, queueName, channel, concurrency, timeoutMs } = options;
    const service = { transport, redisUrl, bullmqPrefix, queueName, channel, concurrency, timeoutMs };
    const be = await startChild("raw-load-service.ts", { role: "be", ...service });
    started.push(be);
    const gw = await startChild("raw-load-service.ts", { role: "gw", ...service, be: be.ports });
    started.push(gw);
    // Started together (as a run's hosts are), and every one that came up is kept for stopAll.
    const results = await Promise.allSettled(
      Array.from({ length: options.clients }, () =>
        startChild("raw-load-client.ts", {
          role: "client",
          gwPort: gw.ports.httpPort,
          ratePerSecond: options.ratePerSecond / options.clients,
          timeoutMs: options.timeoutMs,
        }),
      ),
    );
    const clients = results.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
    started.push(...clients);
    const failure = results.find((result) => result.status === "rejected");
    if (failure) throw failure.reason;
    return {
      async snapshot() {
        const [beSnapshot, ...clientSnapshots] = await Promise.all([be.snapshot(), ...clients.map((client) => client.snapshot())]);
        return {
          sent: clientSnapshots.reduce((sum, s) => sum + s.sent, 0),
          failed: clientSnapshots.reduce((sum, s) => sum + s.failed, 0),
          taken: beSnapshot.taken,
          roundTrips: {
            endedAt: clientSnapshots.flatMap((s) => s.latencies.endedAt),
            ms: clientSnapshots.flatMap((s) => s.latencies.ms),
          },
          waits: beSnapshot.latencies,
        };
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
