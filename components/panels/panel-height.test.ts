import { describe, expect, it } from "vitest";
import { CANVAS_RESERVE, clampPanelHeight, DEFAULT_PANEL_HEIGHT, heightAfterKey, KEY_STEP, MIN_PANEL_HEIGHT, storedPanelHeight } from "./panel-height";

describe("the run panel's height", () => {
  it("stays between the floor and what leaves the canvas its room", () => {
    expect(clampPanelHeight(50, 900)).toBe(MIN_PANEL_HEIGHT);
    expect(clampPanelHeight(400, 900)).toBe(400);
    expect(clampPanelHeight(2_000, 900)).toBe(900 - CANVAS_RESERVE);
    // A window too short for both: the floor wins, the panel stays usable.
    expect(clampPanelHeight(300, 300)).toBe(MIN_PANEL_HEIGHT);
  });

  it("reads a stored height, and the default for none or garbage", () => {
    expect(storedPanelHeight("420", 900)).toBe(420);
    expect(storedPanelHeight(null, 900)).toBe(DEFAULT_PANEL_HEIGHT);
    expect(storedPanelHeight("tall", 900)).toBe(DEFAULT_PANEL_HEIGHT);
    // A height stored on a taller screen fits this one.
    expect(storedPanelHeight("1200", 800)).toBe(800 - CANVAS_RESERVE);
  });

  it("steps with the keyboard as a separator does", () => {
    expect(heightAfterKey("ArrowUp", 300, 900)).toBe(300 + KEY_STEP);
    expect(heightAfterKey("ArrowDown", 300, 900)).toBe(300 - KEY_STEP);
    expect(heightAfterKey("PageUp", 300, 900)).toBe(300 + 4 * KEY_STEP);
    expect(heightAfterKey("Home", 300, 900)).toBe(900 - CANVAS_RESERVE);
    expect(heightAfterKey("End", 300, 900)).toBe(MIN_PANEL_HEIGHT);
    expect(heightAfterKey("a", 300, 900)).toBeUndefined();
  });
});
