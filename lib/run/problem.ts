/** One thing wrong with an input, with the path of the field in its JSON form. */
export interface Problem {
  /** e.g. "edges[3].target", "nodes[0].behavior.errorRate", "" for the whole document. */
  path: string;
  message: string;
}

/** Formats problems as one readable line each: `edges[3].target: unknown node "x"`. */
export function formatProblems(problems: readonly Problem[]): string {
  return problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join("\n");
}
