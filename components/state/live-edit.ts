/**
 * Live edits: while a run is up, every change of the document (a setting, an
 * added or removed node or edge) is sent to the run with UpdateRun, the whole
 * topology at once, about 400 ms after the last change. The canvas keeps the
 * edit whatever the server says; what the run has not accepted is marked
 * "not applied" (see live-diff.ts) until a later update gets through.
 */
import { create } from "zustand";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Topology } from "@/lib/gen/ipcplay/v1/topology_pb";
import { problemTargets } from "@/lib/topology";
import { controlClient, problemsFromError, withToken } from "./control-client";
import { selectTopology, useDocumentStore } from "./document-store";
import { appliedSummary, isEmptyDiff, type LiveDiff, liveDiff, runKey } from "./live-diff";
import { useRunStore } from "./run-store";

export const LIVE_EDIT_DEBOUNCE_MS = 400;

export type LiveEditStatus = "idle" | "pending" | "sending" | "applied" | "refused";

export interface LiveEditState {
  status: LiveEditStatus;
  /** What the last update did, one line; or why it was refused. */
  message: string | null;
  /** The topology the run last accepted (StartRun or UpdateRun); null with no run. */
  applied: Topology | null;
  /** What the canvas has that the run does not: marked "not applied" once an update was refused. */
  diff: LiveDiff | null;
  /** When the last answer came. */
  at: number;
}

export const useLiveEditStore = create<LiveEditState>()(() => ({
  status: "idle",
  message: null,
  applied: null,
  diff: null,
  at: 0,
}));

let timer: ReturnType<typeof setTimeout> | null = null;
let inFlight = false;
/** A send was asked for while one was on its way: it goes when the answer is in. */
let again = false;

function current(): Topology {
  return selectTopology(useDocumentStore.getState());
}

function schedule(): void {
  if (timer) clearTimeout(timer);
  timer = setTimeout(() => {
    timer = null;
    void send();
  }, LIVE_EDIT_DEBOUNCE_MS);
}

async function send(): Promise<void> {
  const { runId, token, phase } = useRunStore.getState();
  const applied = useLiveEditStore.getState().applied;
  if (!runId || !token || phase !== "running" || !applied) return;
  if (inFlight) {
    again = true;
    return;
  }
  const topology = current();
  if (runKey(topology) === runKey(applied)) {
    useLiveEditStore.setState({ status: "idle", diff: null });
    return;
  }
  inFlight = true;
  useLiveEditStore.setState({ status: "sending" });
  try {
    const res = await controlClient().updateRun({ runId, topology }, withToken(token));
    if (useRunStore.getState().runId !== runId) return;
    if (res.run) useRunStore.getState().applyRunInfo(res.run);
    useLiveEditStore.setState({ status: "applied", message: appliedSummary(res), applied: topology, diff: null, at: Date.now() });
    useRunStore.getState().clearServerProblems();
  } catch (err) {
    if (useRunStore.getState().runId !== runId) return;
    const { problems, invalid, message } = problemsFromError(err);
    const code = ConnectError.from(err).code;
    const why =
      code === Code.FailedPrecondition || code === Code.Unimplemented
        ? message
        : invalid
          ? `The run refused the change: ${problems.length === 1 ? problems[0].message : `${problems.length} problems`}`
          : `Could not update the run: ${message}`;
    useLiveEditStore.setState({ status: "refused", message: why, diff: liveDiff(applied, topology), at: Date.now() });
    if (invalid) {
      const t = problemTargets(topology, problems);
      useRunStore.setState({ serverProblems: { nodes: Object.fromEntries(t.nodes), edges: Object.fromEntries(t.edges), document: t.document } });
    }
  } finally {
    inFlight = false;
  }
  // The canvas changed while the update was on its way: send what it is now.
  const last = useLiveEditStore.getState();
  if (again || (last.status === "applied" && last.applied && runKey(current()) !== runKey(last.applied))) {
    again = false;
    schedule();
  }
}

/**
 * Watches the document and the run: the topology a run starts with is its
 * first "applied" one; each later change of the document while it runs goes
 * out as an UpdateRun. Returns the unsubscribe.
 */
export function startLiveEdits(): () => void {
  const offRun = useRunStore.subscribe((s, prev) => {
    if (s.runId && s.runId !== prev.runId) {
      // A run started (or was resumed after a reload) with the canvas as it is.
      useLiveEditStore.setState({ status: "idle", message: null, applied: current(), diff: null, at: 0 });
    }
    if ((s.phase === "stopped" || s.phase === "failed" || s.phase === "idle") && s.phase !== prev.phase) {
      if (timer) clearTimeout(timer);
      timer = null;
      again = false;
      useLiveEditStore.setState({ status: "idle", message: null, applied: null, diff: null, at: 0 });
    }
  });
  const offDoc = useDocumentStore.subscribe((s, prev) => {
    if (s.meta === prev.meta && s.nodes === prev.nodes && s.edges === prev.edges) return;
    if (useRunStore.getState().phase !== "running") return;
    const applied = useLiveEditStore.getState().applied;
    if (!applied) return;
    const topology = selectTopology(s);
    if (runKey(topology) === runKey(applied)) {
      // Back to what runs (an undo, a move): nothing to send.
      if (timer) clearTimeout(timer);
      timer = null;
      const st = useLiveEditStore.getState().status;
      if (st === "pending" || st === "refused") useLiveEditStore.setState({ status: "idle", diff: null });
      return;
    }
    const state = useLiveEditStore.getState();
    const diff = liveDiff(applied, topology);
    useLiveEditStore.setState({
      status: state.status === "sending" ? "sending" : "pending",
      // Keep the not-applied marks of a refused update current while the person goes on editing.
      diff: state.status === "refused" && !isEmptyDiff(diff) ? diff : state.diff,
    });
    schedule();
  });
  return () => {
    offRun();
    offDoc();
    if (timer) clearTimeout(timer);
    timer = null;
  };
}
