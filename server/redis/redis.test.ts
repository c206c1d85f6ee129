import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { deleteRunKeys, runKeys } from "./keys";
import { resolveRedis } from "./resolve-redis";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
/** A port nothing listens on (the discard port, closed on loopback here). */
const DEAD_URL = "redis://127.0.0.1:9";

describe("run keys", () => {
  const redis = new Redis(REDIS_URL);
  afterAll(() => redis.quit());

  it("names everything under ipcplay:<runId>: and deletes only that run's keys", async () => {
    const mine = runKeys(`r-test${process.pid}a`);
    const other = runKeys(`r-test${process.pid}b`);
    expect(mine.stream("events")).toBe(`${mine.prefix}stream:events`);
    expect(mine.pubsubChannel("events").startsWith(mine.prefix)).toBe(true);
    expect(`${mine.bullmqPrefix}:${mine.queueName("orders")}:wait`.startsWith(mine.prefix)).toBe(true);

    await redis.set(`${mine.prefix}a`, "1");
    await redis.xadd(mine.stream("events"), "*", "k", "v");
    await redis.set(`${other.prefix}a`, "1");
    expect(await deleteRunKeys(redis, mine.prefix)).toBe(2);
    expect(await redis.keys(`${mine.prefix}*`)).toEqual([]);
    expect(await redis.get(`${other.prefix}a`)).toBe("1");
    await deleteRunKeys(redis, other.prefix);
  });

  it("refuses a prefix outside the playground's", async () => {
    await expect(deleteRunKeys(redis, "")).rejects.toThrow(/refusing/);
    await expect(deleteRunKeys(redis, "ipcplay:")).rejects.toThrow(/refusing/);
  });
});

describe("resolveRedis", () => {
  it("uses REDIS_URL when it answers", async () => {
    const resolved = await resolveRedis({ url: REDIS_URL });
    expect(resolved).toMatchObject({ url: REDIS_URL, private: false });
  });

  it("starts a private redis-server on a free port when nothing answers, and stops it", async () => {
    const resolved = await resolveRedis({ url: DEAD_URL });
    expect(resolved.private).toBe(true);
    const client = new Redis(resolved.url);
    expect(await client.config("GET", "save")).toEqual(["save", ""]);
    await client.quit();
    await resolved.stop();
    const again = new Redis(resolved.url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    again.on("error", () => undefined);
    await expect(again.connect()).rejects.toThrow();
    again.disconnect();
  });

  it("explains how to get Redis when none answers and there is no redis-server", async () => {
    await expect(resolveRedis({ url: DEAD_URL, redisServerBinary: "/nonexistent/redis-server" })).rejects.toThrow(
      /apt-get install redis-server.*REDIS_URL/s,
    );
  });
});
