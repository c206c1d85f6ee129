/**
 * The server's edge as an attacker meets it, over real HTTP: who may be
 * answered (Host and Origin, against DNS rebinding and cross-site pages), what
 * every answer carries (security headers), and that malformed or oversized
 * input gets a short 4xx — never a 500, never a slow parse.
 */
import { brotliCompressSync, gzipSync } from "node:zlib";
import { create, toBinary } from "@bufbuild/protobuf";
import { io as connectSocket } from "socket.io-client";
import { describe, expect, it } from "vitest";
import { StartRunRequestSchema } from "@/lib/gen/ipcplay/v1/playground_pb";
import { LIMITS } from "@/lib/topology/limits";
import { startPlayground } from "@/server/app";
import { controlPlane, fixture, rawRequest } from "./control-test-support";

const { post, port } = controlPlane();

const rpc = (method: string) => `/ipcplay.v1.PlaygroundService/${method}`;
const json = (body: unknown) => JSON.stringify(body);

/** A POST of a body to a method, with the right Host unless told otherwise. */
function call(method: string, body: Uint8Array | string, headers: Record<string, string | number> = {}) {
  return rawRequest(port(), {
    method: "POST",
    path: rpc(method),
    headers: { "content-type": "application/json", ...headers },
    body,
  });
}

describe("Host and Origin allow-lists (DNS rebinding, cross-site pages)", () => {
  it("refuses a foreign Host on every path with a 403 that says why", async () => {
    for (const path of ["/", "/_next/static/x.js", "/socket.io/?EIO=4&transport=polling"]) {
      const answer = await rawRequest(port(), { path, headers: { host: `evil.example:${port()}` } });
      expect(answer.status, path).toBe(403);
      expect(answer.headers["content-type"]).toMatch(/^text\/plain/);
      expect(answer.text).toContain('Host "evil.example:');
      expect(answer.text).toContain("IPCPLAY_ALLOWED_HOSTS");
    }
  });

  it("hands out no token to a rebound page: StartRun with a foreign Host or Origin is refused", async () => {
    const body = json({ topology: fixture("rest-chain.json") });
    const rebound = await call("StartRun", body, { host: `evil.example:${port()}`, origin: `http://evil.example:${port()}` });
    expect(rebound.status).toBe(403);
    expect(rebound.text).not.toContain("token");
    const crossSite = await call("StartRun", body, { origin: "http://evil.example" });
    expect(crossSite.status).toBe(403);
    expect(crossSite.text).toContain('Origin "http://evil.example" may not drive this server');
  });

  it("answers the loopback names on its port, with or without a same-site Origin", async () => {
    const body = json({ topology: fixture("rest-chain.json") });
    for (const host of [`localhost:${port()}`, `127.0.0.1:${port()}`, `[::1]:${port()}`]) {
      const answer = await call("ValidateTopology", body, { host, origin: `http://${host}` });
      expect(answer.status, host).toBe(200);
      expect(JSON.parse(answer.text).valid).toBe(true);
    }
    expect((await call("ValidateTopology", body, { host: `localhost:${port() + 1}` })).status).toBe(403);
  });

  it("answers a deployment's own names (IPCPLAY_ALLOWED_HOSTS / _ORIGINS)", async () => {
    const deployed = await startPlayground({
      port: 0,
      host: "127.0.0.1",
      next: false,
      allowedHosts: ["play.example.com"],
      allowedOrigins: ["https://docs.example.com"],
      log: () => undefined,
    });
    try {
      const body = json({ topology: fixture("rest-chain.json") });
      const ask = (headers: Record<string, string>) =>
        rawRequest(deployed.port, { method: "POST", path: rpc("ValidateTopology"), headers: { "content-type": "application/json", ...headers }, body });
      expect((await ask({ host: "play.example.com", origin: "https://play.example.com" })).status).toBe(200);
      expect((await ask({ host: "play.example.com", origin: "https://docs.example.com" })).status).toBe(200);
      expect((await ask({ host: "play.example.com", origin: "https://evil.example" })).status).toBe(403);
      expect((await ask({ host: "evil.example" })).status).toBe(403);
    } finally {
      await deployed.close();
    }
  });

  it("refuses socket.io handshakes from a foreign Origin, over polling and WebSocket", async () => {
    const attempt = (transport: "polling" | "websocket", origin: string) =>
      new Promise<string>((resolve) => {
        const socket = connectSocket(`http://127.0.0.1:${port()}`, {
          transports: [transport],
          extraHeaders: { origin },
          reconnection: false,
          timeout: 5000,
        });
        socket.on("connect", () => {
          socket.close();
          resolve("connected");
        });
        socket.on("connect_error", (error) => {
          socket.close();
          resolve(`refused: ${error.message}`);
        });
      });
    for (const transport of ["polling", "websocket"] as const) {
      expect(await attempt(transport, `http://127.0.0.1:${port()}`), transport).toBe("connected");
      expect(await attempt(transport, "http://evil.example"), transport).toMatch(/^refused/);
    }
  });
});

describe("security headers", () => {
  it("go on every answer: pages, the control plane, socket.io, refusals", async () => {
    const answers = [
      await rawRequest(port(), { path: "/" }),
      await call("ValidateTopology", json({ topology: fixture("rest-chain.json") })),
      await rawRequest(port(), { path: "/socket.io/?EIO=4&transport=polling" }),
      await rawRequest(port(), { path: "/", headers: { host: "evil.example" } }),
    ];
    for (const answer of answers) {
      expect(answer.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
      expect(answer.headers["content-security-policy"]).toContain("default-src 'self'");
      expect(answer.headers["x-frame-options"]).toBe("DENY");
      expect(answer.headers["x-content-type-options"]).toBe("nosniff");
      expect(answer.headers["referrer-policy"]).toBe("no-referrer");
    }
  });
});

describe("size limits before parsing", () => {
  it("refuses a topology over the byte cap unparsed, in one short line", async () => {
    // The 470 KB document of 30k nodes: 2.8 s of parsing and a 5.97 MB answer before.
    const nodes = Array.from({ length: 30_000 }, (_, i) => ({ id: `n${i}` }));
    const body = json({ topology: { nodes } });
    expect(body.length).toBeGreaterThan(LIMITS.maxTopologyBytes);
    const started = performance.now();
    const answer = await call("StartRun", body);
    expect(performance.now() - started).toBeLessThan(500);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toEqual({
      code: "invalid_argument",
      message: `topology: the request is ${Math.ceil(body.length / 1024)} KiB; at most 256 KiB are allowed`,
    });
  });

  it("refuses a list far past its cap within the byte cap with one problem, fast", async () => {
    const nodes = Array.from({ length: 20_000 }, () => ({ id: "x" }));
    const started = performance.now();
    const { status, json: answer } = await post("ValidateTopology", { topology: { nodes } });
    expect(performance.now() - started).toBeLessThan(500);
    expect(status).toBe(200);
    expect(answer.problems).toEqual([{ path: "nodes", message: "has 20000 entries; at most 24 are allowed" }]);
  });

  it("lists at most 100 problems and counts the rest", async () => {
    const nodes = Array.from({ length: 90 }, () => ({ id: 1, kind: 7.5, colour: "red" }));
    const { status, json: answer } = await post("StartRun", { topology: { nodes } });
    expect(status).toBe(400);
    expect(answer.message.split("\n")).toHaveLength(1 + LIMITS.maxProblems + 1);
    expect(answer.message).toMatch(/^invalid topology \(over 100 problems\):\n/);
    expect(answer.message).toMatch(/… and 170 more problems$/);
  });

  it("answers 413 to a body over the transport limit, and to one that inflates past it", async () => {
    const big = json({ runId: "x".repeat(1024 * 1024 + 10) });
    const over = await call("GetRun", big);
    expect(over.status).toBe(413);
    expect(JSON.parse(over.text).code).toBe("resource_exhausted");
    const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024, 32));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const inflated = await call("GetRun", bomb, { "content-encoding": "gzip" });
    expect(inflated.status).toBe(413);
    expect((await post("GetRun", { runId: "x" })).status).toBe(401); // and still answering
  });
});

describe("malformed input gets a 4xx, never a 500", () => {
  it("refuses protobuf garbage with invalid_argument", async () => {
    for (const garbage of [Uint8Array.of(0xff, 0xff, 0xff), Uint8Array.of(0x0a, 0x80), Buffer.from("not protobuf at all")]) {
      const answer = await call("StartRun", garbage, { "content-type": "application/proto" });
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.text).code).toBe("invalid_argument");
    }
  });

  it("reads a well-formed protobuf request through the same gate", async () => {
    const request = create(StartRunRequestSchema, { topology: { nodes: [{ id: "Bad" }] } });
    const answer = await call("StartRun", toBinary(StartRunRequestSchema, request), { "content-type": "application/proto" });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text).message).toContain('nodes[0].id: "Bad" is not a valid id');
  });

  it("refuses a body that is not the gzip or br it claims, and an unknown encoding", async () => {
    const body = Buffer.from(json({ topology: fixture("rest-chain.json") }));
    for (const encoding of ["br", "gzip"]) {
      const answer = await call("ValidateTopology", body, { "content-encoding": encoding });
      expect(answer.status, encoding).toBe(400);
      expect(JSON.parse(answer.text)).toMatchObject({ code: "invalid_argument", message: expect.stringContaining(`not valid ${encoding}`) });
    }
    expect((await call("ValidateTopology", body, { "content-encoding": "deflate" })).status).toBe(415);
    // Good compression still works.
    expect((await call("ValidateTopology", brotliCompressSync(body), { "content-encoding": "br" })).status).toBe(200);
    expect((await call("ValidateTopology", gzipSync(body), { "content-encoding": "gzip" })).status).toBe(200);
  });

  it("survives many garbage bodies (fixed seed): no 5xx, and it still answers", async () => {
    const random = mulberry32(11);
    const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const valid = json({ topology: fixture("rest-chain.json") });
    const methods = ["ValidateTopology", "StartRun", "UpdateRun", "GetRun", "SendMessage", "InjectFault", "WatchRun", "GetMetrics", "Nope"];
    const types = ["application/json", "application/proto", "application/connect+json", "application/connect+proto", "application/grpc", "text/plain", ""];
    const bodies: (() => Uint8Array | string)[] = [
      () => Uint8Array.from({ length: Math.floor(random() * 300) }, () => Math.floor(random() * 256)),
      () => valid.slice(0, Math.floor(random() * valid.length)),
      () => {
        const chars = valid.split("");
        for (let i = 0; i < 5; i++) chars[Math.floor(random() * chars.length)] = pick(['"', "{", "]", ",", "\u0000", "é", "9"]);
        return chars.join("");
      },
      () => json(pick([null, [], 1e309, "x", { topology: [] }, { topology: { nodes: "x" } }, { runId: {} }, { count: -1 }, { topology: { nodes: [null] } }])),
    ];
    const statuses = new Map<number, number>();
    for (let i = 0; i < 400; i++) {
      let body = pick(bodies)();
      const headers: Record<string, string> = {};
      const type = pick(types);
      if (type) headers["content-type"] = type;
      const encoding = pick(["", "", "gzip", "br", "gzip-lie"]);
      if (encoding === "gzip") body = gzipSync(body);
      if (encoding === "br") body = brotliCompressSync(body);
      if (encoding) headers["content-encoding"] = encoding === "gzip-lie" ? "gzip" : encoding;
      if (random() < 0.1) headers["connect-timeout-ms"] = pick(["-1", "abc", "99999999999"]);
      const method = pick(["POST", "POST", "POST", "GET", "PUT"]);
      const path = rpc(pick(methods));
      const answer = await rawRequest(port(), { method, path, headers, body }).catch((error: Error) => {
        throw new Error(`request ${i}: ${method} ${path} ${JSON.stringify(headers)} ${String(body).slice(0, 80)}: ${error.message}`);
      });
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      expect(answer.status, `request ${i}: ${type} ${encoding} → ${answer.text.slice(0, 200)}`).toBeLessThan(500);
    }
    expect(statuses.size).toBeGreaterThan(3); // the garbage did reach different refusals
    const after = await post("ValidateTopology", { topology: fixture("rest-chain.json") });
    expect(after.json.valid).toBe(true);
  });
});

describe("the gate sees the topology as it was written", () => {
  it("reports unknown fields with their paths instead of dropping them", async () => {
    const topology = fixture("rest-chain.json");
    topology.nodes[2].behaviour = { errorRate: 0.5 };
    topology.colour = "red";
    const validated = await post("ValidateTopology", { topology });
    expect(validated.status).toBe(200);
    expect(validated.json.valid ?? false).toBe(false);
    const problems = validated.json.problems as { path: string; message: string }[];
    expect(problems.map((p) => p.path).sort()).toEqual(["colour", "nodes[2].behaviour"]);
    expect(problems.find((p) => p.path === "nodes[2].behaviour")?.message).toMatch(/^unknown field "behaviour" \(known: .*behavior/);
    const started = await post("StartRun", { topology });
    expect(started.status).toBe(400);
    expect(started.json.message).toContain("nodes[2].behaviour: unknown field");
  });

  it("lists wrong types with their paths too", async () => {
    const { status, json: answer } = await post("ValidateTopology", { topology: { nodes: [{ id: 7, kind: "NOPE" }] } });
    expect(status).toBe(200);
    expect((answer.problems as { path: string }[]).map((p) => p.path)).toEqual(["nodes[0].id", "nodes[0].kind"]);
  });

  it("keeps today's files valid: each in both spellings of field names", async () => {
    expect((await post("ValidateTopology", { topology: fixture("rest-chain.json") })).json.valid).toBe(true);
    const snake = fixture("rest-chain.json");
    snake.hop_limit = 8;
    expect((await post("ValidateTopology", { topology: snake })).json.valid).toBe(true);
  });

  it("lets no id forge a line of the problem list", async () => {
    const topology = fixture("rest-chain.json");
    topology.nodes[1].id = 'x\nnodes[0].id: "client" is fine';
    const { json: answer } = await post("StartRun", { topology });
    const lines = (answer.message as string).split("\n");
    expect(lines).not.toContain('nodes[0].id: "client" is fine');
    expect(lines.length).toBe(1 + answer.details[0].debug.problems.length);
    expect(lines).toContain(`nodes[1].id: "x\\nnodes[0].id: \\"client\\" is fine" is not a valid id; ${"use 1 to 32 characters: lowercase letters a-z, digits and \"-\", starting with a letter"}`);
  });
});

describe("payload caps count bytes", () => {
  it("refuses a payload within the cap in characters but over it in UTF-8 bytes", async () => {
    const started = await post("StartRun", { topology: fixture("rest-chain.json") });
    expect(started.status).toBe(200);
    const { runId, token } = started.json as { runId: string; token: string };
    try {
      const payload = "é".repeat(LIMITS.maxPayloadBytes / 2 + 1); // 32,769 characters, 65,538 bytes
      const sent = await post("SendMessage", { runId, nodeId: "client", payload }, token);
      expect(sent.json).toEqual({ code: "invalid_argument", message: "payload: 65538 bytes in UTF-8; at most 65536 are allowed" });
      const fits = await post("SendMessage", { runId, nodeId: "client", payload: "é".repeat(LIMITS.maxPayloadBytes / 2) }, token);
      expect(fits.status).toBe(200);
    } finally {
      await post("StopRun", { runId }, token);
    }
  });
});

/** A small seeded PRNG: the same garbage every run. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
