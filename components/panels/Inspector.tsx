"use client";

import { CircleAlert, MousePointer2 } from "lucide-react";
import { useShallow } from "zustand/react/shallow";
import { NodeKind } from "@/lib/gen/ipcplay/v1/topology_pb";
import { useDocumentStore } from "@/components/state/document-store";
import { useProblems } from "@/components/state/problems";
import { isEditLocked, useRunStore } from "@/components/state/run-store";
import { LiveEditStatus } from "@/components/state/LiveEditStatus";
import { Kbd } from "@/components/ui/Kbd";
import { Section } from "@/components/ui/fields";
import { EdgeInspector } from "./EdgeInspector";
import { NodeInspector } from "./NodeInspector";

export function Inspector() {
  const { node, edge, count, nodeCount, edgeCount, clientCount } = useDocumentStore(
    useShallow((s) => {
      const nodes = s.nodes.filter((n) => n.selected);
      const edges = s.edges.filter((e) => e.selected);
      return {
        node: nodes.length === 1 && edges.length === 0 ? nodes[0].data.node : null,
        edge: edges.length === 1 && nodes.length === 0 ? edges[0].data.edge : null,
        count: nodes.length + edges.length,
        nodeCount: s.nodes.length,
        edgeCount: s.edges.length,
        clientCount: s.nodes.filter((n) => n.data.node.kind === NodeKind.CLIENT).length,
      };
    }),
  );
  // While a run is up settings stay editable (they go out with UpdateRun); only a starting or stopping run locks them.
  const locked = useRunStore((s) => isEditLocked(s.phase));

  return (
    <aside className="flex w-[300px] shrink-0 flex-col overflow-hidden border-l border-zinc-200 bg-white" aria-label="Inspector">
      <LiveEditStatus />
      <div className="min-h-0 flex-1 overflow-y-auto">
        {node ? (
          <NodeInspector key={`n-${node.id}`} node={node} locked={locked} />
        ) : edge ? (
          <EdgeInspector key={`e-${edge.id}`} edge={edge} locked={locked} />
        ) : (
          <Overview count={count} nodeCount={nodeCount} edgeCount={edgeCount} clientCount={clientCount} />
        )}
      </div>
    </aside>
  );
}

function Overview({ count, nodeCount, edgeCount, clientCount }: { count: number; nodeCount: number; edgeCount: number; clientCount: number }) {
  const problems = useProblems();
  const select = useDocumentStore((s) => s.select);
  return (
    <div className="flex flex-col" data-testid="overview">
      <div className="border-b border-zinc-100 px-4 py-3.5">
        <div className="text-2xs font-medium text-zinc-500">Topology</div>
        <div className="text-sm font-semibold text-zinc-900">
          {count > 1 ? `${count} items selected` : "Nothing selected"}
        </div>
      </div>
      <Section title="This topology">
        <dl className="tabular grid grid-cols-3 gap-2 text-center">
          {[
            ["Clients", clientCount],
            ["Services", nodeCount - clientCount],
            ["Edges", edgeCount],
          ].map(([k, v]) => (
            <div key={k} className="rounded-lg bg-zinc-50 px-2 py-2 ring-1 ring-zinc-100">
              <dd className="text-base font-semibold text-zinc-900">{v}</dd>
              <dt className="text-2xs text-zinc-500">{k}</dt>
            </div>
          ))}
        </dl>
      </Section>
      {problems.all.length > 0 && (
        <Section title={`Problems (${problems.all.length})`}>
          <ul className="flex flex-col gap-1.5" data-testid="inspector-problems">
            {problems.all.map((p, i) => (
              <li key={i}>
                <button
                  type="button"
                  className="flex w-full items-start gap-2 rounded-md px-2 py-1.5 text-left text-xs text-zinc-700 hover:bg-zinc-50"
                  onClick={() => select({ nodes: p.nodeId ? [p.nodeId] : [], edges: p.edgeId ? [p.edgeId] : [] })}
                >
                  <CircleAlert className={p.source === "server" ? "mt-px size-3.5 shrink-0 text-red-500" : "mt-px size-3.5 shrink-0 text-amber-500"} />
                  <span>
                    {(p.nodeId || p.edgeId) && <span className="font-mono text-2xs text-zinc-500">{p.nodeId || p.edgeId} </span>}
                    {p.problem.message}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </Section>
      )}
      <Section title="Tips">
        <div className="flex items-start gap-2 text-xs leading-relaxed text-zinc-500">
          <MousePointer2 className="mt-0.5 size-3.5 shrink-0" />
          Select a node or connection to edit it.
        </div>
        <ul className="flex flex-col gap-2 text-xs text-zinc-500">
          <li className="flex items-center justify-between">
            Delete selection
            <span className="flex gap-1">
              <Kbd>Del</Kbd>
              <Kbd>⌫</Kbd>
            </span>
          </li>
          <li className="flex items-center justify-between">
            Deselect
            <Kbd>Esc</Kbd>
          </li>
          <li className="flex items-center justify-between">
            Undo, redo
            <span className="flex gap-1">
              <Kbd>Ctrl Z</Kbd>
              <Kbd>Ctrl Shift Z</Kbd>
            </span>
          </li>
          <li className="flex items-center justify-between">
            Copy, paste nodes
            <span className="flex gap-1">
              <Kbd>Ctrl C</Kbd>
              <Kbd>Ctrl V</Kbd>
            </span>
          </li>
          <li className="flex items-center justify-between">
            Select several
            <span className="flex gap-1">
              <Kbd>Shift</Kbd>
              <span>+ drag</span>
            </span>
          </li>
        </ul>
      </Section>
    </div>
  );
}
