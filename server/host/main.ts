/** Entry point of a service host process; bundled to dist/host.mjs by scripts/build-host.mjs. */
import { runHostProcess } from "./host-process";

runHostProcess();
