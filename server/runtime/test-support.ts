/**
 * Helpers for the runtime's integration tests: small explicit topologies (every
 * setting written out, as the gate would) and probes for leaked processes,
 * ports and keys.
 */
import { execFileSync } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { create } from "@bufbuild/protobuf";
import {
  ConnectProtocol,
  Distribution,
  DownstreamFailure,
  EdgeSchema,
  FanOut,
  NodeKind,
  TopologySchema,
  TrafficPattern,
  Transport,
  type Topology,
} from "@/lib/gen/ipcplay/v1/topology_pb";

export const TEST_REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** Builds dist/host.mjs from the current sources, so a test never runs a stale host. */
export function buildHostBundle(): void {
  execFileSync(process.execPath, [path.resolve(import.meta.dirname, "../../scripts/build-host.mjs")], { stdio: "ignore" });
}

export interface ServiceSpec {
  id: string;
  workMs?: number;
  errorRate?: number;
  /** Default FAIL, as the gate fills it. */
  onDownstreamFailure?: DownstreamFailure;
}

export interface RestEdgeSpec {
  id: string;
  source: string;
  target: string;
  path?: string;
  timeoutMs?: number;
  retries?: number;
}

/** One on-demand client (rate 0) and services, wired with REST edges. */
export function restTopology(spec: {
  client?: string;
  services: ServiceSpec[];
  edges: RestEdgeSpec[];
  hopLimit?: number;
}): Topology {
  return create(TopologySchema, {
    name: "runtime test",
    version: 1,
    hopLimit: spec.hopLimit ?? 8,
    nodes: [
      {
        id: spec.client ?? "client",
        label: spec.client ?? "client",
        kind: NodeKind.CLIENT,
        position: { x: 0, y: 0 },
        traffic: { ratePerSecond: 0, pattern: TrafficPattern.CONSTANT, payloadBytes: 16, burstSize: 10, rampSeconds: 10 },
      },
      ...spec.services.map((service, index) => ({
        id: service.id,
        label: service.id,
        kind: NodeKind.SERVICE,
        position: { x: 200 * (index + 1), y: 0 },
        behavior: {
          workTime: { distribution: Distribution.FIXED, meanMs: service.workMs ?? 0 },
          errorRate: service.errorRate ?? 0,
          concurrency: 16,
          fanOut: FanOut.ALL,
          replyBytes: 8,
          onDownstreamFailure: service.onDownstreamFailure ?? DownstreamFailure.FAIL,
        },
      })),
    ],
    edges: spec.edges.map((edge) => ({
      id: edge.id,
      source: edge.source,
      target: edge.target,
      transport: Transport.REST,
      settings: {
        case: "rest" as const,
        value: {
          method: "POST",
          path: edge.path ?? `/${edge.target}`,
          timeoutMs: edge.timeoutMs ?? 1000,
          retries: edge.retries ?? 0,
          cacheMaxAgeS: 0,
        },
      },
    })),
  });
}

/** Polls `probe` until it returns a value that is not undefined, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => T | undefined, what: string, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** True when no process has this pid (kill(pid, 0) fails with ESRCH). */
export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return true;
    throw error;
  }
}

/** Resolves with the connect error code ("ECONNREFUSED") or "connected". */
export function connectOutcome(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

export interface ConnectEdgeSpec {
  id: string;
  source: string;
  target: string;
  protocol?: ConnectProtocol;
  timeoutMs?: number;
  retries?: number;
}

/** One on-demand client and services, wired with CONNECT edges (every setting written out). */
export function connectTopology(spec: { services: ServiceSpec[]; edges: ConnectEdgeSpec[] }): Topology {
  const topology = restTopology({ services: spec.services, edges: [] });
  topology.edges = spec.edges.map((edge) =>
    create(EdgeSchema, {
      id: edge.id,
      source: edge.source,
      target: edge.target,
      transport: Transport.CONNECT,
      settings: {
        case: "connect",
        value: { protocol: edge.protocol ?? ConnectProtocol.CONNECT, timeoutMs: edge.timeoutMs ?? 1000, retries: edge.retries ?? 0 },
      },
    }),
  );
  return topology;
}
