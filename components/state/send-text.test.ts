import { describe, expect, it } from "vitest";
import { emptyTracesText, messagesText } from "./send-text";

describe("send text", () => {
  it("counts messages", () => {
    expect(messagesText(1)).toBe("1 message");
    expect(messagesText(10)).toBe("10 messages");
  });
  it("says to press Send when no client sends on its own", () => {
    expect(emptyTracesText([0, 0])).toMatch(/^Nothing sends on its own: press Send on a client/);
    expect(emptyTracesText([])).toMatch(/^Nothing sends on its own/);
    expect(emptyTracesText([0, 2])).toBe("Waiting for the first message to finish…");
  });
});
