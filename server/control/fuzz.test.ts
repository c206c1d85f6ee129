/**
 * The control plane fuzzed (fast-check, fixed seed so a failure replays): a real
 * server on a private redis-server, fed arbitrary bodies (JSON, protobuf,
 * garbage), arbitrary topologies (ids with newlines and unicode, huge fan-out,
 * unknown fields) and random call sequences on live runs (wrong tokens, wrong
 * run ids, faults on nodes that do not exist). Invariants after every call:
 * never a 5xx, every refusal a 4xx with a Connect error code; afterwards the
 * server still answers, no run is left up, no process of a run lives on and
 * no key of a run stays in Redis.
 *
 * Replay one property with FUZZ_SEED=<seed>; FUZZ_RUNS scales the run counts.
 */
import fc from "fast-check";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPlayground, type Playground } from "@/server/app";
import { startRedisServer, type RedisServer } from "@/server/redis/resolve-redis";
import { buildHostBundle, processGone } from "@/server/runtime/test-support";
import { fixture } from "./control-test-support";

const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const SCALE = Number(process.env.FUZZ_RUNS ?? 1);
const METHODS = [
  "ValidateTopology",
  "StartRun",
  "StopRun",
  "GetRun",
  "SendMessage",
  "GetTrace",
  "ListTraces",
  "InjectFault",
  "ClearFault",
  "UpdateRun",
  "ListDeadLetters",
  "RedriveDeadLetters",
  "GetMetrics",
] as const;
const CONNECT_CODES = new Set([
  "canceled",
  "unknown",
  "invalid_argument",
  "deadline_exceeded",
  "not_found",
  "already_exists",
  "permission_denied",
  "resource_exhausted",
  "failed_precondition",
  "aborted",
  "out_of_range",
  "unimplemented",
  "unauthenticated",
  "unavailable",
]);

let redisServer: RedisServer;
let redis: Redis;
let playground: Playground;
const savedRedisUrl = process.env.REDIS_URL;
/** Every run the fuzz got started, and every pid its processes had. */
const startedRuns = new Map<string, string>();
const pids = new Set<number>();
const counts = { calls: 0, ok: 0, refused: 0, byCode: new Map<string, number>() };

beforeAll(async () => {
  buildHostBundle();
  // A private Redis: the fuzz may count every key in it (the shared one is other engineers').
  redisServer = await startRedisServer();
  redis = new Redis(redisServer.url);
  process.env.REDIS_URL = redisServer.url;
  playground = await startPlayground({ port: 0, host: "127.0.0.1", next: false, log: () => undefined });
});

afterAll(async () => {
  await playground?.close();
  if (savedRedisUrl === undefined) delete process.env.REDIS_URL;
  else process.env.REDIS_URL = savedRedisUrl;
  await redis?.quit();
  await redisServer?.stop();
  console.log(
    `fuzz (seed ${SEED}): ${counts.calls} calls, ${counts.ok} answered 200, ${counts.refused} refused (${[...counts.byCode].map(([code, n]) => `${code} ${n}`).join(", ")}); ${startedRuns.size} runs started`,
  );
});

interface Answer {
  status: number;
  text: string;
  json: Record<string, any> | undefined;
}

/** One POST; asserts the invariant on its answer: 200, or a 4xx with a Connect error code. */
async function call(method: string, body: string | Uint8Array, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${playground.url}/ipcplay.v1.PlaygroundService/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : Buffer.from(body),
  });
  const text = await response.text();
  let json: Record<string, any> | undefined;
  try {
    json = JSON.parse(text) as Record<string, any>;
  } catch {
    json = undefined;
  }
  counts.calls++;
  const what = `${method} → ${response.status} ${text.slice(0, 300)}`;
  expect(response.status, what).toBeLessThan(500);
  if (response.status === 200) {
    counts.ok++;
    if (method === "StartRun" && json?.runId) noteRun(json.runId, json.token, json.run);
  } else {
    counts.refused++;
    expect(response.status, what).toBeGreaterThanOrEqual(400);
    // Refusals before the control plane (415 of a foreign content type, 413 of a huge body) are Connect errors too.
    expect(json, what).toBeDefined();
    expect(CONNECT_CODES.has(json!.code), what).toBe(true);
    counts.byCode.set(json!.code, (counts.byCode.get(json!.code) ?? 0) + 1);
  }
  return { status: response.status, text, json };
}

const post = (method: string, body: object, token?: string) =>
  call(method, JSON.stringify(body), token === undefined ? {} : { authorization: `Bearer ${token}` });

function noteRun(runId: string, token: string, run: { nodes?: Array<{ pid?: number }> } | undefined): void {
  startedRuns.set(runId, token);
  for (const node of run?.nodes ?? []) if (node.pid) pids.add(node.pid);
}

/** Stops every run the fuzz started (idempotent for those already stopped). */
async function stopAll(): Promise<void> {
  for (const [runId, token] of startedRuns) {
    const info = await post("GetRun", { runId }, token);
    for (const node of info.json?.run?.nodes ?? []) if (node.pid) pids.add(node.pid);
    const stopped = await post("StopRun", { runId }, token);
    expect(stopped.status, stopped.text).toBe(200);
  }
}

const runOf = (runId: string) => `ipcplay:${runId}:`;

// ---- arbitraries ----------------------------------------------------------

/** Ids as a hostile client writes them: unicode, newlines, control characters, very long, or empty. */
const nastyId = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "grapheme", maxLength: 8 }),
  fc.constantFrom("", "\n", "a\nb: forged problem", "../../etc/passwd", "ipcplay:*", "💥", "\u0000", "x".repeat(300), "client", "orders"),
);
const jsonValue = fc.jsonValue({ maxDepth: 3 });
const transport = fc.constantFrom("TRANSPORT_REST", "TRANSPORT_CONNECT", "TRANSPORT_QUEUE", "TRANSPORT_PUBSUB", "TRANSPORT_UNSPECIFIED", 7, -1, "rest");
const kind = fc.constantFrom("NODE_KIND_CLIENT", "NODE_KIND_SERVICE", "NODE_KIND_UNSPECIFIED", 99, "x");
const node = fc.record(
  {
    id: nastyId,
    label: fc.string({ maxLength: 10 }),
    kind,
    position: fc.record({ x: fc.double(), y: fc.integer() }),
    traffic: fc.record({ ratePerSecond: fc.oneof(fc.double(), fc.integer({ min: -5, max: 100_000 })) }, { requiredKeys: [] }),
    behavior: fc.record(
      {
        fanOut: fc.constantFrom("FAN_OUT_ALL", "FAN_OUT_ONE", 5),
        concurrency: fc.integer({ min: -1, max: 1_000_000 }),
        errorRate: fc.double(),
        workTime: fc.record({ distribution: fc.constantFrom("DISTRIBUTION_FIXED", "nope"), meanMs: fc.integer({ min: -10, max: 10_000_000 }) }),
      },
      { requiredKeys: [] },
    ),
    behaviour: jsonValue, // an unknown field
  },
  { requiredKeys: ["id"] },
);
/** Topologies from arbitrary to almost valid: many nodes, every node wired to every other (huge fan-out), unknown fields. */
const topology = fc.oneof(
  fc.record(
    {
      name: fc.string({ maxLength: 20 }),
      hopLimit: fc.integer({ min: -1, max: 1_000 }),
      nodes: fc.array(node, { maxLength: 30 }),
      edges: fc.array(
        fc.record(
          { id: nastyId, source: nastyId, target: nastyId, transport, queue: fc.record({ channel: nastyId }, { requiredKeys: [] }), extra: jsonValue },
          { requiredKeys: ["id", "source", "target"] },
        ),
        { maxLength: 40 },
      ),
      surprise: jsonValue,
    },
    { requiredKeys: [] },
  ),
  // A mesh: n services, each wired to each other one with a fan-out ALL (amplification the gate must refuse).
  fc.record({ n: fc.integer({ min: 2, max: 40 }), transport, selfLoops: fc.boolean() }).map(({ n, transport, selfLoops }) => {
    const ids = Array.from({ length: n }, (_, i) => `s${i}`);
    return {
      name: "mesh",
      hopLimit: 64,
      nodes: [
        { id: "client", kind: "NODE_KIND_CLIENT", traffic: { ratePerSecond: 200 } },
        ...ids.map((id) => ({ id, kind: "NODE_KIND_SERVICE", behavior: { fanOut: "FAN_OUT_ALL" } })),
      ],
      edges: [
        { id: "c", source: "client", target: "s0", transport },
        ...ids.flatMap((a) => ids.filter((b) => selfLoops || a !== b).map((b) => ({ id: `${a}-${b}`, source: a, target: b, transport }))),
      ],
    };
  }),
  jsonValue,
);

// ---- properties -----------------------------------------------------------

describe("control-plane fuzz (fast-check)", () => {
  it("answers every malformed body with a 4xx and a Connect code, never a 5xx", async () => {
    const garbage = fc.oneof(
      jsonValue.map((value) => ({ body: JSON.stringify(value) as string | Uint8Array, type: "application/json" })),
      fc.string({ maxLength: 200 }).map((body) => ({ body: body as string | Uint8Array, type: "application/json" })),
      fc.tuple(fc.uint8Array({ maxLength: 300 }), fc.constantFrom("application/proto", "application/json", "application/connect+proto", "text/plain")).map(([body, type]) => ({ body: body as string | Uint8Array, type })),
      fc.uint8Array({ maxLength: 64 }).map((body) => ({ body: body as string | Uint8Array, type: "application/proto" })),
      fc.record({ runId: nastyId, nodeId: nastyId, count: fc.oneof(fc.integer(), fc.double(), fc.string()), payload: fc.string(), kind: fc.oneof(fc.integer(), fc.string()) }, { requiredKeys: [] }).map(
        (value) => ({ body: JSON.stringify(value) as string | Uint8Array, type: "application/json" }),
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...METHODS), garbage, fc.option(fc.string({ maxLength: 40 })), async (method, { body, type }, token) => {
        // Only ever refused or answered: StartRun of garbage never starts anything (no topology).
        const answer = await call(method, body, { "content-type": type, ...(token === null ? {} : { authorization: `Bearer ${token.replace(/[^\x21-\x7e]/g, "")}` }) });
        if (method === "StartRun") expect(answer.status).not.toBe(200);
      }),
      { seed: SEED, numRuns: 1000 * SCALE },
    );
  }, 60_000);

  it("judges arbitrary topologies with problems (a 4xx), never a 5xx (meshes of every transport, huge fan-out, unknown fields)", async () => {
    await fc.assert(
      fc.asyncProperty(topology, fc.constantFrom("ValidateTopology", "StartRun"), async (doc, method) => {
        const answer = await post(method, { topology: doc });
        if (method === "ValidateTopology" && answer.status === 200 && answer.json?.valid !== true) {
          // Every problem is one line: an id holding a newline cannot forge another.
          for (const problem of answer.json?.problems ?? []) expect(JSON.stringify(problem)).not.toMatch(/[\u0000-\u001f]/);
        }
        if (answer.status === 200 && method === "StartRun") await post("StopRun", { runId: answer.json!.runId }, answer.json!.token);
      }),
      { seed: SEED + 1, numRuns: 300 * SCALE },
    );
  }, 60_000);

  it("survives random call sequences on live runs (wrong tokens, unknown ids, faults) and leaves nothing behind", async () => {
    const runs: Array<{ runId: string; token: string }> = [];
    for (let i = 0; i < 2; i++) {
      const started = await post("StartRun", { topology: fixture("rest-chain.json") });
      expect(started.status, started.text).toBe(200);
      runs.push({ runId: started.json!.runId, token: started.json!.token });
    }
    const target = fc.record({
      run: fc.integer({ min: 0, max: 2 }), // 2: a run id that does not exist
      token: fc.constantFrom("right", "other run's", "garbage", "none"),
    });
    const command = fc.oneof(
      fc.record({ method: fc.constant("SendMessage"), nodeId: fc.oneof(fc.constantFrom("client", "orders", "billing"), nastyId), count: fc.integer({ min: -1, max: 20 }), payload: fc.string({ maxLength: 50 }) }),
      fc.record({ method: fc.constant("GetRun") }),
      fc.record({ method: fc.constant("ListTraces"), limit: fc.integer({ min: -1, max: 1000 }) }),
      fc.record({ method: fc.constant("GetTrace"), traceId: nastyId }),
      fc.record({ method: fc.constant("GetMetrics"), sinceUnixMs: fc.oneof(fc.double(), fc.integer()) }),
      fc.record({
        method: fc.constant("InjectFault"),
        nodeId: fc.oneof(fc.constantFrom("orders", "billing", ""), nastyId),
        edgeId: fc.oneof(fc.constantFrom("client-orders", "orders-billing", ""), nastyId),
        kind: fc.integer({ min: -1, max: 14 }),
        latencyMs: fc.integer({ min: 0, max: 5_000 }),
        errorRate: fc.double({ min: -1, max: 2, noNaN: true }),
        durationMs: fc.integer({ min: 0, max: 2_000 }),
      }),
      fc.record({ method: fc.constant("ClearFault"), nodeId: fc.constantFrom("orders", "billing", "", "nope"), kind: fc.integer({ min: 0, max: 13 }) }),
      fc.record({ method: fc.constant("UpdateRun"), topology: fc.oneof(topology, fc.constant(fixture("rest-chain.json"))) }),
      fc.record({ method: fc.constant("ListDeadLetters"), edgeId: nastyId }),
      fc.record({ method: fc.constant("RedriveDeadLetters"), edgeId: nastyId }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(target, command), { minLength: 1, maxLength: 8 }), async (steps) => {
        for (const [{ run, token }, { method, ...fields }] of steps) {
          const runId = run < runs.length ? runs[run].runId : "r-doesnotexist";
          const bearer =
            token === "right" ? runs[Math.min(run, runs.length - 1)].token : token === "other run's" ? runs[(run + 1) % runs.length].token : token === "garbage" ? "x".repeat(48) : undefined;
          const answer = await post(method, { runId, ...fields }, bearer);
          if (token !== "right" || run >= runs.length) expect(answer.status, `${method} with a ${token} token: ${answer.text}`).not.toBe(200);
        }
      }),
      { seed: SEED + 2, numRuns: 60 * SCALE },
    );
    // Every run answers and is stopped; its processes and keys go with it.
    await stopAll();
  }, 120_000);

  it("afterwards: the server answers, no run is up, no process or key of a run remains", async () => {
    const validated = await post("ValidateTopology", { topology: fixture("rest-chain.json") });
    expect(validated.json?.valid).toBe(true);
    await stopAll();
    expect(startedRuns.size).toBeGreaterThan(0);
    for (const [runId, token] of startedRuns) {
      const info = await post("GetRun", { runId }, token);
      // A stopped run answers with its last state (or is forgotten): none is up.
      if (info.status === 200) expect(info.json?.run?.state, runId).toBe("RUN_STATE_STOPPED");
    }
    await expect.poll(() => [...pids].filter((pid) => !processGone(pid)), { timeout: 10_000 }).toEqual([]);
    for (const runId of startedRuns.keys()) expect(await redis.keys(`${runOf(runId)}*`), runId).toEqual([]);
    // Nothing else under the playground's root but the (empty) list of live runs.
    const left = (await redis.keys("ipcplay:*")).filter((key) => key !== "ipcplay:runs");
    expect(left).toEqual([]);
    expect(await redis.hlen("ipcplay:runs")).toBe(0);
  }, 60_000);
});
