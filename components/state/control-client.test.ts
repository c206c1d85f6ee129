import { describe, expect, it } from "vitest";
import { Code, ConnectError } from "@connectrpc/connect";
import { problemsFromError } from "./control-client";

describe("problemsFromError", () => {
  it("reads one path: sentence per line from invalid_argument", () => {
    const err = new ConnectError('nodes[1].id: "Bad" must be lowercase\nedges[0].target: unknown node "x"', Code.InvalidArgument);
    const r = problemsFromError(err);
    expect(r.invalid).toBe(true);
    expect(r.problems).toEqual([
      { path: "nodes[1].id", message: '"Bad" must be lowercase' },
      { path: "edges[0].target", message: 'unknown node "x"' },
    ]);
  });
  it("keeps lines without a path as document problems", () => {
    const r = problemsFromError(new ConnectError("the topology has no nodes", Code.InvalidArgument));
    expect(r.problems).toEqual([{ path: "", message: "the topology has no nodes" }]);
  });
  it("does not treat other codes as problems", () => {
    const r = problemsFromError(new ConnectError("too many runs", Code.ResourceExhausted));
    expect(r.invalid).toBe(false);
    expect(r.message).toBe("too many runs");
  });
});
