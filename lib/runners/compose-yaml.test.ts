import { describe, expect, it } from "vitest";
import { parseYaml } from "./compose-yaml";

describe("the compose file's YAML subset", () => {
  it("reads mappings, sequences, flow sequences, quotes and comments", () => {
    const source = `
# a comment
services:
  web-1:
    image: ipcplay:latest   # trailing comment
    command: ["node", "--import", "tsx", 'server/main.ts']
    environment:
      PORT: "3000"
      NAME: it's plain
      EMPTY: ""
    depends_on:
      - redis
    ports:
    - "3001:3000"
`;
    expect(parseYaml(source)).toEqual({
      services: {
        "web-1": {
          image: "ipcplay:latest",
          command: ["node", "--import", "tsx", "server/main.ts"],
          environment: { PORT: "3000", NAME: "it's plain", EMPTY: "" },
          depends_on: ["redis"],
          ports: ["3001:3000"],
        },
      },
    });
  });

  it("refuses what it does not read, with the line", () => {
    expect(() => parseYaml("a: &x 1")).toThrow(/line 1/);
    expect(() => parseYaml("a:\n  b: 1\n c: 2")).toThrow(/line 3/);
    expect(() => parseYaml("a: 1\na: 2")).toThrow(/duplicate/);
    expect(() => parseYaml("a: |\n  text")).toThrow(/not supported/);
    expect(() => parseYaml("a:\n\t- b")).toThrow(/tabs/);
    expect(() => parseYaml("a:")).toThrow(/no value/);
  });
});
