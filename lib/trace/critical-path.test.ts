import { describe, expect, it } from "vitest";
import { criticalPath, type PathSpan } from "./critical-path";

const s = (spanId: string, parentSpanId: string, start: number, duration: number): PathSpan => ({ spanId, parentSpanId, startUnixMs: start, durationMs: duration });

describe("criticalPath", () => {
  it("is empty without spans", () => {
    expect(criticalPath([])).toEqual([]);
  });

  it("follows nested synchronous calls down the chain", () => {
    const spans = [s("client", "", 0, 100), s("gw", "client", 5, 90), s("be", "gw", 10, 70), s("db", "be", 20, 40)];
    expect(criticalPath(spans)).toEqual(["client", "gw", "be", "db"]);
  });

  it("takes the longest child of a parallel fan-out, not its siblings", () => {
    const spans = [s("root", "", 0, 100), s("a", "root", 10, 30), s("b", "root", 10, 80), s("c", "root", 10, 50)];
    expect(criticalPath(spans)).toEqual(["root", "b"]);
  });

  it("keeps sequential calls one after the other", () => {
    const spans = [s("root", "", 0, 100), s("first", "root", 5, 30), s("second", "root", 40, 50)];
    expect(criticalPath(spans)).toEqual(["root", "first", "second"]);
  });

  it("skips a call that overlaps the later one it ran beside", () => {
    // a runs 5..45, b 30..90: b ends last; a ended after b started, so it is not what b waited for.
    const spans = [s("root", "", 0, 100), s("a", "root", 5, 40), s("b", "root", 30, 60), s("pre", "root", 1, 3)];
    expect(criticalPath(spans)).toEqual(["root", "pre", "b"]);
  });

  it("follows an async hand-off: the consumer's wait since its producer counts", () => {
    // The producer hands off at 10 and returns at 12; the consumer starts 200 later and ends the trace.
    const spans = [
      s("client", "", 0, 20),
      s("svc", "client", 2, 15),
      s("producer", "svc", 10, 2),
      s("consumer", "producer", 210, 30),
      s("sync-side", "svc", 3, 5),
    ];
    expect(criticalPath(spans)).toEqual(["client", "svc", "sync-side", "producer", "consumer"]);
  });

  it("leaves an async branch that ended early off the path", () => {
    const spans = [s("client", "", 0, 100), s("producer", "client", 5, 1), s("consumer", "producer", 8, 22), s("call", "client", 20, 75)];
    expect(criticalPath(spans)).toEqual(["client", "call"]);
  });

  it("goes through the deepest parallel branch of nested fan-outs", () => {
    const spans = [
      s("root", "", 0, 100),
      s("left", "root", 5, 60),
      s("right", "root", 5, 90),
      s("right-a", "right", 10, 20),
      s("right-b", "right", 10, 70),
      s("left-a", "left", 10, 50),
    ];
    expect(criticalPath(spans)).toEqual(["root", "right", "right-b"]);
  });

  it("starts from the root whose subtree ends last when parents are missing, and survives a cycle", () => {
    const spans = [s("early", "gone", 0, 10), s("late", "gone-too", 5, 50), s("late-kid", "late", 10, 40), s("x", "y", 0, 1), s("y", "x", 0, 1)];
    expect(criticalPath(spans)).toEqual(["late", "late-kid"]);
  });
});
