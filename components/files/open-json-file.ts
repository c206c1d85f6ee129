import { FILE_KIND_HEAD_BYTES, jsonFileKind, type JsonFileKind } from "@/lib/files/json-file-kind";
import { openReplayFile } from "@/components/replay/replay-file";
import { importTopologyFile } from "@/components/state/file-actions";
import { importOtlpFile } from "@/components/state/otlp-actions";

/** A .json file picked in the File menu or dropped on the canvas, opened as what it is (lib/files/json-file-kind.ts). */
export async function openJsonFile(file: File): Promise<void> {
  const kind = await kindOf(file);
  if (kind === "run") await openReplayFile(file);
  else if (kind === "otlp") await importOtlpFile(file);
  else await importTopologyFile(file);
}

async function kindOf(file: File): Promise<JsonFileKind> {
  try {
    return jsonFileKind(await file.slice(0, FILE_KIND_HEAD_BYTES).text());
  } catch {
    // Unreadable: the topology import says so, with the file's name.
    return "topology";
  }
}
