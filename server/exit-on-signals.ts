/**
 * How a server process ends on SIGINT/SIGTERM: say so, run its close (stop
 * runs, drain a runner), exit 0 — or 1 when close fails or takes longer than
 * `graceMs`, so a supervisor never waits on a hung shutdown.
 */
export function exitOnSignals(options: { doing: string; close: () => Promise<void>; graceMs: number }): void {
  const shutdown = (signal: string) => {
    console.log(`${signal}: ${options.doing}…`);
    setTimeout(() => {
      console.error(`${options.doing} took too long; exiting anyway`);
      process.exit(1);
    }, options.graceMs).unref();
    options.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`${options.doing} failed:`, error);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
}
