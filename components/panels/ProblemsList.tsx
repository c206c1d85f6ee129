"use client";

import { CircleAlert, CircleCheck } from "lucide-react";
import { useDocumentStore } from "@/components/state/document-store";
import { useProblems } from "@/components/state/problems";

export function ProblemsList() {
  const problems = useProblems();
  const select = useDocumentStore((s) => s.select);
  if (problems.all.length === 0) {
    return (
      <div className="flex h-full items-center justify-center gap-2 text-xs text-zinc-500">
        <CircleCheck className="size-4 text-emerald-500" /> No problems: the topology is ready to run.
      </div>
    );
  }
  return (
    <ul className="h-full overflow-y-auto py-1" data-testid="problems">
      {problems.all.map((p, i) => (
        <li key={i}>
          <button
            type="button"
            onClick={() => select({ nodes: p.nodeId ? [p.nodeId] : [], edges: p.edgeId ? [p.edgeId] : [] })}
            className="flex w-full items-center gap-2.5 px-3 py-1.5 text-left text-xs hover:bg-zinc-50"
          >
            <CircleAlert className={p.source === "server" ? "size-3.5 shrink-0 text-red-500" : "size-3.5 shrink-0 text-amber-500"} />
            <span className="w-40 shrink-0 truncate font-mono text-2xs text-zinc-500">{p.problem.path || "topology"}</span>
            <span className="text-zinc-800">{p.problem.message}</span>
            {p.source === "server" && <span className="ml-auto shrink-0 text-2xs text-zinc-400">from the server</span>}
          </button>
        </li>
      ))}
    </ul>
  );
}
