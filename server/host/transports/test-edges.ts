/**
 * Test helpers for the asynchronous transports' integration tests
 * (server/runtime/{queue,pubsub,semantics}.test.ts): explicit QUEUE / PUBSUB /
 * REST edges, written out as the gate would, added to a client-and-services
 * topology from server/runtime/test-support.ts.
 */
import { create } from "@bufbuild/protobuf";
import { Delivery, EdgeSchema, Transport, type Edge, type Topology } from "@/lib/gen/ipcplay/v1/topology_pb";
import { restTopology, type ServiceSpec } from "@/server/runtime/test-support";

export function queueEdge(id: string, source: string, target: string, channel: string, options: { attempts?: number; backoffMs?: number } = {}): Edge {
  return create(EdgeSchema, {
    id,
    source,
    target,
    transport: Transport.QUEUE,
    settings: { case: "queue", value: { channel, attempts: options.attempts ?? 3, backoffMs: options.backoffMs ?? 20 } },
  });
}

export function pubsubEdge(id: string, source: string, target: string, channel: string, delivery: Delivery): Edge {
  return create(EdgeSchema, {
    id,
    source,
    target,
    transport: Transport.PUBSUB,
    settings: { case: "pubsub", value: { channel, delivery } },
  });
}

export function restEdge(id: string, source: string, target: string, timeoutMs = 1000): Edge {
  return create(EdgeSchema, {
    id,
    source,
    target,
    transport: Transport.REST,
    settings: { case: "rest", value: { method: "POST", path: `/${target}`, timeoutMs, retries: 0, cacheMaxAgeS: 0 } },
  });
}

/** An on-demand "client" and services (concurrency 16, fan-out ALL) wired with the given edges. */
export function topologyOf(services: ServiceSpec[], edges: Edge[]): Topology {
  const topology = restTopology({ services, edges: [] });
  topology.edges = edges;
  return topology;
}
