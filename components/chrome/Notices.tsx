"use client";

import { CircleAlert, TriangleAlert, X } from "lucide-react";
import { useDocumentStore } from "@/components/state/document-store";
import { useRunStore } from "@/components/state/run-store";

/** Toasts for things that happened away from any one field. */
export function Notices() {
  const restore = useDocumentStore((s) => s.restoreNotice);
  const dismissRestore = useDocumentStore((s) => s.dismissRestoreNotice);
  const error = useRunStore((s) => s.error);
  const dismissError = useRunStore((s) => s.dismissError);
  if (!restore && !error) return null;
  return (
    <div className="pointer-events-none fixed right-4 bottom-4 z-50 flex w-[380px] flex-col gap-2">
      {restore && (
        <Toast tone="warn" onClose={dismissRestore} testId="notice-restore">
          {restore}
        </Toast>
      )}
      {error && (
        <Toast tone="error" onClose={dismissError} testId="notice-error">
          {error}
        </Toast>
      )}
    </div>
  );
}

function Toast({ tone, children, onClose, testId }: { tone: "warn" | "error"; children: React.ReactNode; onClose: () => void; testId: string }) {
  const Icon = tone === "warn" ? TriangleAlert : CircleAlert;
  return (
    <div
      role="status"
      data-testid={testId}
      className="ipc-pop pointer-events-auto flex items-start gap-2.5 rounded-xl border border-zinc-200 bg-white p-3 text-xs text-zinc-700 shadow-lg shadow-zinc-900/10"
    >
      <Icon className={tone === "warn" ? "mt-px size-4 shrink-0 text-amber-500" : "mt-px size-4 shrink-0 text-red-500"} />
      <div className="min-w-0 flex-1 leading-relaxed">{children}</div>
      <button type="button" onClick={onClose} aria-label="Dismiss" className="rounded p-0.5 text-zinc-400 hover:bg-zinc-100 hover:text-zinc-700">
        <X className="size-3.5" />
      </button>
    </div>
  );
}
