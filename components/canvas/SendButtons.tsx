"use client";

import clsx from "clsx";
import { Send } from "lucide-react";
import { useState } from "react";
import { SEND_COUNTS, sendFromClient } from "@/components/state/send-actions";
import { messagesText } from "@/components/state/send-text";
import { Spinner } from "@/components/ui/Spinner";

/**
 * "Send 1 / 10 / 100" for a client while the run is up: the only way a client
 * with rate 0 sends at all, and a burst on demand for any other. Shared by
 * the node card and the inspector, so both say and do the same.
 */
export function SendButtons({ nodeId, where }: { nodeId: string; where: "node" | "inspector" }) {
  const [busy, setBusy] = useState<number | null>(null);
  const send = async (count: number) => {
    setBusy(count);
    try {
      await sendFromClient(nodeId, count);
    } finally {
      setBusy(null);
    }
  };
  return (
    <div
      role="group"
      aria-label={`Send messages from ${nodeId}`}
      data-testid={`send-${where}-${nodeId}`}
      className={clsx("nodrag flex items-center gap-1", where === "node" ? "text-2xs" : "text-xs")}
    >
      <span className="mr-0.5 flex items-center gap-1 font-medium text-zinc-600">
        {busy !== null ? <Spinner className="size-3" /> : <Send className="size-3 text-sky-600" aria-hidden />}
        Send
      </span>
      {SEND_COUNTS.map((count) => (
        <button
          key={count}
          type="button"
          data-testid={`send-${where}-${nodeId}-${count}`}
          aria-label={`Send ${messagesText(count)} from ${nodeId}`}
          title={`Send ${messagesText(count)} from ${nodeId} now`}
          disabled={busy !== null}
          onClick={(e) => {
            // The card's click would select the node and start a drag; the button only sends.
            e.stopPropagation();
            void send(count);
          }}
          className={clsx(
            "tabular inline-flex min-w-8 items-center justify-center rounded-md border border-sky-200 bg-white px-1.5 font-medium text-sky-700 shadow-xs transition-colors",
            "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-500 enabled:hover:border-sky-300 enabled:hover:bg-sky-50 disabled:cursor-not-allowed disabled:opacity-60",
            where === "node" ? "h-6" : "h-7",
          )}
        >
          {count}
        </button>
      ))}
    </div>
  );
}
