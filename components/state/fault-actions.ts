/**
 * What a node's Kill process / Start again buttons do: InjectFault KILL and
 * ClearFault through the control plane, with the run's token. The reply's
 * RunInfo goes straight into the run store; socket events follow as usual.
 */
import { ConnectError } from "@connectrpc/connect";
import type { InjectFaultRequest } from "@/lib/gen/ipcplay/v1/playground_pb";
import { FaultKind } from "@/lib/gen/ipcplay/v1/topology_pb";
import { controlClient, withToken } from "./control-client";
import { useRunStore } from "./run-store";

function runAndToken(): { runId: string; token: string } | null {
  const { runId, token, phase } = useRunStore.getState();
  return runId && token && phase === "running" ? { runId, token } : null;
}

function report(what: string, nodeId: string, err: unknown): void {
  const message = ConnectError.from(err).rawMessage;
  useRunStore.setState({ error: `Could not ${what} ${nodeId}: ${message}` });
}

/** Kills a node's process (SIGKILL); it stays down until {@link startNodeAgain}. */
export async function killNode(nodeId: string): Promise<void> {
  const run = runAndToken();
  if (!run) return;
  try {
    const res = await controlClient().injectFault({ runId: run.runId, nodeId, kind: FaultKind.KILL }, withToken(run.token));
    if (res.run) useRunStore.getState().applyRunInfo(res.run);
  } catch (err) {
    report("kill", nodeId, err);
  }
}

/** Starts a killed node again (or resumes a paused one). Resolves once it is up. */
export async function startNodeAgain(nodeId: string): Promise<void> {
  const run = runAndToken();
  if (!run) return;
  try {
    const res = await controlClient().clearFault({ runId: run.runId, nodeId }, withToken(run.token));
    if (res.run) useRunStore.getState().applyRunInfo(res.run);
  } catch (err) {
    report("start", nodeId, err);
  }
}

/** A fault injected or cleared from an inspector: the server's message when it refused, else null. */
export type FaultResult = string | null;

function refusal(err: unknown): string {
  const ce = ConnectError.from(err);
  return ce.rawMessage || ce.message;
}

/** Injects any fault (InjectFaultRequest without the run id). Returns the server's refusal, or null. */
export async function injectFault(fields: Omit<Partial<InjectFaultRequest>, "$typeName" | "runId">): Promise<FaultResult> {
  const run = runAndToken();
  if (!run) return "The run is not up.";
  try {
    const res = await controlClient().injectFault({ ...fields, runId: run.runId }, withToken(run.token));
    if (res.run) useRunStore.getState().applyRunInfo(res.run);
    return null;
  } catch (err) {
    return refusal(err);
  }
}

/** Clears a target's faults of one kind (UNSPECIFIED: all of them). Returns the server's refusal, or null. */
export async function clearFault(target: { nodeId?: string; edgeId?: string }, kind: FaultKind = FaultKind.UNSPECIFIED): Promise<FaultResult> {
  const run = runAndToken();
  if (!run) return "The run is not up.";
  try {
    const res = await controlClient().clearFault({ ...target, kind, runId: run.runId }, withToken(run.token));
    if (res.run) useRunStore.getState().applyRunInfo(res.run);
    return null;
  } catch (err) {
    return refusal(err);
  }
}

/** Pauses a node's process (SIGSTOP) until {@link resumeNode}. */
export async function pauseNode(nodeId: string): Promise<void> {
  const why = await injectFault({ nodeId, kind: FaultKind.PAUSE });
  if (why) useRunStore.setState({ error: `Could not pause ${nodeId}: ${why}` });
}

/** Resumes a paused node (SIGCONT). */
export async function resumeNode(nodeId: string): Promise<void> {
  const why = await clearFault({ nodeId }, FaultKind.PAUSE);
  if (why) useRunStore.setState({ error: `Could not resume ${nodeId}: ${why}` });
}
