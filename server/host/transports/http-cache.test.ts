import { afterEach, describe, expect, it, vi } from "vitest";
import { HttpCache } from "./http-cache";

const request = { method: "GET", url: "/catalog", headers: {} };
const reply = (cacheControl?: string) => ({ status: 200, headers: cacheControl ? { "cache-control": cacheControl } : {} });

describe("HttpCache", () => {
  afterEach(() => vi.useRealTimers());

  it("answers from a reply while max-age lasts, then goes to the network again", () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const cache = new HttpCache();
    expect(cache.lookup(request)).toBeUndefined();
    cache.store(request, reply("max-age=5"));
    expect(cache.lookup(request)).toEqual({ statusCode: 200, ttlS: 5 });
    vi.advanceTimersByTime(4_000);
    expect(cache.lookup(request)?.ttlS).toBe(1);
    vi.advanceTimersByTime(1_001);
    expect(cache.lookup(request)).toBeUndefined();
  });

  it("keeps nothing the headers forbid or do not allow", () => {
    const cache = new HttpCache();
    cache.store(request, reply("no-store, max-age=60"));
    cache.store({ ...request, url: "/b" }, reply());
    cache.store({ ...request, url: "/c" }, reply("max-age=0"));
    for (const url of ["/catalog", "/b", "/c"]) expect(cache.lookup({ ...request, url })).toBeUndefined();
  });

  it("forgets a stored reply when a newer one may not be kept", () => {
    const cache = new HttpCache();
    cache.store(request, reply("max-age=60"));
    cache.store(request, reply("no-store"));
    expect(cache.lookup(request)).toBeUndefined();
  });

  it("honours a request that asks for a fresh answer", () => {
    const cache = new HttpCache();
    cache.store(request, reply("max-age=60"));
    expect(cache.lookup({ ...request, headers: { "cache-control": "no-cache" } })).toBeUndefined();
  });
});
