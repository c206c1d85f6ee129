/**
 * What a node's Kill process / Start again buttons do: InjectFault KILL and
 * ClearFault through the control plane, with the run's token. The reply's
 * RunInfo goes straight into the run store; socket events follow as usual.
 */
import { ConnectError } from "@connectrpc/connect";
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
