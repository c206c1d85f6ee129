import { describe, expect, it } from "vitest";
import { fieldProblem } from "./field-problem";

describe("fieldProblem", () => {
  it("finds a field's problem by the end of its path", () => {
    const problems = [
      { path: "nodes[2].behavior.maxWaiting", message: "must be a whole number from 0 to 4096 msg, got 5000" },
      { path: "edges[0].rest.circuitBreaker.minimumCalls", message: "must be at least 1" },
    ];
    expect(fieldProblem(problems, ".behavior.maxWaiting")).toBe("Must be a whole number from 0 to 4096 msg, got 5000");
    expect(fieldProblem(problems, ".circuitBreaker.minimumCalls")).toBe("Must be at least 1");
    expect(fieldProblem(problems, ".behavior.concurrency")).toBeNull();
    expect(fieldProblem(undefined, ".x")).toBeNull();
  });
});
