"use client";

import clsx from "clsx";
import { ChevronDown } from "lucide-react";
import { useEffect, useId, useState } from "react";

const INPUT =
  "h-8 w-full rounded-md border bg-white px-2.5 text-[13px] text-zinc-900 shadow-xs transition-colors placeholder:text-zinc-400 " +
  "focus:outline-none focus:ring-3 disabled:cursor-not-allowed disabled:bg-zinc-50 disabled:text-zinc-500";
const OK = "border-zinc-200 hover:border-zinc-300 focus:border-blue-500 focus:ring-blue-500/15";
const BAD = "border-red-400 focus:border-red-500 focus:ring-red-500/15";

export function Field({
  label,
  hint,
  error,
  children,
  htmlFor,
}: {
  label: string;
  hint?: React.ReactNode;
  error?: string | null;
  children: React.ReactNode;
  htmlFor?: string;
}) {
  return (
    <div className="flex flex-col gap-1.5">
      <label htmlFor={htmlFor} className="text-xs font-medium text-zinc-600">
        {label}
      </label>
      {children}
      {error ? (
        <p className="text-2xs text-red-600" role="alert">
          {error}
        </p>
      ) : hint ? (
        <p className="text-2xs text-zinc-500">{hint}</p>
      ) : null}
    </div>
  );
}

/** A text field that keeps its own draft and reports every change. */
export function TextField({
  label,
  value,
  onChange,
  error,
  hint,
  mono,
  disabled,
  testId,
  placeholder,
  onBlur,
  list,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  error?: string | null;
  hint?: React.ReactNode;
  mono?: boolean;
  disabled?: boolean;
  testId?: string;
  placeholder?: string;
  onBlur?: () => void;
  /** Id of a <datalist> of suggestions. */
  list?: string;
}) {
  const id = useId();
  return (
    <Field label={label} error={error} hint={hint} htmlFor={id}>
      <input
        id={id}
        data-testid={testId}
        className={clsx(INPUT, error ? BAD : OK, mono && "font-mono text-xs")}
        value={value}
        disabled={disabled}
        placeholder={placeholder}
        list={list}
        spellCheck={false}
        autoComplete="off"
        onChange={(e) => onChange(e.target.value)}
        onBlur={onBlur}
        aria-invalid={!!error}
      />
    </Field>
  );
}

/**
 * A number with its unit inside the box. Keeps the typed text while it is not
 * a valid number and commits only values within [min, max].
 */
export function NumberField({
  label,
  value,
  onChange,
  unit,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
  step = 1,
  integer = true,
  hint,
  disabled,
  testId,
  error: outside,
}: {
  label: string;
  value: number;
  onChange: (v: number) => void;
  unit: string;
  /** A problem found elsewhere (the gate, the server), shown while the typed text is fine. */
  error?: string | null;
  min?: number;
  max?: number;
  step?: number;
  integer?: boolean;
  hint?: React.ReactNode;
  disabled?: boolean;
  testId?: string;
}) {
  const id = useId();
  const [draft, setDraft] = useState(() => String(value));
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setDraft((d) => (Number(d) === value && d.trim() !== "" ? d : String(value)));
    setError(null);
  }, [value]);

  const commit = (text: string) => {
    setDraft(text);
    const n = Number(text);
    if (text.trim() === "" || !Number.isFinite(n)) {
      setError("Enter a number");
      return;
    }
    if (integer && !Number.isInteger(n)) {
      setError("Enter a whole number");
      return;
    }
    if (n < min || n > max) {
      setError(`Between ${min.toLocaleString("en-US")} and ${max.toLocaleString("en-US")} ${unit}`);
      return;
    }
    setError(null);
    if (n !== value) onChange(n);
  };

  const shown = error ?? outside ?? null;
  return (
    <Field label={label} error={shown} hint={hint} htmlFor={id}>
      <div className="relative">
        <input
          id={id}
          data-testid={testId}
          inputMode={integer ? "numeric" : "decimal"}
          className={clsx(INPUT, shown ? BAD : OK, "tabular pr-14")}
          value={draft}
          step={step}
          disabled={disabled}
          onChange={(e) => commit(e.target.value)}
          onBlur={() => {
            if (error) {
              setDraft(String(value));
              setError(null);
            }
          }}
          onKeyDown={(e) => {
            if (e.key === "ArrowUp" || e.key === "ArrowDown") {
              e.preventDefault();
              const base = Number(draft);
              const next = (Number.isFinite(base) ? base : value) + (e.key === "ArrowUp" ? step : -step);
              commit(String(Math.min(max, Math.max(min, Math.round(next * 1000) / 1000))));
            }
          }}
          aria-invalid={!!shown}
        />
        <span className="pointer-events-none absolute inset-y-0 right-2.5 flex items-center text-xs text-zinc-400">{unit}</span>
      </div>
    </Field>
  );
}

export function SelectField<T extends string | number>({
  label,
  value,
  options,
  onChange,
  hint,
  disabled,
  testId,
}: {
  label: string;
  value: T;
  options: readonly { value: T; label: string; disabled?: boolean }[];
  onChange: (v: T) => void;
  hint?: React.ReactNode;
  disabled?: boolean;
  testId?: string;
}) {
  const id = useId();
  return (
    <Field label={label} hint={hint} htmlFor={id}>
      <div className="relative">
        <select
          id={id}
          data-testid={testId}
          className={clsx(INPUT, OK, "appearance-none pr-8")}
          value={String(value)}
          disabled={disabled}
          onChange={(e) => {
            const found = options.find((o) => String(o.value) === e.target.value);
            if (found) onChange(found.value);
          }}
        >
          {options.map((o) => (
            <option key={String(o.value)} value={String(o.value)} disabled={o.disabled}>
              {o.label}
            </option>
          ))}
        </select>
        <ChevronDown className="pointer-events-none absolute top-1/2 right-2.5 size-3.5 -translate-y-1/2 text-zinc-400" />
      </div>
    </Field>
  );
}

export function Segmented<T extends string | number>({
  label,
  value,
  options,
  onChange,
  disabled,
  testId,
}: {
  label: string;
  value: T;
  options: readonly { value: T; label: string }[];
  onChange: (v: T) => void;
  disabled?: boolean;
  testId?: string;
}) {
  return (
    <Field label={label}>
      <div role="radiogroup" aria-label={label} data-testid={testId} className="flex rounded-md bg-zinc-100 p-0.5">
        {options.map((o) => {
          const on = o.value === value;
          return (
            <button
              key={String(o.value)}
              type="button"
              role="radio"
              aria-checked={on}
              disabled={disabled}
              onClick={() => onChange(o.value)}
              className={clsx(
                "h-7 flex-1 rounded-[5px] px-1.5 text-xs font-medium transition-colors disabled:cursor-not-allowed",
                on ? "bg-white text-zinc-900 shadow-sm" : "text-zinc-500 hover:text-zinc-800",
              )}
            >
              {o.label}
            </button>
          );
        })}
      </div>
    </Field>
  );
}

export function Section({ title, children, aside }: { title: string; children: React.ReactNode; aside?: React.ReactNode }) {
  return (
    <section className="flex flex-col gap-3 border-t border-zinc-100 px-4 py-4 first:border-t-0">
      <div className="flex items-center justify-between">
        <h3 className="text-2xs font-semibold tracking-wider text-zinc-400 uppercase">{title}</h3>
        {aside}
      </div>
      {children}
    </section>
  );
}

/** A checkbox with its label on the right, and a hint under it. */
export function ToggleField({
  label,
  checked,
  onChange,
  hint,
  disabled,
  testId,
}: {
  label: string;
  checked: boolean;
  onChange: (v: boolean) => void;
  hint?: React.ReactNode;
  disabled?: boolean;
  testId?: string;
}) {
  const id = useId();
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="flex cursor-pointer items-center gap-2 text-xs font-medium text-zinc-700">
        <input
          id={id}
          type="checkbox"
          data-testid={testId}
          className="size-3.5 cursor-pointer accent-zinc-900 disabled:cursor-not-allowed"
          checked={checked}
          disabled={disabled}
          onChange={(e) => onChange(e.target.checked)}
        />
        {label}
      </label>
      {hint && <p className="pl-5.5 text-2xs text-zinc-500">{hint}</p>}
    </div>
  );
}
