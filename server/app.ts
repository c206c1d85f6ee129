/**
 * The playground server: one port serving the Next.js app, the Connect control
 * plane and socket.io. `startPlayground` is what main.ts runs and what tests
 * start on port 0 (with `next: false` they get the API without the UI).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { controlRoutes } from "@/server/control/playground-service";
import { resolveRedis } from "@/server/redis/resolve-redis";
import { createRunManager } from "@/server/runtime/orchestrator";
import { attachRunSocket } from "@/server/run-socket";

/** Largest control-plane request body; a topology at every cap is far smaller. */
const MAX_REQUEST_BYTES = 1024 * 1024;

export interface PlaygroundOptions {
  port: number;
  host: string;
  /** Serve the Next.js UI; `dev` picks next dev over the production build. */
  next: false | { dev: boolean; dir: string };
  log?: (line: string) => void;
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
  const redis = await resolveRedis();
  if (redis.private) log(`No Redis answered at REDIS_URL; started a private redis-server at ${redis.url}`);
  const runs = createRunManager({ redisUrl: redis.url });
  const fallback = options.next ? await nextHandler(options.next, options.host, options.port) : notFound;

  // The control plane answers its own paths; everything else (pages, assets,
  // socket.io's polling is intercepted by socket.io itself) falls through to Next.
  const server = createServer(
    connectNodeAdapter({
      routes: controlRoutes(runs),
      fallback: (req, res) => fallback(req as IncomingMessage, res as ServerResponse),
      readMaxBytes: MAX_REQUEST_BYTES,
    }),
  );
  const io = attachRunSocket(server, runs);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await runs.shutdown();
      await io.close().catch(() => undefined); // closes the HTTP server too
      server.closeAllConnections();
      await redis.stop();
    })());

  return { url: `http://${options.host}:${port}`, port, close };
}
