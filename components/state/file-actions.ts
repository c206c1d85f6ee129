/** Import and export of the topology as a JSON file (its protobuf JSON form). */
import { isOffline } from "./offline";
import { MAX_TOPOLOGY_FILE_BYTES, topologyFileName, topologyFromFileText, topologyToFileText } from "@/lib/topology/file";
import { selectTopology, useDocumentStore } from "./document-store";
import { openTopology, problemLine } from "./open-topology";
import { useUiStore } from "./ui-store";
import { saveFile } from "@/components/files/save-file";

/** Downloads the document as `<name>.json`. */
export function exportTopology(): void {
  const topology = selectTopology(useDocumentStore.getState());
  saveFile(topologyToFileText(topology), topologyFileName(topology));
}

/**
 * Reads a file through the gate and opens it. A file that cannot be read as a
 * topology leaves the canvas alone and lists every problem.
 */
export async function importTopologyFile(file: File): Promise<void> {
  if (isOffline()) {
    useUiStore.getState().notify({ tone: "warn", text: "Close the replay first to open a topology.", testId: "notice-import" });
    return;
  }
  const fail = (details: string[]) =>
    useUiStore.getState().notify({
      tone: "error",
      text: `“${file.name}” could not be imported, so your canvas was left as it was.`,
      details,
      testId: "notice-import",
    });
  if (file.size > MAX_TOPOLOGY_FILE_BYTES) {
    fail([`the file is ${Math.round(file.size / 1024)} KiB; a topology file is at most ${MAX_TOPOLOGY_FILE_BYTES / 1024} KiB`]);
    return;
  }
  let text: string;
  try {
    text = await file.text();
  } catch (err) {
    fail([`the file could not be read (${err instanceof Error ? err.message : String(err)})`]);
    return;
  }
  const result = topologyFromFileText(text);
  if (!result.topology) {
    fail(result.problems.map(problemLine));
    return;
  }
  openTopology(result.topology, { source: "file", problems: result.problems });
}
