"use client";
import { useMemo } from "react";
import { useShallow } from "zustand/react/shallow";
import type { Problem } from "@/lib/run/problem";
import { selectTopology, useDocumentStore } from "./document-store";
import type { DocumentProblems } from "./problems";
import { useRunStore } from "./run-store";
import { problemTargets, validateTopology } from "@/lib/topology";

/** Live validation of the document merged with the server's last verdict. */
export function useDocumentProblems(): DocumentProblems {
  const { meta, nodes, edges } = useDocumentStore(useShallow((s) => ({ meta: s.meta, nodes: s.nodes, edges: s.edges })));
  const server = useRunStore((s) => s.serverProblems);
  return useMemo(() => {
    const topology = selectTopology({ meta, nodes, edges });
    const live = problemTargets(topology, validateTopology(topology));
    const all: DocumentProblems["all"] = [];
    const nodeMap = new Map<string, Problem[]>();
    const edgeMap = new Map<string, Problem[]>();
    const add = (map: Map<string, Problem[]>, id: string, p: Problem) => map.set(id, [...(map.get(id) ?? []), p]);
    for (const [id, ps] of live.nodes) for (const p of ps) (add(nodeMap, id, p), all.push({ problem: p, nodeId: id, source: "live" }));
    for (const [id, ps] of live.edges) for (const p of ps) (add(edgeMap, id, p), all.push({ problem: p, edgeId: id, source: "live" }));
    for (const p of live.document) all.push({ problem: p, source: "live" });
    const seen = new Set(all.map((a) => `${a.problem.path}|${a.problem.message}`));
    if (server) {
      for (const [id, ps] of Object.entries(server.nodes))
        for (const p of ps) if (!seen.has(`${p.path}|${p.message}`)) (add(nodeMap, id, p), all.push({ problem: p, nodeId: id, source: "server" }));
      for (const [id, ps] of Object.entries(server.edges))
        for (const p of ps) if (!seen.has(`${p.path}|${p.message}`)) (add(edgeMap, id, p), all.push({ problem: p, edgeId: id, source: "server" }));
      for (const p of server.document) if (!seen.has(`${p.path}|${p.message}`)) all.push({ problem: p, source: "server" });
    }
    return { all, nodes: nodeMap, edges: edgeMap, server: !!server && all.some((a) => a.source === "server") };
  }, [meta, nodes, edges, server]);
}
