"use client";

import { Redo2, Undo2 } from "lucide-react";
import { useEffect, useState } from "react";
import { useDocumentStore } from "@/components/state/document-store";
import { isEditLocked, useRunStore } from "@/components/state/run-store";
import { Button } from "@/components/ui/Button";
import { Kbd } from "@/components/ui/Kbd";
import { Tooltip } from "@/components/ui/Tooltip";

/** "⌘" on Apple keyboards, "Ctrl" elsewhere; decided after hydration so server and client agree. */
export function useModKey(): string {
  const [mod, setMod] = useState("Ctrl");
  useEffect(() => {
    if (/Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent)) setMod("⌘");
  }, []);
  return mod;
}

/** Undo and redo, beside the topology's name. */
export function HistoryButtons() {
  const canUndo = useDocumentStore((s) => s.history.past.length > 0);
  const canRedo = useDocumentStore((s) => s.history.future.length > 0);
  const live = useRunStore((s) => isEditLocked(s.phase));
  const mod = useModKey();
  return (
    <div className="flex items-center gap-0.5">
      <Tooltip content={<Shortcut label="Undo" keys={[mod, "Z"]} />}>
        <Button
          variant="ghost"
          className="w-8 px-0"
          aria-label="Undo"
          data-testid="undo"
          disabled={!canUndo || live}
          onClick={() => useDocumentStore.getState().undo()}
        >
          <Undo2 className="size-4" />
        </Button>
      </Tooltip>
      <Tooltip content={<Shortcut label="Redo" keys={[mod, "Shift", "Z"]} />}>
        <Button
          variant="ghost"
          className="w-8 px-0"
          aria-label="Redo"
          data-testid="redo"
          disabled={!canRedo || live}
          onClick={() => useDocumentStore.getState().redo()}
        >
          <Redo2 className="size-4" />
        </Button>
      </Tooltip>
    </div>
  );
}

function Shortcut({ label, keys }: { label: string; keys: string[] }) {
  return (
    <span className="flex items-center gap-2">
      {label}
      <span className="flex gap-0.5">
        {keys.map((k) => (
          <Kbd key={k}>{k}</Kbd>
        ))}
      </span>
    </span>
  );
}
