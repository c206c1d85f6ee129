import {
  CircleDashed,
  Copy,
  Gauge,
  Hourglass,
  Pause,
  Power,
  RefreshCw,
  Skull,
  TriangleAlert,
  Unplug,
  Zap,
  ZapOff,
} from "lucide-react";
import { FaultKind } from "@/lib/gen/ipcplay/v1/topology_pb";
import type { FaultBadge } from "./fault-spec";

/**
 * A fault's icon, drawn (the text glyphs of fault-spec are for plain text:
 * not every font on every machine has ⏸ or ◌).
 */
export function FaultIcon({ badge, className = "size-3" }: { badge: FaultBadge; className?: string }) {
  const props = { className: `shrink-0 ${className}`, "aria-hidden": true, strokeWidth: 2.25 } as const;
  switch (badge.kind) {
    case FaultKind.KILL:
      return <Power {...props} />;
    case FaultKind.PAUSE:
      return <Pause {...props} />;
    case FaultKind.CRASH_LOOP:
      return <RefreshCw {...props} />;
    case FaultKind.LATENCY:
      return <Zap {...props} />;
    case FaultKind.ERRORS:
      return badge.icon === "☠" ? <Skull {...props} /> : <TriangleAlert {...props} />;
    case FaultKind.PARTITION:
    case FaultKind.DISCONNECT:
      return <Unplug {...props} />;
    case FaultKind.BLACKHOLE:
      return <CircleDashed {...props} />;
    case FaultKind.BANDWIDTH:
      return <Gauge {...props} />;
    case FaultKind.RESET:
      return <ZapOff {...props} />;
    case FaultKind.SLOW_CONSUMER:
      return <Hourglass {...props} />;
    case FaultKind.DUPLICATE:
      return <Copy {...props} />;
    default:
      return <TriangleAlert {...props} />;
  }
}
