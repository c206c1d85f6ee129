/**
 * Words of the trace list: the sampling note and the "N newer" count. Pure,
 * so the wording is tested without a browser.
 */
import type { TraceSummary } from "@/lib/gen/ipcplay/v1/playground_pb";
import { formatCount } from "@/components/ui/format";
import { LIMITS } from "@/lib/topology/limits";

/** The TraceSampling numbers the note uses. */
export interface SamplingView {
  oneIn: number;
  started: number;
  sampled: number;
  kept: number;
  budgetPerSecond: number;
  droppedSpans: number;
  /** Older traces the server let go to stay within its bounds. */
  evictedTraces: number;
}

export interface SamplingText {
  headline: string;
  /** Quieter words after the headline; empty when there is nothing to add. */
  tail: string;
  /** A line of its own when the server has dropped older traces; empty otherwise. */
  evicted: string;
  /** For the tooltip, one fact a line. */
  details: string[];
}

/**
 * What the list is, said plainly. Null when the server has not said how it
 * samples and no trace has left the list (nothing worth a line).
 *
 * @example samplingText({ oneIn: 8, ... }, 0).headline // "Showing 1 in 8 traces · failed and slow ones always kept"
 */
export function samplingText(sampling: SamplingView | null, tracesLeft: number): SamplingText | null {
  const left = tracesLeft > 0 ? "older traces leave the list" : "";
  if (!sampling) {
    return left ? { headline: "Newest traces", tail: left, evicted: "", details: [`${formatCount(tracesLeft)} older traces have left the list`] } : null;
  }
  const headline =
    sampling.oneIn > 1 ? `Showing 1 in ${formatCount(sampling.oneIn)} traces · failed and slow ones always kept` : "Every trace shown";
  const lines = [
    `${formatCount(sampling.started)} traces started`,
    `${formatCount(sampling.sampled)} traced in full by the sampler`,
    `${formatCount(sampling.kept)} kept because they failed or were slow`,
  ];
  if (sampling.budgetPerSecond > 0) lines.push(`Budget: ${formatCount(sampling.budgetPerSecond)} traces a second, then 1 in N`);
  if (sampling.droppedSpans > 0) lines.push(`${formatCount(sampling.droppedSpans)} spans over the server's bounds were not kept`);
  if (tracesLeft > 0) lines.push(`${formatCount(tracesLeft)} older traces have left this list`);
  const evicted = sampling.evictedTraces > 0 ? evictedText(sampling.evictedTraces) : "";
  if (evicted) {
    lines.push(
      `${formatCount(sampling.evictedTraces)} older traces dropped by the server, which keeps at most ${formatCount(LIMITS.maxTracesPerRun)} traces and ${formatCount(LIMITS.maxSpansPerRun)} spans a run`,
    );
  }
  return { headline, tail: left, evicted, details: lines };
}

/**
 * The server's trace store is a ring: past its bound the oldest traces go.
 *
 * @example evictedText(1234) // "Older traces dropped: the server keeps at most a run's newest 2,000 (1,234 dropped)"
 */
export function evictedText(evictedTraces: number): string {
  return `Older traces dropped: the server keeps at most a run's newest ${formatCount(LIMITS.maxTracesPerRun)} (${formatCount(evictedTraces)} dropped)`;
}

/**
 * How many traces of `live` are newer than the newest of `held` (both newest
 * first), as a label: "12 newer", or "500+ newer" when the held ones have all
 * left the bounded list and the true count is unknown.
 */
export function newerThan(live: readonly TraceSummary[], held: readonly TraceSummary[]): { count: number; label: string } {
  const top = held[0]?.startUnixMs;
  const i = top === undefined ? -1 : live.findIndex((t) => t.startUnixMs <= top);
  if (i !== -1) return { count: i, label: `${formatCount(i)} newer` };
  // Nothing held (the list was empty) is exact; a held top that left the list is a lower bound.
  return { count: live.length, label: `${formatCount(live.length)}${held.length ? "+" : ""} newer` };
}
