/**
 * Entry point: `node --import tsx server/main.ts`. PORT (3000) and HOST
 * (127.0.0.1 — loopback unless told otherwise) choose where it listens;
 * IPCPLAY_NO_UI=1 serves the control plane and socket.io without the Next.js UI
 * (scripts, and tests that need the real entry point without a build).
 * IPCPLAY_ALLOWED_HOSTS and IPCPLAY_ALLOWED_ORIGINS (comma lists) name the Host
 * and Origin values a deployment is reached by, besides the loopback names.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { allowListFromEnv, startPlayground } from "@/server/app";
import { exitOnSignals } from "@/server/exit-on-signals";

const SHUTDOWN_GRACE_MS = 10_000;

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "127.0.0.1";
const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

try {
  const ui = process.env.IPCPLAY_NO_UI === "1" ? false : { dev: process.env.NODE_ENV !== "production", dir };
  const playground = await startPlayground({ port, host, next: ui, ...allowListFromEnv(process.env) });
  console.log(`IPC Playground ready on http://${host === "127.0.0.1" ? "localhost" : host}:${playground.port}`);

  exitOnSignals({ doing: "stopping runs and exiting", close: () => playground.close(), graceMs: SHUTDOWN_GRACE_MS });
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
