"use client";

import type { Ref } from "react";

/**
 * The hidden file picker behind an "Import…"/"Open…" button: JSON files only,
 * one at a time, and cleared after each pick so the same file can be picked again.
 */
export function JsonFileInput({ inputRef, testId, onFile }: { inputRef: Ref<HTMLInputElement>; testId: string; onFile: (file: File) => void }) {
  return (
    <input
      ref={inputRef}
      type="file"
      accept=".json,application/json"
      className="hidden"
      data-testid={testId}
      onChange={(e) => {
        const file = e.currentTarget.files?.[0];
        e.currentTarget.value = "";
        if (file) onFile(file);
      }}
    />
  );
}
