/**
 * What the broker says of a dead publisher's unanswered publishes (hand-off-audit.ts), on a private
 * redis-server: the ones it ran landed — also after Redis lost its data under the run, when its count
 * of the publisher's publishes started again from zero.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runKeys } from "@/server/redis/keys";
import { startRedisServer, type RedisServer } from "@/server/redis/resolve-redis";
import type { OpenHandOff } from "@/server/trace/counter-book";
import { auditHandOff } from "./hand-off-audit";

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

const keys = runKeys("r-audit001");
/** A publisher (incarnation 1) that sent 10 on a DURABLE edge, 8 answered, 2 open when it died. */
const handOff: OpenHandOff = { incarnation: 1, queue: false, channel: "news", edgeIds: ["e"], sent: 10, open: 2, accepted: 8, atMostOnce: [] };

describe("auditHandOff of publishes", () => {
  it("counts as landed the open publishes the broker ran", async () => {
    await redis.set(keys.published(1, "e"), 9);
    await redis.set(keys.publishedTop(1, "e"), 9);
    expect((await auditHandOff(redis, keys, handOff, 0)).landed).toBe(1);
  });

  it("still does after Redis lost its data: the count restarted from zero, the highest number ran is right", async () => {
    // Lost with the data: the first 7 publishes' count; the broker ran numbers 8, 9 and 10 since.
    await redis.set(keys.published(1, "e"), 3);
    await redis.set(keys.publishedTop(1, "e"), 10);
    expect((await auditHandOff(redis, keys, handOff, 0)).landed).toBe(2);
  });
});
