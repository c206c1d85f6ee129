import { expect, test } from "@playwright/test";
import { freshPage } from "./canvas-helpers";

/**
 * The page works under the server's Content-Security-Policy: it hydrates (an
 * empty-state button responds), a run starts and its live events arrive over
 * socket.io, and the browser reports no violation on the way.
 */
test("the app runs under its Content-Security-Policy with no violation", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  const response = await page.goto("/");
  expect(response?.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(response?.headers()["x-frame-options"]).toBe("DENY");
  await freshPage(page);
  // A template opens only if React hydrated; running it needs the control plane and socket.io.
  await page.getByTestId("template-gallery").getByRole("button").first().click();
  await page.getByTestId("run").click();
  await expect(page.getByTestId("run-state")).toHaveAttribute("data-phase", "running", { timeout: 60_000 });
  await expect.poll(() => page.getByTestId("trace-row").count(), { timeout: 30_000 }).toBeGreaterThan(0);
  await page.getByTestId("stop").click().catch(() => undefined);
  expect(violations).toEqual([]);
});
