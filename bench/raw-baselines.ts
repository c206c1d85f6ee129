/**
 * The raw libraries doing the same one hop the playground does, measured in
 * the same run: node:http with a keep-alive agent, connect-node over h2c,
 * BullMQ add → worker picks it up, ioredis publish → subscriber gets it. The
 * far side lives in its own process (raw-peer.ts), as a playground service does.
 */
import { fork, type ChildProcess } from "node:child_process";
import http from "node:http";
import path from "node:path";
import { create } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { CallRequestSchema, SimService } from "@/lib/gen/ipcplay/v1/sim_pb";
import { DEFAULTS } from "@/lib/topology/limits";
import { REMOVE_ON_COMPLETE, REMOVE_ON_FAIL } from "@/server/host/transports/queue";
import { nowMs } from "./clock";
import type { PeerConfig, PeerMessage } from "./raw-peer";

export type BenchTransport = "rest" | "connect" | "queue" | "pubsub";

export interface RawPeer {
  httpPort: number;
  connectPort: number;
  config: PeerConfig;
  /** Resolves with the latency the peer saw for the next queue/pubsub arrival. */
  nextArrival(transport: "queue" | "pubsub"): Promise<number>;
  stop(): Promise<void>;
}

export async function startRawPeer(redisUrl: string, prefix: string): Promise<RawPeer> {
  const config: PeerConfig = { redisUrl, prefix, queueName: "raw-queue", channel: `${prefix}:raw-topic` };
  const child: ChildProcess = fork(path.join(import.meta.dirname, "raw-peer.ts"), {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const waiting: { transport: string; resolve: (ms: number) => void }[] = [];
  const ready = new Promise<{ httpPort: number; connectPort: number }>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`raw peer exited with ${code}`)));
    child.on("message", (message: PeerMessage) => {
      if (message.type === "ready") resolve(message);
      else waiting.find((w) => w.transport === message.transport && (waiting.splice(waiting.indexOf(w), 1), true))?.resolve(message.latencyMs);
    });
  });
  child.send(config);
  const ports = await ready;
  return {
    ...ports,
    config,
    nextArrival: (transport) => new Promise((resolve) => waiting.push({ transport, resolve })),
    stop: async () => {
      child.removeAllListeners("exit");
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.disconnect();
      await exited;
    },
  };
}

/** The raw side of one transport's hop, kept open across measuring rounds. */
export async function startRawHop(peer: RawPeer, transport: BenchTransport): Promise<Hop> {
  return rawHop(peer, transport);
}

export interface Hop {
  once(): Promise<number>;
  close(): Promise<void>;
}

/** `count` hops, one started every `intervalMs` (open loop, as the playground side does); latencies in ms. */
export async function measureRaw(hop: Hop, count: number, intervalMs: number): Promise<number[]> {
  const pending: Promise<number>[] = [];
  for (let i = 0; i < count; i++) {
    pending.push(hop.once());
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return Promise.all(pending);
}

async function rawHop(peer: RawPeer, transport: BenchTransport): Promise<Hop> {
  switch (transport) {
    case "rest": {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const body = JSON.stringify({ payload: "x".repeat(128) });
      return {
        once: () =>
          new Promise((resolve, reject) => {
            const start = nowMs();
            const req = http.request(
              { host: "127.0.0.1", port: peer.httpPort, method: "POST", path: "/", agent, headers: { "content-type": "application/json" } },
              (res) => {
                res.resume();
                res.on("end", () => resolve(nowMs() - start));
              },
            );
            req.on("error", reject);
            req.end(body);
          }),
        close: async () => agent.destroy(),
      };
    }
    case "connect": {
      const sessionManager = new Http2SessionManager(`http://127.0.0.1:${peer.connectPort}`);
      const client = createClient(
        SimService,
        createConnectTransport({ baseUrl: `http://127.0.0.1:${peer.connectPort}`, httpVersion: "2", sessionManager }),
      );
      const request = create(CallRequestSchema, { payload: "x".repeat(128), hop: 1 });
      return {
        once: async () => {
          const start = nowMs();
          await client.call(request);
          return nowMs() - start;
        },
        close: async () => sessionManager.abort(),
      };
    }
    case "queue": {
      // BullMQ does not close a connection it was given: closed below, or the bench never exits.
      const connection = new Redis(peer.config.redisUrl, { maxRetriesPerRequest: null });
      const queue = new Queue(peer.config.queueName, {
        connection,
        prefix: peer.config.prefix,
      });
      return {
        once: async () => {
          const arrived = peer.nextArrival("queue");
          await queue.add("hop", { sentAt: nowMs(), payload: "x".repeat(128) }, {
            // The job options a default queue edge uses.
            attempts: DEFAULTS.queueAttempts,
            backoff: { type: "exponential", delay: DEFAULTS.queueBackoffMs },
            removeOnComplete: REMOVE_ON_COMPLETE,
            removeOnFail: REMOVE_ON_FAIL,
          });
          return arrived;
        },
        close: async () => {
          await queue.obliterate({ force: true });
          await queue.close();
          connection.disconnect();
        },
      };
    }
    case "pubsub": {
      const publisher = new Redis(peer.config.redisUrl);
      return {
        once: async () => {
          const arrived = peer.nextArrival("pubsub");
          await publisher.publish(peer.config.channel, JSON.stringify({ sentAt: nowMs(), payload: "x".repeat(128) }));
          return arrived;
        },
        close: async () => void publisher.disconnect(),
      };
    }
  }
}
