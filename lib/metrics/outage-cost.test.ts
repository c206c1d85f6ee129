import { describe, expect, it } from "vitest";
import { describeCost, noOutageCounts, outageCost, outageCounts } from "./outage-cost";

describe("a Redis outage's cost", () => {
  it("adds up the outage outcomes of every edge and ignores the others", () => {
    const counts = outageCounts([
      { failedBy: [{ outcome: "refused by broker", count: 4 }, { outcome: "timed out", count: 7 }], lostBy: [] },
      { failedBy: [], lostBy: [{ outcome: "lost by broker", count: 3 }, { outcome: "no subscriber", count: 2 }] },
      { failedBy: [{ outcome: "refused by broker", count: 5 }], lostBy: [] },
    ]);
    expect(counts).toEqual({ "refused by broker": 9, "lost by broker": 3 });
  });

  it("is what happened between two readings, never negative", () => {
    expect(outageCost({ "refused by broker": 2, "lost by broker": 5 }, { "refused by broker": 9, "lost by broker": 3 })).toEqual({
      "refused by broker": 7,
      "lost by broker": 0,
    });
  });

  it("says how many messages, by outcome, or that none was affected", () => {
    expect(describeCost({ "refused by broker": 9, "lost by broker": 3 })).toBe("12 messages affected: 9 refused by broker, 3 lost by broker");
    expect(describeCost({ "refused by broker": 0, "lost by broker": 1 })).toBe("1 message affected: 1 lost by broker");
    expect(describeCost(noOutageCounts())).toBe("no message affected");
  });
});
