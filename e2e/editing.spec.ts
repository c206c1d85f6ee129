import { expect, type Page, test } from "@playwright/test";
import { freshPage, readCanvas } from "./canvas-helpers";

const edgeIds = async (page: Page) => (await readCanvas(page)).edges.map((e) => e.id);

test.beforeEach(async ({ page }) => {
  await freshPage(page);
  await page.getByTestId("template-rest-chain").click();
  await expect(page.getByTestId("node-billing")).toBeVisible();
});

test("delete with the keyboard; undo brings the node and its edges back, redo removes them again", async ({ page }) => {
  expect(await edgeIds(page)).toEqual(["client-gateway", "gateway-orders", "orders-billing"]);
  await expect(page.getByTestId("undo")).toBeEnabled(); // opening the template is a step too

  await page.getByTestId("node-orders").click();
  await page.keyboard.press("Delete");
  await expect(page.getByTestId("node-orders")).toBeHidden();
  expect(await edgeIds(page)).toEqual(["client-gateway"]);

  await page.keyboard.press("Control+z");
  await expect(page.getByTestId("node-orders")).toBeVisible();
  expect(await edgeIds(page)).toEqual(["client-gateway", "gateway-orders", "orders-billing"]);

  await page.keyboard.press("Control+Shift+z");
  await expect(page.getByTestId("node-orders")).toBeHidden();
  expect(await edgeIds(page)).toEqual(["client-gateway"]);

  // The toolbar buttons do the same; Ctrl+Y redoes too.
  await page.getByTestId("undo").click();
  await expect(page.getByTestId("node-orders")).toBeVisible();
  await page.keyboard.press("Control+y");
  await expect(page.getByTestId("node-orders")).toBeHidden();
  await page.getByTestId("undo").click();
  await expect(page.getByTestId("node-orders")).toBeVisible();
  await expect(page.getByTestId("redo")).toBeEnabled();

  // Shortcuts stay out of fields: Ctrl+Z in the name field undoes the typing, not the canvas.
  await page.getByTestId("topology-name").fill("Renamed");
  await page.getByTestId("topology-name").press("Control+z");
  await expect(page.getByTestId("node-orders")).toBeVisible();
  await page.getByTestId("topology-name").press("Escape");
});

test("a drag is one undo step", async ({ page }) => {
  const start = (await readCanvas(page)).nodes.find((n) => n.id === "billing")!;
  const box = (await page.getByTestId("node-billing").boundingBox())!;
  await page.mouse.move(box.x + 60, box.y + 20);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(box.x + 60, box.y + 20 + i * 12);
  await page.mouse.up();
  const moved = (await readCanvas(page)).nodes.find((n) => n.id === "billing")!;
  expect(moved.y).toBeGreaterThan(start.y + 40);
  await page.keyboard.press("Control+z");
  await expect.poll(async () => (await readCanvas(page)).nodes.find((n) => n.id === "billing")!.y).toBe(start.y);
});

test("copy and paste nodes: fresh ids, offset, and the edge between them", async ({ page }) => {
  const before = await readCanvas(page);
  const orders = before.nodes.find((n) => n.id === "orders")!;
  await page.getByTestId("node-orders").click();
  await page.getByTestId("node-billing").click({ modifiers: ["Control"] });
  await page.keyboard.press("Control+c");
  await page.keyboard.press("Control+v");
  await expect(page.getByTestId("node-orders-2")).toBeVisible();
  await expect(page.getByTestId("node-billing-2")).toBeVisible();
  const after = await readCanvas(page);
  const pasted = after.nodes.find((n) => n.id === "orders-2")!;
  expect(pasted.label).toBe("Orders");
  expect(pasted.x - orders.x).toBe(40);
  expect(pasted.y - orders.y).toBe(40);
  expect(after.edges.map((e) => e.id)).toContain("orders-2-billing-2");
  expect(after.edges).toHaveLength(4);

  // Pasting again lands further on, with new ids again; one undo takes one paste away.
  await page.keyboard.press("Control+v");
  await expect(page.getByTestId("node-orders-3")).toBeVisible();
  await page.keyboard.press("Control+z");
  await expect(page.getByTestId("node-orders-3")).toBeHidden();
  await expect(page.getByTestId("node-orders-2")).toBeVisible();
});

test("auto-layout arranges left to right and is undoable; snap to grid toggles", async ({ page }) => {
  // Scatter two nodes by hand first.
  await page.getByTestId("node-billing").dragTo(page.getByTestId("canvas"), { targetPosition: { x: 300, y: 420 } });
  const scattered = await readCanvas(page);
  await page.getByTestId("auto-layout").click();
  await expect.poll(async () => new Set((await readCanvas(page)).nodes.map((n) => n.y)).size).toBe(1);
  const laid = (await readCanvas(page)).nodes;
  const x = (id: string) => laid.find((n) => n.id === id)!.x;
  expect(x("client")).toBeLessThan(x("gateway"));
  expect(x("gateway")).toBeLessThan(x("orders"));
  expect(x("orders")).toBeLessThan(x("billing"));
  await page.keyboard.press("Control+z");
  await expect.poll(async () => (await readCanvas(page)).nodes).toEqual(scattered.nodes);

  const snap = page.getByTestId("snap-toggle");
  await expect(snap).toHaveAttribute("aria-pressed", "true");
  await snap.click();
  await expect(snap).toHaveAttribute("aria-pressed", "false");
  await page.reload();
  await expect(page.getByTestId("snap-toggle")).toHaveAttribute("aria-pressed", "false");
  await page.getByTestId("snap-toggle").click();
});
