/**
 * How a DURABLE subscriber tells what its stream lost (CUT_LUA), run in a
 * private redis-server: numbers skipped are lost — "cut from stream", or "lost
 * by broker" when Redis holds less than the subscriber read itself (Redis lost
 * its data) — except those the publisher saw refused (they never reached the
 * stream; the publisher counted them "refused by broker"); numbers read again
 * (pending entries after a restart) count nothing.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedisServer, type RedisServer } from "@/server/redis/resolve-redis";
import { CUT_LUA } from "./pubsub";

let server: RedisServer;
let redis: Redis;
/** What the subscriber read itself, as it keeps it. */
const own = { top: 0, refused: 0 };

beforeAll(async () => {
  server = await startRedisServer();
  redis = new Redis(server.url);
});
afterAll(async () => {
  await redis.quit();
  await server.stop();
});

/** One batch of publisher 7's numbers; answers the entries counted lost, and whether the broker lost them. */
async function read(seqs: number[], refused: number): Promise<{ cut: number; brokerLost: boolean }> {
  const args = ["7", String(refused), String(own.top), String(own.refused), String(seqs.length), ...seqs.map(String)];
  const [cut, brokerLost] = (await redis.eval(CUT_LUA, 2, "seen", "ended", ...args)) as number[];
  own.top = Math.max(own.top, ...seqs);
  own.refused = Math.max(own.refused, refused);
  return { cut, brokerLost: brokerLost === 1 };
}

describe("the numbers a DURABLE subscriber reads", () => {
  it("count skipped numbers as lost, by who lost them, but not the publishes the broker refused, nor numbers read again", async () => {
    expect(await read([1, 2, 3], 0)).toEqual({ cut: 0, brokerLost: false });
    // 4 and 5 were refused (the publisher's count says 2): nothing lost.
    expect(await read([6, 7], 2)).toEqual({ cut: 0, brokerLost: false });
    // 8 and 9 were in the stream and were trimmed away unread.
    expect(await read([10], 2)).toEqual({ cut: 2, brokerLost: false });
    // Pending entries read again after a restart.
    expect(await read([6, 7, 10], 2)).toEqual({ cut: 0, brokerLost: false });
    // 11 refused and 12 cut, in one gap.
    expect(await read([13], 3)).toEqual({ cut: 1, brokerLost: false });
    expect(await redis.hgetall("seen")).toEqual({ "7": "13", "7:refused": "3" });

    // Redis loses its data; 14 and 15 were in the lost stream, 16 refused while it was away.
    await redis.flushall();
    expect(await read([17, 18], 4)).toEqual({ cut: 2, brokerLost: true });
    expect(await read([19], 4)).toEqual({ cut: 0, brokerLost: false });
    expect(await redis.hgetall("ended")).toEqual({ "lost by broker": "2" });
  });
});
