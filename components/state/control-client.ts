/**
 * The browser's client of the control plane (ipcplay.v1.PlaygroundService),
 * served by the same origin as the page.
 */
import { type Client, Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { PlaygroundService } from "@/lib/gen/ipcplay/v1/playground_pb";
import type { Problem } from "@/lib/run/problem";
import { isOffline, OfflineError } from "./offline";

let client: Client<typeof PlaygroundService> | null = null;

export function controlClient(): Client<typeof PlaygroundService> {
  // A replay makes no call: it fails here, before any request leaves the page.
  if (isOffline()) throw new OfflineError();
  if (!client) {
    client = createClient(PlaygroundService, createConnectTransport({ baseUrl: window.location.origin }));
  }
  return client;
}

/** Call options for every RPC that acts on a run. */
export function withToken(token: string): { headers: Record<string, string> } {
  return { headers: { authorization: `Bearer ${token}` } };
}

/**
 * The problems of an invalid_argument error: the server lists one
 * `path: sentence` per line. Other errors give one document-level problem.
 */
export function problemsFromError(err: unknown): { problems: Problem[]; invalid: boolean; message: string } {
  const ce = ConnectError.from(err);
  const message = ce.rawMessage || ce.message;
  if (ce.code !== Code.InvalidArgument) return { problems: [], invalid: false, message };
  const problems = message
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line): Problem => {
      const m = /^((?:nodes|edges)\[\d+\][\w.[\]]*|[a-zA-Z][\w.[\]]*):\s+(.*)$/.exec(line);
      return m ? { path: m[1], message: m[2] } : { path: "", message: line };
    });
  return { problems, invalid: true, message };
}
