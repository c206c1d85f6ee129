/**
 * A raw client process of the load bench: sends POSTs to the raw gw open-loop
 * at a fixed rate over a node:http keep-alive agent, with the same traffic
 * generator a playground client node uses (20 ms ticks catching up with the
 * schedule), and counts what came back. Forked by raw-load-chain.ts.
 */
import http from "node:http";
import { create } from "@bufbuild/protobuf";
import { TrafficPattern, TrafficSchema } from "@/lib/gen/ipcplay/v1/topology_pb";
import { startTraffic } from "@/server/host/traffic";
import { nowMs } from "./clock";
import { PAYLOAD_BYTES, type FromChild, type RawClientConfig, type RawMessage, type Samples, type ToChild } from "./raw-load-protocol";

/** Idle sockets stay this long, as on a playground REST edge's agent. */
const CLIENT_KEEP_ALIVE_MS = 5_000;

const send = (message: FromChild) => process.send?.(message);

function start(config: RawClientConfig): void {
  const agent = new http.Agent({ keepAlive: true, keepAliveMsecs: CLIENT_KEEP_ALIVE_MS });
  const body = JSON.stringify({ payload: "x".repeat(PAYLOAD_BYTES) } satisfies RawMessage);
  const headers = { "content-type": "application/json", "content-length": Buffer.byteLength(body) };
  let sent = 0;
  let failed = 0;
  let latencies: Samples = { endedAt: [], ms: [] };

  const sendOne = () => {
    sent++;
    const startedAt = performance.now();
    let settled = false;
    const settle = (ok: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (ok) {
        latencies.ms.push(performance.now() - startedAt);
        latencies.endedAt.push(nowMs());
      }
      else failed++;
    };
    const request = http.request({ host: "127.0.0.1", port: config.gwPort, method: "POST", path: "/", agent, headers }, (response) => {
      response.resume();
      response.on("end", () => settle((response.statusCode ?? 500) < 400));
      response.on("error", () => settle(false));
    });
    // The timeout covers the whole exchange, as a playground REST attempt's does.
    const timer = setTimeout(() => request.destroy(new Error("timeout")), config.timeoutMs);
    request.on("error", () => settle(false));
    request.end(body);
  };

  const stopTraffic = startTraffic(create(TrafficSchema, { ratePerSecond: config.ratePerSecond, pattern: TrafficPattern.CONSTANT }), (count) => {
    for (let i = 0; i < count; i++) sendOne();
  });

  process.on("message", (message: ToChild) => {
    if (message.type !== "snapshot") return;
    send({ type: "snapshot", id: message.id, snapshot: { sent, failed, taken: 0, latencies } });
    latencies = { endedAt: [], ms: [] };
  });
  process.once("disconnect", () => {
    stopTraffic();
    agent.destroy();
    process.exit(0);
  });
  send({ type: "ready", httpPort: 0, connectPort: 0 });
}

process.once("message", (message: ToChild) => {
  if (message.type === "config" && message.config.role === "client") start(message.config);
  else send({ type: "failed", message: `raw client expected a client config, got ${JSON.stringify(message)}` });
});
