/**
 * What the load bench's raw processes (raw-load-client.ts, raw-load-service.ts)
 * and their parent (raw-load-chain.ts) say to each other over IPC. Kept apart
 * so the child scripts import no parent code.
 */
import type { BenchTransport } from "./raw-baselines";

/** The body each message carries, as the playground's client nodes send it (`payloadBytes`). */
export const PAYLOAD_BYTES = 128;

/** A raw client: sends open-loop to the raw gw over node:http keep-alive. */
export interface RawClientConfig {
  role: "client";
  gwPort: number;
  ratePerSecond: number;
  timeoutMs: number;
}

/** A raw service: `gw` answers the clients after handing each message to `be` over `transport`. */
export interface RawServiceConfig {
  role: "gw" | "be";
  transport: BenchTransport;
  redisUrl: string;
  /** BullMQ's `prefix` option, under the bench's unique Redis prefix. */
  bullmqPrefix: string;
  queueName: string;
  /** The Redis Pub/Sub channel (already prefixed). */
  channel: string;
  /** Worker concurrency of `be` (BullMQ); the playground's service concurrency. */
  concurrency: number;
  timeoutMs: number;
  /** `gw` only: where `be` listens. */
  be?: { httpPort: number; connectPort: number };
}

export type RawConfig = RawClientConfig | RawServiceConfig;

/** Latency samples: when each ended (wall-clock ms, bench/clock.ts) and how long it took. */
export interface Samples {
  endedAt: number[];
  ms: number[];
}

/** Counts since the process started; latency samples since the previous snapshot. */
export interface RawSnapshot {
  /** Client: requests sent. gw: hand-offs to `be` started. be: 0. */
  sent: number;
  /** Client: requests that timed out or were answered with an error. gw: hand-offs that failed. */
  failed: number;
  /** be: messages it took (began working on). */
  taken: number;
  /** Client: round trips that ended. be (queue, pub/sub): hand-off → consumer start. Since the last snapshot. */
  latencies: Samples;
}

export type ToChild = { type: "config"; config: RawConfig } | { type: "snapshot"; id: number };

export type FromChild =
  | { type: "ready"; httpPort: number; connectPort: number }
  | { type: "snapshot"; id: number; snapshot: RawSnapshot }
  | { type: "failed"; message: string };

/** The JSON body from client to gw and from gw to be (REST), or the job data / message (queue, pub/sub). */
export interface RawMessage {
  payload: string;
  /** Wall-clock ms (bench/clock.ts) when gw began the hand-off; async transports only. */
  sentAt?: number;
}
