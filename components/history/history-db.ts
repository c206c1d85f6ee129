/**
 * The kept runs in the browser's IndexedDB (idb's promise wrapper). Two
 * stores: `runs` holds whole records (series included, up to a few MB each)
 * and `rows` the list's line of each, so drawing the History tab never reads
 * the series. Both change in one transaction, so they cannot disagree.
 */
import { type DBSchema, type IDBPDatabase, openDB } from "idb";
import { historyRow, type HistoryRow, runsPastCap } from "@/lib/history/history-list";
import type { RunRecord } from "@/lib/history/run-record";

const DB_NAME = "ipcplay-history";
const DB_VERSION = 1;

interface HistoryDb extends DBSchema {
  runs: { key: string; value: RunRecord };
  rows: { key: string; value: HistoryRow };
}

let db: Promise<IDBPDatabase<HistoryDb>> | null = null;

function open(): Promise<IDBPDatabase<HistoryDb>> {
  db ??= openDB<HistoryDb>(DB_NAME, DB_VERSION, {
    upgrade(d) {
      d.createObjectStore("runs", { keyPath: "runId" });
      d.createObjectStore("rows", { keyPath: "runId" });
    },
  });
  // A failed open (private mode, quota) is tried again on the next call rather than remembered.
  db.catch(() => {
    db = null;
  });
  return db;
}

/** Every kept run's row, in no particular order. */
export async function readRows(): Promise<HistoryRow[]> {
  return (await open()).getAll("rows");
}

export async function readRun(runId: string): Promise<RunRecord | undefined> {
  return (await open()).get("runs", runId);
}

/**
 * Keeps `records` and drops the oldest runs past the cap, in one transaction.
 * Returns the ids dropped.
 */
export async function keepRuns(records: readonly RunRecord[]): Promise<string[]> {
  const d = await open();
  const tx = d.transaction(["runs", "rows"], "readwrite");
  const [runs, rows] = [tx.objectStore("runs"), tx.objectStore("rows")];
  await Promise.all(records.flatMap((r) => [runs.put(r), rows.put(historyRow(r))]));
  const drop = runsPastCap(await rows.getAll());
  await Promise.all(drop.flatMap((id) => [runs.delete(id), rows.delete(id)]));
  await tx.done;
  return drop;
}

export async function deleteRun(runId: string): Promise<void> {
  const d = await open();
  const tx = d.transaction(["runs", "rows"], "readwrite");
  await Promise.all([tx.objectStore("runs").delete(runId), tx.objectStore("rows").delete(runId), tx.done]);
}
