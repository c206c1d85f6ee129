/**
 * The Redis watch names an outage and a stall (no answer: Redis paused) and
 * says how long it lasted — against a private redis-server.
 */
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { RedisWatch } from "@/server/redis/redis-watch";
import { startRedisServer, type RedisServer } from "@/server/redis/resolve-redis";

let redisServer: RedisServer | undefined;
let watch: RedisWatch | undefined;

afterEach(async () => {
  await watch?.close();
  watch = undefined;
  await redisServer?.stop();
  redisServer = undefined;
});

function watchLines(url: string): string[] {
  const lines: string[] = [];
  watch = new RedisWatch({
    redisUrl: url,
    pingEveryMs: 100,
    pingTimeoutMs: 300,
    settleMs: 0,
    onDown: (_outage, message) => lines.push(message),
    onBack: (_outage, message) => lines.push(message),
  });
  return lines;
}

describe("the Redis watch", () => {
  it("names a stall of Redis (CLIENT PAUSE), then how long it lasted", async () => {
    redisServer = await startRedisServer();
    const lines = watchLines(redisServer.url);
    const admin = new Redis(redisServer.url);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await admin.call("CLIENT", "PAUSE", "1500", "ALL");
    await admin.quit();
    const address = `127.0.0.1:${redisServer.port}`;
    await expect.poll(() => lines, { timeout: 5_000 }).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^Redis at ${address} unreachable since \\d\\d:\\d\\d:\\d\\d \\(no answer within 300 ms\\)`));
    const downS = Number(/back after (\d+\.\d) s/.exec(lines[1])![1]);
    expect(downS).toBeGreaterThanOrEqual(0.8);
    expect(downS).toBeLessThan(3);
  });

  it("names a Redis that went away with the connection's error, and its return", async () => {
    redisServer = await startRedisServer();
    const lines = watchLines(redisServer.url);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const port = redisServer.port;
    await redisServer.stop();
    await expect.poll(() => lines, { timeout: 5_000 }).toHaveLength(1);
    expect(lines[0]).toMatch(/unreachable since .*ECONNREFUSED/);
    redisServer = await startRedisServer({ port });
    await expect.poll(() => lines, { timeout: 5_000 }).toHaveLength(2);
    expect(lines[1]).toMatch(new RegExp(`^Redis at 127.0.0.1:${port} back after \\d+\\.\\d s`));
  });
});
