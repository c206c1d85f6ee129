import { describe, expect, it } from "vitest";
import { runsToFileText } from "@/lib/history/run-record";
import { jsonFileKind } from "./json-file-kind";

describe("what a .json file is", () => {
  it("tells a runs file, OTLP traces and anything else (a topology, or what the gate will refuse)", () => {
    expect(jsonFileKind(runsToFileText([]))).toBe("run");
    expect(jsonFileKind('{ "format" : "ipcplay-run/1", "runs": [] }')).toBe("run");
    expect(jsonFileKind('{"resourceSpans":[{"resource":{}}]}')).toBe("otlp");
    expect(jsonFileKind('{"name":"shop","nodes":[],"edges":[]}')).toBe("topology");
    expect(jsonFileKind("not json at all")).toBe("topology");
  });
});
