/**
 * Frame times of a page as the user feels them: the gaps between
 * requestAnimationFrame callbacks, recorded inside the page. A frame the
 * main thread was too busy to paint shows up as one long gap, which is what
 * a stutter is. Reusable from any Playwright script or benchmark:
 *
 *   const frames = await measureFrames(page, 10);
 *   console.log(frames.p50Ms, frames.p95Ms, frames.maxMs);
 */
import type { Page } from "@playwright/test";
import { percentile } from "@/lib/metrics/percentile";

export interface FrameStats {
  /** Frames painted in the window. */
  frames: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** Frames longer than 50 ms (a visible hitch). */
  longFrames: number;
}

/** Summarises rAF deltas (milliseconds) into the figures above. */
export function frameStats(deltas: readonly number[]): FrameStats {
  const sorted = [...deltas].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    frames: sorted.length,
    p50Ms: round(percentile(sorted, 50)),
    p95Ms: round(percentile(sorted, 95)),
    maxMs: round(sorted.at(-1) ?? 0),
    longFrames: sorted.filter((d) => d > 50).length,
  };
}

/**
 * The in-page recorder, as source text: tsx and esbuild wrap named functions
 * in a `__name` helper that does not exist in the page, so a closure passed to
 * page.evaluate would fail under them.
 */
const RECORDER = `(ms) => new Promise((resolve) => {
  const out = [];
  let last = 0;
  let end = 0;
  function tick(now) {
    out.push(now - last);
    last = now;
    if (now < end) requestAnimationFrame(tick);
    else resolve(out);
  }
  requestAnimationFrame(function first(now) {
    last = now;
    end = now + ms;
    requestAnimationFrame(tick);
  });
})`;

/** Records rAF deltas in the page for `seconds` and returns their percentiles. */
export async function measureFrames(page: Page, seconds: number): Promise<FrameStats> {
  const deltas = (await page.evaluate(`(${RECORDER})(${Math.round(seconds * 1000)})`)) as number[];
  return frameStats(deltas);
}
