"use client";

import type { Notice } from "@/components/state/ui-store";

/** A notice's sentence, every problem it lists (scrolling past a few), and its one action. */
export function NoticeBody({ notice, onDone }: { notice: Notice; onDone: () => void }) {
  const details = notice.details ?? [];
  return (
    <>
      <p>{notice.text}</p>
      {details.length > 0 && (
        <ul className="mt-1.5 flex max-h-40 flex-col gap-1 overflow-y-auto" data-testid="notice-details">
          {details.map((d, i) => (
            <li key={i} className="rounded bg-zinc-50 px-1.5 py-1 font-mono text-2xs leading-snug break-words text-zinc-600">
              {d}
            </li>
          ))}
        </ul>
      )}
      {notice.action && (
        <button
          type="button"
          data-testid="notice-action"
          onClick={() => {
            notice.action!.run();
            onDone();
          }}
          className="mt-2 rounded-md border border-zinc-200 px-2 py-1 text-2xs font-medium text-zinc-800 shadow-xs hover:bg-zinc-50"
        >
          {notice.action.label}
        </button>
      )}
    </>
  );
}
