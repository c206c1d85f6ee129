/**
 * What a dropped or picked .json file is, from its first few KB: a recorded
 * run (a runs file, `{"format":"ipcplay-run/1"…`), OpenTelemetry traces
 * (OTLP/JSON, `{"resourceSpans":…`), or else a topology (which the gate then
 * reads and, if it is none, says why). One place decides, so every way a file
 * comes in — File menu, a drop on the canvas — opens it the same.
 *
 * Pure: no I/O.
 */
import { RUN_RECORD_FORMAT } from "@/lib/history/run-record";

export type JsonFileKind = "run" | "otlp" | "topology";

/** How much of a file's start {@link jsonFileKind} needs. */
export const FILE_KIND_HEAD_BYTES = 4096;

export function jsonFileKind(head: string): JsonFileKind {
  if (/^\s*\{\s*"format"\s*:\s*"ipcplay-run\/1"/.test(head) || head.includes(`"format":"${RUN_RECORD_FORMAT}"`)) return "run";
  if (/"resourceSpans"\s*:/.test(head)) return "otlp";
  return "topology";
}
