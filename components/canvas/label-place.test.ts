import { describe, expect, it } from "vitest";
import { boxAt, cubicFromPath, overlapArea, placeLabel, pointAt, type Cubic, type Rect } from "./label-place";

const line = (x0: number, y0: number, x1: number, y1: number): Cubic => [
  { x: x0, y: y0 },
  { x: (x0 + x1) / 2, y: y0 },
  { x: (x0 + x1) / 2, y: y1 },
  { x: x1, y: y1 },
];
const card = (x: number, y: number): Rect => ({ x, y, width: 216, height: 116 });

describe("cubicFromPath", () => {
  it("reads React Flow's bezier path", () => {
    expect(cubicFromPath("M216,46 C288,46 288,146 360,146")).toEqual([
      { x: 216, y: 46 },
      { x: 288, y: 46 },
      { x: 288, y: 146 },
      { x: 360, y: 146 },
    ]);
    expect(cubicFromPath("M-1.5,2 C3e1,0 -4,5.25 6,7")?.[1]).toEqual({ x: 30, y: 0 });
  });
  it("refuses other shapes", () => {
    expect(cubicFromPath("M0,0 L10,10")).toBeNull();
    expect(cubicFromPath("M0,0 C1,1 2,2 3,3 C4,4 5,5 6,6")).toBeNull();
  });
});

describe("geometry", () => {
  it("pointAt gives the ends and the middle", () => {
    const c = line(0, 0, 100, 100);
    expect(pointAt(c, 0)).toEqual({ x: 0, y: 0 });
    expect(pointAt(c, 1)).toEqual({ x: 100, y: 100 });
    expect(pointAt(c, 0.5)).toEqual({ x: 50, y: 50 });
  });
  it("overlapArea is zero for boxes that only touch", () => {
    expect(overlapArea({ x: 0, y: 0, width: 10, height: 10 }, { x: 10, y: 0, width: 10, height: 10 })).toBe(0);
    expect(overlapArea({ x: 0, y: 0, width: 10, height: 10 }, { x: 5, y: 5, width: 10, height: 10 })).toBe(25);
  });
});

describe("placeLabel", () => {
  it("keeps the midpoint when it is clear", () => {
    const p = placeLabel({ curve: line(216, 50, 360, 50), size: { width: 100, height: 40 }, nodes: [card(0, 0), card(360, 0)] });
    expect(p).toEqual({ centre: { x: 288, y: 50 }, anchor: { x: 288, y: 50 } });
  });

  it("moves a label off the cards when the midpoint box would cover one", () => {
    // Sync vs async: the client between two rows, its edges' midpoints close to both APIs.
    const nodes = [card(0, 100), card(360, 0), card(360, 200), card(720, 0), card(720, 200)];
    const size = { width: 128, height: 72 };
    const first = placeLabel({ curve: line(216, 146, 360, 46), size, nodes });
    const firstBox = boxAt(first.centre, size);
    for (const n of nodes) expect(overlapArea(firstBox, n)).toBe(0);
    const second = placeLabel({ curve: line(216, 146, 360, 246), size, nodes, labels: [firstBox] });
    const secondBox = boxAt(second.centre, size);
    for (const n of nodes) expect(overlapArea(secondBox, n)).toBe(0);
    expect(overlapArea(secondBox, firstBox)).toBe(0);
  });

  it("a label wider than the gap between two cards leaves the row rather than sit on a card", () => {
    const nodes = [card(0, 0), card(360, 0)];
    const size = { width: 180, height: 40 };
    const p = placeLabel({ curve: line(216, 58, 360, 58), size, nodes });
    for (const n of nodes) expect(overlapArea(boxAt(p.centre, size), n)).toBe(0);
  });

  it("is deterministic", () => {
    const input = { curve: line(0, 0, 300, 80), size: { width: 90, height: 30 }, nodes: [card(100, 0)] };
    expect(placeLabel(input)).toEqual(placeLabel(input));
  });
});

describe("placeLabel on a big canvas", () => {
  it("ignores cards far away and gives the same answer as without them", () => {
    const nodes = [card(0, 0), card(360, 0)];
    const far = Array.from({ length: 400 }, (_, i) => card(5000 + (i % 20) * 400, 5000 + Math.floor(i / 20) * 300));
    const input = { curve: line(216, 58, 360, 58), size: { width: 180, height: 40 } };
    expect(placeLabel({ ...input, nodes: [...nodes, ...far] })).toEqual(placeLabel({ ...input, nodes }));
  });
});
