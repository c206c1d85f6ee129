/**
 * The History tab's state: the kept runs' rows (from IndexedDB), which two are
 * picked, and the comparison open in the dialog. Every change goes to the
 * database first and the rows are read back after, so the list shows what is
 * really kept (the cap may have dropped the oldest).
 */
import { create } from "zustand";
import type { Side } from "@/lib/history/compare";
import { type HistoryRow, newestFirst, planImport } from "@/lib/history/history-list";
import { MAX_RUNS_FILE_BYTES, openRecord, type RunRecord, runsFromFileText, runsToFileText } from "@/lib/history/run-record";
import { findDesigns, sameLoad } from "@/lib/topology/designs";
import { useUiStore } from "@/components/state/ui-store";
import { deleteRun, keepRuns, readRows, readRun } from "./history-db";
import { saveFile } from "@/components/files/save-file";
import { runFileName } from "@/components/replay/replay-file";

export interface HistoryState {
  rows: HistoryRow[];
  /** The rows have been read once. */
  loaded: boolean;
  /** IndexedDB refused (private window, quota): said in the tab. */
  error: string | null;
  /** Picked for Compare, in the order picked; at most two. */
  picked: string[];
  /** The comparison in the dialog: A and B. */
  compare: { title: string; sides: [Side, Side]; /** Why the two sides did not take the same load, when they did not. */ unequalLoad?: string } | null;
}

export const useHistoryStore = create<HistoryState>()(() => ({ rows: [], loaded: false, error: null, picked: [], compare: null }));

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

async function refresh(): Promise<void> {
  const rows = newestFirst(await readRows());
  const ids = new Set(rows.map((r) => r.runId));
  useHistoryStore.setState((s) => ({ rows, loaded: true, error: null, picked: s.picked.filter((id) => ids.has(id)) }));
}

export async function loadHistory(): Promise<void> {
  try {
    await refresh();
  } catch (err) {
    useHistoryStore.setState({ loaded: true, error: `The browser keeps no history here: ${message(err)}` });
  }
}

/** Keeps a stopped run (keep-run.ts builds it). */
export async function keepRun(record: RunRecord): Promise<void> {
  try {
    await keepRuns([record]);
    await refresh();
  } catch (err) {
    console.warn("could not keep the run in the history", err);
    useHistoryStore.setState({ error: `The run could not be kept: ${message(err)}` });
  }
}

export async function removeRun(runId: string): Promise<void> {
  await deleteRun(runId);
  await refresh();
}

/** Picks or unpicks a run; a third pick replaces the first, so two stay picked. */
export function togglePicked(runId: string): void {
  useHistoryStore.setState((s) => ({
    picked: s.picked.includes(runId) ? s.picked.filter((id) => id !== runId) : [...s.picked, runId].slice(-2),
  }));
}

async function opened(runId: string) {
  const record = await readRun(runId);
  if (!record) throw new Error(`run ${runId} is no longer kept`);
  return openRecord(record);
}

/** The two picked runs side by side, the older as A. */
export async function compareRuns(a: string, b: string): Promise<void> {
  try {
    const [x, y] = await Promise.all([opened(a), opened(b)]);
    const [first, second] = x.record.startedUnixMs <= y.record.startedUnixMs ? [x, y] : [y, x];
    useHistoryStore.setState({ compare: { title: "Compare runs", sides: [{ opened: first }, { opened: second }] } });
  } catch (err) {
    useUiStore.getState().notify({ tone: "error", text: `Could not compare: ${message(err)}`, testId: "notice-history" });
  }
}

/**
 * The first two designs of one run side by side: both took the same load (one
 * client fed both, or clients with the same traffic) and the same faults,
 * because they ran at once.
 */
export async function compareDesigns(runId: string): Promise<void> {
  try {
    const o = await opened(runId);
    const [a, b] = o.record.designs;
    if (!a || !b) throw new Error("this run's topology holds one design");
    // Fed by different clients, the designs may not have taken the same load: the dialog says so.
    const [da, db] = findDesigns(o.topology);
    const load = da && db ? sameLoad(o.topology, da, db) : { same: true as const };
    useHistoryStore.setState({
      compare: { title: "Compare designs", sides: [{ opened: o, design: a }, { opened: o, design: b }], unequalLoad: load.same ? undefined : load.why },
    });
  } catch (err) {
    useUiStore.getState().notify({ tone: "error", text: `Could not compare: ${message(err)}`, testId: "notice-history" });
  }
}

export function closeCompare(): void {
  useHistoryStore.setState({ compare: null });
}

/** Downloads the picked runs, or every kept run when none is picked, as one runs file. */
export async function exportRuns(): Promise<void> {
  const { picked, rows } = useHistoryStore.getState();
  const ids = picked.length ? picked : rows.map((r) => r.runId);
  const records = (await Promise.all(ids.map(readRun))).filter((r): r is RunRecord => r !== undefined);
  const stamp = new Date().toISOString().slice(0, 16).replace(/[:T]/g, "-");
  saveFile(runsToFileText(records), records.length === 1 ? runFileName(records[0]) : `ipcplay-runs-${stamp}.json`);
}

/** Reads a runs file: the whole runs not kept yet are added; what was wrong or left out is said. */
export async function importRunsFile(file: File): Promise<void> {
  const notify = useUiStore.getState().notify;
  if (file.size > MAX_RUNS_FILE_BYTES) {
    notify({ tone: "error", text: `“${file.name}” is ${Math.round(file.size / 2 ** 20)} MiB; a runs file is at most ${MAX_RUNS_FILE_BYTES / 2 ** 20} MiB.`, testId: "notice-history" });
    return;
  }
  try {
    const result = runsFromFileText(await file.text());
    const plan = planImport(useHistoryStore.getState().rows, result.runs);
    if (plan.add.length) await keepRuns(plan.add);
    await refresh();
    const left = [
      plan.duplicates ? `${plan.duplicates} already kept` : "",
      plan.pastCap ? `${plan.pastCap} older than the ${useHistoryStore.getState().rows.length} kept (the history keeps the newest)` : "",
    ].filter(Boolean);
    notify({
      tone: result.problems.length ? (plan.add.length ? "warn" : "error") : "info",
      text: `“${file.name}”: ${plan.add.length} run${plan.add.length === 1 ? "" : "s"} added${left.length ? `; ${left.join(", ")}` : ""}${result.problems.length ? `; ${result.problems.length} could not be read` : ""}.`,
      details: result.problems,
      testId: "notice-history",
    });
  } catch (err) {
    notify({ tone: "error", text: `“${file.name}” could not be imported: ${message(err)}`, testId: "notice-history" });
  }
}
