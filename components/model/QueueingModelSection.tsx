"use client";

import { useEffect, useState } from "react";
import { useRunStore } from "@/components/state/run-store";
import { Section } from "@/components/ui/fields";
import { formatNumber, littleLine, QueueingWindow, UTILISATION_WARNING, type QueueingModel } from "@/lib/metrics/queueing-model";

/** One window of readings per run, node and process, kept while the page is open (the inspector may close and open again). */
const windows = new Map<string, QueueingWindow>();

function windowOf(key: string): QueueingWindow {
  let w = windows.get(key);
  if (!w) {
    if (windows.size > 200) windows.clear();
    windows.set(key, (w = new QueueingWindow(10_000)));
  }
  return w;
}

/** The queueing model beside the measurement, for one service: λ, μ, c, ρ, measured vs M/M/c wait, Little's law. */
export function QueueingModelSection({ nodeId }: { nodeId: string }) {
  const runId = useRunStore((s) => s.runId);
  const runtime = useRunStore((s) => s.nodes[nodeId]);
  const [model, setModel] = useState<QueueingModel | undefined>();
  const q = runtime?.queueing;
  const key = `${runId}:${nodeId}:${runtime?.pid ?? 0}`;

  useEffect(() => {
    if (!q || !(q.atMs > 0)) return;
    const w = windowOf(key);
    w.add({ ...q });
    setModel(w.model());
  }, [key, q]);

  if (!q) return null;
  return (
    <Section title="Queueing model">
      <div data-testid="queueing-model" className="flex flex-col gap-2 text-xs">
        {model ? <ModelBody model={model} /> : <p className="text-zinc-500">Measuring: the numbers come with the process's next reports.</p>}
        <p className="text-2xs text-zinc-500">
          M/M/c assumes Poisson arrivals, exponential work times and a line without bound; evenly spaced arrivals (a constant-rate
          client) or a fixed work time wait less than it predicts, bursts wait more.
        </p>
      </div>
    </Section>
  );
}

function ModelBody({ model }: { model: QueueingModel }) {
  const p = model.predicted;
  const unstable = !Number.isFinite(model.rho) || model.rho >= 1;
  return (
    <>
      <dl className="tabular grid grid-cols-4 gap-x-3 gap-y-2">
        <Cell label="λ arrivals" value={`${formatNumber(model.lambda)}/s`} testId="model-lambda" />
        <Cell label="μ per slot" value={model.mu > 0 ? `${formatNumber(model.mu)}/s` : "–"} testId="model-mu" />
        <Cell label="c slots" value={String(model.c)} testId="model-c" />
        <Cell
          label="ρ = λ/cμ"
          value={Number.isFinite(model.rho) ? formatNumber(model.rho) : "–"}
          testId="model-rho"
          tone={unstable ? "text-red-700" : model.warning ? "text-amber-700" : undefined}
        />
      </dl>
      {model.warning && (
        <p data-testid="model-warning" className={`rounded-md px-2.5 py-1.5 ${unstable ? "bg-red-50 text-red-700" : "bg-amber-50 text-amber-800"}`}>
          {unstable
            ? "ρ ≥ 1: more arrives than the slots can work off; the waiting line grows without bound."
            : `ρ past ${UTILISATION_WARNING}: waits grow steeply as ρ nears 1.`}
        </p>
      )}
      <div data-testid="model-wait" className="flex flex-col gap-0.5">
        <span>
          Wait for a slot: measured <b>{formatMs(model.measuredWaitMs)}</b>
          {p ? (
            <>
              {" "}
              · M/M/c predicts <b>{formatMs(p.expectedWaitMs)}</b>
              {p.stable && <span className="text-zinc-500"> (waits {Math.round(p.probabilityOfWaiting * 100)} %)</span>}
            </>
          ) : null}
        </span>
      </div>
      <div data-testid="model-little" className={model.little.holds ? "text-emerald-700" : "text-red-700"}>
        Little&apos;s law: {littleLine(model)}
        <span className="text-zinc-500"> (W {formatMs(model.little.wS * 1000)}, last {Math.round(model.windowS)} s)</span>
      </div>
    </>
  );
}

function Cell({ label, value, testId, tone }: { label: string; value: string; testId: string; tone?: string }) {
  return (
    <div className="flex flex-col gap-0.5">
      <dt className="text-2xs text-zinc-500">{label}</dt>
      <dd data-testid={testId} className={`text-xs font-medium ${tone ?? "text-zinc-900"}`}>
        {value}
      </dd>
    </div>
  );
}

function formatMs(ms: number): string {
  return Number.isFinite(ms) ? `${formatNumber(ms)} ms` : "∞";
}
