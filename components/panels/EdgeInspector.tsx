"use client";

import clsx from "clsx";
import { ArrowRight, ChartNoAxesColumn, Trash2, Users } from "lucide-react";
import { create } from "@bufbuild/protobuf";
import { useId } from "react";
import {
  ConnectProtocol,
  ConnectSettingsSchema,
  Delivery,
  type Edge,
  PubSubSettingsSchema,
  QueueSettingsSchema,
  RestSettingsSchema,
  Transport,
} from "@/lib/gen/ipcplay/v1/topology_pb";
import { CHANNEL_PATTERN, CHANNEL_RULE, defaultSettings } from "@/lib/topology";
import { DEFAULTS, LIMITS } from "@/lib/topology/limits";
import { useDocumentStore } from "@/components/state/document-store";
import { useRunStore } from "@/components/state/run-store";
import { focusEdge } from "@/components/state/edge-focus";
import { DeadLetters } from "./DeadLetters";
import { Button } from "@/components/ui/Button";
import { NumberField, Section, Segmented, SelectField, TextField, ToggleField } from "@/components/ui/fields";
import { formatCount, formatMs, formatRate } from "@/components/ui/format";
import { TRANSPORT_ORDER, TRANSPORT_STYLES, transportStyle } from "@/components/ui/transport-style";
import { TransportLine } from "@/components/canvas/TransportLine";
import { channelsOf, protocolLabel, sharingChannel } from "@/components/canvas/edge-text";
import { BreakerState, type EdgeCounters, type SharedChannel } from "@/lib/gen/ipcplay/v1/playground_pb";
import { channelOf, isShared, type LedgerLine, ledgerLines, shareLines, sharedSentence, timingStats } from "./books-text";
import { Stat } from "./NodeInspector";
import { FaultsSection } from "@/components/faults/FaultsSection";
import { EdgeSparklines } from "@/components/metrics/Sparklines";
import { breakerOfSettings, breakerStateLabel, resilienceLines } from "@/components/faults/breaker-text";
import { BreakerGlyph } from "@/components/faults/BreakerGlyph";
import { NotAppliedMark } from "@/components/state/LiveEditStatus";
import { useProblems } from "@/components/state/problems";
import { fieldProblem } from "./field-problem";
import { CircuitBreakerSchema } from "@/lib/gen/ipcplay/v1/topology_pb";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
const PROTOCOLS = [ConnectProtocol.CONNECT, ConnectProtocol.GRPC, ConnectProtocol.GRPC_WEB] as const;
const DELIVERY_HINT: Record<Delivery.AT_MOST_ONCE | Delivery.DURABLE, string> = {
  [Delivery.AT_MOST_ONCE]: "Redis Pub/Sub — a subscriber that is down misses messages.",
  [Delivery.DURABLE]: "Redis Streams — acknowledged after processing.",
};

const NO_CHANNELS: readonly SharedChannel[] = [];

type Settings<C extends NonNullable<Edge["settings"]["case"]>> = Extract<Edge["settings"], { case: C }>["value"];

function channelError(channel: string): string | null {
  if (channel === "") return "Needs a name";
  return CHANNEL_PATTERN.test(channel) ? null : CHANNEL_RULE.replace(/^use/, "Use");
}

export function EdgeInspector({ edge, locked }: { edge: Edge; locked: boolean }) {
  const updateEdge = useDocumentStore((s) => s.updateEdge);
  const deleteSelection = useDocumentStore((s) => s.deleteSelection);
  const labels = useDocumentStore((s) => {
    const find = (id: string) => s.nodes.find((n) => n.id === id)?.data.node.label || id;
    return `${find(edge.source)}\u0000${find(edge.target)}`;
  }).split("\u0000");
  const allEdges = useDocumentStore((s) => s.edges);
  // After Stop the summary holds the books as the run ended (and its latencies over the whole run).
  const final = useRunStore((s) => s.summary?.edges.find((c) => c.edgeId === edge.id));
  const live = useRunStore((s) => s.edgeCounters[edge.id]);
  const counters = final ?? live;
  const summaryChannels = useRunStore((s) => s.summary?.channels);
  const liveChannels = useRunStore((s) => s.info?.channels);
  const channels = (final ? summaryChannels : liveChannels) ?? NO_CHANNELS;
  const nodes = useDocumentStore((s) => s.nodes);
  /** "Orders → Worker B" for an edge id. */
  const edgeLabel = (id: string) => {
    const e = allEdges.find((x) => x.id === id)?.data.edge;
    if (!e) return id;
    const label = (nodeId: string) => nodes.find((n) => n.id === nodeId)?.data.node.label || nodeId;
    return `${label(e.source)} → ${label(e.target)}`;
  };
  const style = transportStyle(edge.transport);
  const datalistId = useId();
  const running = useRunStore((s) => s.phase === "running");
  const hasRun = useRunStore((s) => s.phase !== "idle" && s.runId !== null);
  const runId = useRunStore((s) => s.runId);
  const token = useRunStore((s) => s.token);
  const problems = useProblems().edges.get(edge.id);
  const problemAt = (suffix: string) => fieldProblem(problems, suffix);

  /** Edits this edge's settings of transport `which`, creating them when missing. */
  function edit<C extends NonNullable<Edge["settings"]["case"]>>(which: C, f: (v: Settings<C>) => void) {
    updateEdge(edge.id, (e) => {
      if (e.settings.case !== which) e.settings = defaultSettings(e.transport, e.target);
      if (e.settings.case === which) f(e.settings.value as Settings<C>);
    });
  }

  const switchTransport = (t: Transport) => {
    if (t === edge.transport) return;
    updateEdge(edge.id, (e) => {
      e.transport = t;
      e.settings = defaultSettings(t, e.target);
    });
  };

  const s = edge.settings;
  const docEdges = allEdges.map((e) => e.data.edge);
  const sharing = sharingChannel(docEdges, edge);

  return (
    <div className="flex flex-col" data-testid="edge-inspector" data-transport={style.short.toLowerCase()}>
      <div className="flex flex-col gap-1.5 border-b border-zinc-100 px-4 py-3.5">
        <div className="flex items-center gap-2">
          <TransportLine transport={edge.transport} width={22} />
          <span className="text-2xs font-semibold" style={{ color: style.color }}>
            {style.label}
          </span>
          <span className="text-2xs text-zinc-400">· {style.line}</span>
        </div>
        <div className="flex items-center gap-1.5 text-sm font-semibold text-zinc-900">
          <span className="truncate">{labels[0]}</span>
          <ArrowRight className="size-3.5 shrink-0 text-zinc-400" />
          <span className="truncate">{labels[1]}</span>
        </div>
        <div className="flex items-center justify-between gap-2">
          <span className="font-mono text-2xs text-zinc-500">{edge.id}</span>
          <NotAppliedMark kind="edge" id={edge.id} />
        </div>
      </div>

      <EdgeSparklines edgeId={edge.id} queueChannel={s.case === "queue" ? s.value.channel || undefined : undefined} />
      {hasRun && (
        // The way to the edge's full charts and its traces, side by side in the run panel (edge-focus.ts).
        <div className="flex justify-end border-b border-zinc-100 px-4 py-1.5">
          <button
            type="button"
            data-testid="edge-focus-link"
            onClick={() => focusEdge(edge.id)}
            className="flex items-center gap-1 rounded text-2xs font-medium text-blue-700 hover:underline focus-visible:outline-2 focus-visible:outline-blue-500"
          >
            <ChartNoAxesColumn className="size-3.5" /> This edge&apos;s traces and chart
          </button>
        </div>
      )}

      {running && <FaultsSection key={edge.transport} ids={{ edgeId: edge.id }} target={{ type: "edge", transport: edge.transport }} />}

      {counters && (
        <Books
          counters={counters}
          final={final !== undefined}
          transport={edge.transport}
          channels={channels}
          edgeLabel={edgeLabel}
        />
      )}

      {running && edge.transport === Transport.QUEUE && runId && token && <DeadLetters runId={runId} token={token} edgeId={edge.id} />}


      <Section title="Transport">
        <Segmented
          label="How they talk"
          value={edge.transport}
          options={TRANSPORT_ORDER.map((t) => ({ value: t, label: TRANSPORT_STYLES[t].short }))}
          onChange={switchTransport}
          disabled={locked}
          testId="field-transport"
        />
        <p className="text-2xs leading-relaxed text-zinc-500">
          {style.description}.{!locked && " Switching starts from that transport's defaults."}
        </p>
      </Section>

      {(s.case === "rest" || s.case === undefined) && edge.transport === Transport.REST && (
        <RestSection rest={s.case === "rest" ? s.value : create(RestSettingsSchema)} edit={(f) => edit("rest", f)} locked={locked} />
      )}
      {edge.transport === Transport.REST && (
        <ResilienceSection
          settings={s.case === "rest" ? s.value : create(RestSettingsSchema)}
          edit={(f) => edit("rest", f)}
          locked={locked}
          problemAt={problemAt}
        />
      )}

      {edge.transport === Transport.CONNECT && (
        <ConnectSection
          connect={s.case === "connect" ? s.value : create(ConnectSettingsSchema)}
          edit={(f) => edit("connect", f)}
          locked={locked}
        />
      )}
      {edge.transport === Transport.CONNECT && (
        <ResilienceSection
          settings={s.case === "connect" ? s.value : create(ConnectSettingsSchema)}
          edit={(f) => edit("connect", f)}
          locked={locked}
          problemAt={problemAt}
        />
      )}

      {edge.transport === Transport.QUEUE &&
        (() => {
          const queue = s.case === "queue" ? s.value : create(QueueSettingsSchema);
          return (
            <Section title="Queue">
              <TextField
                label="Channel"
                value={queue.channel}
                onChange={(v) => edit("queue", (q) => (q.channel = v))}
                mono
                list={datalistId}
                error={channelError(queue.channel)}
                hint="The BullMQ queue name."
                testId="field-channel"
                disabled={locked}
              />
              <datalist id={datalistId}>
                {channelsOf(docEdges, "queue").map((c) => (
                  <option key={c} value={c} />
                ))}
              </datalist>
              <div className="grid grid-cols-2 gap-2">
                <NumberField
                  label="Attempts"
                  unit="tries"
                  min={1}
                  max={LIMITS.maxAttempts}
                  value={queue.attempts || DEFAULTS.queueAttempts}
                  onChange={(v) => edit("queue", (q) => (q.attempts = v))}
                  testId="field-attempts"
                  disabled={locked}
                />
                <NumberField
                  label="Backoff"
                  unit="ms"
                  min={1}
                  max={LIMITS.maxBackoffMs}
                  value={queue.backoffMs || DEFAULTS.queueBackoffMs}
                  onChange={(v) => edit("queue", (q) => (q.backoffMs = v))}
                  testId="field-backoff"
                  disabled={locked}
                />
              </div>
              <p className="text-2xs leading-relaxed text-zinc-500">
                The sender hands the job over and goes on. A failed job is tried again after the backoff (doubling each time);
                after the last attempt it becomes a dead letter.
              </p>
              <SharedChannelHint
                kind="queue"
                channel={queue.channel}
                others={sharing}
                text="Edges sharing a channel share one queue: their targets are competing consumers, each job goes to one of them."
              />
            </Section>
          );
        })()}

      {edge.transport === Transport.PUBSUB &&
        (() => {
          const pubsub = s.case === "pubsub" ? s.value : create(PubSubSettingsSchema);
          const delivery = pubsub.delivery === Delivery.DURABLE ? Delivery.DURABLE : Delivery.AT_MOST_ONCE;
          return (
            <Section title="Topic">
              <TextField
                label="Topic"
                value={pubsub.channel}
                onChange={(v) => edit("pubsub", (p) => (p.channel = v))}
                mono
                list={datalistId}
                error={channelError(pubsub.channel)}
                testId="field-topic"
                disabled={locked}
              />
              <datalist id={datalistId}>
                {channelsOf(docEdges, "pubsub").map((c) => (
                  <option key={c} value={c} />
                ))}
              </datalist>
              <Segmented
                label="Delivery"
                value={delivery}
                options={[
                  { value: Delivery.AT_MOST_ONCE, label: "At most once" },
                  { value: Delivery.DURABLE, label: "Durable" },
                ]}
                onChange={(v) => edit("pubsub", (p) => (p.delivery = v))}
                disabled={locked}
                testId="field-delivery"
              />
              <p className="text-2xs leading-relaxed text-zinc-500" data-testid="delivery-hint">
                {DELIVERY_HINT[delivery]}
              </p>
              <SharedChannelHint
                kind="topic"
                channel={pubsub.channel}
                others={sharing}
                text="Draw more edges on this topic to fan out: each subscriber gets its own copy."
              />
            </Section>
          );
        })()}

      {!locked && (
        <div className="border-t border-zinc-100 px-4 py-4">
          <Button variant="danger" size="sm" onClick={deleteSelection} data-testid="delete-edge">
            <Trash2 className="size-3.5" /> Delete connection
          </Button>
        </div>
      )}
    </div>
  );
}

/**
 * The edge's books as a ledger (sent, and where every message is now, with
 * the named outcomes), then its latencies. A consumer sharing its queue says
 * what it took of it, and the queue's own books follow once.
 */
function Books({
  counters,
  final,
  transport,
  channels,
  edgeLabel,
}: {
  counters: EdgeCounters;
  final: boolean;
  transport: Transport;
  channels: readonly SharedChannel[];
  edgeLabel: (id: string) => string;
}) {
  const async = transport === Transport.QUEUE || transport === Transport.PUBSUB;
  const shared = isShared(counters);
  const channel = shared ? channelOf(counters.edgeId, channels) : undefined;
  const queueStyle = transportStyle(Transport.QUEUE);
  return (
    <>
      <Section
        title={final ? "At stop" : "Live"}
        aside={!final && <span className="tabular text-2xs text-zinc-500">{formatRate(counters.ratePerSecond)}</span>}
      >
        {shared && (
          <div
            className="flex gap-2 rounded-md border px-2.5 py-2 text-2xs leading-relaxed text-zinc-700"
            style={{ background: queueStyle.tint, borderColor: `${queueStyle.color}33` }}
            data-testid="shared-books"
          >
            <Users className="mt-px size-3.5 shrink-0" style={{ color: queueStyle.color }} />
            <span>{sharedSentence(channel?.channel ?? "", counters.sharedWith.map(edgeLabel), counters)}.</span>
          </div>
        )}
        <Ledger
          lines={shared ? shareLines(counters, counters.retries) : ledgerLines(counters, counters.retries)}
          testId="edge-ledger"
          caption={shared ? "This consumer" : undefined}
        />
        {shared && channel && (
          <Ledger lines={ledgerLines(channel)} testId="channel-ledger" caption={`Queue "${channel.channel}", all its consumers`} />
        )}
        {!final && transport === Transport.QUEUE && counters.queue && (
          <p className="tabular text-2xs text-zinc-500" data-testid="queue-now">
            {shared ? "The queue now" : "Now"}: {formatCount(counters.queue.waiting)} waiting · {formatCount(counters.queue.active)} active
            {counters.queue.delayed > 0 && ` · ${formatCount(counters.queue.delayed)} waiting to retry`}
          </p>
        )}
        {!final && transport === Transport.PUBSUB && (
          <p className="tabular text-2xs text-zinc-500">
            {formatCount(counters.subscribers)} {counters.subscribers === 1 ? "subscriber" : "subscribers"} of the topic now
          </p>
        )}
      </Section>
      <ResilienceFigures counters={counters} sync={!async} />
      <Section title={final ? "Timing, whole run" : "Timing, last 10 s"}>
        <div className="flex flex-col gap-2.5" data-testid="edge-timing">
          {timingStats(counters, async).map((row) => (
            <dl key={row[0].key} className="tabular grid grid-cols-3 gap-x-3">
              {row.map((stat) => (
                <Stat key={stat.key} label={stat.label} value={stat.ms === null ? "—" : formatMs(stat.ms)} />
              ))}
            </dl>
          ))}
        </div>
        <p className="text-2xs leading-relaxed text-zinc-500">
          {timingStats(counters, async).every((row) => row.every((stat) => stat.ms === null)) && (
            <span className="block pb-1 font-medium text-zinc-600">{final ? "No message was timed." : "No message in the last 10 s."}</span>
          )}
          {async
            ? "Hand-off: the sender giving the message to the broker. Wait: from the hand-off until the consumer starts on it. Work: the consumer's time on it."
            : "Call: the caller's wait for the reply, retries included. Work: the target's time on the message, its own calls included."}
        </p>
      </Section>
    </>
  );
}

function Ledger({ lines, testId, caption }: { lines: LedgerLine[]; testId: string; caption?: string }) {
  return (
    <div className="flex flex-col gap-1">
      {caption && <div className="text-2xs font-medium text-zinc-500">{caption}</div>}
      <dl className="tabular flex flex-col" data-testid={testId}>
        {lines.map((line) => (
          <div
            key={line.key}
            className={clsx(
              "flex items-baseline justify-between gap-3",
              line.sub ? "py-px pl-3" : "py-0.5",
              line.key === "retries" && "mt-1 border-t border-zinc-100 pt-1.5",
              line.key === "sent" || line.key === "took" ? "border-b border-zinc-100 pb-1" : undefined,
            )}
            data-testid={`ledger-${line.key}`}
          >
            <dt className={clsx("min-w-0", line.sub ? "text-2xs text-zinc-500" : "text-xs text-zinc-600")}>
              {line.label}
              {line.note && <span className="ml-1.5 text-2xs text-zinc-400">{line.note}</span>}
            </dt>
            <dd
              className={clsx(
                "shrink-0",
                line.sub ? "text-2xs" : "text-xs font-medium",
                line.alarm ? "text-red-600" : line.quiet ? "text-zinc-400" : "text-zinc-900",
              )}
            >
              {line.value}
            </dd>
          </div>
        ))}
      </dl>
    </div>
  );
}

function SharedChannelHint({ kind, channel, others, text }: { kind: "queue" | "topic"; channel: string; others: Edge[]; text: string }) {
  const style = transportStyle(kind === "queue" ? Transport.QUEUE : Transport.PUBSUB);
  return (
    <div className="flex gap-2 rounded-md border px-2.5 py-2 text-2xs leading-relaxed" style={{ background: style.tint, borderColor: `${style.color}33` }}>
      <Users className="mt-px size-3.5 shrink-0" style={{ color: style.color }} />
      <div className="text-zinc-600">
        {text}
        {others.length > 0 && (
          <span className="mt-1 block font-medium text-zinc-800" data-testid="channel-sharing">
            Also on {kind} <span className="font-mono">{channel}</span>:{" "}
            {others.map((e, i) => (
              <span key={e.id}>
                {i > 0 && ", "}
                <span className="font-mono">
                  {e.source} → {e.target}
                </span>
              </span>
            ))}
          </span>
        )}
      </div>
    </div>
  );
}

function RestSection({
  rest,
  edit,
  locked,
}: {
  rest: Settings<"rest">;
  edit: (f: (r: Settings<"rest">) => void) => void;
  locked: boolean;
}) {
  const pathError = rest.path && !rest.path.startsWith("/") ? "Starts with /" : rest.path.length > LIMITS.maxPathLength ? `Up to ${LIMITS.maxPathLength} characters` : null;
  return (
    <Section title="Request">
      <div className="grid grid-cols-[96px_1fr] gap-2">
        <SelectField
          label="Method"
          value={rest.method || "POST"}
          options={METHODS.map((m) => ({ value: m, label: m }))}
          onChange={(v) => edit((r) => (r.method = v))}
          testId="field-method"
          disabled={locked}
        />
        <TextField
          label="Path"
          value={rest.path}
          onChange={(v) => edit((r) => (r.path = v))}
          mono
          error={pathError}
          placeholder="/"
          testId="field-path"
          disabled={locked}
        />
      </div>
      <div className="grid grid-cols-2 gap-2">
        <NumberField
          label="Timeout"
          unit="ms"
          min={1}
          max={LIMITS.maxTimeoutMs}
          value={rest.timeoutMs || DEFAULTS.timeoutMs}
          onChange={(v) => edit((r) => (r.timeoutMs = v))}
          testId="field-timeout"
          disabled={locked}
        />
        <NumberField
          label="Retries"
          unit="extra"
          max={LIMITS.maxRetries}
          value={rest.retries}
          onChange={(v) => edit((r) => (r.retries = v))}
          testId="field-retries"
          disabled={locked}
        />
      </div>
      <p className="text-2xs leading-relaxed text-zinc-500">The caller waits up to the timeout for each attempt, then retries.</p>
      {rest.method === "GET" && (
        <NumberField
          label="Cacheable for"
          unit="s"
          max={86_400}
          value={rest.cacheMaxAgeS}
          onChange={(v) => edit((r) => (r.cacheMaxAgeS = v))}
          hint="0 = not cacheable. The callee sends Cache-Control: max-age."
          disabled={locked}
        />
      )}
    </Section>
  );
}

function ConnectSection({
  connect,
  edit,
  locked,
}: {
  connect: Settings<"connect">;
  edit: (f: (c: Settings<"connect">) => void) => void;
  locked: boolean;
}) {
  return (
    <Section title="Call">
      <SelectField
        label="Protocol"
        value={connect.protocol || ConnectProtocol.CONNECT}
        options={PROTOCOLS.map((p) => ({ value: p, label: protocolLabel(p) }))}
        onChange={(v) => edit((c) => (c.protocol = v))}
        hint="All three over HTTP/2 to SimService/Handle."
        testId="field-protocol"
        disabled={locked}
      />
      <div className="grid grid-cols-2 gap-2">
        <NumberField
          label="Deadline"
          unit="ms"
          min={1}
          max={LIMITS.maxTimeoutMs}
          value={connect.timeoutMs || DEFAULTS.timeoutMs}
          onChange={(v) => edit((c) => (c.timeoutMs = v))}
          testId="field-deadline"
          disabled={locked}
        />
        <NumberField
          label="Retries"
          unit="extra"
          max={LIMITS.maxRetries}
          value={connect.retries}
          onChange={(v) => edit((c) => (c.retries = v))}
          testId="field-retries"
          disabled={locked}
        />
      </div>
      <p className="text-2xs leading-relaxed text-zinc-500">
        The caller waits up to the deadline for each attempt; it retries on unavailable and deadline exceeded.
      </p>
    </Section>
  );
}

/** The retry and breaker figures of the books: breaker state, attempts per message, refused retries, short-circuited calls, duplicates. */
function ResilienceFigures({ counters, sync }: { counters: EdgeCounters; sync: boolean }) {
  const lines = resilienceLines(counters, sync);
  const hasBreaker = counters.breaker === BreakerState.CLOSED || counters.breaker === BreakerState.OPEN || counters.breaker === BreakerState.HALF_OPEN;
  // Nothing to say without a breaker, a refused retry, a short circuit, a duplicate, a cache hit, or an attempt beyond the first.
  const quiet =
    counters.retriesRefused === 0 && counters.shortCircuited === 0 && counters.duplicates === 0 && counters.attempts <= counters.sent && counters.cacheHits === 0;
  if (!hasBreaker && quiet) return null;
  const look = counters.breaker === BreakerState.OPEN ? "open" : counters.breaker === BreakerState.HALF_OPEN ? "half-open" : "closed";
  return (
    <Section title="Retries, breaker, cache">
      {hasBreaker && (
        <div
          className={clsx(
            "flex items-center gap-2 rounded-md border px-2.5 py-1.5 text-xs font-medium",
            look === "open" ? "border-red-200 bg-red-50 text-red-700" : look === "half-open" ? "border-amber-200 bg-amber-50 text-amber-800" : "border-zinc-200 bg-zinc-50 text-zinc-700",
          )}
          data-testid="breaker-state"
          data-state={look}
        >
          <BreakerGlyph look={look} />
          Circuit breaker: {breakerStateLabel(counters.breaker).toLowerCase()}
        </div>
      )}
      <dl className="tabular flex flex-col" data-testid="resilience-figures">
        {lines.map((line) => (
          <div key={line.key} className="flex items-baseline justify-between gap-3 py-0.5" data-testid={`resilience-${line.key}`}>
            <dt className="text-xs text-zinc-600">
              {line.label}
              {line.note && <span className="ml-1.5 text-2xs text-zinc-400">{line.note}</span>}
            </dt>
            <dd className={clsx("text-xs font-medium", line.alarm ? "text-red-600" : "text-zinc-900")}>{line.value}</dd>
          </div>
        ))}
      </dl>
    </Section>
  );
}

/** Defaults the gate writes into a new circuit breaker (topology.proto CircuitBreaker). */
const BREAKER_DEFAULTS = {
  failureRateThreshold: 0.5,
  minimumCalls: DEFAULTS.breakerMinimumCalls,
  windowS: DEFAULTS.breakerWindowS,
  openMs: DEFAULTS.breakerOpenMs,
  halfOpenCalls: DEFAULTS.breakerHalfOpenCalls,
} as const;

type SyncSettings = Settings<"rest"> | Settings<"connect">;

/** Retry backoff, jitter and budget, and the circuit breaker, of a REST or Connect edge. */
function ResilienceSection<S extends SyncSettings>({
  settings,
  edit,
  locked,
  problemAt,
}: {
  settings: S;
  edit: (f: (s: S) => void) => void;
  locked: boolean;
  problemAt: (suffix: string) => string | null;
}) {
  const cb = breakerOfSettings(settings);
  const editBreaker = (f: (b: NonNullable<S["circuitBreaker"]>) => void) =>
    edit((s) => {
      s.circuitBreaker ??= create(CircuitBreakerSchema, BREAKER_DEFAULTS);
      f(s.circuitBreaker as NonNullable<S["circuitBreaker"]>);
    });
  return (
    <>
      <Section title="Retry policy">
        <div className="grid grid-cols-2 gap-2">
          <NumberField
            label="Backoff"
            unit="ms"
            max={LIMITS.maxRetryBackoffMs}
            value={settings.retryBackoffMs}
            onChange={(v) => edit((s) => (s.retryBackoffMs = v))}
            error={problemAt(".retryBackoffMs")}
            testId="field-retry-backoff"
            disabled={locked}
          />
          <NumberField
            label="Retry budget"
            unit="%"
            max={100}
            value={settings.retryBudgetPercent}
            onChange={(v) => edit((s) => (s.retryBudgetPercent = v))}
            error={problemAt(".retryBudgetPercent")}
            testId="field-retry-budget"
            disabled={locked}
          />
        </div>
        <ToggleField
          label="Jitter the backoff"
          checked={settings.retryJitter}
          onChange={(v) => edit((s) => (s.retryJitter = v))}
          testId="field-retry-jitter"
          disabled={locked}
        />
        <p className="text-2xs leading-relaxed text-zinc-500">
          {settings.retryBackoffMs > 0
            ? `Retry n waits ${formatCount(settings.retryBackoffMs)} ms × 2^(n−1)${settings.retryJitter ? ", a random time up to that (full jitter)" : ""}.`
            : "Retries go at once (backoff 0)."}{" "}
          {settings.retryBudgetPercent > 0
            ? `Retries may be at most ${settings.retryBudgetPercent} % of the calls active on the edge (at least 3 at once).`
            : "No retry budget: every failed call may retry."}
        </p>
      </Section>
      <Section title="Circuit breaker" aside={cb && <BreakerGlyph look="configured" />}>
        <ToggleField
          label="Open the circuit when calls keep failing"
          checked={!!cb}
          onChange={(on) => edit((s) => (s.circuitBreaker = on ? create(CircuitBreakerSchema, BREAKER_DEFAULTS) : undefined))}
          testId="field-breaker"
          disabled={locked}
        />
        {cb && (
          <>
            <div className="grid grid-cols-2 gap-2">
              <NumberField
                label="Failure rate"
                unit="%"
                min={1}
                max={100}
                value={Math.round(cb.failureRateThreshold * 100)}
                onChange={(v) => editBreaker((b) => (b.failureRateThreshold = v / 100))}
                error={problemAt(".circuitBreaker.failureRateThreshold")}
                testId="field-breaker-threshold"
                disabled={locked}
              />
              <NumberField
                label="Minimum calls"
                unit="calls"
                min={1}
                max={LIMITS.maxBreakerMinimumCalls}
                value={cb.minimumCalls || BREAKER_DEFAULTS.minimumCalls}
                onChange={(v) => editBreaker((b) => (b.minimumCalls = v))}
                error={problemAt(".circuitBreaker.minimumCalls")}
                testId="field-breaker-min-calls"
                disabled={locked}
              />
              <NumberField
                label="Window"
                unit="s"
                min={1}
                max={LIMITS.maxBreakerWindowS}
                value={cb.windowS || BREAKER_DEFAULTS.windowS}
                onChange={(v) => editBreaker((b) => (b.windowS = v))}
                error={problemAt(".circuitBreaker.windowS")}
                testId="field-breaker-window"
                disabled={locked}
              />
              <NumberField
                label="Open for"
                unit="ms"
                min={1}
                max={LIMITS.maxBreakerOpenMs}
                value={cb.openMs || BREAKER_DEFAULTS.openMs}
                onChange={(v) => editBreaker((b) => (b.openMs = v))}
                error={problemAt(".circuitBreaker.openMs")}
                testId="field-breaker-open"
                disabled={locked}
              />
              <NumberField
                label="Half-open probes"
                unit="calls"
                min={1}
                max={LIMITS.maxBreakerHalfOpenCalls}
                value={cb.halfOpenCalls || BREAKER_DEFAULTS.halfOpenCalls}
                onChange={(v) => editBreaker((b) => (b.halfOpenCalls = v))}
                error={problemAt(".circuitBreaker.halfOpenCalls")}
                testId="field-breaker-half-open"
                disabled={locked}
              />
            </div>
            <p className="text-2xs leading-relaxed text-zinc-500" data-testid="breaker-hint">
              Once {cb.minimumCalls || BREAKER_DEFAULTS.minimumCalls} calls were made in {cb.windowS || BREAKER_DEFAULTS.windowS} s and{" "}
              {Math.round(cb.failureRateThreshold * 100)} % of them failed, calls fail at once (short-circuited) for{" "}
              {formatMs(cb.openMs || BREAKER_DEFAULTS.openMs)}; then {cb.halfOpenCalls || BREAKER_DEFAULTS.halfOpenCalls} probe calls decide whether it
              closes.
            </p>
          </>
        )}
      </Section>
    </>
  );
}
