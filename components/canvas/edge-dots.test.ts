import { describe, expect, it } from "vitest";
import { dotsForDelta, MAX_DOTS_PER_UPDATE } from "./edge-dots";

describe("dotsForDelta", () => {
  it("shows nothing on first sight or when counters go back", () => {
    expect(dotsForDelta(null, { sent: 50, failed: 0 }, 900)).toEqual([]);
    expect(dotsForDelta({ sent: 50, failed: 2 }, { sent: 3, failed: 0 }, 900)).toEqual([]);
  });

  it("shows one dot per message when few", () => {
    expect(dotsForDelta({ sent: 1, failed: 0 }, { sent: 2, failed: 0 }, 900)).toEqual([{ failed: false, delayMs: 0 }]);
    expect(dotsForDelta({ sent: 1, failed: 0 }, { sent: 1, failed: 0 }, 900)).toEqual([]);
  });

  it("caps a busy edge and spreads the dots, failures first", () => {
    const dots = dotsForDelta({ sent: 10, failed: 0 }, { sent: 5010, failed: 1 }, 900);
    expect(dots).toHaveLength(MAX_DOTS_PER_UPDATE);
    expect(dots.map((d) => d.failed)).toEqual([true, false, false]);
    expect(dots.map((d) => d.delayMs)).toEqual([0, 300, 600]);
  });

  it("never shows more failed dots than messages", () => {
    expect(dotsForDelta({ sent: 0, failed: 0 }, { sent: 1, failed: 4 }, 900)).toEqual([{ failed: true, delayMs: 0 }]);
  });
});
