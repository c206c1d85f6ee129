/**
 * The gate's problem for one field of a node or edge, by the end of its path
 * ("nodes[2].behavior.maxWaiting" ends with ".behavior.maxWaiting"), so the
 * inspector shows it on the field itself. Pure.
 */
import type { Problem } from "@/lib/run/problem";

export function fieldProblem(problems: readonly Problem[] | undefined, suffix: string): string | null {
  const p = problems?.find((x) => x.path.endsWith(suffix));
  return p ? p.message.charAt(0).toUpperCase() + p.message.slice(1) : null;
}
