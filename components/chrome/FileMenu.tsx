"use client";

import clsx from "clsx";
import { ChevronDown, Download, FileJson, Upload } from "lucide-react";
import { useCallback, useRef, useState } from "react";
import { exportTopology, importTopologyFile } from "@/components/state/file-actions";
import { useDocumentStore } from "@/components/state/document-store";
import { isLive, useRunStore } from "@/components/state/run-store";
import { Button } from "@/components/ui/Button";
import { MenuItem } from "@/components/ui/MenuItem";
import { useDismiss } from "@/components/ui/useDismiss";

/** Import a topology from a JSON file, or export the canvas as one. */
export function FileMenu() {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const file = useRef<HTMLInputElement>(null);
  const live = useRunStore((s) => isLive(s.phase));
  const empty = useDocumentStore((s) => s.nodes.length === 0);
  const close = useCallback(() => setOpen(false), []);
  useDismiss(ref, open, close);

  return (
    <div ref={ref} className="relative">
      <Button variant="ghost" onClick={() => setOpen(!open)} data-testid="file-menu" aria-expanded={open} aria-haspopup="menu">
        <FileJson className="size-3.5" />
        File
        <ChevronDown className={clsx("size-3 text-zinc-400 transition-transform", open && "rotate-180")} />
      </Button>
      <input
        ref={file}
        type="file"
        accept=".json,application/json"
        className="hidden"
        data-testid="import-input"
        onChange={(e) => {
          const f = e.currentTarget.files?.[0];
          e.currentTarget.value = "";
          if (f) void importTopologyFile(f);
        }}
      />
      {open && (
        <div role="menu" className="ipc-pop absolute top-full right-0 z-50 mt-2 w-64 rounded-xl border border-zinc-200 bg-white p-1 shadow-xl shadow-zinc-900/10">
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
          <div className="mx-2 mt-1 border-t border-zinc-100 px-1 pt-2 pb-1 text-2xs leading-snug text-zinc-400">
            Tip: drop a .json file onto the canvas to open it.
          </div>
        </div>
      )}
    </div>
  );
}
