"use client";

import { ArrowRight, Trash2 } from "lucide-react";
import { create } from "@bufbuild/protobuf";
import { type Edge, RestSettingsSchema } from "@/lib/gen/ipcplay/v1/topology_pb";
import { DEFAULTS, LIMITS } from "@/lib/topology/limits";
import { useDocumentStore } from "@/components/state/document-store";
import { useRunStore } from "@/components/state/run-store";
import { Button } from "@/components/ui/Button";
import { NumberField, Section, SelectField, TextField } from "@/components/ui/fields";
import { formatCount, formatMs, formatRate } from "@/components/ui/format";
import { transportStyle } from "@/components/ui/transport-style";
import { TransportLine } from "@/components/canvas/TransportLine";
import { Stat } from "./NodeInspector";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

export function EdgeInspector({ edge, locked }: { edge: Edge; locked: boolean }) {
  const updateEdge = useDocumentStore((s) => s.updateEdge);
  const deleteSelection = useDocumentStore((s) => s.deleteSelection);
  const labels = useDocumentStore((s) => {
    const find = (id: string) => s.nodes.find((n) => n.id === id)?.data.node.label || id;
    return `${find(edge.source)}\u0000${find(edge.target)}`;
  }).split("\u0000");
  const counters = useRunStore((s) => s.edgeCounters[edge.id]);
  const style = transportStyle(edge.transport);
  const rest = edge.settings.case === "rest" ? edge.settings.value : create(RestSettingsSchema);
  const editRest = (f: (r: typeof rest) => void) =>
    updateEdge(edge.id, (e) => {
      if (e.settings.case !== "rest") e.settings = { case: "rest", value: create(RestSettingsSchema, { method: "POST", path: "/", timeoutMs: DEFAULTS.timeoutMs }) };
      f(e.settings.value as typeof rest);
    });
  const pathError = rest.path && !rest.path.startsWith("/") ? "Starts with /" : rest.path.length > LIMITS.maxPathLength ? `Up to ${LIMITS.maxPathLength} characters` : null;

  return (
    <div className="flex flex-col" data-testid="edge-inspector">
      <div className="flex flex-col gap-1.5 border-b border-zinc-100 px-4 py-3.5">
        <div className="flex items-center gap-2">
          <TransportLine transport={edge.transport} width={22} />
          <span className="text-2xs font-semibold" style={{ color: style.color }}>
            {style.label}
          </span>
        </div>
        <div className="flex items-center gap-1.5 text-sm font-semibold text-zinc-900">
          <span className="truncate">{labels[0]}</span>
          <ArrowRight className="size-3.5 shrink-0 text-zinc-400" />
          <span className="truncate">{labels[1]}</span>
        </div>
        <div className="font-mono text-2xs text-zinc-500">{edge.id}</div>
      </div>

      {counters && (
        <Section title="Live">
          <dl className="tabular grid grid-cols-3 gap-x-3 gap-y-2.5">
            <Stat label="Sent" value={formatCount(counters.sent)} />
            <Stat label="Delivered" value={formatCount(counters.delivered)} />
            <Stat label="Failed" value={formatCount(counters.failed)} />
            <Stat label="p50" value={formatMs(counters.p50Ms)} />
            <Stat label="p95" value={formatMs(counters.p95Ms)} />
            <Stat label="p99" value={formatMs(counters.p99Ms)} />
            <Stat label="Rate" value={formatRate(counters.ratePerSecond)} />
            <Stat label="Retries" value={formatCount(counters.retries)} />
          </dl>
        </Section>
      )}

      {edge.settings.case === "rest" || edge.settings.case === undefined ? (
        <Section title="Request">
          <div className="grid grid-cols-[96px_1fr] gap-2">
            <SelectField
              label="Method"
              value={rest.method || "POST"}
              options={METHODS.map((m) => ({ value: m, label: m }))}
              onChange={(v) => editRest((r) => (r.method = v))}
              testId="field-method"
              disabled={locked}
            />
            <TextField
              label="Path"
              value={rest.path}
              onChange={(v) => editRest((r) => (r.path = v))}
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
              onChange={(v) => editRest((r) => (r.timeoutMs = v))}
              testId="field-timeout"
              disabled={locked}
            />
            <NumberField
              label="Retries"
              unit="extra"
              max={LIMITS.maxRetries}
              value={rest.retries}
              onChange={(v) => editRest((r) => (r.retries = v))}
              testId="field-retries"
              disabled={locked}
            />
          </div>
          <p className="text-2xs leading-relaxed text-zinc-500">
            The caller waits up to the timeout for each attempt, then retries.
          </p>
          {rest.method === "GET" && (
            <NumberField
              label="Cacheable for"
              unit="s"
              max={86_400}
              value={rest.cacheMaxAgeS}
              onChange={(v) => editRest((r) => (r.cacheMaxAgeS = v))}
              hint="0 = not cacheable. The callee sends Cache-Control: max-age."
              disabled={locked}
            />
          )}
        </Section>
      ) : (
        <Section title="Settings">
          <p className="text-xs text-zinc-500">{style.label} settings arrive with the next release.</p>
        </Section>
      )}

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
