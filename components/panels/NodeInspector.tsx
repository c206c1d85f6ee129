"use client";

import { MonitorSmartphone, Server, Trash2 } from "lucide-react";
import { useEffect, useState } from "react";
import { create } from "@bufbuild/protobuf";
import {
  BehaviorSchema,
  Distribution,
  DownstreamFailure,
  FanOut,
  type Node,
  NodeKind,
  TrafficPattern,
  TrafficSchema,
  WorkTimeSchema,
} from "@/lib/gen/ipcplay/v1/topology_pb";
import { LIMITS, DEFAULTS } from "@/lib/topology/limits";
import { selectTopology, useDocumentStore } from "@/components/state/document-store";
import { useRunStore } from "@/components/state/run-store";
import { SendButtons } from "@/components/canvas/SendButtons";
import { slugifyId, uniqueNodeId } from "@/lib/topology";
import { Button } from "@/components/ui/Button";
import { NumberField, Section, Segmented, SelectField, TextField } from "@/components/ui/fields";
import { NodeStatusBadge } from "@/components/ui/status";
import { formatCount, formatRate } from "@/components/ui/format";
import { FaultsSection } from "@/components/faults/FaultsSection";
import { NodeSparklines } from "@/components/metrics/Sparklines";
import { QueueingModelSection } from "@/components/model/QueueingModelSection";
import { useProblems } from "@/components/state/problems";
import { fieldProblem } from "./field-problem";

const ID_RE = /^[a-z][a-z0-9-]{0,31}$/;

/** Why `id` cannot be this node's id, or null. */
function idError(id: string, nodeId: string, taken: readonly string[]): string | null {
  if (!id) return "Needs an id";
  if (!/^[a-z]/.test(id)) return "Starts with a lowercase letter";
  if (!ID_RE.test(id)) return `Lowercase letters, digits and dashes, up to ${LIMITS.maxIdLength}`;
  if (id !== nodeId && taken.includes(id)) return `Another node is already "${id}"`;
  return null;
}

export function NodeInspector({ node, locked }: { node: Node; locked: boolean }) {
  const updateNode = useDocumentStore((s) => s.updateNode);
  const renameNodeId = useDocumentStore((s) => s.renameNodeId);
  const deleteSelection = useDocumentStore((s) => s.deleteSelection);
  const runtime = useRunStore((s) => s.nodes[node.id]);
  const running = useRunStore((s) => s.phase === "running");
  const isClient = node.kind === NodeKind.CLIENT;
  const problems = useProblems().nodes.get(node.id);
  const problemAt = (suffix: string) => fieldProblem(problems, suffix);
  const [idDraft, setIdDraft] = useState(node.id);
  useEffect(() => setIdDraft(node.id), [node.id]);

  const taken = () => selectTopology(useDocumentStore.getState()).nodes.map((n) => n.id).filter((id) => id !== node.id);
  const idProblem = idDraft === node.id ? null : idError(idDraft, node.id, taken());

  const setLabel = (label: string) => {
    const follows = node.id === slugifyId(node.label);
    updateNode(node.id, (n) => (n.label = label));
    // While a run is up the id stays: the running process is known by it.
    if (follows && !locked && !running) {
      const t = selectTopology(useDocumentStore.getState());
      const others = { ...t, nodes: t.nodes.filter((n) => n.id !== node.id) };
      const slug = slugifyId(label);
      if (slug) renameNodeId(node.id, uniqueNodeId(others, slug));
    }
  };

  const setId = (v: string) => {
    setIdDraft(v);
    if (!idError(v, node.id, taken())) renameNodeId(node.id, v);
  };

  const behavior = node.behavior ?? create(BehaviorSchema);
  const work = behavior.workTime ?? create(WorkTimeSchema, { distribution: Distribution.FIXED });
  const traffic = node.traffic ?? create(TrafficSchema);
  const editWork = (f: (w: typeof work) => void) =>
    updateNode(node.id, (n) => {
      n.behavior ??= create(BehaviorSchema);
      n.behavior.workTime ??= create(WorkTimeSchema, { distribution: Distribution.FIXED });
      f(n.behavior.workTime);
    });
  const editBehavior = (f: (b: typeof behavior) => void) =>
    updateNode(node.id, (n) => {
      n.behavior ??= create(BehaviorSchema);
      f(n.behavior);
    });
  const editTraffic = (f: (t: typeof traffic) => void) =>
    updateNode(node.id, (n) => {
      n.traffic ??= create(TrafficSchema);
      f(n.traffic);
    });
  const dist = work.distribution || Distribution.FIXED;

  return (
    <div className="flex flex-col" data-testid="node-inspector">
      <div className="flex items-center gap-2.5 border-b border-zinc-100 px-4 py-3.5">
        <span className="flex size-7 items-center justify-center rounded-md bg-zinc-100 text-zinc-700">
          {isClient ? <MonitorSmartphone className="size-4" strokeWidth={1.75} /> : <Server className="size-4" strokeWidth={1.75} />}
        </span>
        <div className="min-w-0 flex-1">
          <div className="text-2xs font-medium text-zinc-500">{isClient ? "Client" : "Service"}</div>
          <div className="truncate text-sm font-semibold text-zinc-900">{node.label || node.id}</div>
        </div>
        {runtime && <NodeStatusBadge status={runtime.status} />}
      </div>

      {runtime && (
        <Section title="Process">
          <dl className="tabular grid grid-cols-2 gap-x-3 gap-y-2 text-xs">
            <Stat label="pid" value={runtime.pid ? String(runtime.pid) : "–"} mono />
            <Stat label="Port" value={runtime.httpPort ? String(runtime.httpPort) : "–"} mono />
            <Stat label="Rate" value={formatRate(runtime.ratePerSecond)} />
            <Stat label="Handled" value={`${formatCount(runtime.handled)} msg`} />
            <Stat label="In flight" value={`${formatCount(runtime.inFlight)} msg`} />
          </dl>
          {runtime.error && <p className="rounded-md bg-red-50 px-2.5 py-2 text-xs text-red-700">{runtime.error}</p>}
          {/* Why the runtime last started the process again by itself (its memory passed the run's limit). */}
          {runtime.lastRestart && !runtime.error && (
            <p className="rounded-md bg-amber-50 px-2.5 py-2 text-xs text-amber-800" data-testid="last-restart">
              {runtime.lastRestart}
            </p>
          )}
        </Section>
      )}

      {!isClient && <NodeSparklines nodeId={node.id} />}

      {runtime && !isClient && <QueueingModelSection nodeId={node.id} />}

      {running && <FaultsSection ids={{ nodeId: node.id }} target={{ type: "node", client: isClient }} />}

      {isClient && running && (
        <Section title="Send now">
          <SendButtons nodeId={node.id} where="inspector" />
          <p className="text-2xs text-zinc-500">
            {traffic.ratePerSecond > 0
              ? "Extra messages on top of its rate, each its own trace."
              : "This client sends only on demand: each press sends that many messages, each its own trace."}
          </p>
        </Section>
      )}

      <Section title="Identity">
        <TextField label="Label" value={node.label} onChange={setLabel} testId="field-label" disabled={locked} />
        <TextField
          label="Id"
          value={idDraft}
          onChange={setId}
          onBlur={() => setIdDraft(node.id)}
          mono
          error={idProblem}
          hint={running ? "The service name in traces. It stays while the run is up." : "The service name in traces. Follows the label until you edit it."}
          testId="field-id"
          disabled={locked || running}
        />
      </Section>

      {isClient ? (
        <Section title="Traffic">
          <NumberField
            label="Rate"
            unit="msg/s"
            integer={false}
            step={1}
            max={LIMITS.maxRatePerSecond}
            value={traffic.ratePerSecond}
            onChange={(v) => editTraffic((t) => (t.ratePerSecond = v))}
            hint="0 sends only on demand."
            testId="field-rate"
            disabled={locked}
          />
          <Segmented
            label="Pattern"
            value={traffic.pattern || TrafficPattern.CONSTANT}
            options={[
              { value: TrafficPattern.CONSTANT, label: "Steady" },
              { value: TrafficPattern.BURST, label: "Bursts" },
              { value: TrafficPattern.RAMP, label: "Ramp" },
              { value: TrafficPattern.POISSON, label: "Random (Poisson)" },
            ]}
            onChange={(v) => editTraffic((t) => (t.pattern = v))}
            testId="field-pattern"
            disabled={locked}
          />
          {traffic.pattern === TrafficPattern.BURST && (
            <NumberField
              label="Burst size"
              unit="msg"
              min={1}
              max={LIMITS.maxBurstSize}
              value={traffic.burstSize || DEFAULTS.burstSize}
              onChange={(v) => editTraffic((t) => (t.burstSize = v))}
              disabled={locked}
            />
          )}
          {traffic.pattern === TrafficPattern.RAMP && (
            <NumberField
              label="Ramp up over"
              unit="s"
              min={1}
              max={LIMITS.maxRampSeconds}
              value={traffic.rampSeconds || DEFAULTS.rampSeconds}
              onChange={(v) => editTraffic((t) => (t.rampSeconds = v))}
              disabled={locked}
            />
          )}
          <NumberField
            label="Payload"
            unit="bytes"
            max={LIMITS.maxPayloadBytes}
            value={traffic.payloadBytes}
            onChange={(v) => editTraffic((t) => (t.payloadBytes = v))}
            testId="field-payload"
            disabled={locked}
          />
        </Section>
      ) : (
        <>
          <Section title="Work time">
            <Segmented
              label="Distribution"
              value={dist}
              options={[
                { value: Distribution.FIXED, label: "Fixed" },
                { value: Distribution.UNIFORM, label: "Uniform" },
                { value: Distribution.NORMAL, label: "Normal" },
                { value: Distribution.EXPONENTIAL, label: "Exp" },
              ]}
              onChange={(v) =>
                editWork((w) => {
                  w.distribution = v;
                  if (v === Distribution.UNIFORM && w.maxMs === 0) {
                    w.minMs = Math.round(w.meanMs / 2);
                    w.maxMs = Math.round(w.meanMs * 1.5) || 10;
                  }
                  if (v === Distribution.NORMAL && w.stddevMs === 0) w.stddevMs = Math.round(w.meanMs / 4) || 1;
                })
              }
              testId="field-distribution"
              disabled={locked}
            />
            {dist === Distribution.UNIFORM ? (
              <div className="grid grid-cols-2 gap-2">
                <NumberField label="Min" unit="ms" integer={false} max={LIMITS.maxWorkMs} value={work.minMs} onChange={(v) => editWork((w) => (w.minMs = v))} disabled={locked} />
                <NumberField label="Max" unit="ms" integer={false} max={LIMITS.maxWorkMs} value={work.maxMs} onChange={(v) => editWork((w) => (w.maxMs = v))} disabled={locked} />
              </div>
            ) : (
              <div className={dist === Distribution.NORMAL ? "grid grid-cols-2 gap-2" : ""}>
                <NumberField
                  label={dist === Distribution.FIXED ? "Time" : "Mean"}
                  unit="ms"
                  integer={false}
                  max={LIMITS.maxWorkMs}
                  value={work.meanMs}
                  onChange={(v) => editWork((w) => (w.meanMs = v))}
                  testId="field-work-time"
                  disabled={locked}
                />
                {dist === Distribution.NORMAL && (
                  <NumberField label="Std dev" unit="ms" integer={false} max={LIMITS.maxWorkMs} value={work.stddevMs} onChange={(v) => editWork((w) => (w.stddevMs = v))} disabled={locked} />
                )}
              </div>
            )}
          </Section>
          <Section title="Behaviour">
            <NumberField
              label="Error rate"
              unit="%"
              integer={false}
              step={1}
              max={100}
              value={Math.round(behavior.errorRate * 1000) / 10}
              onChange={(v) => editBehavior((b) => (b.errorRate = v / 100))}
              hint="Share of messages that fail."
              error={problemAt(".behavior.errorRate")}
              testId="field-error-rate"
              disabled={locked}
            />
            <NumberField
              label="Concurrency"
              unit="at once"
              min={1}
              max={LIMITS.maxConcurrency}
              value={behavior.concurrency || DEFAULTS.concurrency}
              onChange={(v) => editBehavior((b) => (b.concurrency = v))}
              hint="More messages wait their turn."
              error={problemAt(".behavior.concurrency")}
              testId="field-concurrency"
              disabled={locked}
            />
            <div className="grid grid-cols-2 gap-2">
              <NumberField
                label="Max waiting"
                unit="msg"
                max={LIMITS.maxWaitingLine}
                value={behavior.maxWaiting}
                onChange={(v) => editBehavior((b) => (b.maxWaiting = v))}
                error={problemAt(".behavior.maxWaiting")}
                testId="field-max-waiting"
                disabled={locked}
              />
              <NumberField
                label="Rate limit"
                unit="msg/s"
                integer={false}
                max={LIMITS.maxRateLimitPerSecond}
                value={behavior.rateLimitPerSecond}
                onChange={(v) => editBehavior((b) => (b.rateLimitPerSecond = v))}
                error={problemAt(".behavior.rateLimitPerSecond")}
                testId="field-rate-limit"
                disabled={locked}
              />
            </div>
            <p className="text-2xs leading-relaxed text-zinc-500" data-testid="bulkhead-hint">
              Bulkhead: past {behavior.maxWaiting > 0 ? formatCount(behavior.maxWaiting) : `${formatCount(LIMITS.maxWaitingPerService)} (the run's limit)`} waiting,
              messages are refused at once (503, overloaded).{" "}
              {behavior.rateLimitPerSecond > 0
                ? `Rate limit: past ${formatRate(behavior.rateLimitPerSecond)} (bursts of one second) they are refused (429, rate limited).`
                : "0 = no rate limit."}
            </p>
            <SelectField
              label="Fan-out"
              value={behavior.fanOut || FanOut.ALL}
              options={[
                { value: FanOut.ALL, label: "Every outgoing edge" },
                { value: FanOut.ROUND_ROBIN, label: "One edge, round robin" },
                { value: FanOut.RANDOM, label: "One edge, at random" },
              ]}
              onChange={(v) => editBehavior((b) => (b.fanOut = v))}
              testId="field-fan-out"
              disabled={locked}
            />
            <SelectField
              label="When a call fails"
              value={behavior.onDownstreamFailure || DownstreamFailure.FAIL}
              options={[
                { value: DownstreamFailure.FAIL, label: "Fail the reply (502 / 504)" },
                { value: DownstreamFailure.FALLBACK, label: "Answer OK anyway (fallback)" },
              ]}
              onChange={(v) => editBehavior((b) => (b.onDownstreamFailure = v))}
              hint="A REST or Connect call this service makes failed after its retries."
              testId="field-on-downstream-failure"
              disabled={locked}
            />
            <NumberField
              label="Reply size"
              unit="bytes"
              max={LIMITS.maxPayloadBytes}
              value={behavior.replyBytes}
              onChange={(v) => editBehavior((b) => (b.replyBytes = v))}
              disabled={locked}
            />
          </Section>
        </>
      )}

      {!locked && (
        <div className="border-t border-zinc-100 px-4 py-4">
          <Button variant="danger" size="sm" onClick={deleteSelection} data-testid="delete-node">
            <Trash2 className="size-3.5" /> Delete {isClient ? "client" : "service"}
          </Button>
        </div>
      )}
    </div>
  );
}

export function Stat({ label, value, mono }: { label: string; value: string; mono?: boolean }) {
  return (
    <div className="flex flex-col gap-0.5">
      <dt className="text-2xs text-zinc-500">{label}</dt>
      <dd className={mono ? "font-mono text-xs text-zinc-900" : "text-xs font-medium text-zinc-900"}>{value}</dd>
    </div>
  );
}
