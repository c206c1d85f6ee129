/**
 * A circuit breaker around a synchronous edge's sender: one breaker per edge
 * per caller process (lib/resilience/circuit-breaker.ts has the rules).
 *
 * - The breaker wraps the whole send, retries included, as a client library's
 *   breaker wraps the call it makes: one message is one call to the breaker.
 *   A send that did not end OK (timeout, unreachable, error reply, refusal)
 *   is a failure.
 * - A call the breaker refuses fails at once without touching the network:
 *   attempts 0, outcome "short-circuited", the CLIENT span UNAVAILABLE
 *   "circuit breaker open" with ipcplay.breaker=open (or half-open, when the
 *   probes are all out: then the message says so).
 * - Its state is a gauge of the edge, read with every counters report; each
 *   change is a line in the run log.
 */
import { SpanStatus } from "@/lib/gen/ipcplay/v1/playground_pb";
import type { Edge } from "@/lib/gen/ipcplay/v1/topology_pb";
import { CircuitBreaker, describeTransition } from "@/lib/resilience/circuit-breaker";
import { breakerOf } from "@/lib/resilience/edge-settings";
import type { OutboundMessage, SendOutcome, Sender, TransportHost } from "./transports/transport";

/** The edge's sender behind its circuit breaker, or the sender itself when the edge has none. */
export function withBreaker(edge: Edge, sender: Sender, host: Pick<TransportHost, "log">, clock: () => number = Date.now): Sender {
  const settings = breakerOf(edge);
  if (!settings) return sender;
  const breaker = new CircuitBreaker(settings, clock, (transition) => {
    host.log(transition.to === "closed" ? "info" : "warn", describeTransition(edge.id, transition, settings));
  });

  async function send(message: OutboundMessage): Promise<SendOutcome> {
    const permit = breaker.tryAcquire();
    if (!permit) {
      const state = breaker.state;
      return {
        status: SpanStatus.UNAVAILABLE,
        // Half-open with every probe out refuses like open does; the message says which.
        statusMessage: state === "half-open" ? "circuit breaker half-open: its probe calls are out" : "circuit breaker open",
        attempts: 0,
        outcome: "short-circuited",
        attributes: { "ipcplay.edge": edge.id, "ipcplay.breaker": state, "ipcplay.attempts": "0" },
      };
    }
    const outcome = await sender.send(message);
    breaker.record(permit, outcome.status === SpanStatus.OK);
    return { ...outcome, attributes: { ...outcome.attributes, "ipcplay.breaker": breaker.state } };
  }

  return {
    spanName: sender.spanName,
    spanKind: sender.spanKind,
    send,
    gauges: async () => ({ ...(sender.gauges ? await sender.gauges() : {}), breaker: breaker.state }),
    close: () => sender.close(),
  };
}
