/**
 * What the charts mark on their time axis: the run's faults (RunInfo.faults and
 * past_faults) as shaded bands with their kind, and live edits as lines.
 */
import type { ActiveFault } from "@/lib/gen/ipcplay/v1/playground_pb";
import { faultTone, kindWord } from "@/components/faults/fault-kinds";
import type { FaultTarget } from "@/components/faults/fault-kinds";

export interface Band {
  startMs: number;
  endMs: number;
  /** "kill worker-b" */
  label: string;
  tone: "red" | "amber";
  /** On the chart's own subject (drawn stronger). */
  own: boolean;
  /** Still going. */
  open: boolean;
}

/**
 * One band per fault, oldest first. A fault still going ends at `nowMs` (or
 * at its own end when it clears itself sooner); one with no end in the past
 * list ends at `nowMs` too.
 */
export function faultBands(
  faults: readonly ActiveFault[],
  past: readonly ActiveFault[],
  nowMs: number,
  subject: { nodeId?: string; edgeId?: string },
  targetOf: (f: { nodeId: string; edgeId: string }) => FaultTarget | undefined = () => undefined,
): Band[] {
  const bands: Band[] = [];
  const add = (a: ActiveFault, open: boolean) => {
    const f = a.fault;
    if (!f || !a.startedUnixMs) return;
    const end = a.endsUnixMs > 0 ? (open ? Math.min(a.endsUnixMs, nowMs) : a.endsUnixMs) : nowMs;
    const who = f.nodeId || f.edgeId;
    bands.push({
      startMs: a.startedUnixMs,
      endMs: Math.max(end, a.startedUnixMs),
      label: `${kindWord(f.kind, targetOf(f))} ${who}`,
      tone: faultTone(f.kind),
      own: (!!subject.nodeId && f.nodeId === subject.nodeId) || (!!subject.edgeId && f.edgeId === subject.edgeId),
      open,
    });
  };
  for (const a of past) add(a, false);
  for (const a of faults) add(a, true);
  return bands.sort((x, y) => x.startMs - y.startMs);
}
