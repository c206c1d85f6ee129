import { describe, expect, it } from "vitest";
import { QueueLevels } from "./queue-levels";
import { SendsPerMessage } from "./sends-per-message";

describe("SendsPerMessage", () => {
  it("lets one trace make at most `cap` sends, a group whole or not at all", () => {
    const sends = new SendsPerMessage(5);
    expect(sends.take("t1", 3)).toBe(true);
    expect(sends.take("t1", 3)).toBe(false);
    expect(sends.take("t1", 2)).toBe(true);
    expect(sends.take("t1", 1)).toBe(false);
    expect(sends.take("t2", 5)).toBe(true);
  });

  it("forgets the oldest traces past its memory", () => {
    const sends = new SendsPerMessage(1, 2);
    sends.take("a", 1);
    sends.take("b", 1);
    sends.take("c", 1); // forgets a
    expect(sends.take("a", 1)).toBe(true);
    expect(sends.take("c", 1)).toBe(false);
  });
});

describe("QueueLevels", () => {
  it("adds its own jobs to the last reading, and refuses at the cap", () => {
    const levels = new QueueLevels(3);
    levels.read("q", 1);
    expect([levels.take("q"), levels.take("q"), levels.take("q")]).toEqual([true, true, false]);
    expect(levels.waiting("q")).toBe(3);
    levels.read("q", 0);
    expect(levels.take("q")).toBe(true);
  });
});
