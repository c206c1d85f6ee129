"use client";

import { CircleAlert, Info, TriangleAlert, X } from "lucide-react";
import { useDocumentStore } from "@/components/state/document-store";
import { useRunStore } from "@/components/state/run-store";
import { useUiStore } from "@/components/state/ui-store";
import { NoticeBody } from "./NoticeBody";

/** Toasts for things that happened away from any one field. */
export function Notices() {
  const restore = useDocumentStore((s) => s.restoreNotice);
  const dismissRestore = useDocumentStore((s) => s.dismissRestoreNotice);
  const error = useRunStore((s) => s.error);
  const dismissError = useRunStore((s) => s.dismissError);
  const notice = useUiStore((s) => s.notice);
  const dismissNotice = useUiStore((s) => s.dismissNotice);
  if (!restore && !error && !notice) return null;
  return (
    <div className="pointer-events-none fixed right-4 bottom-4 z-50 flex w-[380px] max-w-[calc(100vw-2rem)] flex-col gap-2">
      {restore && (
        <Toast tone="warn" onClose={dismissRestore} testId="notice-restore">
          {restore}
        </Toast>
      )}
      {notice && (
        <Toast tone={notice.tone} onClose={dismissNotice} testId={notice.testId ?? "notice"}>
          <NoticeBody notice={notice} onDone={dismissNotice} />
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

const TONE_ICON = {
  info: <Info className="mt-px size-4 shrink-0 text-blue-500" />,
  warn: <TriangleAlert className="mt-px size-4 shrink-0 text-amber-500" />,
  error: <CircleAlert className="mt-px size-4 shrink-0 text-red-500" />,
};

function Toast({ tone, children, onClose, testId }: { tone: "info" | "warn" | "error"; children: React.ReactNode; onClose: () => void; testId: string }) {
  return (
    <div
      role="status"
      data-testid={testId}
      className="ipc-pop pointer-events-auto flex items-start gap-2.5 rounded-xl border border-zinc-200 bg-white p-3 text-xs text-zinc-700 shadow-lg shadow-zinc-900/10"
    >
      {TONE_ICON[tone]}
      <div className="min-w-0 flex-1 leading-relaxed">{children}</div>
      <button type="button" onClick={onClose} aria-label="Dismiss" className="rounded p-0.5 text-zinc-400 hover:bg-zinc-100 hover:text-zinc-700">
        <X className="size-3.5" />
      </button>
    </div>
  );
}
