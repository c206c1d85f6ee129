import { describe, expect, it } from "vitest";
import { capProblems, escapeControl, formatProblems, quote } from "./problem";

describe("problem text", () => {
  it("quotes values as JSON does, control characters and line separators escaped", () => {
    expect(quote("orders")).toBe('"orders"');
    expect(quote('a"b\nc')).toBe('"a\\"b\\nc"');
    expect(quote("a\u2028b\u0085c")).toBe('"a\\u2028b\\u0085c"');
    expect(quote("x".repeat(50))).toBe(`"${"x".repeat(40)}…"`);
  });

  it("keeps each problem on one line whatever its path and message hold", () => {
    const text = formatProblems([
      { path: "nodes[0].id", message: "bad\nnodes[1].id: forged" },
      { path: "a\rb", message: "ok" },
      { path: "", message: "whole\u2029document" },
    ]);
    expect(text.split("\n")).toEqual(["nodes[0].id: bad\\nnodes[1].id: forged", "a\\rb: ok", "whole\\u2029document"]);
    expect(escapeControl("tab\there")).toBe("tab\\there");
  });

  it("caps a long list and says how many are left out", () => {
    const many = Array.from({ length: 5 }, (_, i) => ({ path: `p${i}`, message: "m" }));
    expect(capProblems(many, 5)).toBe(many);
    expect(capProblems(many, 3).map((p) => p.message)).toEqual(["m", "m", "m", "… and 2 more problems"]);
    expect(capProblems(many, 4).at(-1)?.message).toBe("… and 1 more problem");
  });
});
