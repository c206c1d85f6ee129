"use client";

import clsx from "clsx";
import { X, Zap } from "lucide-react";
import { useEffect, useMemo, useState } from "react";
import { type ActiveFault, NodeStatus } from "@/lib/gen/ipcplay/v1/playground_pb";
import { FaultKind } from "@/lib/gen/ipcplay/v1/topology_pb";
import { clearFault, injectFault } from "@/components/state/fault-actions";
import { useRunStore } from "@/components/state/run-store";
import { Button } from "@/components/ui/Button";
import { NumberField, Section, SelectField } from "@/components/ui/fields";
import { Spinner } from "@/components/ui/Spinner";
import { Transport } from "@/lib/gen/ipcplay/v1/topology_pb";
import {
  defaultValues,
  type FaultTarget,
  type FaultValues,
  faultBadge,
  faultOptions,
  faultsOn,
  HTTP_STATUSES,
  injectFields,
  MAX_DURATION_S,
  MAX_INTERVAL_S,
  MIN_INTERVAL_S,
  timeLeft,
  valueProblems,
} from "./fault-spec";
import { GRPC_CODES, kindWord, PARAM_UNIT, paramWord } from "./fault-kinds";
import { MAX_BANDWIDTH_KBPS, MAX_FAULT_LATENCY_MS } from "@/lib/faults/validate";
import { FaultIcon } from "./FaultIcon";

const NO_FAULTS: readonly ActiveFault[] = [];

/** The time now, ticking every `ms` while mounted (for "clears in 25 s"). */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

/** What clearing a fault does, as its button says: a pause resumes, a kill starts again. */
function clearWord(kind: FaultKind): string {
  return kind === FaultKind.PAUSE ? "Resume" : kind === FaultKind.KILL ? "Start again" : "Clear";
}

/** The faults in force on a node or an edge, as the run reports them. */
export function useFaultsOn(ids: { nodeId?: string; edgeId?: string }): ActiveFault[] {
  const faults = useRunStore((s) => s.info?.faults ?? NO_FAULTS);
  const paused = useRunStore((s) => (ids.nodeId ? s.nodes[ids.nodeId]?.status === NodeStatus.PAUSED : false));
  return useMemo(() => faultsOn(faults, ids, paused), [faults, ids.nodeId, ids.edgeId, paused]);
}

/**
 * The inspector's Faults section, shown while a run is up: the faults in force
 * on the target (each with its time left and Clear), and a form to inject one
 * of the kinds that fit it, with its parameters and an optional duration.
 */
export function FaultsSection({ ids, target }: { ids: { nodeId?: string; edgeId?: string }; target: FaultTarget }) {
  const options = useMemo(() => faultOptions(target), [target.type, target.type === "edge" ? target.transport : target.client]);
  // Kill is offered first but not chosen first: the form opens on a fault that can be undone by waiting.
  const [kind, setKind] = useState<FaultKind>((options.find((o) => o.kind !== FaultKind.KILL) ?? options[0]).kind);
  const option = options.find((o) => o.kind === kind) ?? options[0];
  const [values, setValues] = useState<FaultValues>(() => defaultValues(option.kind, target));
  const [busy, setBusy] = useState<"inject" | FaultKind | null>(null);
  const [error, setError] = useState<string | null>(null);
  const active = useFaultsOn(ids);
  const now = useNow();
  const problems = valueProblems(option, values, target);
  const blocked = Object.keys(problems).length > 0;
  const set = <K extends keyof FaultValues>(k: K, v: FaultValues[K]) => setValues((old) => ({ ...old, [k]: v }));

  const pick = (k: FaultKind) => {
    setKind(k);
    setValues(defaultValues(k, target));
    setError(null);
  };

  const inject = async () => {
    setBusy("inject");
    setError(null);
    const why = await injectFault(injectFields(ids, option, values));
    setBusy(null);
    setError(why);
  };

  const clear = async (k: FaultKind) => {
    setBusy(k);
    setError(null);
    const why = await clearFault(ids, k);
    setBusy(null);
    setError(why);
  };

  const isConnect = target.type === "edge" && target.transport === Transport.CONNECT;
  const word = (p: Parameters<typeof paramWord>[0]) => paramWord(p, option.kind, target);

  return (
    <Section title="Faults" aside={<Zap className="size-3.5 text-zinc-400" aria-hidden />}>
      {active.length > 0 && (
        <ul className="flex flex-col gap-1.5" data-testid="active-faults" aria-label="Faults in force">
          {active.map((a, i) => {
            const f = a.fault!;
            const b = faultBadge(f, target);
            return (
              <li
                key={`${f.kind}-${i}`}
                data-testid="active-fault"
                data-kind={FaultKind[f.kind].toLowerCase()}
                className={clsx(
                  "flex items-center gap-2 rounded-md border px-2.5 py-1.5 text-xs",
                  b.tone === "red" ? "border-red-200 bg-red-50/60" : "border-amber-200 bg-amber-50/60",
                )}
              >
                <span className={clsx("shrink-0", b.tone === "red" ? "text-red-700" : "text-amber-700")}>
                  <FaultIcon badge={b} className="size-3.5" />
                </span>
                <div className="min-w-0 flex-1">
                  <div className="leading-snug font-medium text-zinc-800">{b.sentence}</div>
                  <div className="tabular text-2xs text-zinc-500" data-testid="fault-time-left">
                    {a.scheduled ? "scheduled · " : ""}
                    {timeLeft(a.endsUnixMs, now)}
                  </div>
                </div>
                <Button
                  size="sm"
                  variant="secondary"
                  onClick={() => void clear(f.kind)}
                  disabled={busy !== null}
                  aria-label={`${clearWord(f.kind)} — ${b.sentence}`}
                  data-testid={`clear-fault-${FaultKind[f.kind].toLowerCase()}`}
                >
                  {busy === f.kind ? <Spinner className="size-3" /> : <X className="size-3" />}
                  {clearWord(f.kind)}
                </Button>
              </li>
            );
          })}
        </ul>
      )}

      <div role="radiogroup" aria-label="Fault to inject" className="flex flex-wrap gap-1" data-testid="fault-kinds">
        {options.map((o) => {
          const on = o.kind === option.kind;
          return (
            <button
              key={o.kind}
              type="button"
              role="radio"
              aria-checked={on}
              onClick={() => pick(o.kind)}
              data-testid={`fault-kind-${FaultKind[o.kind].toLowerCase()}`}
              className={clsx(
                "h-7 min-w-[30%] grow rounded-md border px-2 text-2xs font-medium whitespace-nowrap transition-colors",
                "focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-blue-500",
                on ? "border-zinc-900 bg-zinc-900 text-white" : "border-zinc-200 bg-white text-zinc-600 hover:border-zinc-300 hover:text-zinc-900",
              )}
            >
              {o.label}
            </button>
          );
        })}
      </div>
      <p className="text-2xs leading-relaxed text-zinc-500" data-testid="fault-hint">
        {option.hint}
      </p>

      {option.params.length > 0 && (
        <div className="grid grid-cols-2 gap-2">
          {option.params.includes("latencyMs") && (
            <NumberField label={word("latencyMs")} unit={PARAM_UNIT.latencyMs} min={1} max={MAX_FAULT_LATENCY_MS} value={values.latencyMs} onChange={(v) => set("latencyMs", v)} testId="fault-latency" />
          )}
          {option.params.includes("jitterMs") && (
            <NumberField label={word("jitterMs")} unit={PARAM_UNIT.jitterMs} max={MAX_FAULT_LATENCY_MS} value={values.jitterMs} onChange={(v) => set("jitterMs", v)} error={problems.jitterMs} testId="fault-jitter" />
          )}
          {option.params.includes("errorPercent") && (
            <NumberField
              label={word("errorRate")}
              unit={PARAM_UNIT.errorRate}
              integer={false}
              min={0}
              max={100}
              value={values.errorPercent}
              onChange={(v) => set("errorPercent", v)}
              error={problems.errorPercent}
              testId="fault-rate"
            />
          )}
          {option.params.includes("statusCode") && (
            <div className="col-span-2">
              {isConnect ? (
                <SelectField
                  label={word("statusCode")}
                  value={values.statusCode}
                  options={GRPC_CODES.slice(1).map((name, i) => ({ value: i + 1, label: `${i + 1} ${name}` }))}
                  onChange={(v) => set("statusCode", v)}
                  testId="fault-status"
                />
              ) : (
                <SelectField label={word("statusCode")} value={values.statusCode} options={HTTP_STATUSES} onChange={(v) => set("statusCode", v)} testId="fault-status" />
              )}
            </div>
          )}
          {option.params.includes("bandwidthKbps") && (
            <NumberField label={word("bandwidthKbps")} unit={PARAM_UNIT.bandwidthKbps} min={1} max={MAX_BANDWIDTH_KBPS} value={values.bandwidthKbps} onChange={(v) => set("bandwidthKbps", v)} testId="fault-bandwidth" />
          )}
          {option.params.includes("intervalS") && (
            <NumberField label={word("intervalMs")} unit={PARAM_UNIT.intervalMs} integer={false} min={MIN_INTERVAL_S} max={MAX_INTERVAL_S} value={values.intervalS} onChange={(v) => set("intervalS", v)} testId="fault-interval" />
          )}
        </div>
      )}

      <div className="flex items-end gap-2">
        {option.lasting && (
          <div className="w-28">
            <NumberField label="Clears after" unit="s" max={MAX_DURATION_S} value={values.durationS} onChange={(v) => set("durationS", v)} hint="0 = until cleared" testId="fault-duration" />
          </div>
        )}
        <div className={clsx("flex flex-1 justify-end", option.lasting && "pb-5")}>
          <Button
            size="sm"
            variant={option.kind === FaultKind.KILL ? "danger" : "primary"}
            onClick={() => void inject()}
            disabled={blocked || busy !== null}
            data-testid="inject-fault"
          >
            {busy === "inject" ? <Spinner className="size-3" /> : <Zap className="size-3" />}
            {option.kind === FaultKind.KILL ? "Kill" : `Inject ${kindWord(option.kind, target)}`}
          </Button>
        </div>
      </div>
      {error && (
        <p className="rounded-md bg-red-50 px-2.5 py-2 text-xs leading-relaxed text-red-700" role="alert" data-testid="fault-error">
          {error}
        </p>
      )}
    </Section>
  );
}
