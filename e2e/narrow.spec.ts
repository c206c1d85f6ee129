import { expect, type Page, test } from "@playwright/test";
import { freshPage, readCanvas } from "./canvas-helpers";

/** The viewport's pan and zoom, as React Flow writes it on its viewport element. */
async function viewport(page: Page): Promise<string> {
  return page.locator(".react-flow__viewport").evaluate((el) => (el as HTMLElement).style.transform);
}

/** Whether every node card lies wholly inside the canvas's box (so the whole drawing is in view). */
async function allNodesInView(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const pane = document.querySelector('[data-testid="canvas"]')!.getBoundingClientRect();
    const nodes = [...document.querySelectorAll(".react-flow__node")].map((el) => el.getBoundingClientRect());
    return nodes.length > 0 && nodes.every((n) => n.left >= pane.left && n.right <= pane.right && n.top >= pane.top && n.bottom <= pane.bottom);
  });
}

test.describe("a window under 1,100 px", () => {
  test.use({ viewport: { width: 900, height: 800 } });

  test("keeps the canvas and Run usable; the palette and the inspector open as drawers and close", async ({ page }) => {
    await freshPage(page);
    // No sideways scrolling; the docked panels have given their room to the canvas.
    await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBe(900);
    await expect(page.getByRole("complementary", { name: "Palette" })).toBeHidden();
    await expect(page.getByRole("complementary", { name: "Inspector" })).toBeHidden();

    await page.getByTestId("template-rest-chain").click();
    await expect(page.getByTestId("node-gateway")).toBeVisible();
    const canvas = page.getByTestId("canvas");
    await expect.poll(async () => (await canvas.boundingBox())?.width).toBe(900);
    const run = page.getByTestId("run");
    await expect(run).toBeEnabled();
    await expect.poll(async () => {
      const box = await run.boundingBox();
      return box ? box.x + box.width : Infinity;
    }).toBeLessThanOrEqual(900);

    // The palette: a drawer over the canvas, the focus on its close button; a click adds a node.
    const togglePalette = page.getByTestId("toggle-palette");
    await togglePalette.click();
    const palette = page.getByTestId("drawer-palette");
    await expect(palette).toBeVisible();
    await expect(togglePalette).toHaveAttribute("aria-expanded", "true");
    await expect(page.getByTestId("drawer-palette-close")).toBeFocused();
    await page.getByTestId("palette-service").click();
    await expect(page.locator(".react-flow__node")).toHaveCount(5);
    // Escape closes it and gives the focus back to the button that opened it.
    await page.keyboard.press("Escape");
    await expect(palette).toBeHidden();
    await expect(togglePalette).toBeFocused();
    await expect(togglePalette).toHaveAttribute("aria-expanded", "false");
    // The added node was kept (Escape closed the drawer and nothing else); undo takes it away again.
    await expect(page.locator(".react-flow__node")).toHaveCount(5);
    await page.keyboard.press("Control+z");
    await expect(page.locator(".react-flow__node")).toHaveCount(4);

    // The inspector: the button shows a dot once something is selected; its drawer edits the selection.
    await page.getByTestId("node-gateway").click();
    await expect(page.getByTestId("toggle-inspector-dot")).toBeVisible();
    await page.getByTestId("toggle-inspector").click();
    const inspector = page.getByTestId("drawer-inspector");
    await expect(inspector).toBeVisible();
    await expect(inspector.getByTestId("field-label")).toHaveValue("Gateway");
    await inspector.getByTestId("field-work-time").fill("45");
    await expect(page.getByTestId("node-gateway")).toContainText("45 ms");
    // One drawer at a time: opening the palette closes the inspector.
    await togglePalette.click();
    await expect(palette).toBeVisible();
    await expect(inspector).toBeHidden();
    await page.getByTestId("toggle-inspector").click();
    await expect(inspector).toBeVisible();
    await expect(palette).toBeHidden();
    // The close button closes it too; the selection stays.
    await page.getByTestId("drawer-inspector-close").click();
    await expect(inspector).toBeHidden();
    await expect(page.getByTestId("toggle-inspector")).toBeFocused();
    await expect(page.getByTestId("toggle-inspector-dot")).toBeVisible();

    // Run still runs the topology, and Stop stops it.
    await run.click();
    await expect(page.getByTestId("run-state")).toHaveAttribute("data-phase", "running", { timeout: 60_000 });
    await expect(page.getByTestId("stop")).toBeVisible();
    await page.getByTestId("stop").click();
    await expect(page.getByTestId("run-state")).toHaveAttribute("data-phase", "stopped", { timeout: 30_000 });
    await expect(run).toBeVisible();

    // Back at 1,100 px the panels are docked again and the drawer buttons go.
    await page.setViewportSize({ width: 1100, height: 800 });
    await expect(page.getByRole("complementary", { name: "Palette" })).toBeVisible();
    await expect(page.getByRole("complementary", { name: "Inspector" })).toBeVisible();
    await expect(togglePalette).toBeHidden();
    await expect(page.getByTestId("toggle-inspector")).toBeHidden();
    await page.screenshot({ path: "test-results/narrow-1100.png" });
  });
});

test("on a phone a share link opens read-only: the drawing fits, pans and zooms, and cannot be changed", async ({ page, browser }) => {
  await freshPage(page);
  await page.getByTestId("template-rest-chain").click();
  await expect(page.getByTestId("node-gateway")).toBeVisible();
  await page.getByTestId("share").click();
  const link = await page.getByTestId("share-link").inputValue();
  await page.keyboard.press("Escape");

  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  const p = await phone.newPage();
  await p.goto(link);
  await expect(p.getByTestId("node-gateway")).toBeVisible();
  await expect(p.getByTestId("read-only-note")).toBeVisible();
  await expect(p.getByTestId("read-only-note")).toContainText("Read-only view");
  await expect(p.getByTestId("read-only-note")).toContainText("Editing needs a wider screen");
  await expect(p.getByTestId("canvas")).toHaveAttribute("data-read-only", "true");
  await expect.poll(() => p.evaluate(() => document.documentElement.scrollWidth)).toBe(390);

  // No editing chrome, and no Run.
  for (const id of ["palette-client", "templates-menu", "file-menu", "undo", "toggle-palette", "toggle-inspector", "run", "auto-layout", "run-panel"]) {
    await expect(p.getByTestId(id), id).toBeHidden();
  }
  await expect(p.getByRole("complementary", { name: "Inspector" })).toBeHidden();
  await expect(p.getByTestId("topology-name")).toHaveAttribute("readonly", "");

  // The whole drawing is in view, and stays in view when the phone is turned on its side.
  await expect.poll(() => allNodesInView(p)).toBe(true);
  const upright = await viewport(p);
  await p.setViewportSize({ width: 844, height: 390 });
  await expect.poll(() => viewport(p)).not.toBe(upright);
  await expect.poll(() => allNodesInView(p)).toBe(true);
  await expect(p.getByTestId("read-only-note")).toBeVisible();
  await p.setViewportSize({ width: 390, height: 844 });
  await expect.poll(() => allNodesInView(p)).toBe(true);
  const before = await readCanvas(p);
  expect(before.nodes).toHaveLength(4);

  // Dragging a node pans the view; the node keeps its place in the topology.
  const start = await viewport(p);
  const box = (await p.getByTestId("node-gateway").boundingBox())!;
  await p.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await p.mouse.down();
  await p.mouse.move(box.x + box.width / 2 + 40, box.y + box.height / 2 + 120, { steps: 8 });
  await p.mouse.up();
  await expect.poll(() => viewport(p)).not.toBe(start);
  expect((await readCanvas(p)).nodes).toEqual(before.nodes);

  // A tap selects nothing (a read-only node takes no pointer events: they go to the pane, which pans),
  // and the delete keys delete nothing. The zoom afterwards shows the keys were handled.
  const card = (await p.getByTestId("node-gateway").boundingBox())!;
  await p.touchscreen.tap(card.x + card.width / 2, card.y + card.height / 2);
  await p.keyboard.press("Delete");
  await p.keyboard.press("Backspace");
  // Nor does undo (opening the link was an undoable step: undo would bring back the empty canvas).
  await p.keyboard.press("Control+z");
  const panned = await viewport(p);
  await p.locator(".react-flow__controls-zoomin").click();
  await expect.poll(() => viewport(p)).not.toBe(panned);
  await expect(p.locator(".react-flow__node")).toHaveCount(4);
  await expect(p.locator(".react-flow__node.selected")).toHaveCount(0);
  expect((await readCanvas(p)).nodes).toEqual(before.nodes);
  await p.screenshot({ path: "test-results/phone-read-only.png" });
  await phone.close();
});
