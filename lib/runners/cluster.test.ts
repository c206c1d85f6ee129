import { describe, expect, it } from "vitest";
import {
  busyMessage,
  clusterKeys,
  clusterLoad,
  clusterPrefixFromEnv,
  decodeCapacity,
  encodeCapacity,
  freeSlots,
  runnersMode,
  runnersWithRoom,
  type RunnerCapacity,
} from "./cluster";

const runner = (over: Partial<RunnerCapacity> = {}): RunnerCapacity => ({
  id: "r1",
  host: "box",
  pid: 42,
  slots: 2,
  runs: 0,
  services: 0,
  maxServicesPerRun: 24,
  cpus: 2,
  load1: 0.5,
  freeMemBytes: 1e9,
  totalMemBytes: 2e9,
  draining: false,
  at: 1,
  ...over,
});

describe("runners mode", () => {
  it("is embedded unless told remote, and refuses anything else", () => {
    expect(runnersMode({})).toBe("embedded");
    expect(runnersMode({ IPCPLAY_RUNNERS: "embedded" })).toBe("embedded");
    expect(runnersMode({ IPCPLAY_RUNNERS: " Remote " })).toBe("remote");
    expect(() => runnersMode({ IPCPLAY_RUNNERS: "cloud" })).toThrow(/embedded.*remote/);
  });
});

describe("cluster keys", () => {
  it("puts every name under the prefix", () => {
    const keys = clusterKeys("ipcplay:t1");
    const names = [keys.bullPrefix, keys.runners, keys.runner("a"), keys.control("a"), keys.reply("w"), keys.run("r-1"), keys.events("r-1"), keys.placements, keys.reader("r-1"), keys.socketIo];
    for (const name of names) expect(name.startsWith("ipcplay:t1:")).toBe(true);
    expect(new Set(names).size).toBe(names.length);
    expect(keys.pattern).toBe("ipcplay:t1:*");
  });

  it("takes the prefix from the environment, refusing a foreign or glob one", () => {
    expect(clusterPrefixFromEnv({})).toBe("ipcplay:cluster");
    expect(clusterPrefixFromEnv({ IPCPLAY_CLUSTER_PREFIX: "ipcplay:test-1" })).toBe("ipcplay:test-1");
    expect(() => clusterPrefixFromEnv({ IPCPLAY_CLUSTER_PREFIX: "other:x" })).toThrow();
    expect(() => clusterPrefixFromEnv({ IPCPLAY_CLUSTER_PREFIX: "ipcplay:*" })).toThrow();
    expect(() => clusterPrefixFromEnv({ IPCPLAY_CLUSTER_PREFIX: "ipcplay:x:" })).toThrow();
  });
});

describe("capacity", () => {
  it("round-trips and ignores what is no record", () => {
    const record = runner();
    expect(decodeCapacity(encodeCapacity(record))).toEqual(record);
    expect(decodeCapacity(null)).toBeUndefined();
    expect(decodeCapacity("{")).toBeUndefined();
    expect(decodeCapacity(JSON.stringify({ ...record, slots: "2" }))).toBeUndefined();
  });

  it("has room only on runners with a free slot, not draining, within the service cap", () => {
    expect(freeSlots(runner({ runs: 1 }))).toBe(1);
    expect(freeSlots(runner({ runs: 3 }))).toBe(0);
    expect(freeSlots(runner({ draining: true }))).toBe(0);
    const all = [runner({ id: "full", runs: 2 }), runner({ id: "small", maxServicesPerRun: 3 }), runner({ id: "ok", runs: 1 })];
    expect(runnersWithRoom(all, 5).map((c) => c.id)).toEqual(["ok"]);
    expect(runnersWithRoom(all, 3).map((c) => c.id)).toEqual(["small", "ok"]);
  });

  it("says who is busy and where the run stands", () => {
    const load = clusterLoad([runner({ runs: 2, services: 6 }), runner({ id: "r2", runs: 2, services: 5 })]);
    expect(load).toEqual({ runners: 2, runs: 4, services: 11 });
    expect(busyMessage(load, 1)).toBe(
      "all runners are busy (4 runs, 11 services on 2 runners); the run would be number 1 in the placement queue — try again when a run stops",
    );
    expect(busyMessage({ runners: 0, runs: 0, services: 0 }, 3)).toMatch(/no runner is up.*npm run runner.*number 3/);
  });
});
