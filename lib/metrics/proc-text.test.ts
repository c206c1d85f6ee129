import { describe, expect, it } from "vitest";
import { parseMeminfo, parseProcPidStat, parseProcStat, parseProcStatusRss } from "./proc-text";

// Copied from a real /proc/<pid>/stat of a node process (52 fields).
const NODE_STAT =
  "13204 (node) S 13188 13188 9702 0 -1 4194560 4781 0 0 0 87 23 0 0 20 0 11 0 71560 1213231104 12066 18446744073709551615 " +
  "94863378489344 94863424883249 140729181541232 0 0 0 0 16781312 134235650 0 0 0 17 0 0 0 0 0 0 94863445734224 94863445880432 " +
  "94863855407104 140729181547655 140729181547682 140729181547682 140729181552616 0\n";

describe("parseProcPidStat", () => {
  it("adds utime and stime and keeps starttime", () => {
    expect(parseProcPidStat(NODE_STAT)).toEqual({ cpuTicks: 87 + 23, startTicks: 71560 });
  });

  it("counts fields after the last ')' when the name holds spaces and parentheses", () => {
    const odd = NODE_STAT.replace("(node)", "(my (odd) ) name)");
    expect(parseProcPidStat(odd)).toEqual({ cpuTicks: 110, startTicks: 71560 });
  });

  it("says unknown for text that is not a stat line", () => {
    expect(parseProcPidStat("")).toBeUndefined();
    expect(parseProcPidStat("13204 (node) S 1 2")).toBeUndefined();
  });
});

describe("parseProcStatusRss", () => {
  const status = [
    "Name:\tnode",
    "Umask:\t0022",
    "State:\tS (sleeping)",
    "Pid:\t13204",
    "VmPeak:\t 1251880 kB",
    "VmSize:\t 1184796 kB",
    "VmHWM:\t   52104 kB",
    "VmRSS:\t   48264 kB",
    "RssAnon:\t   17288 kB",
    "Threads:\t11",
    "",
  ].join("\n");

  it("reads VmRSS in bytes, not VmHWM or RssAnon", () => {
    expect(parseProcStatusRss(status)).toBe(48264 * 1024);
  });

  it("is undefined for a zombie, which has no VmRSS line", () => {
    expect(parseProcStatusRss("Name:\tnode\nState:\tZ (zombie)\n")).toBeUndefined();
  });
});

describe("parseProcStat", () => {
  const stat = [
    "cpu  53980 1035 9913 76493 340 0 296 170 12 0",
    "cpu0 27224 497 4946 38050 179 0 122 90 6 0",
    "cpu1 26756 537 4967 38443 161 0 173 79 6 0",
    "intr 6613370 0 9 0 0",
    "ctxt 12345678",
    "btime 1764540000",
    "processes 13300",
    "procs_running 3",
    "",
  ].join("\n");

  it("splits busy from idle + iowait, leaves guest out, and counts cores", () => {
    expect(parseProcStat(stat)).toEqual({
      busyTicks: 53980 + 1035 + 9913 + 0 + 296 + 170,
      idleTicks: 76493 + 340,
      cores: 2,
    });
  });

  it("reads old kernels' shorter cpu line", () => {
    expect(parseProcStat("cpu  10 0 5 85\ncpu0 10 0 5 85\n")).toEqual({ busyTicks: 15, idleTicks: 85, cores: 1 });
  });

  it("is undefined without the cpu line", () => {
    expect(parseProcStat("intr 1 2 3\n")).toBeUndefined();
  });
});

describe("parseMeminfo", () => {
  it("reads MemTotal and MemAvailable, not MemFree", () => {
    const text = "MemTotal:       24684084 kB\nMemFree:        20074724 kB\nMemAvailable:   22862196 kB\nBuffers:           81936 kB\n";
    expect(parseMeminfo(text)).toEqual({ totalBytes: 24684084 * 1024, availableBytes: 22862196 * 1024 });
  });

  it("is undefined on kernels without MemAvailable (< 3.14)", () => {
    expect(parseMeminfo("MemTotal:       24684084 kB\nMemFree:        20074724 kB\n")).toBeUndefined();
  });
});
