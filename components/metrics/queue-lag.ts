/**
 * A queue's lag in words for the metrics panel (issue 10: "consumer lag in
 * messages and in seconds, time to drain", as NATS and Kafka UIs show it):
 * the measured age of its oldest waiting job, and whether it is draining —
 * with the server's estimate of when it will be empty — or filling.
 */
import { formatMs } from "@/components/ui/format";
import { lastValue, type MetricsWindow, valuesOf } from "./metrics-window";
import { shortNumber } from "./chart-specs";

/** Seconds of in/out the net rate is read over (the server's drain estimate uses the same). */
const RATE_WINDOW = 10;

/** Lag and drain times are seconds-coarse: `0.4 s`, `3.2 s`, `11 s`, `2 min 5 s`. */
function secondsText(seconds: number): string {
  if (seconds >= 60) return formatMs(seconds * 1000);
  if (seconds >= 10) return `${Math.round(seconds)} s`;
  return `${seconds.toFixed(1).replace(/\.0$/, "")} s`;
}

export function queueLagText(win: MetricsWindow, channel: string): string | null {
  if (win.times.length === 0) return null;
  const waiting = lastValue(win, "queue", channel, "waiting") + lastValue(win, "queue", channel, "delayed");
  if (waiting === 0) return "nothing waiting";
  const lag = `${shortNumber(waiting)} waiting, oldest ${secondsText(lastValue(win, "queue", channel, "lag_s"))}`;
  const drain = lastValue(win, "queue", channel, "drain_s");
  if (drain > 0) return `${lag} · drains in ~${secondsText(drain)} at this rate`;
  const recent = (metric: string) => valuesOf(win, "queue", channel, metric).slice(-RATE_WINDOW);
  const inRate = recent("in").reduce((a, b) => a + b, 0);
  const outRate = recent("out").reduce((a, b) => a + b, 0);
  const seconds = Math.max(1, recent("in").length);
  const growth = (inRate - outRate) / seconds;
  return growth > 0 ? `${lag} · filling at +${shortNumber(growth)}/s` : `${lag} · not draining`;
}
