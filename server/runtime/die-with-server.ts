/**
 * Children that die with the server — a SIGKILLed server too, and a child that
 * is paused (SIGSTOP: a stopped process runs no watchdog of its own, so the
 * hosts' "disconnect" watchdog cannot act until someone wakes it, and nobody
 * will). On Linux each child is started through util-linux's `setpriv
 * --pdeathsig KILL`, which has the kernel (prctl PR_SET_PDEATHSIG) SIGKILL it
 * when the server dies; SIGKILL ends a stopped process too. Where there is no
 * setpriv, the hosts' watchdog is the only guard.
 */
import { existsSync } from "node:fs";
import path from "node:path";

let setpriv: string | null | undefined;

/** The setpriv binary, or null where there is none (not Linux, not installed). */
export function setprivPath(): string | null {
  if (setpriv !== undefined) return setpriv;
  setpriv = null;
  if (process.platform !== "linux") return setpriv;
  const dirs = [...(process.env.PATH ?? "").split(path.delimiter), "/usr/bin", "/bin"].filter(Boolean);
  for (const dir of dirs) {
    const candidate = path.join(dir, "setpriv");
    if (existsSync(candidate)) return (setpriv = candidate);
  }
  return setpriv;
}

/**
 * The command and arguments that start `command args` so that it dies with
 * this process.
 * @example spawn(...Object.values(diesWithServer("redis-server", ["--port", "7000"])))
 */
export function diesWithServer(command: string, args: readonly string[]): { command: string; args: string[] } {
  const binary = setprivPath();
  if (!binary) return { command, args: [...args] };
  return { command: binary, args: ["--pdeathsig", "KILL", "--", command, ...args] };
}
