/**
 * The run budgets and the admission check, as a deployment sets them: one
 * environment variable each (listed in the README's "Run budgets"). Unset
 * means the default; a value that is not a positive number stops the server
 * with the variable's name, rather than running without the limit.
 */
import type { AdmissionLimits } from "@/lib/budget/admission";

const MB = 1024 * 1024;

export interface BudgetLimits {
  /** Messages a run may start per second, all sources together. */
  runMessagesPerSecond: number;
  maxPendingSendsPerRun: number;
  maxPendingBytesPerRun: number;
  /** Sends one message may make from one service (the gate's cap on its deliveries, enforced at run time). */
  maxDeliveriesPerMessage: number;
  /** Jobs waiting on a queue edge's queue before its producer refuses the next. */
  maxQueueWaiting: number;
  /** Resident memory of one service process before the runtime starts it again. */
  maxHostRssBytes: number;
  admission: AdmissionLimits;
}

/** Some of the limits, as the environment or a test sets them. */
export type BudgetLimitsGiven = Partial<Omit<BudgetLimits, "admission">> & { admission?: Partial<AdmissionLimits> };

/** Each variable, what it sets, and its unit (bytes are given in MB). */
const VARIABLES: ReadonlyArray<{ name: string; unit: number; set: (limits: BudgetLimitsGiven, value: number) => void }> = [
  { name: "IPCPLAY_RUN_MESSAGES_PER_SECOND", unit: 1, set: (l, v) => (l.runMessagesPerSecond = v) },
  { name: "IPCPLAY_RUN_MAX_PENDING_SENDS", unit: 1, set: (l, v) => (l.maxPendingSendsPerRun = v) },
  { name: "IPCPLAY_RUN_MAX_PENDING_MB", unit: MB, set: (l, v) => (l.maxPendingBytesPerRun = v) },
  { name: "IPCPLAY_MAX_DELIVERIES_PER_MESSAGE", unit: 1, set: (l, v) => (l.maxDeliveriesPerMessage = v) },
  { name: "IPCPLAY_QUEUE_MAX_WAITING", unit: 1, set: (l, v) => (l.maxQueueWaiting = v) },
  { name: "IPCPLAY_HOST_MAX_RSS_MB", unit: MB, set: (l, v) => (l.maxHostRssBytes = v) },
  { name: "IPCPLAY_ADMIT_SERVICE_MB", unit: MB, set: (l, v) => ((l.admission ??= {}).serviceBytes = v) },
  { name: "IPCPLAY_ADMIT_MEMORY_RESERVE_MB", unit: MB, set: (l, v) => ((l.admission ??= {}).memoryReserveBytes = v) },
  { name: "IPCPLAY_ADMIT_MAX_LOAD_PER_CPU", unit: 1, set: (l, v) => ((l.admission ??= {}).maxLoadPerCpu = v) },
];

/** The limits the environment sets (only those); throws naming a variable whose value is not a positive number. */
export function budgetLimitsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): BudgetLimitsGiven {
  const limits: BudgetLimitsGiven = {};
  for (const { name, unit, set } of VARIABLES) {
    const text = env[name];
    if (text === undefined || text.trim() === "") continue;
    const value = Number(text);
    if (!(Number.isFinite(value) && value > 0)) throw new Error(`${name}=${JSON.stringify(text)}: expected a positive number`);
    set(limits, value * unit);
  }
  return limits;
}
