/**
 * The far side of the raw baselines, in its own process like a playground
 * service: a node:http server, a connect-node SimService over h2c, a BullMQ
 * worker and a Redis subscriber, each doing nothing but answering or noting
 * when a message arrived. Started by raw-baselines.ts; talks back over IPC.
 */
import http from "node:http";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { create } from "@bufbuild/protobuf";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { Worker } from "bullmq";
import { Redis } from "ioredis";
import { CallResponseSchema, SimService } from "@/lib/gen/ipcplay/v1/sim_pb";
import { DEFAULTS } from "@/lib/topology/limits";
import { LOCK_DURATION_MS, STALLED_INTERVAL_MS } from "@/server/host/transports/queue";
import { nowMs } from "./clock";

export interface PeerConfig {
  redisUrl: string;
  prefix: string;
  queueName: string;
  channel: string;
}

export type PeerMessage =
  | { type: "ready"; httpPort: number; connectPort: number }
  | { type: "arrived"; transport: "queue" | "pubsub"; latencyMs: number };

const send = (message: PeerMessage) => process.send?.(message);

process.once("message", async (config: PeerConfig) => {
  const httpServer = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}'));
  });
  httpServer.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));

  const connectServer = http2.createServer(
    connectNodeAdapter({
      routes: (router) =>
        router.service(SimService, { call: () => create(CallResponseSchema, { payload: "ok", nodeId: "raw", pid: process.pid }) }),
    }),
  );
  await new Promise<void>((resolve) => connectServer.listen(0, "127.0.0.1", resolve));

  const worker = new Worker(
    config.queueName,
    async (job) => send({ type: "arrived", transport: "queue", latencyMs: nowMs() - (job.data as { sentAt: number }).sentAt }),
    // Configured as a playground worker with default settings is: the same hop, minus the playground.
    {
      connection: new Redis(config.redisUrl, { maxRetriesPerRequest: null }),
      prefix: config.prefix,
      concurrency: DEFAULTS.concurrency,
      lockDuration: LOCK_DURATION_MS,
      stalledInterval: STALLED_INTERVAL_MS,
    },
  );
  await worker.waitUntilReady();

  const subscriber = new Redis(config.redisUrl);
  await subscriber.subscribe(config.channel);
  subscriber.on("message", (_channel, message) =>
    send({ type: "arrived", transport: "pubsub", latencyMs: nowMs() - (JSON.parse(message) as { sentAt: number }).sentAt }),
  );

  send({
    type: "ready",
    httpPort: (httpServer.address() as AddressInfo).port,
    connectPort: (connectServer.address() as AddressInfo).port,
  });
  process.once("disconnect", () => process.exit(0));
});
