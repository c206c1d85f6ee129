import { describe, expect, it } from "vitest";
import { utf8ByteLength } from "./limits";

describe("utf8ByteLength", () => {
  it.each(["", "abc", "é", "€uro", "😀", "a😀b", "\ud800", "x\udc00y", "日本語"])("counts %j as TextEncoder encodes it", (text) => {
    expect(utf8ByteLength(text)).toBe(new TextEncoder().encode(text).byteLength);
  });
});
