/**
 * What a client's Send buttons do: SendMessage through the control plane with
 * the run's token, for a client whose rate is 0 ("sends only on demand") or
 * for a few extra messages from any client. Progress and errors are notices.
 */
import { ConnectError } from "@connectrpc/connect";
import { controlClient, withToken } from "./control-client";
import { messagesText } from "./send-text";
import { useRunStore } from "./run-store";
import { useUiStore } from "./ui-store";

/** The choices the canvas and the inspector offer, in messages per press. */
export const SEND_COUNTS = [1, 10, 100] as const;


/**
 * Sends `count` messages from a client node of the running run. Resolves with
 * how many the server accepted (0 when there is no running run or it failed;
 * the notice says why).
 */
export async function sendFromClient(nodeId: string, count: number): Promise<number> {
  const { runId, token, phase } = useRunStore.getState();
  const ui = useUiStore.getState();
  if (!runId || !token || phase !== "running") {
    ui.notify({ tone: "warn", text: `Cannot send from ${nodeId}: the run is not running.`, testId: "send-notice" });
    return 0;
  }
  ui.notify({ tone: "info", text: `Sending ${messagesText(count)} from ${nodeId}…`, testId: "send-notice" });
  try {
    const res = await controlClient().sendMessage({ runId, nodeId, count }, withToken(token));
    const sent = res.traceIds.length;
    useUiStore.getState().notify({
      tone: "info",
      text: `${nodeId} sent ${messagesText(sent)}; their traces appear in the list as they finish.`,
      testId: "send-notice",
    });
    return sent;
  } catch (err) {
    const message = ConnectError.from(err).rawMessage;
    useUiStore.getState().notify({ tone: "error", text: `Could not send from ${nodeId}: ${message}`, testId: "send-notice" });
    return 0;
  }
}
