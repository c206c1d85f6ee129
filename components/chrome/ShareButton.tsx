"use client";

import { Check, Copy, Link2, Lock } from "lucide-react";
import { useCallback, useRef, useState } from "react";
import { selectTopology, useDocumentStore } from "@/components/state/document-store";
import { shareUrl } from "@/components/state/open-topology";
import { Button } from "@/components/ui/Button";
import { useModKey } from "./HistoryButtons";
import { Tooltip } from "@/components/ui/Tooltip";
import { formatCount } from "@/components/ui/format";
import { useDismiss } from "@/components/ui/useDismiss";

type Copied = "copied" | "manual";

/** Copies a link that holds the whole topology, and shows it. */
export function ShareButton() {
  const empty = useDocumentStore((s) => s.nodes.length === 0);
  const [link, setLink] = useState<{ url: string; copied: Copied } | null>(null);
  const ref = useRef<HTMLDivElement>(null);
  const close = useCallback(() => setLink(null), []);
  useDismiss(ref, link !== null, close);

  const share = async () => {
    if (link) return close();
    const url = shareUrl(selectTopology(useDocumentStore.getState()));
    setLink({ url, copied: (await copyText(url)) ? "copied" : "manual" });
  };

  return (
    <div ref={ref} className="relative">
      <Tooltip content={empty ? "Nothing to share yet: add a client and a service." : null} align="end">
        {/* From 768 to 879 px the bar is full: the icon alone (a phone's bar has room for the word again). */}
        <Button
          variant="secondary"
          onClick={() => void share()}
          disabled={empty}
          data-testid="share"
          aria-expanded={link !== null}
          aria-label="Share"
          className="max-[880px]:w-8 max-[880px]:px-0 phone:w-auto phone:px-3"
        >
          <Link2 className="size-3.5" />
          <span className="max-[880px]:sr-only phone:not-sr-only">Share</span>
        </Button>
      </Tooltip>
      {link && <SharePopover url={link.url} copied={link.copied} onCopied={() => setLink({ ...link, copied: "copied" })} />}
    </div>
  );
}

function SharePopover({ url, copied, onCopied }: { url: string; copied: Copied; onCopied: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  const mod = useModKey();
  return (
    <div
      role="dialog"
      aria-label="Share link"
      data-testid="share-popover"
      data-copied={copied === "copied"}
      className="ipc-pop absolute top-full right-0 z-50 mt-2 w-[380px] max-w-[calc(100vw-1.5rem)] rounded-xl border border-zinc-200 bg-white p-3 shadow-xl shadow-zinc-900/10"
    >
      <div className="flex items-center gap-2 text-[13px] font-medium text-zinc-900">
        {copied === "copied" ? (
          <>
            <span className="flex size-5 items-center justify-center rounded-full bg-emerald-100 text-emerald-700">
              <Check className="size-3.5" strokeWidth={2.5} />
            </span>
            Link copied
          </>
        ) : (
          <>
            <span className="flex size-5 items-center justify-center rounded-full bg-zinc-100 text-zinc-600">
              <Link2 className="size-3.5" />
            </span>
            Press {mod}+C to copy this link
          </>
        )}
        <span className="tabular ml-auto text-2xs font-normal text-zinc-500" data-testid="share-length">
          {formatCount(url.length)} characters
        </span>
      </div>
      <div className="mt-2.5 flex gap-1.5">
        <input
          ref={input}
          readOnly
          value={url}
          data-testid="share-link"
          aria-label="Share link"
          autoFocus={copied !== "copied"}
          onFocus={(e) => e.currentTarget.select()}
          className="h-8 min-w-0 flex-1 rounded-md border border-zinc-200 bg-zinc-50 px-2 font-mono text-2xs text-zinc-700 focus:border-blue-500 focus:bg-white focus:ring-3 focus:ring-blue-500/15 focus:outline-none"
        />
        <Button
          size="md"
          variant="secondary"
          aria-label="Copy link"
          onClick={async () => {
            input.current?.select();
            if (await copyText(url)) onCopied();
          }}
        >
          <Copy className="size-3.5" />
        </Button>
      </div>
      <p className="mt-2.5 flex items-start gap-1.5 text-2xs leading-relaxed text-zinc-500">
        <Lock className="mt-0.5 size-3 shrink-0" />
        The whole topology — nodes, positions, edges and every setting — is in the part after #, which browsers never send to
        a server. Anyone with the link gets an exact copy.
      </p>
    </div>
  );
}

/** Writes to the clipboard; false when the browser does not allow it (no permission, not a secure page). */
async function copyText(text: string): Promise<boolean> {
  if (!navigator.clipboard?.writeText) return false;
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch (err) {
    console.info("clipboard not available; the link is shown to copy by hand", err);
    return false;
  }
}
