"use client";

import clsx from "clsx";
import { ArrowRight, Users } from "lucide-react";
import { useDocumentStore } from "@/components/state/document-store";
import { useRunStore } from "@/components/state/run-store";
import type { EdgeCounters, SharedChannel } from "@/lib/gen/ipcplay/v1/playground_pb";
import { type Edge, Transport } from "@/lib/gen/ipcplay/v1/topology_pb";
import { formatCount, formatMs } from "@/components/ui/format";
import { transportStyle } from "@/components/ui/transport-style";
import { TransportLine } from "@/components/canvas/TransportLine";
import { type Books, breakdownText, outcomeText, summaryRows, timing, tookOf } from "./books-text";

const NUM = "tabular px-2.5 py-2 text-right align-top whitespace-nowrap";
const HEAD = "px-2.5 py-1.5 text-right font-medium whitespace-nowrap";

export function SummaryTable() {
  const summary = useRunStore((s) => s.summary);
  const edges = useDocumentStore((s) => s.edges);
  if (!summary) {
    return <div className="flex h-full items-center justify-center text-xs text-zinc-500">Stop a run to see what every edge sent, delivered and lost.</div>;
  }
  const byId = new Map(edges.map((e) => [e.id, e.data.edge]));
  const e2e = summary.endToEnd && summary.endToEnd.traces > 0 ? summary.endToEnd : null;
  return (
    <div className="h-full overflow-auto" data-testid="summary">
      <div className="flex flex-wrap items-center gap-x-4 gap-y-1 px-3 py-2 text-2xs text-zinc-500">
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
        {e2e && (
          <span data-testid="summary-end-to-end" title="From a message's first span to its last, over the traces sampled in full (not those kept for failing or being slow)">
            End to end <span className="tabular font-medium text-zinc-800">p50 {formatMs(e2e.p50Ms)}</span> ·{" "}
            <span className="tabular font-medium text-zinc-800">p95 {formatMs(e2e.p95Ms)}</span> ·{" "}
            <span className="tabular font-medium text-zinc-800">p99 {formatMs(e2e.p99Ms)}</span> over {formatCount(e2e.traces)}{" "}
            {e2e.traces === 1 ? "trace" : "traces"}
          </span>
        )}
      </div>
      <table className="w-full max-w-[1280px] border-t border-zinc-100 text-xs">
        <thead className="text-2xs text-zinc-400">
          <tr className="border-b border-zinc-100">
            <th className="px-3 py-1.5 text-left font-medium">Edge</th>
            <th className={HEAD} title="Messages handed to the transport. A consumer sharing a queue: how many of the queue's it took">
              Sent
            </th>
            <th className={HEAD} title="Ended well: a call answered OK, a job completed (once, whatever its attempts), a subscriber processed it">
              Delivered
            </th>
            <th className={HEAD}>Failed</th>
            <th className={HEAD} title="Ended where nobody saw an end: no subscriber, a process died holding it, cut from a stream">
              Lost
            </th>
            <th className={HEAD} title="Sent and not ended when the run stopped; queued: of those, waiting in the broker">
              In flight at stop
            </th>
            <th className={HEAD} title="Extra attempts (not messages)">
              Retries
            </th>
            <th className={HEAD} title="Every send over the whole run, as its sender waited: a call's reply, a queue's or topic's hand-off to the broker">
              p50
            </th>
            <th className={HEAD}>p95</th>
            <th className={HEAD}>p99</th>
            <th className={HEAD} title="Queue and pub/sub: from the hand-off to the consumer starting on it">
              Wait p50
            </th>
            <th className={HEAD}>Wait p99</th>
            <th className={HEAD} title="The target's time on a message, its own calls included">
              Work p50
            </th>
            <th className={HEAD}>Work p99</th>
          </tr>
        </thead>
        <tbody>
          {summaryRows(summary.edges, summary.channels).map((row) =>
            row.kind === "channel" ? (
              <ChannelRow key={`channel-${row.channel.channel}`} channel={row.channel} />
            ) : (
              <EdgeRow key={row.counters.edgeId} c={row.counters} edge={byId.get(row.counters.edgeId)} channel={row.channel} />
            ),
          )}
        </tbody>
      </table>
      <p className="px-3 py-2 text-2xs text-zinc-400">
        Every row adds up: sent = delivered + failed + lost + in flight.
        {summary.channels.length > 0 && " A consumer sharing a queue took part of the queue's messages; the queue's row holds its books."}
      </p>
    </div>
  );
}

/** Failed, Lost and In flight cells, the same for an edge and a shared channel. */
function EndCells({ b, inFlight = true }: { b: Books; inFlight?: boolean }) {
  return (
    <>
      <td className={NUM} data-testid="summary-delivered">
        {formatCount(b.delivered)}
      </td>
      <td className={clsx(NUM, b.failed ? "text-red-600" : "text-zinc-400")} data-testid="summary-failed" title={outcomeText(b.failedBy) || undefined}>
        {formatCount(b.failed)}
      </td>
      <td className={clsx(NUM, b.lost ? "text-red-600" : "text-zinc-400")} data-testid="summary-lost" title={outcomeText(b.lostBy) || undefined}>
        {formatCount(b.lost)}
      </td>
      {inFlight ? (
        <td className={clsx(NUM, b.inFlight ? "text-amber-700" : "text-zinc-400")} data-testid="summary-in-flight">
          {formatCount(b.inFlight)}
          {b.queued > 0 && (
            <span className="ml-1 text-2xs text-zinc-500" data-testid="summary-queued">
              ({formatCount(b.queued)} queued)
            </span>
          )}
        </td>
      ) : (
        <td className={clsx(NUM, "text-zinc-300")} title="The queue's, counted once on its row">
          —
        </td>
      )}
    </>
  );
}

/** The named outcomes under an edge's or a channel's name: "timed out 3 · unreachable 2". */
function Breakdown({ b }: { b: Books }) {
  const text = breakdownText(b);
  if (!text) return null;
  return (
    <div className="mt-0.5 text-2xs text-red-600/80" data-testid="summary-outcomes">
      {text}
    </div>
  );
}

function EdgeRow({ c, edge, channel }: { c: EdgeCounters; edge: Edge | undefined; channel: SharedChannel | undefined }) {
  const style = edge ? transportStyle(edge.transport) : null;
  const async = edge?.transport === Transport.QUEUE || edge?.transport === Transport.PUBSUB;
  const shared = c.sharedWith.length > 0;
  const ms = (v: number, show = true) => {
    const t = show ? timing(v) : null;
    return t === null ? <span className="text-zinc-300">—</span> : formatMs(t);
  };
  return (
    <tr
      className="border-b border-zinc-50 hover:bg-zinc-50"
      data-testid="summary-row"
      data-edge={c.edgeId}
      data-shared={shared ? "true" : undefined}
      data-transport={style ? style.short.toLowerCase().replace(/[^a-z]/g, "") : undefined}
    >
      <td className={clsx("py-2 pr-3 align-top", channel ? "pl-7" : "pl-3")}>
        <span className="flex items-center gap-2">
          {edge && <TransportLine transport={edge.transport} width={18} />}
          {edge ? (
            <span className="flex items-center gap-1 font-medium whitespace-nowrap text-zinc-800">
              {edge.source} <ArrowRight className="size-3 text-zinc-400" /> {edge.target}
            </span>
          ) : (
            <span className="font-mono text-zinc-700">{c.edgeId}</span>
          )}
          {style && (
            <span className="text-2xs" style={{ color: style.color }}>
              {style.short}
            </span>
          )}
        </span>
        <Breakdown b={c} />
      </td>
      {shared ? (
        <td className={NUM} data-testid="summary-took" title={`This consumer took ${formatCount(tookOf(c))} of the ${formatCount(c.sent)} messages sent to the queue`}>
          <span className="text-2xs text-zinc-500">took</span> {formatCount(tookOf(c))} <span className="text-2xs text-zinc-500">of</span>{" "}
          {formatCount(c.sent)}
        </td>
      ) : (
        <td className={NUM} data-testid="summary-sent">
          {formatCount(c.sent)}
        </td>
      )}
      <EndCells b={c} inFlight={!shared} />
      <td className={clsx(NUM, c.retries ? "" : "text-zinc-400")} data-testid="summary-retries">
        {formatCount(c.retries)}
      </td>
      <td className={NUM}>{ms(c.p50Ms, c.sent > 0)}</td>
      <td className={NUM}>{ms(c.p95Ms, c.sent > 0)}</td>
      <td className={NUM}>{ms(c.p99Ms, c.sent > 0)}</td>
      <td className={NUM} data-testid="summary-wait-p50">
        {ms(c.waitP50Ms, async)}
      </td>
      <td className={NUM}>{ms(c.waitP99Ms, async)}</td>
      <td className={NUM}>{ms(c.workP50Ms)}</td>
      <td className={NUM}>{ms(c.workP99Ms)}</td>
    </tr>
  );
}

function ChannelRow({ channel }: { channel: SharedChannel }) {
  const style = transportStyle(Transport.QUEUE);
  return (
    <tr className="border-b border-zinc-50" style={{ background: style.tint }} data-testid="summary-channel" data-channel={channel.channel}>
      <td className="py-2 pr-3 pl-3 align-top">
        <span className="flex items-center gap-2">
          <Users className="size-3.5 shrink-0" style={{ color: style.color }} />
          <span className="font-medium whitespace-nowrap text-zinc-800">
            queue <span className="font-mono">&quot;{channel.channel}&quot;</span>
          </span>
          <span className="text-2xs whitespace-nowrap text-zinc-500">
            {channel.edgeIds.length} consumers{channel.sourceNodeId && `, from ${channel.sourceNodeId}`}
          </span>
        </span>
        <Breakdown b={channel} />
      </td>
      <td className={NUM} data-testid="summary-sent">
        {formatCount(channel.sent)}
      </td>
      <EndCells b={channel} />
      <td className={clsx(NUM, "text-zinc-300")} colSpan={8} />
    </tr>
  );
}
