/**
 * The control plane on Node's HTTP server: connectNodeAdapter's routing, with
 * the request body of every unary Connect call (POST, application/json or
 * application/proto) read and judged here first, so malformed or oversized
 * client input gets a 4xx that says why and is never parsed at a cost:
 *
 * - past the transport limit (wire bytes or inflated): 413, unread;
 * - a content type Connect does not serve: 415 invalid_argument, saying so;
 * - an unknown Content-Encoding: 415; a body that is not the gzip or br it
 *   claims: 400 invalid_argument (Connect would answer 500);
 * - protobuf that does not decode as the method's request: 400
 *   invalid_argument (Connect's binary decoding answers 500 internal);
 * - a method that carries a topology: the body is capped at
 *   LIMITS.maxTopologyBytes before any parsing, and its JSON `topology` is
 *   handed to the gate as written (RAW_TOPOLOGY), so unknown fields and wrong
 *   types reach parseTopology and come back as problems with their paths —
 *   Connect's own JSON decoding would drop unknown fields silently.
 *
 * Streaming and gRPC calls go to Connect as they come (its readMaxBytes holds
 * for them, and their errors travel in the stream, not as an HTTP status).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { promisify } from "node:util";
import { brotliDecompress, gunzip } from "node:zlib";
import { fromBinary, type DescMessage, type JsonValue } from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  createConnectRouter,
  createContextKey,
  createContextValues,
  type ConnectRouter,
  type ContextValues,
} from "@connectrpc/connect";
import {
  compressionBrotli,
  compressionGzip,
  universalRequestFromNodeRequest,
  universalResponseToNodeResponse,
} from "@connectrpc/connect-node";
import type { Compression } from "@connectrpc/connect/protocol";
import { codeToString, contentTypeUnaryRegExp } from "@connectrpc/connect/protocol-connect";
import { TopologySchema } from "@/lib/gen/ipcplay/v1/topology_pb";
import { errorMessage, tooLargeProblem } from "@/lib/topology/parse";

/** The `topology` of a JSON request as the client wrote it; absent for protobuf requests. */
export const RAW_TOPOLOGY = createContextKey<{ json: unknown } | undefined>(undefined, { description: "the request's topology JSON" });

type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface ControlPlaneOptions {
  routes: (router: ConnectRouter) => void;
  /** Everything that is no control-plane path. */
  fallback: NodeHandler;
  /** The transport limit: bodies past it (on the wire or inflated) get 413. */
  maxBodyBytes: number;
  /** Bodies of methods that carry a topology are refused past this, unparsed. */
  maxTopologyBodyBytes: number;
  log?: (line: string) => void;
}

/** An answer of the edge, in the Connect protocol's error form. */
interface Refusal {
  status: number;
  code: Code;
  message: string;
}

const refuse = (status: number, code: Code, message: string): Refusal => ({ status, code, message });

const inflaters: Record<string, (bytes: Uint8Array, options: { maxOutputLength: number }) => Promise<Buffer>> = {
  gzip: promisify(gunzip),
  br: promisify(brotliDecompress),
};

/**
 * Connect's compressions, with any decompression failure that is not "too
 * large" reported as the client's mistake (it reports br's as internal). They
 * still serve streaming calls and compress responses.
 */
function lenient(compression: Compression): Compression {
  return {
    name: compression.name,
    compress: (bytes) => compression.compress(bytes),
    decompress: (bytes, readMaxBytes) =>
      compression.decompress(bytes, readMaxBytes).catch((error: unknown) => {
        const connectError = ConnectError.from(error);
        if (connectError.code !== Code.Internal) throw connectError;
        throw new ConnectError(`the body is not valid ${compression.name}`, Code.InvalidArgument);
      }),
  };
}

export function controlPlaneHandler(options: ControlPlaneOptions): NodeHandler {
  const router = createConnectRouter({
    readMaxBytes: options.maxBodyBytes,
    acceptCompression: [lenient(compressionGzip), lenient(compressionBrotli)],
  });
  options.routes(router);
  const handlers = new Map(router.handlers.map((handler) => [handler.requestPath, handler]));
  const log = options.log ?? ((line) => console.error(line));

  return (req, res) => {
    const handler = handlers.get(req.url?.split("?", 2)[0] ?? "");
    if (!handler) {
      options.fallback(req, res);
      return;
    }
    const served = handler.method.methodKind === "unary" ? UNARY_CONTENT_TYPE : STREAM_CONTENT_TYPE;
    if (req.method === "POST" && !served.test(req.headers["content-type"] ?? "")) {
      // Connect answers a bare 415; this one says why, as a Connect error like every other refusal.
      const type = JSON.stringify(req.headers["content-type"] ?? "");
      writeRefusal(req, res, refuse(415, Code.InvalidArgument, `content-type ${type} is not supported; use application/json or application/proto`));
      return;
    }
    void (async () => {
      let body: Uint8Array | undefined;
      let contextValues: ContextValues | undefined;
      if (req.method === "POST" && contentTypeUnaryRegExp.test(req.headers["content-type"] ?? "")) {
        const carriesTopology = handler.method.input.fields.some((f) => f.message?.typeName === TopologySchema.typeName);
        const judged = await readUnaryBody(req, handler.method.input, {
          maxBytes: options.maxBodyBytes,
          maxTopologyBytes: carriesTopology ? options.maxTopologyBodyBytes : undefined,
        });
        if ("status" in judged) {
          writeRefusal(req, res, judged);
          return;
        }
        body = judged.body;
        contextValues = judged.contextValues;
      }
      // A body read here goes to Connect as bytes it parses without reading or inflating again.
      const uReq = universalRequestFromNodeRequest(req, res, body as JsonValue | undefined, contextValues);
      const uRes = await handler(uReq);
      await universalResponseToNodeResponse(uRes, res);
    })().catch((error: unknown) => {
      if (ConnectError.from(error).code === Code.Aborted) return;
      log(`control plane: ${handler.method.name} failed: ${errorMessage(error)}`);
      if (!res.headersSent) writeRefusal(req, res, refuse(500, Code.Internal, "internal error"));
      else res.destroy();
    });
  };
}

/** Content types Connect serves a unary method (JSON, protobuf, gRPC, gRPC-Web) and a streaming one. */
const UNARY_CONTENT_TYPE = /^application\/(json|proto|grpc(-web)?(\+(proto|json))?)\s*(;|$)/i;
const STREAM_CONTENT_TYPE = /^application\/(connect\+(json|proto)|grpc(-web)?(\+(proto|json))?)\s*(;|$)/i;

function writeRefusal(req: IncomingMessage, res: ServerResponse, refusal: Refusal): void {
  const body = JSON.stringify({ code: codeToString(refusal.code), message: refusal.message });
  // 413 before the whole body was read: close the connection rather than read the rest.
  const close = refusal.status === 413 && !req.readableEnded;
  res.writeHead(refusal.status, { "content-type": "application/json", ...(close ? { connection: "close" } : {}) }).end(body);
  req.resume(); // discard whatever is still coming, so the client gets to read the answer
}

const tooLarge = (what: string, max: number) =>
  refuse(413, Code.ResourceExhausted, `${what} is larger than ${Math.floor(max / 1024)} KiB, the most this server reads`);

/** The whole body, or "too large" as soon as it passes `max` bytes (the rest is left unread). */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | "too large"> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > max) return Promise.resolve("too large");
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      chunks.push(chunk);
      if (size > max) {
        req.off("data", onData);
        req.off("end", onEnd);
        req.pause();
        resolve("too large");
      }
    };
    const onEnd = () => resolve(Buffer.concat(chunks, size));
    req.on("data", onData);
    req.once("end", onEnd);
    req.once("error", reject);
  });
}

async function inflate(bytes: Buffer, encoding: string, max: number): Promise<Buffer | Refusal> {
  if (encoding === "" || encoding === "identity") return bytes;
  const inflater = inflaters[encoding];
  if (!inflater) return refuse(415, Code.InvalidArgument, `content-encoding ${JSON.stringify(encoding)} is not supported; use gzip, br or none`);
  if (bytes.length === 0) return bytes;
  try {
    return await inflater(bytes, { maxOutputLength: max });
  } catch (error) {
    if ((error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE" || error instanceof RangeError) {
      return tooLarge(`the body inflated`, max);
    }
    return refuse(400, Code.InvalidArgument, `the body is not valid ${encoding}: ${errorMessage(error)}`);
  }
}

async function readUnaryBody(
  req: IncomingMessage,
  input: DescMessage,
  limits: { maxBytes: number; maxTopologyBytes: number | undefined },
): Promise<{ body: Uint8Array; contextValues?: ContextValues } | Refusal> {
  const wire = await readBody(req, limits.maxBytes);
  if (wire === "too large") return tooLarge("the body", limits.maxBytes);
  const bytes = await inflate(wire, (req.headers["content-encoding"] ?? "").trim().toLowerCase(), limits.maxBytes);
  if ("status" in bytes) return bytes;
  if (limits.maxTopologyBytes !== undefined && bytes.length > limits.maxTopologyBytes) {
    // Refused unparsed: the cost of saying no does not grow with what is refused.
    const { message } = tooLargeProblem(bytes.length, "the request");
    return refuse(400, Code.InvalidArgument, `topology: ${message}`);
  }
  const binary = /proto$/i.test(req.headers["content-type"] ?? "");
  if (binary) {
    try {
      fromBinary(input, bytes);
    } catch (error) {
      return refuse(400, Code.InvalidArgument, `the body is not a protobuf ${input.typeName}: ${errorMessage(error)}`);
    }
    return { body: bytes };
  }
  if (limits.maxTopologyBytes === undefined) return { body: bytes };
  return takeTopology(bytes);
}

/**
 * Takes `topology` out of a JSON request for the gate, as written, and gives
 * Connect the rest. Text that is no JSON object goes to Connect as it is, to be
 * refused in Connect's words.
 */
function takeTopology(bytes: Buffer): { body: Uint8Array; contextValues?: ContextValues } {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString("utf8"));
  } catch {
    return { body: bytes };
  }
  if (typeof json !== "object" || json === null || Array.isArray(json) || !("topology" in json)) return { body: bytes };
  const { topology, ...rest } = json as Record<string, unknown>;
  return {
    body: Buffer.from(JSON.stringify(rest)),
    contextValues: createContextValues().set(RAW_TOPOLOGY, { json: topology }),
  };
}
