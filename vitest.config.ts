import { defineConfig } from "vitest/config";
import path from "node:path";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          // Pure modules: lib/ and components' pure helpers. Fast, no I/O.
          include: ["lib/**/*.test.ts", "components/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          // Real processes, real Redis, real sockets. Run one file at a time: the
          // machine has 2 cores and each run forks a process per service.
          include: ["server/**/*.test.ts"],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
          // Each test starts its own RunManager; a warm pool would fork 24 hosts in
          // the background of every one, only to kill them at its end. The pool has
          // its own tests (server/runtime/host-pool.test.ts) with explicit sizes.
          env: { IPCPLAY_WARM_HOSTS: "0" },
        },
      },
    ],
  },
});
