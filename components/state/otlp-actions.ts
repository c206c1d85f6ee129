/**
 * Traces in OpenTelemetry's file format, both ways:
 * - download a trace, or the whole run's traces, as OTLP/JSON (the server
 *   encodes them with the official serializers: ExportTraces);
 * - import an OTLP/JSON file recorded anywhere (lib/trace/otlp-import.ts): the
 *   services and edges it implies open on the canvas (through the gate, one undo
 *   away, as any file), and its traces fill the trace list and waterfall.
 */
import { toJson } from "@bufbuild/protobuf";
import { TopologySchema } from "@/lib/gen/ipcplay/v1/topology_pb";
import { importOtlpText } from "@/lib/trace/otlp-import";
import { parseTopology } from "@/lib/topology/parse";
import { controlClient, withToken } from "./control-client";
import { useHealthStore } from "./health-store";
import { openTopology, problemLine } from "./open-topology";
import { useRunStore } from "./run-store";
import { useUiStore } from "./ui-store";
import { saveFile } from "@/components/files/save-file";

/** An OTLP file larger than this is not read (the import reads at most 50,000 spans anyway). */
export const MAX_OTLP_FILE_BYTES = 64 * 1024 * 1024;

/** Downloads one trace (or, without `traceId`, every trace of the run) as `….otlp.json`. */
export async function downloadOtlp(traceId?: string): Promise<void> {
  const { runId, token } = useRunStore.getState();
  if (!runId || !token) return;
  try {
    const res = await controlClient().exportTraces({ runId, traceId: traceId ?? "" }, withToken(token));
    saveFile(new Uint8Array(res.otlpJson), traceId ? `trace-${traceId.slice(0, 16)}.otlp.json` : `run-${runId}.otlp.json`);
  } catch (err) {
    useUiStore.getState().notify({
      tone: "error",
      text: "The traces could not be exported.",
      details: [err instanceof Error ? err.message : String(err)],
      testId: "notice-otlp",
    });
  }
}

/** Reads an OTLP/JSON file: its topology opens on the canvas and its traces in the trace list. */
export async function importOtlpFile(file: File): Promise<void> {
  const fail = (details: string[]) =>
    useUiStore.getState().notify({
      tone: "error",
      text: `“${file.name}” could not be imported as OTLP traces, so your canvas was left as it was.`,
      details,
      testId: "notice-import",
    });
  if (file.size > MAX_OTLP_FILE_BYTES) {
    fail([`the file is ${Math.round(file.size / 1024 / 1024)} MiB; at most ${MAX_OTLP_FILE_BYTES / 1024 / 1024} MiB are read`]);
    return;
  }
  let text: string;
  try {
    text = await file.text();
  } catch (err) {
    fail([`the file could not be read (${err instanceof Error ? err.message : String(err)})`]);
    return;
  }
  const name = file.name.replace(/\.json$/i, "").replace(/\.otlp$/i, "") || "Imported traces";
  const imported = importOtlpText(text, name);
  if (imported.spans.length === 0) {
    fail(imported.problems.length > 0 ? imported.problems.map(problemLine) : ["no spans in the file"]);
    return;
  }
  const gated = parseTopology(toJson(TopologySchema, imported.topology));
  if (!gated.ok || !gated.topology) {
    fail(gated.problems.map(problemLine));
    return;
  }
  if (!openTopology(gated.topology, { source: "file", problems: gated.problems })) return;
  const shown = useRunStore.getState().showImportedTraces(imported.spans);
  useHealthStore.setState((s) => ({ tracesRequest: s.tracesRequest + 1 }));
  useHealthStore.getState().clearFilter();
  const services = gated.topology.nodes.length;
  useUiStore.getState().notify({
    tone: imported.problems.length > 0 ? "warn" : "info",
    text: `Imported ${shown === 1 ? "1 trace" : `${shown} traces`} (${imported.spans.length} spans) from “${file.name}”: ${services === 1 ? "1 service" : `${services} services`} and ${gated.topology.edges.length} edges drawn from them.`,
    ...(imported.problems.length > 0 ? { details: imported.problems.map(problemLine) } : {}),
    testId: "notice-otlp-import",
  });
}
