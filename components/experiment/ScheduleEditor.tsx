"use client";

import { ChevronDown, CircleAlert, Trash2, X } from "lucide-react";
import { useId, useMemo, useState } from "react";
import { type FaultKind, type ScheduledFault, type Topology, Transport } from "@/lib/gen/ipcplay/v1/topology_pb";
import { scheduleProblems } from "@/lib/faults/schedule";
import { LIMITS } from "@/lib/topology";
import { MAX_BANDWIDTH_KBPS, MAX_FAULT_LATENCY_MS, MIN_CRASH_LOOP_INTERVAL_MS } from "@/lib/faults/validate";
import { Button } from "@/components/ui/Button";
import { Field, NumberField, SelectField } from "@/components/ui/fields";
import { transportStyle } from "@/components/ui/transport-style";
import { addScheduledFault, removeScheduledFault, replaceScheduledFault } from "./schedule-actions";
import { fits, kindLabel, kindsFor, PARAM_UNIT, type ParamName, paramsOf, paramWord, targetOf } from "@/components/faults/fault-kinds";
import { entryProblems, newEntry, withKind } from "./fault-words";
import { clone } from "@bufbuild/protobuf";
import { ScheduledFaultSchema } from "@/lib/gen/ipcplay/v1/topology_pb";

const MAX_S = LIMITS.maxRunMs / 1000;

/** The entry's own fields by their form labels; a kind's parameters are named by paramWord. */
const FIELD_WORDS: Record<string, string> = {
  atS: "At",
  durationS: "For",
  nodeId: "Target",
  edgeId: "Target",
  kind: "Fault",
};
const PARAM_NAMES: readonly string[] = ["latencyMs", "jitterMs", "errorRate", "statusCode", "bandwidthKbps", "intervalMs"] satisfies ParamName[];

const targetValue = (e: { nodeId?: string; edgeId?: string }) => (e.nodeId ? `node:${e.nodeId}` : `edge:${e.edgeId ?? ""}`);

/**
 * The form for one schedule entry: target, kind (only those that fit), when,
 * and the kind's parameters. Its draft is checked by the gate's own rules as it
 * is typed; Save writes it to the document in one step.
 */
export function ScheduleEditor({
  topology,
  index,
  initial,
  onClose,
}: {
  topology: Topology;
  /** The entry's index, or null for a new one (it goes at the end). */
  index: number | null;
  initial: ScheduledFault;
  onClose: () => void;
}) {
  const [draft, setDraft] = useState<ScheduledFault>(() => clone(ScheduledFaultSchema, initial));
  const target = targetOf(topology, draft);
  const kinds = kindsFor(target);
  const at = index ?? topology.schedule.length;

  const problems = useMemo(() => {
    const schedule = [...topology.schedule];
    schedule[at] = draft;
    return entryProblems(scheduleProblems({ ...topology, schedule } as Topology), at);
  }, [topology, draft, at]);

  const change = (patch: Partial<ScheduledFault>) => setDraft((d) => Object.assign(clone(ScheduledFaultSchema, d), patch));

  const pickTarget = (value: string) => {
    const [type, id] = [value.slice(0, 4), value.slice(5)];
    const target = type === "node" ? { nodeId: id } : { edgeId: id };
    const offered = kindsFor(targetOf(topology, target));
    const next = newEntry(topology, target, offered.includes(draft.kind) ? draft.kind : offered[0]);
    next.atS = draft.atS;
    next.durationS = draft.durationS;
    setDraft(next);
  };

  const save = () => {
    if (index === null) addScheduledFault(draft);
    else replaceScheduledFault(index, draft);
    onClose();
  };

  const params = paramsOf(draft.kind, target);
  const connect = target?.type === "edge" && target.transport === Transport.CONNECT;
  const word = (p: ParamName) => paramWord(p, draft.kind, target);
  const fieldWord = (field: string) => FIELD_WORDS[field] ?? (PARAM_NAMES.includes(field) ? word(field as ParamName) : field);

  return (
    <div
      className="rounded-xl border border-zinc-200 bg-white px-3 pt-2 pb-3 shadow-xl shadow-zinc-900/15"
      data-testid="schedule-editor"
      role="group"
      aria-label={index === null ? "New scheduled fault" : `Scheduled fault ${index + 1}`}
      onKeyDown={(e) => {
        if (e.key === "Escape") {
          e.stopPropagation();
          onClose();
        }
      }}
    >
      <div className="mb-2 flex items-center gap-2">
        <h3 className="text-xs font-semibold text-zinc-900">{index === null ? "New scheduled fault" : `Scheduled fault ${index + 1}`}</h3>
        <span className="truncate text-2xs text-zinc-500">
          {draft.durationS > 0
            ? `injected ${draft.atS} s after the run is up, cleared ${draft.durationS} s later`
            : `injected ${draft.atS} s after the run is up, kept until it stops (For 0 s)`}
        </span>
        <button
          type="button"
          onClick={onClose}
          aria-label="Close"
          className="ml-auto flex size-6 shrink-0 items-center justify-center rounded-md text-zinc-400 hover:bg-zinc-100 hover:text-zinc-700"
        >
          <X className="size-3.5" />
        </button>
      </div>
      <div className="flex flex-wrap items-start gap-x-3 gap-y-2 [&>*]:shrink-0">
        <div className="w-60 narrow:w-52">
          <TargetSelect topology={topology} value={targetValue(draft)} onChange={pickTarget} />
        </div>
        <div className="w-36">
          <SelectField
            label="Fault"
            value={draft.kind}
            options={[
              ...kinds.map((k) => ({ value: k, label: kindLabel(k, target) })),
              // An entry that came with a kind not offered here (a file, an old link) still shows it: as it is if the gate takes it, else as not fitting.
              ...(kinds.includes(draft.kind)
                ? []
                : [fits(draft.kind, target) ? { value: draft.kind, label: kindLabel(draft.kind, target) } : { value: draft.kind, label: `${kindLabel(draft.kind, target)} (does not fit)`, disabled: true }]),
            ]}
            onChange={(k: FaultKind) => setDraft((d) => withKind(d, k, target))}
            testId="schedule-kind"
          />
        </div>
        <div className="w-24">
          <NumberField label="At" unit="s" value={draft.atS} min={0} max={MAX_S} integer={false} onChange={(atS) => change({ atS })} testId="schedule-at" />
        </div>
        <div className="w-24">
          <NumberField
            label="For"
            unit="s"
            value={draft.durationS}
            min={0}
            max={MAX_S}
            integer={false}
            onChange={(durationS) => change({ durationS })}
            testId="schedule-for"
          />
        </div>
        {params.includes("latencyMs") && (
          <div className="w-28">
            <NumberField label={word("latencyMs")} unit={PARAM_UNIT.latencyMs} value={draft.latencyMs} min={1} max={MAX_FAULT_LATENCY_MS} onChange={(latencyMs) => change({ latencyMs })} testId="schedule-latency" />
          </div>
        )}
        {params.includes("jitterMs") && (
          <div className="w-28">
            <NumberField label={word("jitterMs")} unit={PARAM_UNIT.jitterMs} value={draft.jitterMs} min={0} max={MAX_FAULT_LATENCY_MS} onChange={(jitterMs) => change({ jitterMs })} testId="schedule-jitter" />
          </div>
        )}
        {params.includes("errorRate") && (
          <div className="w-28">
            <NumberField
              label={word("errorRate")}
              unit={PARAM_UNIT.errorRate}
              value={Math.round(draft.errorRate * 1000) / 10}
              min={0}
              max={100}
              integer={false}
              onChange={(pct) => change({ errorRate: Math.round(pct * 10) / 1000 })}
              testId="schedule-rate"
            />
          </div>
        )}
        {params.includes("statusCode") && (
          <div className="w-28">
            <NumberField
              label={word("statusCode")}
              unit={PARAM_UNIT.statusCode}
              value={draft.statusCode}
              min={connect ? 1 : 400}
              max={connect ? 16 : 599}
              onChange={(statusCode) => change({ statusCode })}
              testId="schedule-status"
            />
          </div>
        )}
        {params.includes("bandwidthKbps") && (
          <div className="w-32">
            <NumberField label={word("bandwidthKbps")} unit={PARAM_UNIT.bandwidthKbps} value={draft.bandwidthKbps} min={1} max={MAX_BANDWIDTH_KBPS} onChange={(bandwidthKbps) => change({ bandwidthKbps })} testId="schedule-bandwidth" />
          </div>
        )}
        {params.includes("intervalMs") && (
          <div className="w-32">
            <NumberField
              label={word("intervalMs")}
              unit={PARAM_UNIT.intervalMs}
              value={draft.intervalMs / 1000}
              min={MIN_CRASH_LOOP_INTERVAL_MS / 1000}
              max={MAX_S}
              integer={false}
              onChange={(s) => change({ intervalMs: Math.round(s * 1000) })}
              testId="schedule-interval"
            />
          </div>
        )}
        <div className="ml-auto flex items-center gap-1.5 self-end pb-px">
          {index !== null && (
            <Button
              size="sm"
              variant="danger"
              data-testid="schedule-delete"
              onClick={() => {
                removeScheduledFault(index);
                onClose();
              }}
            >
              <Trash2 className="size-3.5" /> Delete
            </Button>
          )}
          <Button size="sm" variant="ghost" onClick={onClose} data-testid="schedule-cancel">
            Cancel
          </Button>
          <Button size="sm" variant="primary" onClick={save} disabled={problems.length > 0} data-testid="schedule-save">
            {index === null ? "Add to schedule" : "Save"}
          </Button>
        </div>
      </div>
      {problems.length > 0 && (
        <ul className="mt-1.5 flex flex-col gap-0.5" data-testid="schedule-editor-problems" role="alert">
          {problems.map((p, i) => (
            <li key={i} className="flex items-start gap-1.5 text-2xs text-amber-800">
              <CircleAlert className="mt-px size-3 shrink-0 text-amber-500" />
              <span>
                {p.field && <span className="font-medium">{fieldWord(p.field)}: </span>}
                {p.message}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Nodes and edges in two groups; an edge says its transport. */
function TargetSelect({ topology, value, onChange }: { topology: Topology; value: string; onChange: (v: string) => void }) {
  const id = useId();
  return (
    <Field label="Target" htmlFor={id}>
      <div className="relative">
        <select
          id={id}
          data-testid="schedule-target"
          autoFocus
          value={value}
          onChange={(e) => onChange(e.target.value)}
          className="h-8 w-full appearance-none truncate rounded-md border border-zinc-200 bg-white pr-8 pl-2.5 text-[13px] text-zinc-900 shadow-xs hover:border-zinc-300 focus:border-blue-500 focus:ring-3 focus:ring-blue-500/15 focus:outline-none"
        >
          <optgroup label="Nodes">
            {topology.nodes.map((n) => (
              <option key={n.id} value={`node:${n.id}`}>
                {n.id}
                {n.label && n.label.toLowerCase() !== n.id ? ` · ${n.label}` : ""}
              </option>
            ))}
          </optgroup>
          {topology.edges.length > 0 && (
            <optgroup label="Edges">
              {topology.edges.map((e) => (
                <option key={e.id} value={`edge:${e.id}`}>
                  {e.id} · {transportStyle(e.transport).short}
                </option>
              ))}
            </optgroup>
          )}
        </select>
        <ChevronDown className="pointer-events-none absolute top-1/2 right-2.5 size-3.5 -translate-y-1/2 text-zinc-400" />
      </div>
    </Field>
  );
}
