"use client";

import { ArrowRight } from "lucide-react";
import { useDocumentStore } from "@/components/state/document-store";
import { useRunStore } from "@/components/state/run-store";
import { Transport } from "@/lib/gen/ipcplay/v1/topology_pb";
import { formatCount, formatMs } from "@/components/ui/format";
import { transportStyle } from "@/components/ui/transport-style";
import { TransportLine } from "@/components/canvas/TransportLine";

export function SummaryTable() {
  const summary = useRunStore((s) => s.summary);
  const edges = useDocumentStore((s) => s.edges);
  if (!summary) {
    return <div className="flex h-full items-center justify-center text-xs text-zinc-500">Stop a run to see what every edge sent, delivered and lost.</div>;
  }
  const byId = new Map(edges.map((e) => [e.id, e.data.edge]));
  const num = "tabular px-3 py-2 text-right";
  return (
    <div className="h-full overflow-auto" data-testid="summary">
      <div className="flex items-center gap-4 px-3 py-2 text-2xs text-zinc-500">
        <span>
          Ran for <span className="tabular font-medium text-zinc-800">{formatMs(summary.durationMs)}</span>
        </span>
        <span>
          <span className="tabular font-medium text-zinc-800">{formatCount(summary.traces)}</span> traces kept
          {summary.sampling && summary.sampling.started > 0 && (
            <span data-testid="summary-sampling">
              {" "}
              · {formatCount(summary.sampling.started)} messages started, {formatCount(summary.sampling.sampled)} traced in full,{" "}
              {formatCount(summary.sampling.kept)} kept for failing or being slow
            </span>
          )}
        </span>
        <span className="ml-auto">
          Latency: every send over the whole run, as its caller waited (queue and pub/sub: the hand-off). Wait: hand-off → consumer start
        </span>
      </div>
      <table className="w-full max-w-[1100px] border-t border-zinc-100 text-xs">
        <thead className="text-2xs text-zinc-400">
          <tr className="border-b border-zinc-100">
            <th className="px-3 py-1.5 text-left font-medium">Edge</th>
            <th className="px-3 py-1.5 text-right font-medium">Sent</th>
            <th className="px-3 py-1.5 text-right font-medium">Delivered</th>
            <th className="px-3 py-1.5 text-right font-medium">Failed</th>
            <th className="px-3 py-1.5 text-right font-medium">Lost</th>
            <th className="px-3 py-1.5 text-right font-medium">Dead-lettered</th>
            <th className="px-3 py-1.5 text-right font-medium" title="Refused by an overloaded service (its waiting work was full)">Shed</th>
            <th className="px-3 py-1.5 text-right font-medium">p50</th>
            <th className="px-3 py-1.5 text-right font-medium">p95</th>
            <th className="px-3 py-1.5 text-right font-medium">p99</th>
            <th className="px-3 py-1.5 text-right font-medium" title="Queue and pub/sub: from the hand-off to the consumer starting on it">Wait p50</th>
            <th className="px-3 py-1.5 text-right font-medium">Wait p99</th>
          </tr>
        </thead>
        <tbody>
          {summary.edges.map((c) => {
            const e = byId.get(c.edgeId);
            const async = e?.transport === Transport.QUEUE || e?.transport === Transport.PUBSUB;
            const waited = async && c.delivered > 0;
            return (
              <tr key={c.edgeId} className="border-b border-zinc-50 hover:bg-zinc-50" data-testid="summary-row" data-edge={c.edgeId} data-transport={e ? transportStyle(e.transport).short.toLowerCase().replace(/[^a-z]/g, "") : undefined}>
                <td className="px-3 py-2">
                  <span className="flex items-center gap-2">
                    {e && <TransportLine transport={e.transport} width={18} />}
                    {e ? (
                      <span className="flex items-center gap-1 font-medium text-zinc-800">
                        {e.source} <ArrowRight className="size-3 text-zinc-400" /> {e.target}
                      </span>
                    ) : (
                      <span className="font-mono text-zinc-700">{c.edgeId}</span>
                    )}
                    {e && <span className="text-2xs" style={{ color: transportStyle(e.transport).color }}>{transportStyle(e.transport).short}</span>}
                  </span>
                </td>
                <td className={num}>{formatCount(c.sent)}</td>
                <td className={num} data-testid="summary-delivered">
                  {formatCount(c.delivered)}
                </td>
                <td className={`${num} ${c.failed ? "text-red-600" : ""}`}>{formatCount(c.failed)}</td>
                <td className={`${num} ${c.lost ? "text-red-600" : "text-zinc-400"}`}>{formatCount(c.lost)}</td>
                <td className={`${num} ${c.deadLettered ? "text-red-600" : "text-zinc-400"}`}>{formatCount(c.deadLettered)}</td>
                <td className={`${num} ${c.shed ? "text-red-600" : "text-zinc-400"}`}>{formatCount(c.shed)}</td>
                <td className={num}>{c.sent > 0 ? formatMs(c.p50Ms) : "—"}</td>
                <td className={num}>{c.sent > 0 ? formatMs(c.p95Ms) : "—"}</td>
                <td className={num}>{c.sent > 0 ? formatMs(c.p99Ms) : "—"}</td>
                <td className={num} data-testid="summary-wait-p50">{waited ? formatMs(c.waitP50Ms) : "—"}</td>
                <td className={num}>{waited ? formatMs(c.waitP99Ms) : "—"}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
