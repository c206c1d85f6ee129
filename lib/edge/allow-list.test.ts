import { describe, expect, it } from "vitest";
import { allowList, hostAllowed, originAllowed, splitList } from "./allow-list";

describe("Host and Origin allow-lists", () => {
  const local = allowList({ port: 3000, boundHost: "127.0.0.1" });

  it("accepts the loopback names on the server's port, and nothing else, by default", () => {
    for (const host of ["localhost:3000", "127.0.0.1:3000", "[::1]:3000", "LOCALHOST:3000"]) expect(hostAllowed(local, host)).toBe(true);
    for (const host of ["evil.example:3000", "localhost:3001", "localhost", "127.0.0.1.evil.example:3000", "", undefined]) {
      expect(hostAllowed(local, host), String(host)).toBe(false);
    }
  });

  it("adds the bound host, but not a wildcard address", () => {
    expect(hostAllowed(allowList({ port: 3000, boundHost: "10.0.0.5" }), "10.0.0.5:3000")).toBe(true);
    expect(hostAllowed(allowList({ port: 3000, boundHost: "::1" }), "[::1]:3000")).toBe(true);
    expect(allowList({ port: 3000, boundHost: "0.0.0.0" }).hosts).toEqual(["localhost:3000", "127.0.0.1:3000", "[::1]:3000"]);
  });

  it("accepts bare names on port 80, where browsers leave the port out", () => {
    expect(hostAllowed(allowList({ port: 80 }), "localhost")).toBe(true);
  });

  it("takes a deployment's hosts: a name on any port, name:port on that port, * for any", () => {
    const list = allowList({ port: 3000, extraHosts: splitList(" Play.Example.com , box:8080,") });
    expect(hostAllowed(list, "play.example.com")).toBe(true);
    expect(hostAllowed(list, "play.example.com:443")).toBe(true);
    expect(hostAllowed(list, "box:8080")).toBe(true);
    expect(hostAllowed(list, "box:8081")).toBe(false);
    expect(hostAllowed(allowList({ port: 3000, extraHosts: ["*"] }), "anything:1")).toBe(true);
  });

  it("accepts no Origin (curl), an allowed host's http(s) origin, or a listed one", () => {
    expect(originAllowed(local, undefined)).toBe(true);
    expect(originAllowed(local, "http://localhost:3000")).toBe(true);
    expect(originAllowed(local, "http://127.0.0.1:3000")).toBe(true);
    for (const origin of ["http://evil.example:3000", "http://localhost:5173", "null", "file://", "http://localhost:3000/x", "ws://localhost:3000", ""]) {
      expect(originAllowed(local, origin), origin).toBe(false);
    }
    const deployed = allowList({ port: 3000, extraOrigins: ["https://play.example.com/"] });
    expect(originAllowed(deployed, "https://play.example.com")).toBe(true);
  });
});
