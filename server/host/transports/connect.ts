/**
 * CONNECT edges: `ipcplay.v1.SimService/Call` over HTTP/2 cleartext (h2c), in
 * the protocol the edge picks — Connect, gRPC or gRPC-web. The callee serves
 * all three on one port (connect-node tells them apart by content-type), so a
 * stock gRPC client that knows only proto/ipcplay/v1/sim.proto can call it too.
 *
 * On the wire: the `traceparent` header (W3C) and the hop count and edge id in
 * the CallRequest itself (`hop`, `edge_id`). A call without an edge id is a
 * plain call from outside the run: it starts a new trace here, unless it sent
 * a traceparent, and is answered like any other.
 *
 * Policy of the caller, per attempt:
 * - Deadline `timeoutMs` (sent to the callee as grpc-timeout / connect-timeout-ms).
 * - Retried, up to `retries` more attempts: UNAVAILABLE (refused, reset, no
 *   address yet) and DEADLINE_EXCEEDED (the deadline is per attempt, as REST's
 *   timeout is). Nothing else is retried — in particular not a service error
 *   (INTERNAL): the call reached the service and it failed, which gRPC's own
 *   retry guidance treats as not safe to repeat.
 * - Span status: deadline_exceeded → TIMEOUT, unavailable → UNAVAILABLE, any
 *   other code → ERROR; the status message is the code's name ("internal"), the
 *   error's text is in the `ipcplay.error_detail` attribute.
 *
 * The callee answers a service error (its error rate fired) with INTERNAL
 * "service error: …", the gRPC counterpart of REST's HTTP 500.
 *
 * Connections: each sender keeps one Http2SessionManager for the port it
 * calls now — the target's, or a wire fault's proxy (server/host/faults) — and
 * switches when that changes (a killed and restarted target has a new port);
 * the old session is aborted once its calls had their deadline; close() aborts all. Without that abort an
 * idle HTTP/2 session would keep the process alive for 15 minutes.
 */
import http2 from "node:http2";
import { once } from "node:events";
import { Code, ConnectError, createClient, type Client, type Transport as RpcTransport } from "@connectrpc/connect";
import { codeToString } from "@connectrpc/connect/protocol-connect";
import {
  connectNodeAdapter,
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
  Http2SessionManager,
} from "@connectrpc/connect-node";
import { SpanKind, SpanStatus } from "@/lib/gen/ipcplay/v1/playground_pb";
import type { FailedOutcome } from "@/lib/metrics/outcomes";
import { SimService, type CallResponse } from "@/lib/gen/ipcplay/v1/sim_pb";
import { FaultKind, ConnectProtocol, Transport, type ConnectSettings, type Edge } from "@/lib/gen/ipcplay/v1/topology_pb";
import { DEFAULTS } from "@/lib/topology/limits";
import { parseTraceparent } from "@/server/trace/trace-context";
import { retriesOf } from "@/lib/resilience/edge-settings";
import { RetryLoop } from "./attempts";
import { WireTime } from "./wire-time";
import { nowUnixMs } from "../clock";
import {
  attemptTimeoutMs,
  traceparentOf,
  type Listener,
  type OutboundMessage,
  type SendOutcome,
  type Sender,
  type ServiceFailure,
  type TransportHost,
  type TransportPlugin,
} from "./transport";

const RPC_SERVICE = SimService.typeName;
const RPC_METHOD = SimService.method.call.name;
const LOOPBACK = "127.0.0.1";
/** Metadata of a service's error reply: its ServiceFailure. */
const FAILURE_HEADER = "ipcplay-failure";

/** What differs between the three protocols, for both sides. */
interface ProtocolInfo {
  /** connect-node's protocol name; also `ipcplay.protocol`. */
  name: "connect" | "grpc" | "grpc-web";
  /** For span names, e.g. "Call (gRPC)". */
  label: string;
  /** OpenTelemetry `rpc.system`. */
  rpcSystem: "connect_rpc" | "grpc" | "grpc_web";
  createTransport: (options: { baseUrl: string; httpVersion: "2"; sessionManager: Http2SessionManager }) => RpcTransport;
}

const PROTOCOLS: Record<"connect" | "grpc" | "grpc-web", ProtocolInfo> = {
  connect: { name: "connect", label: "Connect", rpcSystem: "connect_rpc", createTransport: createConnectTransport },
  grpc: { name: "grpc", label: "gRPC", rpcSystem: "grpc", createTransport: createGrpcTransport },
  "grpc-web": { name: "grpc-web", label: "gRPC-web", rpcSystem: "grpc_web", createTransport: createGrpcWebTransport },
};

/** The code a service answers when it did not answer OK (see ServiceFailure), as gRPC services do. */
export const CODE_OF_FAILURE: Readonly<Record<ServiceFailure, Code>> = {
  error: Code.Internal,
  overloaded: Code.ResourceExhausted,
  "rate-limited": Code.ResourceExhausted,
  downstream: Code.Unavailable,
  "downstream-timeout": Code.DeadlineExceeded,
  deadline: Code.DeadlineExceeded,
};

export const connectTransport: TransportPlugin = {
  transport: Transport.CONNECT,
  listen: listenConnect,
  createSender: createConnectSender,
};

function connectSettings(edge: Edge): ConnectSettings | undefined {
  return edge.settings.case === "connect" ? edge.settings.value : undefined;
}

function protocolOfEdge(settings: ConnectSettings | undefined): ProtocolInfo {
  switch (settings?.protocol) {
    case ConnectProtocol.GRPC:
      return PROTOCOLS.grpc;
    case ConnectProtocol.GRPC_WEB:
      return PROTOCOLS["grpc-web"];
    default:
      // UNSPECIFIED is CONNECT, the gate's default.
      return PROTOCOLS.connect;
  }
}

/** The protocol a request came in with, from its content-type (application/proto|json = Connect). */
function protocolOfRequest(contentType: string | null): ProtocolInfo {
  if (contentType?.startsWith("application/grpc-web")) return PROTOCOLS["grpc-web"];
  if (contentType?.startsWith("application/grpc")) return PROTOCOLS.grpc;
  return PROTOCOLS.connect;
}

async function listenConnect(inbound: Edge[], host: TransportHost): Promise<Listener> {
  const edgesById = new Map(inbound.map((edge) => [edge.id, edge]));
  let port = 0;
  const handler = connectNodeAdapter({
    routes: (router) =>
      router.service(SimService, {
        async call(request, context) {
          const arrivedUnixMs = nowUnixMs();
          const edge = edgesById.get(request.edgeId);
          const protocol = protocolOfRequest(context.requestHeader.get("content-type"));
          // The caller's deadline (grpc-timeout / connect-timeout-ms), as what is left of it now.
          const remainingMs = context.timeoutMs();
          // An ERRORS fault on the edge answers this share of its calls with its gRPC code, here at the callee (L7).
          const errors = edge ? host.faults.edge(edge.id, FaultKind.ERRORS) : undefined;
          const injected = host.faults.picks(errors) ? errors : undefined;
          const handled = await host.receive({
            edge,
            parent: parseTraceparent(context.requestHeader.get("traceparent") ?? undefined),
            hop: edge ? request.hop || 1 : 0,
            payload: request.payload,
            spanKind: SpanKind.SERVER,
            spanName: `${RPC_SERVICE}/${RPC_METHOD}`,
            attributes: {
              "rpc.system": protocol.rpcSystem,
              "rpc.service": RPC_SERVICE,
              "rpc.method": RPC_METHOD,
              "network.protocol.version": "2",
              "server.address": LOOPBACK,
              "server.port": String(port),
            },
            // The code this call is answered with (below), in OpenTelemetry's terms.
            replyAttributes: (failure) =>
              statusCodeAttribute(protocol, injected ? (injected.statusCode as Code) : failure ? CODE_OF_FAILURE[failure] : undefined),
            arrivedUnixMs,
            ...(remainingMs !== undefined ? { deadlineUnixMs: Date.now() + remainingMs } : {}),
            ...(injected ? { fault: { abort: "errors" } } : {}),
          });
          if (injected) {
            // Marked as the callee's reply (not a broken connection): the caller counts it as an error reply.
            throw new ConnectError(`injected fault: errors`, injected.statusCode as Code, { [FAILURE_HEADER]: "fault" });
          }
          // The failure travels in the error's metadata too: the caller tells a service's error reply from its own timeout or a broken connection.
          const metadata = handled.failure ? { [FAILURE_HEADER]: handled.failure } : undefined;
          if (handled.failure === "error") throw new ConnectError(`service error: ${handled.statusMessage}`, Code.Internal, metadata);
          if (handled.failure) throw new ConnectError(handled.statusMessage, CODE_OF_FAILURE[handled.failure], metadata);
          return { payload: handled.replyPayload, nodeId: host.nodeId, pid: host.pid };
        },
      }),
  });
  const server = http2.createServer(handler);
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
  });
  server.listen(0, LOOPBACK);
  await once(server, "listening");
  port = (server.address() as { port: number }).port;
  return {
    ports: { connectPort: port },
    close: async () => {
      const closed = new Promise((resolve) => server.close(resolve));
      // close() alone waits for every open session (callers keep theirs for minutes).
      for (const session of sessions) session.destroy();
      await closed;
    },
  };
}

/** A client bound to one address of the target. */
interface Connection {
  port: number;
  sessions: Http2SessionManager;
  client: Client<typeof SimService>;
}

/** One attempt: the reply, or the error it ended with. */
type AttemptResult = ({ response: CallResponse; error?: undefined } | { error: ConnectError }) & {
  /** The target's port. */
  port: number;
  /** The port called: the target's, or a wire fault's proxy. */
  via: number;
};

function createConnectSender(edge: Edge, host: TransportHost): Sender {
  const settings = connectSettings(edge);
  const protocol = protocolOfEdge(settings);
  const timeoutMs = settings?.timeoutMs || DEFAULTS.timeoutMs;
  // Backoff, jitter and the retry budget are the edge's (attempts.ts).
  const retrying = new RetryLoop(retriesOf(edge), { count: (key) => host.count(edge.id, key) });
  let connection: Connection | undefined;
  /** Sessions of paths left behind (a moved target, a wire fault's proxy), aborted once their calls had time to end. */
  const retiring = new Map<number, { connection: Connection; timer: NodeJS.Timeout }>();

  /** The client for this port (the target's, or a wire fault's proxy); the previous one is retired when it changes. */
  function connectionTo(port: number): Connection {
    if (connection?.port === port) return connection;
    if (connection) retire(connection);
    const back = retiring.get(port);
    if (back) {
      clearTimeout(back.timer);
      retiring.delete(port);
      connection = back.connection;
      return connection;
    }
    const baseUrl = `http://${LOOPBACK}:${port}`;
    const sessions = new Http2SessionManager(baseUrl);
    const transport: RpcTransport = protocol.createTransport({ baseUrl, httpVersion: "2", sessionManager: sessions });
    connection = { port, sessions, client: createClient(SimService, transport) };
    return connection;
  }

  /** Calls on the old path end by themselves within the deadline; then its session goes (an idle one would keep the process alive). */
  function retire(old: Connection): void {
    const timer = setTimeout(() => {
      retiring.delete(old.port);
      old.sessions.abort();
    }, timeoutMs + 1_000);
    timer.unref();
    retiring.set(old.port, { connection: old, timer });
  }

  async function attempt(message: OutboundMessage, wire: WireTime): Promise<AttemptResult> {
    const port = host.addressOf(edge.target)?.connectPort ?? 0;
    // A wire fault on the edge puts its proxy in the path (a session of its own).
    const via = port ? host.wirePort(edge.id, port) : 0;
    if (!port) return { port, via, error: new ConnectError(`no address for ${edge.target}`, Code.Unavailable) };
    // The deadline travels: within a caller's deadline an attempt gets only what is left of it.
    const deadlineMs = attemptTimeoutMs(timeoutMs, message);
    if (deadlineMs === 0) return { port, via, error: new ConnectError("the caller's deadline has passed", Code.DeadlineExceeded) };
    const client = connectionTo(via).client;
    try {
      const request = { payload: message.payload, hop: message.hop, edgeId: edge.id };
      const options = { timeoutMs: deadlineMs, headers: { traceparent: traceparentOf(message) } };
      const response = await wire.around(() => client.call(request, options));
      return { port, via, response };
    } catch (error) {
      return { port, via, error: ConnectError.from(error) };
    }
  }

  async function send(message: OutboundMessage): Promise<SendOutcome> {
    const wire = new WireTime();
    const { result, attempts, budgetRefused } = await retrying.run(() => attempt(message, wire), isRetryable, message.deadlineUnixMs);
    const code = result.error?.code;
    const outcome = result.error ? outcomeOf(result.error) : undefined;
    return {
      // No reply came back (connect-node names a reset session CANCELED): the span says unavailable, as REST's ECONNRESET does.
      ...(outcome === "unreachable" ? { status: SpanStatus.UNAVAILABLE, statusMessage: codeToString(code!) } : outcomeStatus(code)),
      ...(outcome ? { outcome } : {}),
      attempts,
      wire: wire.bounds,
      attributes: {
        "rpc.system": protocol.rpcSystem,
        "rpc.service": RPC_SERVICE,
        "rpc.method": RPC_METHOD,
        "network.protocol.version": "2",
        "server.address": LOOPBACK,
        "server.port": String(result.port),
        "ipcplay.protocol": protocol.name,
        "ipcplay.edge": edge.id,
        "ipcplay.attempts": String(attempts),
        ...(result.via !== result.port ? { "ipcplay.fault_proxy_port": String(result.via) } : {}),
        ...(budgetRefused ? { "ipcplay.retry_refused": "retry budget" } : {}),
        ...statusCodeAttribute(protocol, code),
        ...(result.error ? { "ipcplay.error_detail": result.error.rawMessage } : {}),
      },
    };
  }

  return {
    spanName: `${RPC_METHOD} (${protocol.label})`,
    spanKind: SpanKind.CLIENT,
    send,
    close: async () => {
      connection?.sessions.abort();
      connection = undefined;
      for (const { connection: old, timer } of retiring.values()) {
        clearTimeout(timer);
        old.sessions.abort();
      }
      retiring.clear();
    },
  };
}

function isRetryable(result: AttemptResult): boolean {
  return result.error?.code === Code.Unavailable || result.error?.code === Code.DeadlineExceeded;
}

/** `code` undefined = the call succeeded. */
function outcomeStatus(code: Code | undefined): Pick<SendOutcome, "status" | "statusMessage"> {
  switch (code) {
    case undefined:
      return { status: SpanStatus.OK, statusMessage: "" };
    case Code.DeadlineExceeded:
      return { status: SpanStatus.TIMEOUT, statusMessage: codeToString(code) };
    case Code.Unavailable:
      return { status: SpanStatus.UNAVAILABLE, statusMessage: codeToString(code) };
    default:
      return { status: SpanStatus.ERROR, statusMessage: codeToString(code) };
  }
}

/** How a failed call ended: the callee's reply (it names its failure), else this caller's deadline or the connection. */
function outcomeOf(error: ConnectError): FailedOutcome {
  const failure = error.metadata.get(FAILURE_HEADER);
  if (failure === "overloaded") return "overloaded";
  if (failure === "rate-limited") return "rate limited";
  if (failure) return "error reply";
  if (error.code === Code.DeadlineExceeded) return "timed out";
  if (error.code === Code.Unavailable || error.code === Code.Unknown || error.code === Code.Aborted || error.code === Code.Canceled) return "unreachable";
  return "error reply";
}

/** OpenTelemetry: gRPC (and gRPC-web) report the numeric status, 0 included; Connect the error code's name, on errors only. */
function statusCodeAttribute(protocol: ProtocolInfo, code: Code | undefined): Record<string, string> {
  if (protocol.rpcSystem === "connect_rpc") return code === undefined ? {} : { "rpc.connect_rpc.error_code": codeToString(code) };
  return { "rpc.grpc.status_code": String(code ?? 0) };
}
