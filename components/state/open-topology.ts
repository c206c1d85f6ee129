/**
 * Opening a whole topology — a template, a share link, an imported file —
 * in place of the canvas. Every carrier has passed the gate before it gets
 * here; what it replaced stays one undo away.
 */
import { equals } from "@bufbuild/protobuf";
import { TopologySchema, type Topology } from "@/lib/gen/ipcplay/v1/topology_pb";
import type { Problem } from "@/lib/run/problem";
import { decodeShareFragment, encodeShareFragment, SHARE_FRAGMENT_KEY } from "@/lib/topology";
import { selectTopology, useDocumentStore } from "./document-store";
import { isLive, useRunStore } from "./run-store";
import { useUiStore } from "./ui-store";

export type OpenSource = "template" | "link" | "file";

const WHAT: Record<OpenSource, string> = { template: "template", link: "shared topology", file: "file" };

/** "nodes[2].id: …", or the sentence alone for the whole document. */
export function problemLine(p: Problem): string {
  return p.path ? `${p.path}: ${p.message}` : p.message;
}

/**
 * Replaces the canvas with `topology` (undoable), fits the view and opens its
 * explanation. Refused while a run is live, since the running topology is on screen.
 * Returns whether it was opened.
 */
export function openTopology(topology: Topology, { source, problems = [] }: { source: OpenSource; problems?: readonly Problem[] }): boolean {
  const ui = useUiStore.getState();
  if (isLive(useRunStore.getState().phase)) {
    ui.notify({ tone: "warn", text: `Stop the run first to open this ${WHAT[source]}.`, testId: "notice-open" });
    return false;
  }
  const doc = useDocumentStore.getState();
  const before = selectTopology(doc);
  const replaced = doc.nodes.length > 0 && !equals(TopologySchema, before, topology);
  doc.replace(topology);
  ui.requestFit();
  ui.setGuideOpen(topology.description.trim().length > 0);

  const name = topology.name ? `“${topology.name}”` : `the ${WHAT[source]}`;
  if (problems.length > 0) {
    ui.notify({
      tone: "warn",
      text: `Opened ${name} with ${problems.length === 1 ? "1 problem" : `${problems.length} problems`}, marked on the canvas.`,
      details: problems.map(problemLine),
      action: replaced ? { label: "Undo", run: () => useDocumentStore.getState().undo() } : undefined,
      testId: "notice-open",
    });
  } else if (replaced) {
    ui.notify({
      tone: "info",
      text: `Opened ${name}. Your previous canvas is one undo away.`,
      action: { label: "Restore my canvas", run: () => useDocumentStore.getState().undo() },
      testId: "notice-open",
    });
  } else {
    ui.dismissNotice();
  }
  return true;
}

/** The link that reproduces `topology`: everything is in the fragment, which never reaches a server. */
export function shareUrl(topology: Topology, origin = window.location.origin): string {
  return `${origin}/#${SHARE_FRAGMENT_KEY}=${encodeShareFragment(topology)}`;
}

/**
 * Opens the topology in the address bar's fragment, if there is one, then
 * takes the fragment out of the address bar so a reload shows the autosaved
 * canvas. A damaged or foreign link leaves the canvas as it was and says why.
 */
export function openLinkFromLocation(): void {
  const { hash, pathname, search } = window.location;
  if (!hash.startsWith(`#${SHARE_FRAGMENT_KEY}=`)) return;
  window.history.replaceState(window.history.state, "", pathname + search);
  const result = decodeShareFragment(hash);
  if (!result.topology) {
    useUiStore.getState().notify({
      tone: "error",
      text: "This link could not be opened, so your canvas was left as it was.",
      details: result.problems.map(problemLine),
      testId: "notice-link",
    });
    return;
  }
  openTopology(result.topology, { source: "link", problems: result.problems });
}
