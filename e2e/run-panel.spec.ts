import { expect, type Page, test } from "@playwright/test";
import { freshPage } from "./canvas-helpers";

/**
 * The run panel is as tall as its user makes it: its top edge drags, steps
 * with the keyboard, is remembered across a reload, and a double click gives
 * the default back; the canvas above takes what the panel leaves.
 */

const heightOf = async (page: Page, testId: string) => (await page.getByTestId(testId).boundingBox())!.height;

test("the run panel resizes by its top edge, with the pointer and the keyboard, and keeps its height", async ({ page }) => {
  await freshPage(page);
  const panel = page.getByTestId("run-panel");
  await expect(panel).toBeVisible();
  const before = await heightOf(page, "run-panel");
  expect(before).toBe(290);

  const handle = page.getByTestId("run-panel-resize");
  const box = (await handle.boundingBox())!;
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x, y - 150, { steps: 5 });
  await page.mouse.up();
  await expect.poll(() => heightOf(page, "run-panel")).toBe(440);
  await expect(handle).toHaveAttribute("aria-valuenow", "440");

  await handle.focus();
  await page.keyboard.press("ArrowDown");
  await expect.poll(() => heightOf(page, "run-panel")).toBe(416);
  await page.keyboard.press("End");
  await expect.poll(() => heightOf(page, "run-panel")).toBe(160);
  await page.keyboard.press("PageUp");
  await expect.poll(() => heightOf(page, "run-panel")).toBe(256);

  await page.reload();
  await expect.poll(() => heightOf(page, "run-panel")).toBe(256);

  // Dragged far past the top, the canvas keeps its room.
  const again = (await handle.boundingBox())!;
  await page.mouse.move(again.x + again.width / 2, again.y + again.height / 2);
  await page.mouse.down();
  await page.mouse.move(again.x + again.width / 2, 0, { steps: 5 });
  await page.mouse.up();
  const viewport = page.viewportSize()!;
  await expect.poll(() => heightOf(page, "run-panel")).toBe(viewport.height - 220);

  await handle.dblclick();
  await expect.poll(() => heightOf(page, "run-panel")).toBe(290);
});
