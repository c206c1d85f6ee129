/**
 * Health at a glance: an edge's recent failed share against Kiali-like
 * thresholds, and the caption that says rps, error % and p95. Pure, so the
 * canvas, its tooltip and the tests agree.
 */

export type Health = "healthy" | "degraded" | "failing" | "idle";

export interface HealthThresholds {
  /** Failed share (0..1) from which an edge is degraded (amber); Kiali: 0.1 %. */
  degraded: number;
  /** Failed share (0..1) past which an edge is failing (red); Kiali: 10 %. */
  failing: number;
}

export const DEFAULT_THRESHOLDS: HealthThresholds = { degraded: 0.001, failing: 0.1 };

/** How far back the live window looks. */
export const HEALTH_WINDOW_MS = 10_000;

/** One reading of an edge's cumulative books. */
export interface TallySample {
  atMs: number;
  /** Messages sent (or, for a shared queue's consumer, taken). */
  sent: number;
  /** Messages that ended: delivered + failed + lost. */
  ended: number;
  /** Of those, failed or lost. */
  bad: number;
}

export interface WindowFigures {
  /** Messages sent a second over the window. */
  rps: number;
  /** Failed share of the messages that ended in the window; null when none ended. */
  failedShare: number | null;
  ended: number;
  bad: number;
}

/**
 * Adds a reading and drops the ones older than the window needs (one reading
 * at or before its start is kept as the base). Counters that went back (a new
 * run) start the history again.
 */
export function pushSample(samples: readonly TallySample[], next: TallySample, windowMs = HEALTH_WINDOW_MS): TallySample[] {
  const last = samples.at(-1);
  if (last && (next.sent < last.sent || next.ended < last.ended || next.bad < last.bad || next.atMs < last.atMs)) return [next];
  const all = [...samples, next];
  const from = next.atMs - windowMs;
  let base = 0;
  for (let i = 0; i < all.length; i++) if (all[i].atMs <= from) base = i;
  return all.slice(base);
}

/** The window's rate and failed share, from the oldest kept reading to the newest. */
export function windowFigures(samples: readonly TallySample[]): WindowFigures {
  const first = samples[0];
  const last = samples.at(-1);
  if (!first || !last || last === first) return { rps: 0, failedShare: null, ended: 0, bad: 0 };
  const seconds = (last.atMs - first.atMs) / 1000;
  const ended = last.ended - first.ended;
  const bad = last.bad - first.bad;
  return {
    rps: seconds > 0 ? (last.sent - first.sent) / seconds : 0,
    failedShare: ended > 0 ? Math.min(1, bad / ended) : null,
    ended,
    bad,
  };
}

/**
 * Kiali's rule: a failed share at or past `degraded` is degraded, past
 * `failing` failing, else healthy; nothing ended: idle.
 *
 * @example healthOf(0.05, DEFAULT_THRESHOLDS) // "degraded"
 */
export function healthOf(failedShare: number | null, t: HealthThresholds = DEFAULT_THRESHOLDS): Health {
  if (failedShare === null) return "idle";
  if (failedShare > t.failing) return "failing";
  if (failedShare >= t.degraded && failedShare > 0) return "degraded";
  return "healthy";
}

/** The colour a health paints its edge; null keeps the transport's own. */
export function healthColor(h: Health): string | null {
  return h === "failing" ? "#ef4444" : h === "degraded" ? "#f59e0b" : null;
}

/** "0.1 %", "12 %", "0.05 %". */
export function percentText(share: number): string {
  const p = share * 100;
  if (p === 0) return "0 %";
  if (p >= 10) return `${Math.round(p)} %`;
  if (p >= 1) return `${trim(p.toFixed(1))} %`;
  return `${trim(p.toPrecision(1))} %`;
}

function trim(s: string): string {
  return s.includes(".") ? s.replace(/\.?0+$/, "") : s;
}

/** "12/s", "1.2k/s", "0.5/s". */
export function rateText(rps: number): string {
  if (rps >= 10_000) return `${Math.round(rps / 1000)}k/s`;
  if (rps >= 1000) return `${trim((rps / 1000).toFixed(1))}k/s`;
  if (rps >= 10) return `${Math.round(rps)}/s`;
  if (rps > 0) return `${trim(rps.toFixed(1))}/s`;
  return "0/s";
}

/** "p95 40 ms", "p95 1.2 s". */
export function p95Text(ms: number): string {
  if (ms >= 1000) return `p95 ${trim((ms / 1000).toFixed(1))} s`;
  if (ms >= 10) return `p95 ${Math.round(ms)} ms`;
  return `p95 ${trim(ms.toFixed(1))} ms`;
}

export interface CaptionPart {
  key: "rps" | "err" | "p95";
  text: string;
}

/**
 * The health caption: rate, failed share and p95, short enough for the edge's
 * 128 px pill. The failed share shows once any message in the window failed.
 *
 * @example healthCaption({ rps: 12, failedShare: 0.25, ended: 100, bad: 25 }, 40) // 12/s · 25 % err · p95 40 ms
 */
export function healthCaption(w: WindowFigures, p95Ms: number): CaptionPart[] {
  const parts: CaptionPart[] = [{ key: "rps", text: rateText(w.rps) }];
  if (w.failedShare !== null && w.failedShare > 0) parts.push({ key: "err", text: `${percentText(w.failedShare)} err` });
  if (p95Ms > 0) parts.push({ key: "p95", text: p95Text(p95Ms) });
  return parts;
}

/** The rule in words, for the tooltip. */
export function healthRule(t: HealthThresholds, windowMs = HEALTH_WINDOW_MS): string {
  return (
    `Over the last ${Math.round(windowMs / 1000)} s: failed or lost ≥ ${percentText(t.degraded)} of the messages that ended is degraded (amber), ` +
    `> ${percentText(t.failing)} failing (red), else healthy (the transport's colour).`
  );
}

/** Thresholds as the settings keep them: sane, degraded ≤ failing. Null when they make no sense. */
export function checkThresholds(degraded: number, failing: number): HealthThresholds | null {
  if (!Number.isFinite(degraded) || !Number.isFinite(failing)) return null;
  if (degraded < 0 || failing > 1 || degraded > failing) return null;
  return { degraded, failing };
}

/** The health sentence for an edge's tooltip: its figures, then the rule. */
export function healthSentence(h: Health, w: WindowFigures, t: HealthThresholds): string {
  const head =
    h === "idle"
      ? "No message ended on this edge in the window."
      : `${h[0].toUpperCase()}${h.slice(1)}: ${w.bad} of ${w.ended} messages failed or were lost (${percentText(w.failedShare ?? 0)}).`;
  return `${head} ${healthRule(t)}`;
}

/** The counters a reading needs (EdgeCounters has them). */
export interface BooksLike {
  sent: number;
  delivered: number;
  failed: number;
  lost: number;
  sharedWith: readonly string[];
}

/**
 * One reading of an edge's books. A consumer sharing its queue counts what it
 * took (the queue's sends are every consumer's), as the traffic dots do.
 */
export function sampleOf(c: BooksLike, atMs: number): TallySample {
  const bad = c.failed + c.lost;
  const ended = c.delivered + bad;
  return { atMs, sent: c.sharedWith.length > 0 ? ended : c.sent, ended, bad };
}

/** The whole run's figures, for its summary after Stop. */
export function runFigures(c: BooksLike, durationMs: number): WindowFigures {
  const s = sampleOf(c, 0);
  return { rps: durationMs > 0 ? s.sent / (durationMs / 1000) : 0, failedShare: s.ended > 0 ? Math.min(1, s.bad / s.ended) : null, ended: s.ended, bad: s.bad };
}
