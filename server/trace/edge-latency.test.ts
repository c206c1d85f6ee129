import { describe, expect, it } from "vitest";
import { LatencyHistogram } from "@/lib/metrics/latency-histogram";
import { EdgeLatencyBook } from "./edge-latency";

const sends = (...ms: number[]) => {
  const histogram = new LatencyHistogram();
  for (const value of ms) histogram.record(value);
  return histogram.toSparse();
};

describe("EdgeLatencyBook.takeSecond", () => {
  it("gives the percentiles of the sends timed since the last take, then starts over", () => {
    const book = new EdgeLatencyBook();
    book.add("e", 1_000, { send: sends(...Array.from({ length: 99 }, () => 1), 100) });
    book.add("e", 1_500, { send: sends(2) });
    const first = book.takeSecond("e");
    expect(first.p50Ms).toBeCloseTo(1, 1);
    expect(first.p99Ms).toBeCloseTo(2, 1);
    expect(book.takeSecond("e")).toEqual({ p50Ms: 0, p95Ms: 0, p99Ms: 0 });
    book.add("e", 2_000, { send: sends(50) });
    expect(book.takeSecond("e").p50Ms).toBeCloseTo(50, -1);
    // The whole run still has every send (102: 99 at 1 ms).
    expect(book.runStats("e").p50Ms).toBeCloseTo(1, 1);
    expect(book.takeSecond("unknown")).toEqual({ p50Ms: 0, p95Ms: 0, p99Ms: 0 });
  });
});
