/**
 * The child's end of the fork IPC channel: typed sends to the parent that are
 * dropped (not thrown) once the parent is gone — the host is exiting then anyway.
 */
import type { ChildMessage } from "@/server/ipc/host-messages";

export function sendToParent(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(message, undefined, {}, (error) => {
      // A failed send means the channel closed; the "disconnect" handler ends the process.
      if (error && process.connected) process.stderr.write(`ipc send failed: ${error.message}\n`);
      resolve();
    });
  });
}
