/**
 * Finds a Redis to use: REDIS_URL (or the local default) when it answers PING,
 * else a private `redis-server` on a free port without persistence, else a clear
 * error that says how to get one.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import net from "node:net";
import { Redis } from "ioredis";
import { diesWithServer } from "@/server/runtime/die-with-server";

export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";
/** How long a PING may take before we call that Redis absent. */
const PING_TIMEOUT_MS = 1_000;
/** How long a private redis-server gets to answer its first PING. */
const PRIVATE_START_TIMEOUT_MS = 5_000;
const PRIVATE_POLL_MS = 50;
/** How long a private redis-server gets to exit on SIGTERM before SIGKILL. */
const PRIVATE_STOP_TIMEOUT_MS = 2_000;

export interface ResolvedRedis {
  url: string;
  /** Stops the private server, if one was started; otherwise does nothing. */
  stop(): Promise<void>;
  /** True when this process started its own redis-server. */
  private: boolean;
}

export interface ResolveRedisOptions {
  /** Defaults to process.env.REDIS_URL, then DEFAULT_REDIS_URL. */
  url?: string;
  /** The binary to start when nothing answers; defaults to `redis-server` on PATH. */
  redisServerBinary?: string;
  /**
   * Start a private redis-server when nothing answers (default true). False where
   * a private one would be useless — a cluster's web instance: the error names the URL.
   */
  privateFallback?: boolean;
  /** Who needs that Redis, for the error when privateFallback is false (e.g. "IPCPLAY_RUNNERS=remote"). */
  why?: string;
}

/**
 * @example
 *   const redis = await resolveRedis();
 *   const runs = createRunManager({ redisUrl: redis.url });
 *   process.on("exit", () => void redis.stop());
 */
export async function resolveRedis(options: ResolveRedisOptions = {}): Promise<ResolvedRedis> {
  const url = options.url ?? process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
  const firstFailure = await ping(url);
  if (firstFailure === undefined) return { url, private: false, stop: async () => {} };
  if (options.privateFallback === false) {
    throw new Error(
      `No Redis answered at ${url} (${firstFailure}). ${options.why ?? "This server"} needs the cluster's shared Redis ` +
        `(REDIS_URL, the one the runners use); a private redis-server is not started, since no runner could reach it. ` +
        `Start that Redis or set REDIS_URL to it.`,
    );
  }

  const binary = options.redisServerBinary ?? "redis-server";
  try {
    return await startPrivateRedis(binary);
  } catch (error) {
    throw new Error(
      `No Redis answered at ${url} (${firstFailure}) and a private redis-server could not start ` +
        `(${(error as Error).message}). Install Redis (Debian/Ubuntu: \`apt-get install redis-server\`) ` +
        `or set REDIS_URL to a Redis that answers, e.g. REDIS_URL=redis://127.0.0.1:6379.`,
    );
  }
}

/** PINGs `url`; returns undefined when it answered, else why not. */
export async function ping(url: string): Promise<string | undefined> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: PING_TIMEOUT_MS,
    commandTimeout: PING_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // Without a listener ioredis prints connection errors itself; we report them instead.
  redis.on("error", () => {});
  try {
    await redis.connect();
    await redis.ping();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    redis.disconnect();
  }
}

async function startPrivateRedis(binary: string): Promise<ResolvedRedis> {
  const server = await startRedisServer({ binary });
  return { url: server.url, private: true, stop: () => server.stop() };
}

export interface RedisServer {
  url: string;
  port: number;
  pid: number;
  /** SIGTERM, then SIGKILL after PRIVATE_STOP_TIMEOUT_MS; resolves once it has exited. */
  stop(): Promise<void>;
}

/**
 * Starts a redis-server without persistence on `port` (default: a free one) and
 * waits for its first PONG. It dies with this process, even a SIGKILLed one
 * (die-with-server.ts), and is SIGKILLed on a normal exit.
 */
export async function startRedisServer(options: { binary?: string; port?: number } = {}): Promise<RedisServer> {
  const port = options.port ?? (await freePort());
  const { command, args } = diesWithServer(options.binary ?? "redis-server", [
    "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
  ]);
  const child = spawn(command, args, { stdio: "ignore" });
  const spawnError = once(child, "error").then(([error]) => error as Error);
  const url = `redis://127.0.0.1:${port}`;
  const stopOnExit = () => child.kill("SIGKILL");
  process.once("exit", stopOnExit);

  const deadline = Date.now() + PRIVATE_START_TIMEOUT_MS;
  for (;;) {
    const failure = await Promise.race([ping(url), spawnError]);
    if (failure instanceof Error) throw failure;
    if (failure === undefined) break;
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`redis-server did not answer within ${PRIVATE_START_TIMEOUT_MS} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, PRIVATE_POLL_MS));
  }

  return {
    url,
    port,
    pid: child.pid ?? 0,
    stop: async () => {
      process.removeListener("exit", stopOnExit);
      await stopChild(child);
    },
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), PRIVATE_STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** A loopback port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, "close");
  return port;
}
