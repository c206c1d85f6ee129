import { describe, expect, it } from "vitest";
import { COALESCE_MS, changeKey, emptyHistory, record, redo, undo, type History } from "./history";

const change = (key: string | null, at: number, batch = at) => ({ key, at, batch });

describe("history", () => {
  it("undoes and redoes in order, and a new change clears redo", () => {
    let h: History<string> = emptyHistory();
    h = record(h, "a", change(null, 0));
    h = record(h, "b", change(null, 10));
    // The document is now "c".
    const u1 = undo(h, "c")!;
    expect(u1.snapshot).toBe("b");
    const u2 = undo(u1.history, "b")!;
    expect(u2.snapshot).toBe("a");
    expect(undo(u2.history, "a")).toBeNull();
    const r1 = redo(u2.history, "a")!;
    expect(r1.snapshot).toBe("b");
    const after = record(r1.history, "b", change(null, 20));
    expect(after.future).toEqual([]);
    expect(redo(after, "x")).toBeNull();
  });

  it("coalesces one drag or one field's typing into one step, but not after a pause", () => {
    let h: History<number> = emptyHistory();
    for (let i = 0; i < 30; i++) h = record(h, i, change("move:a", i * 16));
    expect(h.past).toEqual([0]);
    h = record(h, 99, change("move:a", 29 * 16 + COALESCE_MS + 1));
    expect(h.past).toEqual([0, 99]);
    h = record(h, 100, change("edit:n1", 2000));
    h = record(h, 101, change("edit:n1", 2100));
    expect(h.past).toEqual([0, 99, 100]);
  });

  it("keeps the changes of one batch together, whatever their keys", () => {
    let h: History<string> = emptyHistory();
    h = record(h, "before", change(null, 5, 1));
    h = record(h, "nodes gone", change(null, 5, 1));
    expect(h.past).toEqual(["before"]);
  });

  it("caps the number of steps, dropping the oldest", () => {
    let h: History<number> = emptyHistory();
    for (let i = 0; i < 10; i++) h = record(h, i, change(null, i * 10_000), 4);
    expect(h.past).toEqual([6, 7, 8, 9]);
  });

  it("tells document changes from selection and measuring", () => {
    const data = { x: 1 };
    const n = { id: "a", position: { x: 0, y: 0 }, data };
    const e = { id: "e", source: "a", target: "b", data: {} };
    const doc = { meta: {}, nodes: [n], edges: [e] };
    expect(changeKey(doc, { ...doc, nodes: [{ ...n, selected: true } as typeof n] })).toBeUndefined();
    expect(changeKey(doc, { ...doc, nodes: [{ ...n, position: { x: 5, y: 0 } }] })).toBe("move:a");
    expect(changeKey(doc, { ...doc, nodes: [{ ...n, data: { x: 2 } }] })).toBe("edit:n0");
    expect(changeKey(doc, { ...doc, nodes: [{ ...n, id: "b" }] })).toBe("edit:n0");
    expect(changeKey(doc, { ...doc, edges: [{ ...e, data: {} }] })).toBe("edit:e0");
    expect(changeKey(doc, { ...doc, meta: {} })).toBe("meta");
    // A schedule edit never coalesces with the one before it: each is its own undo step.
    const withSchedule = { ...doc, meta: { name: "x", schedule: [] } };
    expect(changeKey(withSchedule, { ...withSchedule, meta: { name: "y", schedule: withSchedule.meta.schedule } })).toBe("meta");
    expect(changeKey(withSchedule, { ...withSchedule, meta: { name: "x", schedule: [] } })).toBeNull();
    expect(changeKey(doc, { ...doc, nodes: [] })).toBeNull();
  });
});
