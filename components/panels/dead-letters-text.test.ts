import { describe, expect, it } from "vitest";
import { attemptsText, deadLetterCountText, reasonText, redriveResultText, redrivenSoFarText } from "./dead-letters-text";

describe("dead letter words", () => {
  it("counts the list, saying when it shows only the newest", () => {
    expect(deadLetterCountText(0, 0)).toBe("No dead letters");
    expect(deadLetterCountText(1, 1)).toBe("1 dead letter");
    expect(deadLetterCountText(12, 12)).toBe("12 dead letters");
    expect(deadLetterCountText(50, 1812)).toBe("Showing the newest 50 of 1,812 dead letters");
  });

  it("names attempts and reasons", () => {
    expect(attemptsText(1)).toBe("1 attempt");
    expect(attemptsText(3)).toBe("3 attempts");
    expect(reasonText("error rate")).toBe("error rate");
    expect(reasonText("  ")).toBe("—");
  });

  it("says what a redrive did", () => {
    expect(redriveResultText(12, undefined)).toBe("12 dead letters went back to the queue; each is a message sent again, counted in sent.");
    expect(redriveResultText(1, 1)).toBe("1 dead letter went back to the queue; each is a message sent again, counted in sent.");
    expect(redriveResultText(2, 3)).toBe("2 dead letters went back to the queue (1 no longer dead); each is a message sent again, counted in sent.");
    expect(redriveResultText(0, undefined)).toBe("There was no dead letter to put back.");
    expect(redriveResultText(0, 1)).toBe("Nothing went back: it is no dead letter any more.");
  });

  it("shows the edge's redrives so far only when there are some", () => {
    expect(redrivenSoFarText(0)).toBe("");
    expect(redrivenSoFarText(4)).toBe("4 redriven so far (counted in sent)");
  });
});
