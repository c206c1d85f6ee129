/**
 * What the broker says of a dead publisher's unanswered publishes (hand-off-audit.ts), on a private
 * redis-server: the ones it ran landed, and it ran all those numbered up to its note of the newest
 * but the refused ones — also after Redis lost its data under the run.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runKeys } from "@/server/redis/keys";
import { startRedisServer, type RedisServer } from "@/server/redis/resolve-redis";
import type { OpenHandOff } from "@/server/trace/counter-book";
import { auditHandOff, parseNewestPublish } from "./hand-off-audit";

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
  it("counts as landed the open publishes the broker ran, and as published all numbered up to the newest but the refused", async () => {
    await redis.set(keys.publishedTop(1, "e"), "9:1");
    const audit = await auditHandOff(redis, keys, handOff, 0);
    expect(audit.landed).toBe(1);
    expect(audit.published).toBe(8);
  });

  it("still does after Redis lost its data: one publish that ran since notes the newest number again", async () => {
    await redis.flushall();
    // The broker ran number 10 after it lost everything before.
    await redis.set(keys.publishedTop(1, "e"), "10:0");
    const audit = await auditHandOff(redis, keys, handOff, 0);
    expect(audit.landed).toBe(2);
    expect(audit.published).toBe(10);
  });

  it("none ran when the broker has no note", async () => {
    await redis.flushall();
    expect((await auditHandOff(redis, keys, handOff, 0)).landed).toBe(0);
    expect(parseNewestPublish(null)).toEqual({ top: 0, refused: 0 });
    expect(parseNewestPublish("12:3")).toEqual({ top: 12, refused: 3 });
  });
});
