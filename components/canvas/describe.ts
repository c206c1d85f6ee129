/** One-line summaries of a node's settings, for the node card and lists. */
import { Distribution, type Node, TrafficPattern } from "@/lib/gen/ipcplay/v1/topology_pb";
import { formatBytes, formatMs, formatPercent, formatRate } from "@/components/ui/format";

export function describeWork(node: Node): string {
  const b = node.behavior;
  if (!b) return "instant";
  const w = b.workTime;
  let work = "instant";
  if (w) {
    switch (w.distribution) {
      case Distribution.UNIFORM:
        work = w.maxMs < 1000 ? `${formatMs(w.minMs).replace(/ ms$/, "")}–${formatMs(w.maxMs)}` : `${formatMs(w.minMs)}–${formatMs(w.maxMs)}`;
        break;
      case Distribution.NORMAL:
        work = `~${formatMs(w.meanMs)} ±${formatMs(w.stddevMs)}`;
        break;
      case Distribution.EXPONENTIAL:
        work = `~${formatMs(w.meanMs)} exp`;
        break;
      default:
        work = formatMs(w.meanMs);
    }
  }
  return `${work} work · ${formatPercent(b.errorRate)} errors`;
}

export function describeTraffic(node: Node): string {
  const t = node.traffic;
  if (!t || t.ratePerSecond === 0) return "on demand only";
  const pattern =
    t.pattern === TrafficPattern.BURST
      ? "bursts"
      : t.pattern === TrafficPattern.RAMP
        ? "ramp"
        : t.pattern === TrafficPattern.POISSON
          ? "random"
          : "steady";
  return `${formatRate(t.ratePerSecond)} ${pattern} · ${formatBytes(t.payloadBytes)}`;
}
