/**
 * The process side of a service host: reads ParentMessages, drives the
 * ServiceHost, and makes sure the process never outlives its parent.
 */
import { isParentMessage, type ParentMessage } from "@/server/ipc/host-messages";
import type { HostLoadedMessage } from "@/server/ipc/warm-host";
import { sendToParent } from "./parent-channel";
import { ServiceHost } from "./service-host";
import { warmUp, warmUpWanted } from "./warm-up";

/** Exit code of a host that could not start or hit an unexpected error. */
const EXIT_FATAL = 1;

export function runHostProcess(): void {
  if (!process.send) {
    process.stderr.write("the service host is forked by the orchestrator (server/runtime); it needs an IPC channel\n");
    process.exit(EXIT_FATAL);
  }
  let host: ServiceHost | undefined;
  let stopping = false;
  /** Resolves once `init` made the host: an update that overtakes a slow start waits for it instead of being lost. */
  let markStarted: () => void = () => {};
  const started = new Promise<void>((resolve) => (markStarted = resolve));

  // The parent died or closed the channel: nothing may outlive the server. It
  // may have gone while the bundle loaded, before anyone listened for "disconnect".
  if (!process.connected) process.exit(0);
  process.on("disconnect", () => process.exit(0));
  process.on("uncaughtException", (error) => void fatal(error));
  process.on("unhandledRejection", (reason) => void fatal(reason instanceof Error ? reason : new Error(String(reason))));

  process.on("message", (message: unknown) => {
    if (!isParentMessage(message)) return void host?.log("warn", `unknown message from parent: ${JSON.stringify(message)}`);
    handle(message).catch((error: Error) => void fatal(error));
  });

  // The bundle is loaded; a short warm-up (warm-up.ts) makes the JIT ready for a run's first
  // seconds, cut short if `init` comes first. Then `init` is awaited: the warm pool forks its next host only now.
  let initArrived = false;
  const warming = warmUpWanted()
    ? warmUp({ stop: () => initArrived }).catch((error: Error) => process.stderr.write(`warm-up failed: ${error.message}\n`))
    : Promise.resolve();
  void warming.then(() => {
    const loaded: HostLoadedMessage = { type: "loaded", pid: process.pid };
    if (process.connected) process.send?.(loaded);
  });

  async function handle(message: ParentMessage): Promise<void> {
    switch (message.type) {
      case "init": {
        initArrived = true;
        await warming;
        const made = await ServiceHost.start(message.config);
        host = made.host;
        markStarted();
        await sendToParent({ type: "ready", pid: process.pid, ports: made.ports });
        return;
      }
      case "addresses":
        return host?.updateAddresses(message.addresses);
      case "start-traffic":
        return host?.beginTraffic();
      case "send":
        return host?.originate({ traceIds: message.traceIds, payload: message.payload });
      case "keep-traces":
        return host?.keepTraces(message.traceIds);
      case "update":
        // Applied at once when the host is up: a message right behind it (a send) may arrive in the same
        // read and must see the new settings; only an update that overtook a slow init waits for it.
        if (!host) await started;
        host?.update(message.config, message.countedEdgeIds);
        return sendToParent({ type: "updated" });
      case "faults":
        await host?.applyFaults(message.faults);
        await sendToParent({ type: "faults-applied", version: message.version });
        return;
      case "shutdown":
        if (stopping) return;
        stopping = true;
        await host?.shutdown();
        process.disconnect();
        process.exit(0);
    }
  }

  async function fatal(error: Error): Promise<void> {
    await sendToParent({ type: "fatal", message: error.message });
    process.exit(EXIT_FATAL);
  }
}
