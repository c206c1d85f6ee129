/**
 * A client's automatic traffic: how many messages should have gone out after
 * t seconds (pure, per pattern), and a ticker that sends the difference. Working
 * from the cumulative count keeps the average rate exact despite timer jitter.
 */
import { TrafficPattern, type Traffic } from "@/lib/gen/ipcplay/v1/topology_pb";

/** How often the generator catches up with the schedule. */
const TRAFFIC_TICK_MS = 20;

/**
 * Messages due by `elapsedS` seconds after the start.
 * - CONSTANT: rate·t, evenly spaced.
 * - BURST: burstSize at t = 0, then another burst every burstSize/rate seconds.
 * - RAMP: the rate grows linearly from 0 to `rate` over rampSeconds, then stays.
 * - POISSON is random, not a function of time: see startPoisson (here, its mean).
 */
export function messagesDue(traffic: Traffic, elapsedS: number): number {
  const rate = traffic.ratePerSecond;
  if (!(rate > 0) || elapsedS < 0) return 0;
  switch (traffic.pattern) {
    case TrafficPattern.BURST: {
      const size = Math.max(1, traffic.burstSize);
      return size * (Math.floor((elapsedS * rate) / size) + 1);
    }
    case TrafficPattern.RAMP: {
      const ramp = traffic.rampSeconds;
      if (!(ramp > 0)) return Math.floor(rate * elapsedS);
      if (elapsedS <= ramp) return Math.floor((rate * elapsedS * elapsedS) / (2 * ramp));
      return Math.floor((rate * ramp) / 2 + rate * (elapsedS - ramp));
    }
    case TrafficPattern.CONSTANT:
    case TrafficPattern.UNSPECIFIED:
    default:
      return Math.floor(rate * elapsedS);
  }
}

/** A gap between two arrivals of a Poisson process of `ratePerSecond`, in ms (exponentially distributed). */
export function poissonGapMs(ratePerSecond: number, random: () => number = Math.random): number {
  // 1 − random() is in (0, 1]: the logarithm is finite.
  return (-Math.log(1 - random()) / ratePerSecond) * 1000;
}

/**
 * POISSON: one timer to the next arrival; when it fires, every arrival due by
 * then goes out (at high rates several share a timer tick, as they would share
 * a scheduler tick anywhere).
 */
function startPoisson(ratePerSecond: number, send: (count: number) => void, random: () => number): () => void {
  let next = performance.now() + poissonGapMs(ratePerSecond, random);
  let timer: NodeJS.Timeout;
  const fire = () => {
    const now = performance.now();
    let due = 0;
    while (next <= now) {
      due++;
      next += poissonGapMs(ratePerSecond, random);
    }
    if (due > 0) send(due);
    timer = setTimeout(fire, Math.max(0, next - performance.now()));
  };
  timer = setTimeout(fire, Math.max(0, next - performance.now()));
  return () => clearTimeout(timer);
}

/**
 * Calls `send(n)` whenever n more messages are due; returns the stop function.
 * Does nothing (and returns a no-op) when the rate is 0: such clients send only
 * on demand (SendMessage).
 */
export function startTraffic(traffic: Traffic | undefined, send: (count: number) => void, random: () => number = Math.random): () => void {
  if (!traffic || !(traffic.ratePerSecond > 0)) return () => {};
  if (traffic.pattern === TrafficPattern.POISSON) return startPoisson(traffic.ratePerSecond, send, random);
  const startedAt = performance.now();
  let sent = 0;
  const tick = () => {
    const due = messagesDue(traffic, (performance.now() - startedAt) / 1000);
    if (due > sent) {
      send(due - sent);
      sent = due;
    }
  };
  tick();
  const timer = setInterval(tick, TRAFFIC_TICK_MS);
  return () => clearInterval(timer);
}
