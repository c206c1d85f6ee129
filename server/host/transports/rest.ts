/**
 * REST edges: HTTP/1.1 over loopback with node:http. The callee runs one
 * keep-alive server per process; the caller keeps one keep-alive Agent per edge,
 * times out each attempt and retries on timeout, unreachable or 5xx.
 *
 * Headers on the wire: `traceparent` (W3C), `x-ipcplay-hop`, `x-ipcplay-edge`.
 * A request without them (curl, fetch) is a plain request: it starts a new trace
 * at this node and is answered like any other.
 *
 * A GET edge's caller keeps a private HTTP cache (./http-cache.ts): the callee
 * answers with `Cache-Control: max-age=N` when the edge says cache_max_age_s,
 * and a fresh stored reply answers the next GETs without a request, counted
 * as cache hits and marked `ipcplay.cache=hit` on the CLIENT span.
 */
import http from "node:http";
import { once } from "node:events";
import { SpanKind, SpanStatus } from "@/lib/gen/ipcplay/v1/playground_pb";
import { FaultKind, Transport, type Edge, type RestSettings } from "@/lib/gen/ipcplay/v1/topology_pb";
import { DEFAULTS, LIMITS } from "@/lib/topology/limits";
import type { FailedOutcome } from "@/lib/metrics/outcomes";
import { parseTraceparent } from "@/server/trace/trace-context";
import { HttpCache } from "./http-cache";
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

export const HOP_HEADER = "x-ipcplay-hop";
export const EDGE_HEADER = "x-ipcplay-edge";
/** Idle keep-alive sockets live this long on the server (longer than the client's, so the client closes first). */
const SERVER_KEEP_ALIVE_MS = 10_000;
/**
 * The caller closes a socket idle this long, before the server would: a
 * request never goes out on a socket the server is closing (a spurious
 * ECONNRESET counted as a failure).
 */
const CLIENT_IDLE_MS = 5_000;
/**
 * Idle sockets an edge keeps for reuse. Sockets are not capped (as a plain
 * keep-alive agent does, requests never queue behind a busy socket), but the
 * free ones are kept, up to this many: closing the sockets a burst opened only
 * to open them again at the next burst costs more than the requests do (a
 * profile under load showed connect/close among a client's top costs).
 */
const MAX_FREE_SOCKETS_PER_EDGE = 1024;
/** The HTTP status a service answers when it did not answer OK (see ServiceFailure). */
export const STATUS_OF_FAILURE: Readonly<Record<ServiceFailure, number>> = {
  error: 500,
  overloaded: 503,
  "rate-limited": 429,
  downstream: 502,
  "downstream-timeout": 504,
  deadline: 504,
};

/** A request body larger than this is refused with 413 (a payload plus JSON framing). */
const MAX_BODY_BYTES = 2 * LIMITS.maxPayloadBytes;

/** The JSON body of every reply. */
export interface RestReply {
  nodeId: string;
  pid: number;
  hop: number;
  payload: string;
  traceId: string;
  error?: string;
}

export const restTransport: TransportPlugin = {
  transport: Transport.REST,
  listen: listenRest,
  createSender: createRestSender,
};

function restSettings(edge: Edge): RestSettings | undefined {
  return edge.settings.case === "rest" ? edge.settings.value : undefined;
}

async function listenRest(inbound: Edge[], host: TransportHost): Promise<Listener> {
  const edgesById = new Map(inbound.map((edge) => [edge.id, edge]));
  // The port every request arrived on, known once listening (asking each request's socket is a getsockname call).
  let serverPort = "0";
  const server = http.createServer({ keepAliveTimeout: SERVER_KEEP_ALIVE_MS }, (request, response) => {
    answer(request, response, edgesById, host, serverPort, nowUnixMs()).catch((error: Error) => {
      host.log("error", `REST request failed: ${error.message}`);
      if (!response.headersSent) response.writeHead(500, { "content-type": "text/plain" });
      response.end(`internal error: ${error.message}\n`);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  serverPort = String(port);
  return {
    ports: { httpPort: port },
    close: async () => {
      const closed = new Promise((resolve) => server.close(resolve));
      // close() alone waits for idle keep-alive sockets to time out.
      server.closeAllConnections();
      await closed;
    },
  };
}

async function answer(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  edgesById: ReadonlyMap<string, Edge>,
  host: TransportHost,
  serverPort: string,
  arrivedUnixMs: number,
): Promise<void> {
  const body = await readBody(request);
  if (body === undefined) {
    response.writeHead(413, { "content-type": "text/plain" }).end(`body larger than ${MAX_BODY_BYTES} bytes\n`);
    return;
  }
  const edge = edgesById.get(String(request.headers[EDGE_HEADER] ?? ""));
  const method = request.method ?? "GET";
  const path = (request.url ?? "/").split("?", 1)[0];
  const hop = edge ? Number(request.headers[HOP_HEADER]) || 1 : 0;
  // An ERRORS fault on the edge answers this share of its requests with its status, here at the callee (L7).
  const errors = edge ? host.faults.edge(edge.id, FaultKind.ERRORS) : undefined;
  const injected = host.faults.picks(errors) ? errors : undefined;
  const statusOf = (failure: ServiceFailure | undefined) => (injected ? injected.statusCode : failure ? STATUS_OF_FAILURE[failure] : 200);
  const handled = await host.receive({
    edge,
    parent: parseTraceparent(headerValue(request.headers.traceparent)),
    hop,
    payload: payloadOf(body, request.headers["content-type"]),
    spanKind: SpanKind.SERVER,
    spanName: `${method} ${path}`,
    attributes: {
      "http.request.method": method,
      "url.path": path,
      "server.address": "127.0.0.1",
      "server.port": serverPort,
    },
    replyAttributes: (failure) => ({ "http.response.status_code": String(statusOf(failure)) }),
    arrivedUnixMs,
    // Fields, not spreads, in the literal: a spread takes V8's slow object path on every request.
    fault: injected ? { abort: "errors" } : undefined,
  });
  const ok = handled.failure === undefined;
  const reply: RestReply = {
    nodeId: host.nodeId,
    pid: host.pid,
    hop,
    payload: handled.replyPayload,
    traceId: handled.traceId,
    // Left out of the JSON when undefined.
    error: ok ? undefined : handled.statusMessage,
  };
  const headers: http.OutgoingHttpHeaders = { "content-type": "application/json" };
  // Shed, as an overloaded server does: at once, with a hint of when to try again.
  if (handled.failure === "overloaded" || handled.failure === "rate-limited") headers["retry-after"] = "1";
  const maxAge = edge ? restSettings(edge)?.cacheMaxAgeS ?? 0 : 0;
  if (ok && method === "GET" && maxAge > 0) headers["cache-control"] = `max-age=${maxAge}`;
  const status = statusOf(handled.failure);
  response.writeHead(status, headers).end(JSON.stringify(reply));
}

/**
 * The body as text, or undefined when it is too large. Plain 'data'/'end'
 * events rather than `for await`: the async iterator costs measurable time on
 * every hop (see `npm run bench`). A body whose Content-Length has arrived is
 * complete: it is answered then, not a turn of the event loop later at 'end'.
 */
function readBody(request: http.IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const declared = Number(request.headers["content-length"] ?? -1);
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      if (size === declared && size <= MAX_BODY_BYTES) resolve(Buffer.concat(chunks).toString("utf8"));
    });
    request.once("end", () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString("utf8")));
    request.once("error", reject);
  });
}

/** Our callers send `{"payload": "..."}`; anything else (curl -d) is the payload itself. */
function payloadOf(body: string, contentType: string | undefined): string {
  if (!body || !contentType?.includes("json")) return body;
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === "object" && parsed !== null && typeof (parsed as { payload?: unknown }).payload === "string") {
      return (parsed as { payload: string }).payload;
    }
  } catch (error) {
    // Not our framing: keep the raw body as the payload rather than refusing it.
    if (!(error instanceof SyntaxError)) throw error;
  }
  return body;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** One attempt's result, before it becomes a span status. */
type AttemptResult =
  | { kind: "response"; statusCode: number; headers: http.IncomingHttpHeaders }
  | { kind: "timeout" }
  | { kind: "unreachable"; reason: string };

function createRestSender(edge: Edge, host: TransportHost): Sender {
  const settings = restSettings(edge);
  const method = (settings?.method || DEFAULTS.restMethod).toUpperCase();
  const path = settings?.path || DEFAULTS.restPath;
  const timeoutMs = settings?.timeoutMs || DEFAULTS.timeoutMs;
  // Backoff, jitter and the retry budget are the edge's (attempts.ts).
  const retrying = new RetryLoop(retriesOf(edge), { count: (key) => host.count(edge.id, key) });
  const agent = new http.Agent({
    keepAlive: true,
    timeout: CLIENT_IDLE_MS,
    maxFreeSockets: MAX_FREE_SOCKETS_PER_EDGE,
    scheduling: "lifo",
  });

  // Only GETs are cached; the cache honours whatever Cache-Control the callee answers.
  const cache = method === "GET" ? new HttpCache() : undefined;
  const cacheRequest = { method, url: path, headers: {} };

  async function send(message: OutboundMessage): Promise<SendOutcome> {
    if (cache) {
      const hit = cache.lookup(cacheRequest);
      host.count(edge.id, hit ? "cache hits" : "cache misses");
      if (hit) return cacheHit(hit.statusCode, hit.ttlS);
    }
    const headers: http.OutgoingHttpHeaders = {
      traceparent: traceparentOf(message),
      [HOP_HEADER]: String(message.hop),
      [EDGE_HEADER]: edge.id,
    };
    // GET carries no body; the payload is not part of the request then.
    const body = method === "GET" ? undefined : JSON.stringify({ payload: message.payload });
    if (body !== undefined) headers["content-type"] = "application/json";

    let port = 0;
    let wirePort = 0;
    let lastTimeoutMs = timeoutMs;
    const wire = new WireTime();
    const { result, attempts, budgetRefused } = await retrying.run(
      (): Promise<AttemptResult> => {
        port = host.addressOf(edge.target)?.httpPort ?? 0;
        // A wire fault on the edge puts its proxy in the path; the agent keeps that port's sockets apart.
        wirePort = port ? host.wirePort(edge.id, port) : 0;
        // Within a caller's deadline, an attempt gets only what is left of it.
        lastTimeoutMs = attemptTimeoutMs(timeoutMs, message);
        if (lastTimeoutMs === 0) return Promise.resolve({ kind: "timeout" });
        return port
          ? attempt({ agent, port: wirePort, method, path, headers, body, timeoutMs: lastTimeoutMs, wire })
          : Promise.resolve({ kind: "unreachable", reason: `no address for ${edge.target}` });
      },
      isRetryable,
      message.deadlineUnixMs,
    );
    if (cache && result.kind === "response") cache.store(cacheRequest, { status: result.statusCode, headers: result.headers });
    return {
      ...outcomeStatus(result, lastTimeoutMs),
      attempts,
      wire: wire.bounds,
      attributes: {
        "http.request.method": method,
        "url.path": path,
        "server.address": "127.0.0.1",
        "server.port": String(port),
        "ipcplay.edge": edge.id,
        "ipcplay.attempts": String(attempts),
        ...(wirePort !== port ? { "ipcplay.fault_proxy_port": String(wirePort) } : {}),
        ...(budgetRefused ? { "ipcplay.retry_refused": "retry budget" } : {}),
        ...(result.kind === "response" ? { "http.response.status_code": String(result.statusCode) } : {}),
        ...(cache ? { "ipcplay.cache": "miss" } : {}),
      },
    };
  }

  /** A call the cache answered: no request, no attempt, the stored reply's status. */
  function cacheHit(statusCode: number, ttlS: number): SendOutcome {
    return {
      ...outcomeStatus({ kind: "response", statusCode, headers: {} }, timeoutMs),
      attempts: 0,
      attributes: {
        "http.request.method": method,
        "url.path": path,
        "ipcplay.edge": edge.id,
        "ipcplay.attempts": "0",
        "http.response.status_code": String(statusCode),
        "ipcplay.cache": "hit",
        "ipcplay.cache_ttl_s": String(ttlS),
      },
    };
  }

  return {
    spanName: `${method} ${path}`,
    spanKind: SpanKind.CLIENT,
    send,
    close: async () => agent.destroy(),
  };
}

function isRetryable(result: AttemptResult): boolean {
  return result.kind !== "response" || result.statusCode >= 500;
}

function outcomeStatus(result: AttemptResult, timeoutMs: number): Pick<SendOutcome, "status" | "statusMessage" | "outcome"> {
  switch (result.kind) {
    case "timeout":
      return { status: SpanStatus.TIMEOUT, statusMessage: `timeout after ${timeoutMs} ms`, outcome: "timed out" };
    case "unreachable":
      return { status: SpanStatus.UNAVAILABLE, statusMessage: result.reason, outcome: "unreachable" };
    case "response":
      if (result.statusCode < 400) return { status: SpanStatus.OK, statusMessage: "" };
      return {
        status: SpanStatus.ERROR,
        statusMessage: `HTTP ${result.statusCode}`,
        outcome: outcomeOfStatus(result.statusCode, result.headers),
      };
  }
}

/** A callee that refused names why in its status: 503 overloaded, 429 rate limited; anything else is an error reply. */
/** A 503 is "overloaded" only with Retry-After, as a service sheds; an injected 503 (an ERRORS fault) is an error reply. */
function outcomeOfStatus(statusCode: number, headers: http.IncomingHttpHeaders): FailedOutcome {
  if (statusCode === STATUS_OF_FAILURE.overloaded && headers["retry-after"] !== undefined) return "overloaded";
  if (statusCode === STATUS_OF_FAILURE["rate-limited"]) return "rate limited";
  return "error reply";
}

interface AttemptOptions {
  agent: http.Agent;
  port: number;
  method: string;
  path: string;
  headers: http.OutgoingHttpHeaders;
  body: string | undefined;
  timeoutMs: number;
  /** Told when the request starts and when its response (or failure) ends. */
  wire: WireTime;
}

/** One HTTP exchange; never rejects. The timeout covers the whole exchange. */
function attempt(options: AttemptOptions): Promise<AttemptResult> {
  return new Promise((resolve) => {
    let timedOut = false;
    options.wire.begin();
    const request = http.request({
      host: "127.0.0.1",
      port: options.port,
      method: options.method,
      path: options.path,
      headers: options.headers,
      agent: options.agent,
    });
    const timer = setTimeout(() => {
      timedOut = true;
      request.destroy();
    }, options.timeoutMs);
    const settle = (result: AttemptResult) => {
      options.wire.end();
      clearTimeout(timer);
      resolve(result);
    };
    request.on("error", (error: NodeJS.ErrnoException) => {
      settle(timedOut ? { kind: "timeout" } : { kind: "unreachable", reason: error.code ?? error.message });
    });
    request.on("response", (response) => {
      // Drain the body so the keep-alive socket can be reused; we only need the status.
      response.resume();
      response.on("end", () => settle({ kind: "response", statusCode: response.statusCode ?? 0, headers: response.headers }));
      response.on("error", (error: NodeJS.ErrnoException) => {
        settle(timedOut ? { kind: "timeout" } : { kind: "unreachable", reason: error.code ?? error.message });
      });
    });
    request.end(options.body);
  });
}
