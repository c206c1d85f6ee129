/**
 * The dead-letter view renders (server-side, no browser): at first it says it
 * is reading the queue, with "Redrive all" held until the list is in.
 */
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { DeadLetters } from "./DeadLetters";

describe("DeadLetters", () => {
  it("first shows that it is reading the queue, with Redrive all disabled", () => {
    const html = renderToStaticMarkup(createElement(DeadLetters, { runId: "r-1", token: "t", edgeId: "a-b" }));
    expect(html).toContain('data-testid="dead-letters-loading"');
    expect(html).toContain("Reading the queue");
    expect(html).toMatch(/<button[^>]*disabled=""[^>]*data-testid="dead-letters-redrive-all"/);
    expect(html).toContain('data-edge-id="a-b"');
  });
});
