import { describe, expect, it } from "vitest";
import { workFor } from "./work-timer";

describe("a service's work", () => {
  // A plain setTimeout(3) wakes before 3 ms of performance.now() in about 2 % of tries on this machine.
  it("never takes less than it was set to, whatever the timer's millisecond clock says", async () => {
    let shortest = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 300; i++) {
      const start = performance.now();
      await workFor(3);
      shortest = Math.min(shortest, performance.now() - start);
    }
    expect(shortest).toBeGreaterThanOrEqual(3);
  });
});
