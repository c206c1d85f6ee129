"use client";

import clsx from "clsx";
import { FaultKind } from "@/lib/gen/ipcplay/v1/topology_pb";
import { Tooltip } from "@/components/ui/Tooltip";
import { type FaultTarget, faultBadge, timeLeft } from "./fault-spec";
import { FaultIcon } from "./FaultIcon";
import { useFaultsOn, useNow } from "./FaultsSection";

/**
 * The faults in force on a node or an edge as small chips ("⚡ 300 ms",
 * "✕ partition"), each with a tooltip that says what it does and when it
 * clears. Nothing when there are none.
 */
export function FaultBadges({ ids, target, testId }: { ids: { nodeId?: string; edgeId?: string }; target: FaultTarget; testId: string }) {
  const faults = useFaultsOn(ids);
  if (faults.length === 0) return null;
  return <Chips faults={faults} target={target} testId={testId} />;
}

function Chips({ faults, target, testId }: { faults: ReturnType<typeof useFaultsOn>; target: FaultTarget; testId: string }) {
  const now = useNow();
  return (
    <div className="flex max-w-40 flex-wrap items-center justify-center gap-1" data-testid={testId}>
      {faults.map((a, i) => {
        const b = faultBadge(a.fault!, target);
        const when = timeLeft(a.endsUnixMs, now);
        const words = `Fault: ${b.sentence} ${when.charAt(0).toUpperCase()}${when.slice(1)}.`;
        return (
          <Tooltip key={`${a.fault!.kind}-${i}`} content={words}>
            <span
              role="img"
              aria-label={words}
              tabIndex={0}
              data-testid="fault-badge"
              data-kind={FaultKind[b.kind].toLowerCase()}
              className={clsx(
                "tabular inline-flex h-5 items-center gap-1 rounded-full border px-1.5 text-[10px] leading-none font-semibold whitespace-nowrap shadow-xs",
                "focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-blue-500",
                b.tone === "red" ? "border-red-300 bg-red-50 text-red-700" : "border-amber-300 bg-amber-50 text-amber-800",
              )}
            >
              <FaultIcon badge={b} />
              <span aria-hidden>{b.text}</span>
            </span>
          </Tooltip>
        );
      })}
    </div>
  );
}
