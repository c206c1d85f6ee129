/**
 * The playground server: one port serving the Next.js app, the Connect control
 * plane and socket.io. `startPlayground` is what main.ts runs and what tests
 * start on port 0 (with `next: false` they get the API without the UI).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { allowList, splitList } from "@/lib/edge/allow-list";
import { securityHeaders } from "@/lib/edge/security-headers";
import { LIMITS } from "@/lib/topology/limits";
import { controlPlaneHandler } from "@/server/control/adapter";
import { controlRoutes } from "@/server/control/playground-service";
import { guardServer, refusal } from "@/server/edge";
import { resolveRedis } from "@/server/redis/resolve-redis";
import { createRunManager } from "@/server/runtime/orchestrator";
import type { ControlRuns } from "@/server/runtime/run-manager";
import { clusterPrefixFromEnv, runnersMode } from "@/lib/runners/cluster";
import { createRemoteRuns } from "@/server/runner/remote-runs";
import { createWebTier, type WebTier } from "@/server/runner/web-tier";
import { attachRunSocket } from "@/server/run-socket";

/** Largest control-plane request body (413 past it); a topology has its own, smaller cap. */
export const MAX_REQUEST_BYTES = 1024 * 1024;

export interface PlaygroundOptions {
  port: number;
  host: string;
  /** Serve the Next.js UI; `dev` picks next dev over the production build. */
  next: false | { dev: boolean; dir: string };
  /**
   * Host values answered besides the loopback names and `host` on the port
   * (IPCPLAY_ALLOWED_HOSTS): `name` (any port), `name:port`, or `*` for any.
   */
  allowedHosts?: readonly string[];
  /** Origins allowed besides those of the allowed hosts (IPCPLAY_ALLOWED_ORIGINS), or `*`. */
  allowedOrigins?: readonly string[];
  log?: (line: string) => void;
}

/** The deployment's allow-list additions from the environment, for main.ts. */
export function allowListFromEnv(env: NodeJS.ProcessEnv): Pick<PlaygroundOptions, "allowedHosts" | "allowedOrigins"> {
  return { allowedHosts: splitList(env.IPCPLAY_ALLOWED_HOSTS), allowedOrigins: splitList(env.IPCPLAY_ALLOWED_ORIGINS) };
}

export interface Playground {
  url: string;
  port: number;
  close(): Promise<void>;
}

type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

async function nextHandler(options: { dev: boolean; dir: string }, host: string, port: number): Promise<RequestHandler> {
  const { default: next } = await import("next");
  const app = next({ dev: options.dev, dir: options.dir, hostname: host, port });
  await app.prepare();
  const handle = app.getRequestHandler();
  return (req, res) => void handle(req, res);
}

function notFound(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(404, { "content-type": "text/plain" }).end("Not found: this server has no UI (started with next: false)\n");
}

export async function startPlayground(options: PlaygroundOptions): Promise<Playground> {
  const log = options.log ?? ((line) => console.log(line));
  const remote = runnersMode(process.env) === "remote";
  // Remote mode never starts a private redis-server: no runner could reach it, so it fails naming the URL.
  const redis = await resolveRedis({ privateFallback: !remote, why: remote ? "IPCPLAY_RUNNERS=remote" : undefined });
  if (redis.private) log(`No Redis answered at REDIS_URL; started a private redis-server at ${redis.url}`);
  // Embedded (the default): this server hosts its runs. IPCPLAY_RUNNERS=remote: runners do, it only places them (docs/runners.md).
  let runs: ControlRuns;
  let webTier: WebTier | undefined;
  if (remote) {
    const prefix = clusterPrefixFromEnv(process.env);
    const remoteRuns = await createRemoteRuns({ redisUrl: redis.url, prefix, log });
    runs = remoteRuns;
    webTier = createWebTier({ redisUrl: redis.url, prefix, instanceId: remoteRuns.instanceId });
  } else {
    runs = createRunManager({ redisUrl: redis.url });
  }
  const fallback = options.next ? await nextHandler(options.next, options.host, options.port) : notFound;

  // The control plane answers its own paths; everything else (pages, assets,
  // socket.io's polling is intercepted by socket.io itself) falls through to Next.
  const server = createServer(
    controlPlaneHandler({
      routes: controlRoutes(runs),
      fallback,
      maxBodyBytes: MAX_REQUEST_BYTES,
      maxTopologyBodyBytes: LIMITS.maxTopologyBytes,
      log,
    }),
  );
  // The port is known once listening (tests ask for port 0); until then nothing is answered anyway.
  let allowed = allowList({ port: options.port, boundHost: options.host });
  const io = attachRunSocket(server, runs, {
    allowRequest: (req) => refusal(allowed, req),
    // Remote mode: rooms span the web instances (socket.io's Redis Streams adapter), and WebSocket
    // only, so no load balancer needs sticky sessions (docs/runners.md). Embedded: as always.
    ...(webTier ? { adapter: webTier.adapter, readerLease: webTier.lease, transports: ["websocket" as const] } : {}),
  });
  // Last, so the guard goes before every listener, socket.io's included.
  guardServer(server, { allowList: () => allowed, headers: securityHeaders({ dev: options.next !== false && options.next.dev }) });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  allowed = allowList({
    port,
    boundHost: options.host,
    extraHosts: options.allowedHosts,
    extraOrigins: options.allowedOrigins,
  });

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await runs.shutdown();
      await io.close().catch(() => undefined); // closes the HTTP server too
      server.closeAllConnections();
      await webTier?.close();
      await redis.stop();
    })());

  return { url: `http://${options.host}:${port}`, port, close };
}
