import { describe, expect, it } from "vitest";
import { allInView } from "./viewport";

const card = { x: 100, y: 100, width: 216, height: 92 };

describe("allInView", () => {
  it("is true when every card is on screen, at any zoom", () => {
    expect(allInView([card], { x: 0, y: 0, zoom: 1 }, { width: 800, height: 600 })).toBe(true);
    expect(allInView([card, { ...card, x: 1200 }], { x: 0, y: 0, zoom: 0.5 }, { width: 800, height: 600 })).toBe(true);
    expect(allInView([], { x: 0, y: 0, zoom: 1 }, { width: 10, height: 10 })).toBe(true);
  });
  it("is false when a card sticks out on any side", () => {
    expect(allInView([card], { x: -150, y: 0, zoom: 1 }, { width: 800, height: 600 })).toBe(false);
    expect(allInView([card], { x: 0, y: 0, zoom: 1 }, { width: 300, height: 600 })).toBe(false);
    expect(allInView([card], { x: 0, y: 450, zoom: 1 }, { width: 800, height: 600 })).toBe(false);
  });
});
