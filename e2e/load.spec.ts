import { expect, test } from "@playwright/test";
import { freshPage } from "./canvas-helpers";

/**
 * The page under load: a client at 2,000 msg/s (far past the trace budget).
 * Functional checks only — every step polls; nothing here times the page.
 * Frame times are measured by bench/ui-frames.ts, not asserted.
 */
test("at 2,000 msg/s the trace list stays clickable, a waterfall opens, and the sampling is said", async ({ page }, testInfo) => {
  test.setTimeout(150_000);
  await freshPage(page);
  await page.getByTestId("template-rest-chain").click();
  await expect(page.getByTestId("node-client")).toBeVisible();
  await page.getByTestId("node-client").click();
  const rate = page.getByTestId("field-rate");
  await rate.fill("2000");
  await rate.press("Tab");
  await expect(rate).toHaveValue("2000");

  await page.getByTestId("run").click();
  await expect(page.getByTestId("run-state")).toHaveAttribute("data-phase", "running", { timeout: 60_000 });
  await expect(page.getByTestId("trace-row").first()).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId("edge-counters-client-gateway")).toContainText("sent");

  // Sampling is on at this rate: the note says so, quietly.
  const note = page.getByTestId("sampling-note");
  await expect.poll(async () => Number(await note.getAttribute("data-one-in")), { timeout: 30_000 }).toBeGreaterThan(1);
  await expect(note).toContainText(/Showing 1 in [\d,]+ traces · failed and slow ones always kept/);

  // Pointing at the list holds it; the row under the pointer stays put to be clicked.
  const list = page.getByTestId("trace-list");
  await list.hover({ position: { x: 200, y: 80 } });
  await expect(list).toHaveAttribute("data-held", "true");
  const firstHeld = await page.getByTestId("trace-row").first().getAttribute("data-trace-id");
  const row = page.getByTestId("trace-row").nth(1);
  const traceId = await row.getAttribute("data-trace-id");
  expect(traceId).toMatch(/^[0-9a-f]{32}$/);
  await row.click();

  const waterfall = page.getByTestId("waterfall");
  await expect(waterfall).toHaveAttribute("data-trace-id", traceId!);
  await expect(waterfall).toContainText(`trace ${traceId!.slice(0, 12)}`);
  await expect(waterfall.getByTestId("span-row").first()).toBeVisible();
  await expect(waterfall.locator(`[data-testid=span-row][data-trace="${traceId}"]`).first()).toBeVisible();
  // The row is still there and marked, under a list that has kept filling.
  await expect(page.locator(`[data-testid=trace-row][data-trace-id="${traceId}"]`)).toBeVisible();

  // Traces kept coming meanwhile: the chip offers them, and jumps to them.
  const newer = page.getByTestId("trace-list-newer");
  await expect(newer).toBeVisible({ timeout: 15_000 });
  // ...and the held rows did not move meanwhile.
  await expect(page.getByTestId("trace-row").first()).toHaveAttribute("data-trace-id", firstHeld!);
  await page.screenshot({ path: "test-results/load-held.png" });
  await testInfo.attach("held under load", { path: "test-results/load-held.png", contentType: "image/png" });
  await newer.click();
  await expect(list).toHaveAttribute("data-held", "true");

  await page.getByTestId("stop").click();
  await expect(page.getByTestId("run-state")).toHaveAttribute("data-phase", "stopped", { timeout: 30_000 });
});
