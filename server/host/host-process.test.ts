/**
 * The host process on its own, forked like the orchestrator does: it must
 * never outlive its parent, and must answer a plain HTTP request.
 */
import { fork } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { create, toJson } from "@bufbuild/protobuf";
import { beforeAll, describe, expect, it } from "vitest";
import { EdgeSchema, NodeKind, NodeSchema, Transport } from "@/lib/gen/ipcplay/v1/topology_pb";
import { countFileBytes } from "@/server/ipc/count-file";
import type { ChildMessage, HostConfig, ParentMessage } from "@/server/ipc/host-messages";
import { buildHostBundle } from "@/server/runtime/test-support";

const BUNDLE = path.resolve(import.meta.dirname, "../../dist/host.mjs");

const countsDir = mkdtempSync(path.join(tmpdir(), "ipcplay-hosttest-"));
const countsFile = path.join(countsDir, "billing.counts");

const config: HostConfig = {
  runId: "r-hosttest",
  node: toJson(NodeSchema, create(NodeSchema, { id: "billing", kind: NodeKind.SERVICE, behavior: { concurrency: 4 } })),
  inbound: [
    toJson(EdgeSchema, create(EdgeSchema, { id: "e", source: "orders", target: "billing", transport: Transport.REST, settings: { case: "rest", value: { method: "POST", path: "/", timeoutMs: 1000 } } })),
  ],
  outgoing: [],
  hopLimit: 8,
  redisUrl: "redis://127.0.0.1:6379",
  redisPrefix: "ipcplay:r-hosttest:",
  sampling: { headPerSecond: 100, keepPerSecond: 10 },
  countsFile,
  incarnation: 1,
  maxWaiting: 4096,
};

describe("service host process", () => {
  beforeAll(() => {
    buildHostBundle();
    // The parent creates the count file, zero-filled, before the host starts (one edge: "e").
    writeFileSync(countsFile, Buffer.alloc(countFileBytes(1)));
    return () => rmSync(countsDir, { recursive: true, force: true });
  });

  it("answers a plain request on its REST port and exits when its parent's channel closes", async () => {
    const child = fork(BUNDLE, [], { execArgv: [], stdio: ["ignore", "inherit", "inherit", "ipc"] });
    const exited = once(child, "exit");
    // A host first says it has loaded (what the warm pool waits for), then `ready` once it is the node.
    const answer = new Promise<ChildMessage>((resolve) => {
      child.on("message", (message: { type?: string }) => {
        if (message.type !== "loaded") resolve(message as ChildMessage);
      });
    });
    child.send({ type: "init", config } satisfies ParentMessage);
    const ready = await answer;
    expect(ready).toMatchObject({ type: "ready", pid: child.pid });
    if (ready.type !== "ready") return;
    expect(ready.ports.httpPort).toBeGreaterThan(0);

    const reply = await fetch(`http://127.0.0.1:${ready.ports.httpPort}/anything?x=1`);
    expect(await reply.json()).toMatchObject({ nodeId: "billing", pid: child.pid, hop: 0 });

    child.disconnect();
    const [code, signal] = await exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  });
});
