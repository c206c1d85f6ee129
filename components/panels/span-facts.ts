/**
 * The transport-specific facts of a span, in words, for the waterfall's detail
 * pane: which RPC system, which queue or topic, how long a job waited, which
 * attempt, which delivery. Raw attributes are still listed below them.
 */
import type { Span } from "@/lib/gen/ipcplay/v1/playground_pb";
import { Transport } from "@/lib/gen/ipcplay/v1/topology_pb";
import { formatMs } from "@/components/ui/format";

export interface SpanFact {
  /** The attribute it comes from (raw rows for it are not repeated). */
  key: string;
  label: string;
  value: string;
}

const RPC_SYSTEM: Record<string, string> = { connect_rpc: "Connect", grpc: "gRPC", grpc_web: "gRPC-web" };
const MESSAGING_SYSTEM: Record<string, string> = { bullmq: "BullMQ", redis: "Redis" };
const DELIVERY: Record<string, string> = {
  AT_MOST_ONCE: "at most once (Pub/Sub)",
  DURABLE: "durable (Streams)",
  "AT_MOST_ONCE+DURABLE": "at most once + durable",
};

/** The value of `data-transport` on a waterfall row: rest, connect, queue, pubsub or internal. */
export function transportKey(t: Transport): string {
  switch (t) {
    case Transport.REST:
      return "rest";
    case Transport.CONNECT:
      return "connect";
    case Transport.QUEUE:
      return "queue";
    case Transport.PUBSUB:
      return "pubsub";
    default:
      return "internal";
  }
}

function ms(v: string | undefined): string | null {
  if (v === undefined || v === "") return null;
  const n = Number(v);
  return Number.isFinite(n) ? formatMs(n) : v;
}

export function spanFacts(span: Pick<Span, "transport" | "attributes" | "attempt">): SpanFact[] {
  const a = span.attributes;
  const facts: SpanFact[] = [];
  const add = (key: string, label: string, value: string | null | undefined) => {
    if (value !== null && value !== undefined && value !== "") facts.push({ key, label, value });
  };
  switch (span.transport) {
    case Transport.REST:
      add("http.request.method", "Method", a["http.request.method"]);
      add("http.response.status_code", "Status", a["http.response.status_code"] && `HTTP ${a["http.response.status_code"]}`);
      break;
    case Transport.CONNECT: {
      const sys = a["rpc.system"];
      add("rpc.system", "RPC system", sys && `${RPC_SYSTEM[sys] ?? sys} (${sys})`);
      add("rpc.method", "Method", a["rpc.service"] && a["rpc.method"] ? `${a["rpc.service"]}/${a["rpc.method"]}` : a["rpc.method"]);
      add("rpc.grpc.status_code", "gRPC status", a["rpc.grpc.status_code"]);
      add("rpc.connect_rpc.error_code", "Connect code", a["rpc.connect_rpc.error_code"]);
      break;
    }
    case Transport.QUEUE:
      add("messaging.destination.name", "Queue", a["messaging.destination.name"]);
      add("messaging.system", "Broker", a["messaging.system"] && (MESSAGING_SYSTEM[a["messaging.system"]] ?? a["messaging.system"]));
      add("ipcplay.queue_wait_ms", "Waited in queue", ms(a["ipcplay.queue_wait_ms"]));
      break;
    case Transport.PUBSUB:
      add("messaging.destination.name", "Topic", a["messaging.destination.name"]);
      add("ipcplay.delivery", "Delivery", a["ipcplay.delivery"] && (DELIVERY[a["ipcplay.delivery"]] ?? a["ipcplay.delivery"].toLowerCase()));
      add("ipcplay.receivers", "Receivers", a["ipcplay.receivers"]);
      add("ipcplay.lost_edges", "Lost on", a["ipcplay.lost_edges"]);
      break;
    default:
      add("ipcplay.work_ms", "Worked", ms(a["ipcplay.work_ms"]));
      add("ipcplay.concurrency_wait_ms", "Waited for a slot", ms(a["ipcplay.concurrency_wait_ms"]));
      break;
  }
  const attempt = a["ipcplay.attempt"] ?? (span.attempt > 0 ? String(span.attempt) : undefined);
  const allowed = a["ipcplay.attempts_allowed"];
  if (attempt && (Number(attempt) > 1 || allowed)) add("ipcplay.attempt", "Attempt", allowed ? `${attempt} of ${allowed}` : attempt);
  else if (a["ipcplay.attempts"] && Number(a["ipcplay.attempts"]) > 1) add("ipcplay.attempts", "Attempts", a["ipcplay.attempts"]);
  return facts;
}
