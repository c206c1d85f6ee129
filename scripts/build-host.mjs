// Bundles the service host (server/host/main.ts) into one ESM file, dist/host.mjs,
// that the orchestrator forks once per node. A pre-bundled host starts in about
// 120 ms against about 310 ms under tsx (measured, see /work/shared/STACK.md).
//
// Dependencies are bundled too: one file to parse, no module resolution at start.
// Some of them (ioredis) are CommonJS and call require() for Node built-ins, which
// an ESM bundle lacks, hence the createRequire banner. The `@/` alias comes from
// tsconfig.json "paths", which esbuild reads by itself.
import { build } from "esbuild";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outfile = path.join(root, "dist", "host.mjs");
const started = performance.now();

await build({
  absWorkingDir: root,
  entryPoints: ["server/host/main.ts"],
  outfile,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: "linked",
  tsconfig: "tsconfig.json",
  logLevel: "warning",
  banner: {
    js: 'import { createRequire as __ipcplayCreateRequire } from "node:module"; const require = __ipcplayCreateRequire(import.meta.url);',
  },
});

console.log(`built ${path.relative(root, outfile)} in ${Math.round(performance.now() - started)} ms`);
