/**
 * How a DURABLE subscriber tells what its stream lost (CUT_LUA), run in a
 * private redis-server: numbers skipped are lost, under the outcome given,
 * except those the publisher saw refused (they never reached the stream, and
 * the publisher counted them "refused by broker"); numbers read again (pending
 * entries after a restart) count nothing.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedisServer, type RedisServer } from "@/server/redis/resolve-redis";
import { CUT_LUA } from "./pubsub";

let server: RedisServer;
let redis: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  redis = new Redis(server.url);
});
afterAll(async () => {
  await redis.quit();
  await server.stop();
});

/** One batch of one publisher's numbers; answers the entries counted lost. */
async function read(seqs: number[], refused: number, outcome = "cut from stream"): Promise<number> {
  const [cut] = (await redis.eval(CUT_LUA, 2, "seen", "ended", "7", outcome, String(refused), String(seqs.length), ...seqs.map(String))) as number[];
  return cut;
}

describe("the numbers a DURABLE subscriber reads", () => {
  it("count skipped numbers as lost, but not the publishes the broker refused, nor numbers read again", async () => {
    expect(await read([1, 2, 3], 0)).toBe(0);
    // 4 and 5 were refused (the publisher's count says 2): nothing lost.
    expect(await read([6, 7], 2)).toBe(0);
    // 8 and 9 were in the stream and are gone: lost.
    expect(await read([10], 2, "lost by broker")).toBe(2);
    // Pending entries read again after a restart.
    expect(await read([6, 7, 10], 2)).toBe(0);
    // 11 refused and 12 lost, in one gap.
    expect(await read([13], 3)).toBe(1);
    expect(await redis.hgetall("ended")).toEqual({ "lost by broker": "2", "cut from stream": "1" });
    expect(await redis.hgetall("seen")).toEqual({ "7": "13", "7:refused": "3" });
  });
});
