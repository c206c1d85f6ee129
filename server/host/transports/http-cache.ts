/**
 * A caller's private HTTP cache for one REST edge, as a browser's or an HTTP
 * client library's: a GET whose stored reply is still fresh under the rules
 * of RFC 9111 (Cache-Control max-age, no-store, Vary, Age …, judged by
 * http-cache-semantics) is answered from the cache without touching the
 * network; anything else goes out and its reply is stored if it may be.
 *
 * Only the reply's status is kept with its policy: the caller uses nothing
 * else of a reply, so the body would be memory for nothing.
 */
import CachePolicy from "http-cache-semantics";

/** Replies kept per edge; the oldest goes first (an edge has one method and path, so one entry is the usual). */
const MAX_ENTRIES = 64;

export interface CachedReply {
  statusCode: number;
  /** Seconds it stays fresh from now. */
  ttlS: number;
}

export class HttpCache {
  private readonly entries = new Map<string, { policy: CachePolicy; statusCode: number }>();

  /** The stored reply that answers this request now, if one does. */
  lookup(request: CachePolicy.Request): CachedReply | undefined {
    const key = keyOf(request);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (!entry.policy.satisfiesWithoutRevalidation(request)) {
      if (entry.policy.timeToLive() <= 0) this.entries.delete(key);
      return undefined;
    }
    return { statusCode: entry.statusCode, ttlS: Math.floor(entry.policy.timeToLive() / 1000) };
  }

  /** Stores a reply that came from the network, when its headers let a private cache keep it. */
  store(request: CachePolicy.Request, response: CachePolicy.Response & { status: number }): void {
    const policy = new CachePolicy(request, response, { shared: false });
    const key = keyOf(request);
    if (!policy.storable() || policy.timeToLive() <= 0) {
      this.entries.delete(key);
      return;
    }
    this.entries.delete(key);
    this.entries.set(key, { policy, statusCode: response.status });
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
  }
}

function keyOf(request: CachePolicy.Request): string {
  return `${request.method ?? "GET"} ${request.url ?? "/"}`;
}
