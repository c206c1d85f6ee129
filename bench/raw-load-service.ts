/**
 * A raw service process of the load bench, doing what a playground service
 * with 0 ms of work does, through the library alone and without tracing:
 *
 * - `gw` answers each POST from the raw clients after handing the message to
 *   `be` over the transport under test: node:http keep-alive request (awaits
 *   the reply), connect-node unary call over h2c (awaits the reply), BullMQ
 *   `Queue.add` with a default queue edge's job options (awaits the add), or
 *   ioredis `publish` (awaits the publish) — as a playground service replies
 *   after its forwards.
 * - `be` takes messages: a node:http server, a connect-node SimService over
 *   h2c, a BullMQ Worker with a default queue edge's worker settings and the
 *   bench's concurrency, or a Pub/Sub subscriber; it counts each message and,
 *   for the asynchronous transports, the wait from hand-off to consumer start.
 *
 * Forked by raw-load-chain.ts; reports counts over IPC on request.
 */
import http from "node:http";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { create } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { connectNodeAdapter, createConnectTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { CallRequestSchema, CallResponseSchema, SimService } from "@/lib/gen/ipcplay/v1/sim_pb";
import { DEFAULTS } from "@/lib/topology/limits";
import { LOCK_DURATION_MS, REMOVE_ON_COMPLETE, REMOVE_ON_FAIL, STALLED_INTERVAL_MS } from "@/server/host/transports/queue";
import { nowMs } from "./clock";
import type { FromChild, RawMessage, RawServiceConfig, RawSnapshot, Samples, ToChild } from "./raw-load-protocol";

/** Idle keep-alive sockets live this long on a server (longer than the client's), as in a playground REST listener. */
const SERVER_KEEP_ALIVE_MS = 10_000;
const CLIENT_KEEP_ALIVE_MS = 5_000;
const JOB_NAME = "hop";

const send = (message: FromChild) => process.send?.(message);

interface Counts {
  sent: number;
  failed: number;
  taken: number;
  latencies: Samples;
}

async function readBody(request: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function listenHttp(handler: http.RequestListener): Promise<http.Server> {
  const server = http.createServer({ keepAliveTimeout: SERVER_KEEP_ALIVE_MS }, handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

const portOf = (server: http.Server | http2.Http2Server) => (server.address() as AddressInfo).port;

/** The far end: takes messages and counts them. Returns a closer. */
async function startBe(config: RawServiceConfig, counts: Counts): Promise<{ httpPort: number; connectPort: number; close(): Promise<void> }> {
  const httpServer = await listenHttp((request, response) => {
    readBody(request).then(
      () => {
        counts.taken++;
        response.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
      },
      () => response.destroy(),
    );
  });
  const connectServer = http2.createServer(
    connectNodeAdapter({
      routes: (router) =>
        router.service(SimService, {
          call: () => {
            counts.taken++;
            return create(CallResponseSchema, { payload: "", nodeId: "raw-be", pid: process.pid });
          },
        }),
    }),
  );
  await new Promise<void>((resolve) => connectServer.listen(0, "127.0.0.1", resolve));

  const took = (data: RawMessage) => {
    counts.taken++;
    if (data.sentAt === undefined) return;
    const now = nowMs();
    counts.latencies.ms.push(now - data.sentAt);
    counts.latencies.endedAt.push(now);
  };
  let worker: Worker | undefined;
  let subscriber: Redis | undefined;
  if (config.transport === "queue") {
    worker = new Worker(config.queueName, async (job) => took(job.data as RawMessage), {
      connection: new Redis(config.redisUrl, { maxRetriesPerRequest: null }),
      prefix: config.bullmqPrefix,
      concurrency: config.concurrency,
      lockDuration: LOCK_DURATION_MS,
      stalledInterval: STALLED_INTERVAL_MS,
    });
    await worker.waitUntilReady();
  }
  if (config.transport === "pubsub") {
    subscriber = new Redis(config.redisUrl);
    await subscriber.subscribe(config.channel);
    subscriber.on("message", (_channel, message: string) => took(JSON.parse(message) as RawMessage));
  }
  return {
    httpPort: portOf(httpServer),
    connectPort: portOf(connectServer),
    close: async () => {
      await worker?.close(true);
      subscriber?.disconnect();
      httpServer.closeAllConnections();
      connectServer.close();
    },
  };
}

/** One hand-off from gw to be; rejects when it failed. */
type Forward = (payload: string) => Promise<void>;

/** The hand-off to `be` through the library under test. Returns it and a closer. */
async function forwarder(config: RawServiceConfig): Promise<{ forward: Forward; close(): Promise<void> }> {
  const be = config.be;
  if (!be) throw new Error("gw needs be's ports");
  switch (config.transport) {
    case "rest": {
      const agent = new http.Agent({ keepAlive: true, keepAliveMsecs: CLIENT_KEEP_ALIVE_MS });
      const forward: Forward = (payload) =>
        new Promise((resolve, reject) => {
          const body = JSON.stringify({ payload } satisfies RawMessage);
          const request = http.request(
            {
              host: "127.0.0.1",
              port: be.httpPort,
              method: "POST",
              path: "/",
              agent,
              headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
            },
            (response) => {
              response.resume();
              response.on("end", () => ((response.statusCode ?? 500) < 400 ? resolve() : reject(new Error(`HTTP ${response.statusCode}`))));
            },
          );
          const timer = setTimeout(() => request.destroy(new Error("timeout")), config.timeoutMs);
          request.on("close", () => clearTimeout(timer));
          request.on("error", reject);
          request.end(body);
        });
      return { forward, close: async () => agent.destroy() };
    }
    case "connect": {
      const baseUrl = `http://127.0.0.1:${be.connectPort}`;
      const sessionManager = new Http2SessionManager(baseUrl);
      const client = createClient(SimService, createConnectTransport({ baseUrl, httpVersion: "2", sessionManager }));
      const forward: Forward = async (payload) => {
        await client.call(create(CallRequestSchema, { payload, hop: 1 }), { timeoutMs: config.timeoutMs });
      };
      return { forward, close: async () => sessionManager.abort() };
    }
    case "queue": {
      const queue = new Queue(config.queueName, {
        connection: new Redis(config.redisUrl, { maxRetriesPerRequest: null }),
        prefix: config.bullmqPrefix,
      });
      const forward: Forward = async (payload) => {
        await queue.add(JOB_NAME, { payload, sentAt: nowMs() } satisfies RawMessage, {
          // The job options a default queue edge uses.
          attempts: DEFAULTS.queueAttempts,
          backoff: { type: "exponential", delay: DEFAULTS.queueBackoffMs },
          removeOnComplete: REMOVE_ON_COMPLETE,
          removeOnFail: REMOVE_ON_FAIL,
        });
      };
      return { forward, close: () => queue.close() };
    }
    case "pubsub": {
      const publisher = new Redis(config.redisUrl);
      const forward: Forward = async (payload) => {
        await publisher.publish(config.channel, JSON.stringify({ payload, sentAt: nowMs() } satisfies RawMessage));
      };
      return { forward, close: async () => void publisher.disconnect() };
    }
  }
}

/** The middle: answers each client after the hand-off to be. */
async function startGw(config: RawServiceConfig, counts: Counts): Promise<{ httpPort: number; connectPort: number; close(): Promise<void> }> {
  const { forward, close } = await forwarder(config);
  const server = await listenHttp((request, response) => {
    readBody(request)
      .then((body) => {
        counts.sent++;
        return forward((JSON.parse(body) as RawMessage).payload);
      })
      .then(
        () => response.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}'),
        (error: Error) => {
          // The first failure says why; a count says how often.
          if (counts.failed++ === 0) console.error(`raw gw (${config.transport}): first failed hand-off: ${error.message}`);
          if (!response.headersSent) response.writeHead(502, { "content-type": "text/plain" });
          response.end("hand-off failed\n");
        },
      );
  });
  return {
    httpPort: portOf(server),
    connectPort: 0,
    close: async () => {
      server.closeAllConnections();
      await close();
    },
  };
}

process.once("message", (message: ToChild) => {
  if (message.type !== "config" || message.config.role === "client") {
    send({ type: "failed", message: `raw service expected a gw/be config, got ${JSON.stringify(message)}` });
    return;
  }
  const config = message.config;
  const counts: Counts = { sent: 0, failed: 0, taken: 0, latencies: { endedAt: [], ms: [] } };
  (config.role === "be" ? startBe(config, counts) : startGw(config, counts)).then(
    (service) => {
      process.on("message", (request: ToChild) => {
        if (request.type !== "snapshot") return;
        const snapshot: RawSnapshot = { ...counts };
        counts.latencies = { endedAt: [], ms: [] };
        send({ type: "snapshot", id: request.id, snapshot });
      });
      process.once("disconnect", () => {
        // The parent waits for this exit and kills the process if it takes too long.
        service.close().then(
          () => process.exit(0),
          (error: Error) => {
            console.error(`raw ${config.role}: close failed: ${error.message}`);
            process.exit(1);
          },
        );
      });
      send({ type: "ready", httpPort: service.httpPort, connectPort: service.connectPort });
    },
    (error: Error) => send({ type: "failed", message: `raw ${config.role} did not start: ${error.message}` }),
  );
});
