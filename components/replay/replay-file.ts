/** Recorded-run files: told apart from topology files, opened as a replay, downloaded. */
import { MAX_RUNS_FILE_BYTES, type RunRecord, runsFromFileText, runsToFileText } from "@/lib/history/run-record";
import { useUiStore } from "@/components/state/ui-store";
import { readRun } from "@/components/history/history-db";
import { openReplay } from "./replay-store";
import { saveFile } from "@/components/files/save-file";

/** History → Replay: the kept run, replayed. */
export async function replayKeptRun(runId: string): Promise<boolean> {
  try {
    const record = await readRun(runId);
    if (!record) throw new Error("it is no longer kept");
    return openReplay(record);
  } catch (err) {
    useUiStore.getState().notify({ tone: "error", text: `Could not replay the run: ${err instanceof Error ? err.message : String(err)}`, testId: "notice-replay" });
    return false;
  }
}

/** Reads a runs file and replays its newest run. */
export async function readRunFile(file: File): Promise<{ record: RunRecord; more: number } | { problem: string }> {
  if (file.size > MAX_RUNS_FILE_BYTES) return { problem: `“${file.name}” is ${Math.round(file.size / 2 ** 20)} MiB; a runs file is at most ${MAX_RUNS_FILE_BYTES / 2 ** 20} MiB.` };
  let text: string;
  try {
    text = await file.text();
  } catch (err) {
    return { problem: `“${file.name}” could not be read: ${err instanceof Error ? err.message : String(err)}` };
  }
  const { runs, problems } = runsFromFileText(text);
  if (runs.length === 0) return { problem: `“${file.name}” holds no run that can be replayed${problems.length ? `: ${problems[0]}` : "."}` };
  const newest = [...runs].sort((a, b) => b.stoppedUnixMs - a.stoppedUnixMs)[0];
  return { record: newest, more: runs.length - 1 };
}

export async function openReplayFile(file: File, options: { standalone?: boolean } = {}): Promise<boolean> {
  const notify = useUiStore.getState().notify;
  const read = await readRunFile(file);
  if ("problem" in read) {
    notify({ tone: "error", text: read.problem, testId: "notice-replay" });
    return false;
  }
  if (read.more) notify({ tone: "info", text: `“${file.name}” holds ${read.more + 1} runs; this is the newest. Import the file in the History tab to replay the others.`, testId: "notice-replay" });
  return openReplay(read.record, options);
}

/** `<name>-run.json`: the file name of one kept run. */
export function runFileName(record: RunRecord): string {
  return `${record.name.replace(/[^\w.-]+/g, "-")}-run.json`;
}

export function downloadRecord(record: RunRecord): void {
  saveFile(runsToFileText([record]), runFileName(record));
}
