import type { Transport } from "@/lib/gen/ipcplay/v1/topology_pb";
import { transportStyle } from "@/components/ui/transport-style";

/** A short sample of a transport's line, for the legend and the picker. */
export function TransportLine({ transport, width = 28 }: { transport: Transport; width?: number }) {
  const s = transportStyle(transport);
  return (
    <svg width={width} height="8" viewBox={`0 0 ${width} 8`} aria-hidden className="shrink-0">
      <line x1="2" y1="4" x2={width - 2} y2="4" stroke={s.color} strokeWidth="2" strokeDasharray={s.dash} strokeLinecap="round" />
    </svg>
  );
}
