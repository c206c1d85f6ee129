/**
 * Test support for the real entry point: `server/main.ts` started as a child
 * process, as a person runs it, on a free port and without the UI. Every
 * server started here is killed by `killStartedServers` (call it in afterEach),
 * so a failing test never leaves one behind.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const started = new Set<ChildProcess>();

export interface StartedServer {
  url: string;
  process: ChildProcess;
  /** What it printed so far, stdout and stderr. */
  output: () => string;
}

/** Starts the server with `env` over the test's environment; resolves once it says it is ready. */
export async function startServerProcess(env: Record<string, string> = {}): Promise<StartedServer> {
  const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
    cwd: root,
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", IPCPLAY_NO_UI: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.add(child);
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /ready on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1].replace("localhost", "127.0.0.1"));
    });
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => reject(new Error(`server exited with ${code} before it was ready:\n${output}`)));
  });
  return { url, process: child, output: () => output };
}

/** SIGKILLs every server started here that is still running. */
export function killStartedServers(): void {
  for (const child of started) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
  started.clear();
}

/** Resolves with the exit code, or the signal, when `child` exits. */
export function exited(child: ChildProcess): Promise<number | string> {
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? "")));
}
