/**
 * Caps that keep a run safe on a shared machine. The validation gate rejects
 * topologies past them; the runtime enforces the ones that are about time.
 */
export const LIMITS = {
  maxNodes: 24,
  maxEdges: 64,
  maxIdLength: 32,
  maxLabelLength: 64,
  maxNameLength: 80,
  maxDescriptionLength: 2000,
  maxChannelLength: 64,
  maxPathLength: 128,
  /**
   * Per client. One client process sends far more than this; the cap keeps one
   * run from taking the machine (see "What the machine carries" in the README).
   */
  maxRatePerSecond: 5_000,
  /** All clients of a run together. */
  maxRunRatePerSecond: 10_000,
  /** UTF-8 bytes of a payload (a SendMessage payload, a client's or reply's size). */
  maxPayloadBytes: 64 * 1024,
  /**
   * UTF-8 bytes of a topology's JSON text (a file, or a control-plane request that
   * carries one), refused before it is parsed. The largest valid topology — every
   * cap at its maximum — is about 47 KB compact and 65 KB pretty-printed.
   */
  maxTopologyBytes: 256 * 1024,
  /**
   * A list (nodes, edges, schedule) longer than this many times its cap is not a
   * slip of one too many: the gate reports the count alone and judges nothing
   * else, so a huge document costs little to refuse.
   */
  hugeListFactor: 4,
  /** Problems a gate verdict lists; past it, one more line says how many are left out. */
  maxProblems: 100,
  maxWorkMs: 30_000,
  maxTimeoutMs: 60_000,
  maxRetries: 5,
  maxAttempts: 10,
  maxBackoffMs: 30_000,
  maxConcurrency: 256,
  maxBurstSize: 500,
  maxRampSeconds: 600,
  maxHopLimit: 64,
  /** REST GET `Cache-Control: max-age`, in seconds. */
  maxCacheMaxAgeS: 3600,
  /** Characters of a share link's fragment; longer ones are refused before decoding. */
  maxShareFragmentChars: 16_000,
  /** Bytes a share link may inflate to; a guard against zip bombs. */
  maxShareInflatedBytes: 256 * 1024,
  /** SendMessage count per call. */
  maxSendCount: 1000,
  /** Runs alive at once on one server. */
  maxConcurrentRuns: 4,
  /** A run is stopped automatically after this long. */
  maxRunMs: 30 * 60 * 1000,
  /** Entries of a topology's fault schedule. */
  maxScheduledFaults: 32,
  /** Traces kept per run (a ring; the oldest go first). */
  maxTracesPerRun: 2000,
  /** Spans kept per run across its traces; past it the oldest traces go. */
  maxSpansPerRun: 50_000,
  /**
   * New traces per second a run ships in full; past it traces are sampled at
   * their root (every message is still counted and timed). Split among the
   * run's clients.
   */
  traceBudgetPerSecond: 200,
  /** Unsampled traces per second a run keeps because a span failed or was slow. */
  keepBudgetPerSecond: 50,
  /** Messages a service lets wait for a concurrency slot; more are refused (shed). */
  maxWaitingPerService: 4096,
  /**
   * A run's budget, enforced by the runtime (lib/budget; each can be set by an
   * environment variable, see the README's "Run budgets"). Messages a run may
   * start per second, all sources together, is maxRunRatePerSecond.
   */
  /** Messages started and not ended a run may hold at once; SendMessage past it is refused. */
  maxPendingSendsPerRun: 10_000,
  /** Their payload bytes: one SendMessage of maxSendCount × maxPayloadBytes fits. */
  maxPendingBytesPerRun: 64 * 1024 * 1024,
  /**
   * Deliveries one message may cause in all, worst case (fan-out ALL, cycles,
   * hop limit): the gate refuses a topology past it; at run time one service
   * makes at most this many sends of one message.
   */
  maxDeliveriesPerMessage: 1000,
  /** Jobs waiting on a queue edge's queue; its producer refuses the next ones ("queue full"). */
  maxQueueWaiting: 10_000,
  /** Resident memory of one service's process; past it the process is started again, and the run says why. */
  maxHostRssBytes: 512 * 1024 * 1024,
  /** Messages a client keeps in flight; past it, it skips sends (counted as dropped). */
  maxInFlightPerClient: 20_000,
  /** Behavior.max_waiting: a service's own waiting-line bound (bulkhead). */
  maxWaitingLine: 100_000,
  /** Behavior.rate_limit_per_second. */
  maxRateLimitPerSecond: 100_000,
  /** Base of a synchronous edge's retry backoff; no single wait is longer either. */
  maxRetryBackoffMs: 60_000,
  /** Circuit breaker: calls before it may open, window, time open, half-open probes. */
  maxBreakerMinimumCalls: 10_000,
  maxBreakerWindowS: 600,
  maxBreakerOpenMs: 600_000,
  maxBreakerHalfOpenCalls: 1000,
} as const;

/**
 * UTF-8 bytes of a string, without encoding it: caps are in bytes because bytes
 * are what travel and what is stored, and "é" or "😀" take more than one.
 */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4; // a surrogate pair: one code point past U+FFFF
      i++;
    } else bytes += 3; // the rest of the BMP, and a lone surrogate (encoded as U+FFFD)
  }
  return bytes;
}

export const DEFAULTS = {
  topologyName: "Untitled topology",
  hopLimit: 8,
  concurrency: 16,
  restMethod: "POST",
  restPath: "/",
  timeoutMs: 1000,
  queueAttempts: 3,
  queueBackoffMs: 200,
  pubsubChannel: "events",
  burstSize: 10,
  rampSeconds: 10,
  /** A circuit breaker's settings when its threshold is set and they are not (resilience4j's, but a 10 s window). */
  breakerMinimumCalls: 10,
  breakerWindowS: 10,
  breakerOpenMs: 5000,
  breakerHalfOpenCalls: 3,
} as const;
