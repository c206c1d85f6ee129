/** One thing wrong with an input, with the path of the field in its JSON form. */
export interface Problem {
  /** e.g. "edges[3].target", "nodes[0].behavior.errorRate", "" for the whole document. */
  path: string;
  message: string;
}

/** Longest quoted value in a problem sentence; the rest is cut with "…". */
const MAX_QUOTED_CHARS = 40;

/**
 * A value someone typed, quoted for a problem sentence as JSON quotes it:
 * `"orders"`, `"a\nb"`. Newlines and other control characters come out
 * escaped, so an id cannot add a forged line to a problem list; long values are
 * cut.
 *
 * @example quote("orders") // '"orders"'
 * @example quote("x\nnodes[0].id: fine") // '"x\\nnodes[0].id: fine"'
 */
export function quote(value: string): string {
  const cut = value.length > MAX_QUOTED_CHARS ? `${value.slice(0, MAX_QUOTED_CHARS)}…` : value;
  return escapeControl(JSON.stringify(cut));
}

/**
 * Control characters, and the two line separators JSON.stringify leaves as
 * they are, as `\uXXXX` (or `\n`, `\r`, `\t`): text that is one line stays one line.
 */
export function escapeControl(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    if (c === "\n") return "\\n";
    if (c === "\r") return "\\r";
    if (c === "\t") return "\\t";
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
}

/**
 * Formats problems as one readable line each: `edges[3].target: unknown node "x"`.
 * Whatever a path or message holds, each problem is exactly one line.
 */
export function formatProblems(problems: readonly Problem[]): string {
  return problems
    .map((p) => (p.path ? `${escapeControl(p.path)}: ${escapeControl(p.message)}` : escapeControl(p.message)))
    .join("\n");
}

/**
 * The first `max` problems, then one that counts the rest: a document with
 * thousands of mistakes gets a list a person can read, not megabytes.
 */
export function capProblems(problems: Problem[], max: number): Problem[] {
  if (problems.length <= max) return problems;
  const more = problems.length - max;
  return [...problems.slice(0, max), { path: "", message: `… and ${more} more ${more === 1 ? "problem" : "problems"}` }];
}
