"use client";
/**
 * Problems of the current document, from live validation and from the server's
 * last StartRun, mapped to node and edge ids for the canvas and panels.
 */
import { createContext, useContext } from "react";
import type { Problem } from "@/lib/run/problem";

export interface DocumentProblems {
  /** Everything, live and server, for the list and the Run button. */
  all: { problem: Problem; nodeId?: string; edgeId?: string; source: "live" | "server" }[];
  nodes: Map<string, Problem[]>;
  edges: Map<string, Problem[]>;
  /** True when problems came from the server's validation (shown in red). */
  server: boolean;
}

export const EMPTY_PROBLEMS: DocumentProblems = { all: [], nodes: new Map(), edges: new Map(), server: false };

export const ProblemsContext = createContext<DocumentProblems>(EMPTY_PROBLEMS);

export function useProblems(): DocumentProblems {
  return useContext(ProblemsContext);
}
