/**
 * The first thing every HTTP request meets: the Host and Origin allow-lists
 * (lib/edge/allow-list.ts) and the security headers. It wraps whatever
 * 'request' listeners the server has — Next, the control plane and socket.io's
 * polling alike — so nothing is answered before it; socket.io's WebSocket
 * upgrades, which are no 'request', are judged by the same `refusal` in its
 * allowRequest (server/run-socket.ts).
 */
import type { IncomingMessage, Server } from "node:http";
import { hostAllowed, originAllowed, type AllowList } from "@/lib/edge/allow-list";
import { quote } from "@/lib/run/problem";

/** Why a request may not be answered, in a sentence; undefined when it may. */
export function refusal(list: AllowList, req: IncomingMessage): string | undefined {
  const host = req.headers.host;
  if (!hostAllowed(list, host)) {
    return (
      `Host ${host === undefined ? "(none)" : quote(host)} is not one this server answers to. ` +
      "It answers to loopback names (localhost, 127.0.0.1, [::1]) on its port; a deployment names its own with IPCPLAY_ALLOWED_HOSTS."
    );
  }
  const origin = req.headers.origin;
  if (!originAllowed(list, origin)) {
    return (
      `Origin ${quote(origin ?? "")} may not drive this server: pages of other sites get no answer. ` +
      "A deployment names more origins with IPCPLAY_ALLOWED_ORIGINS."
    );
  }
  return undefined;
}

export interface EdgeGuardOptions {
  /** Read per request: the list names the server's port, known only once it listens. */
  allowList: () => AllowList;
  headers: Readonly<Record<string, string>>;
}

/**
 * Puts the guard in front of the server's 'request' listeners. Call it after
 * everything that adds one (socket.io wraps the existing ones when attached).
 */
export function guardServer(server: Server, options: EdgeGuardOptions): void {
  const inner = server.listeners("request") as ((...args: unknown[]) => void)[];
  server.removeAllListeners("request");
  server.on("request", (req, res) => {
    for (const [name, value] of Object.entries(options.headers)) res.setHeader(name, value);
    const why = refusal(options.allowList(), req);
    if (why !== undefined) {
      res.writeHead(403, { "content-type": "text/plain; charset=utf-8" }).end(`Forbidden: ${why}\n`);
      req.resume(); // let a body still coming in drain, so the client reads the answer
      return;
    }
    for (const listener of inner) listener.call(server, req, res);
  });
}
