"use client";

import { Download, FileJson, History, Upload, Waypoints } from "lucide-react";
import { useRef } from "react";
import { exportTopology } from "@/components/state/file-actions";
import { openJsonFile } from "@/components/files/open-json-file";
import { downloadOtlp, importOtlpFile } from "@/components/state/otlp-actions";
import { useDocumentStore } from "@/components/state/document-store";
import { isLive, useRunStore } from "@/components/state/run-store";
import { DropdownMenu } from "@/components/ui/DropdownMenu";
import { MenuItem } from "@/components/ui/MenuItem";
import { openReplayFile } from "@/components/replay/replay-file";
import { JsonFileInput } from "@/components/ui/JsonFileInput";

/** Import a topology from a JSON file, or export the canvas as one; OpenTelemetry traces (OTLP/JSON) in and out. */
export function FileMenu() {
  const file = useRef<HTMLInputElement>(null);
  const otlpFile = useRef<HTMLInputElement>(null);
  const runFile = useRef<HTMLInputElement>(null);
  const live = useRunStore((s) => isLive(s.phase));
  const hasRun = useRunStore((s) => s.runId !== null && s.token !== null);
  const empty = useDocumentStore((s) => s.nodes.length === 0);

  return (
    <>
      <JsonFileInput inputRef={file} testId="import-input" onFile={(f) => void openJsonFile(f)} />
      <JsonFileInput inputRef={otlpFile} testId="import-otlp-input" onFile={(f) => void importOtlpFile(f)} />
      <JsonFileInput inputRef={runFile} testId="open-run-input" onFile={(f) => void openReplayFile(f)} />
      <DropdownMenu
        icon={<FileJson className="size-3.5" />}
        label="File"
        testId="file-menu"
        widthClass="w-64"
        footer="Tip: drop a .json file (a topology or OTLP traces) onto the canvas to open it."
      >
        {(close) => (
          <>
            <MenuItem
              icon={<Upload className="size-4" />}
              title="Import JSON…"
              hint={live ? "Stop the run first" : "Replaces the canvas; undo brings it back"}
              disabled={live}
              testId="import"
              onClick={() => {
                close();
                file.current?.click();
              }}
            />
            <MenuItem
              icon={<Download className="size-4" />}
              title="Export JSON"
              hint={empty ? "Nothing to export yet" : "The topology as a .json file"}
              disabled={empty}
              testId="export"
              onClick={() => {
                close();
                exportTopology();
              }}
            />
            <MenuItem
              icon={<Waypoints className="size-4" />}
              title="Import OTLP traces…"
              hint={live ? "Stop the run first" : "OpenTelemetry traces (OTLP/JSON): their services on the canvas, their traces in the waterfall"}
              disabled={live}
              testId="import-otlp"
              onClick={() => {
                close();
                otlpFile.current?.click();
              }}
            />
            <MenuItem
              icon={<Download className="size-4" />}
              title="Download run traces (OTLP)"
              hint={hasRun ? "Every trace the run holds, as OTLP/JSON for Jaeger, Tempo or a collector" : "Run the topology first"}
              disabled={!hasRun}
              testId="export-otlp"
              onClick={() => {
                close();
                void downloadOtlp();
              }}
            />
            <MenuItem
              icon={<History className="size-4" />}
              title="Open recorded run…"
              hint={live ? "Stop the run first" : "Replay a run file (History → Export); your canvas stays"}
              disabled={live}
              testId="open-run"
              onClick={() => {
                close();
                runFile.current?.click();
              }}
            />
          </>
        )}
      </DropdownMenu>
    </>
  );
}
