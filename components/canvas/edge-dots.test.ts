import { describe, expect, it } from "vitest";
import { dotCount, dotsForDelta, dotTally, MAX_DOTS_PER_UPDATE } from "./edge-dots";

describe("dotsForDelta", () => {
  it("shows nothing on first sight or when counters go back", () => {
    expect(dotsForDelta(null, { sent: 50, failed: 0 }, 900)).toEqual([]);
    expect(dotsForDelta({ sent: 50, failed: 2 }, { sent: 3, failed: 0 }, 900)).toEqual([]);
  });

  it("shows one dot per message when few", () => {
    expect(dotsForDelta({ sent: 1, failed: 0 }, { sent: 2, failed: 0 }, 900)).toEqual([{ failed: false, delayMs: 0 }]);
    expect(dotsForDelta({ sent: 1, failed: 0 }, { sent: 1, failed: 0 }, 900)).toEqual([]);
  });

  it("caps a busy edge and spreads the dots, a rare failure still shown", () => {
    const dots = dotsForDelta({ sent: 10, failed: 0 }, { sent: 5010, failed: 1 }, 800);
    expect(dots).toHaveLength(MAX_DOTS_PER_UPDATE);
    expect(dots.map((d) => d.failed)).toEqual([true, false, false, false, false, false, false, false]);
    expect(dots.map((d) => d.delayMs)).toEqual([0, 100, 200, 300, 400, 500, 600, 700]);
  });

  it("grows denser with the rate", () => {
    expect([0, 1, 2, 3, 6, 12, 24, 48, 96, 5000].map(dotCount)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 8]);
  });

  it("paints the failed share of the dots red, spread among the others", () => {
    const half = dotsForDelta({ sent: 0, failed: 0 }, { sent: 100, failed: 50 }, 800);
    expect(half.map((d) => d.failed)).toEqual([true, false, true, false, true, false, true, false]);
    const all = dotsForDelta({ sent: 0, failed: 0 }, { sent: 100, failed: 100 }, 800);
    expect(all.every((d) => d.failed)).toBe(true);
  });

  it("never shows more failed dots than messages", () => {
    expect(dotsForDelta({ sent: 0, failed: 0 }, { sent: 1, failed: 4 }, 900)).toEqual([{ failed: true, delayMs: 0 }]);
  });
});

describe("dotTally", () => {
  it("counts an edge's sends, failures and losses both red", () => {
    expect(dotTally({ sent: 10, delivered: 5, failed: 2, lost: 1, sharedWith: [] })).toEqual({ sent: 10, failed: 3 });
  });

  it("moves a competing consumer's dots for the messages it took, not for every send to the queue", () => {
    const a = { sent: 100, delivered: 40, failed: 5, lost: 0, sharedWith: ["b"] };
    const b = { sent: 100, delivered: 50, failed: 0, lost: 0, sharedWith: ["a"] };
    expect(dotTally(a)).toEqual({ sent: 45, failed: 5 });
    // The next second: 10 more sent to the queue, a took 4 of them and b took 6.
    const a2 = dotTally({ ...a, sent: 110, delivered: 44 });
    const b2 = dotTally({ ...b, sent: 110, delivered: 56 });
    expect(dotsForDelta(dotTally(a), a2, 900)).toHaveLength(3);
    expect(a2.sent - dotTally(a).sent + (b2.sent - dotTally(b).sent)).toBe(10);
  });
});
