import { expect, type Page, test } from "@playwright/test";
import { freshPage, readCanvas } from "./canvas-helpers";

const edgeIds = async (page: Page) => (await readCanvas(page)).edges.map((e) => e.id);

test.beforeEach(async ({ page }) => {
  await freshPage(page);
  await page.getByTestId("template-rest-chain").click();
  await expect(page.getByTestId("node-billing")).toBeVisible();
});

test("delete with the keyboard; undo brings the node and its edges back, redo removes them again", async ({ page }) => {
  await expect.poll(() => edgeIds(page)).toEqual(["client-gateway", "gateway-orders", "orders-billing"]);
  await expect(page.getByTestId("undo")).toBeEnabled(); // opening the template is a step too

  await page.getByTestId("node-orders").click();
  await page.keyboard.press("Delete");
  await expect(page.getByTestId("node-orders")).toBeHidden();
  await expect.poll(() => edgeIds(page)).toEqual(["client-gateway"]);

  await page.keyboard.press("Control+z");
  await expect(page.getByTestId("node-orders")).toBeVisible();
  await expect.poll(() => edgeIds(page)).toEqual(["client-gateway", "gateway-orders", "orders-billing"]);

  await page.keyboard.press("Control+Shift+z");
  await expect(page.getByTestId("node-orders")).toBeHidden();
  await expect.poll(() => edgeIds(page)).toEqual(["client-gateway"]);

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
  // React Flow applies the last move on its own frame: read until the drop has landed.
  await expect.poll(async () => (await readCanvas(page)).nodes.find((n) => n.id === "billing")!.y).toBeGreaterThan(start.y + 40);
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
  // The pasted edge is drawn a frame after its nodes: read until the whole paste is on the canvas.
  await expect
    .poll(async () => {
      const after = await readCanvas(page);
      const pasted = after.nodes.find((n) => n.id === "orders-2");
      return {
        label: pasted?.label,
        dx: pasted && pasted.x - orders.x,
        dy: pasted && pasted.y - orders.y,
        edges: after.edges.map((e) => e.id).sort(),
      };
    })
    .toEqual({
      label: "Orders",
      dx: 40,
      dy: 40,
      edges: ["client-gateway", "gateway-orders", "orders-2-billing-2", "orders-billing"],
    });
  // A REST edge has no channel: nothing to say about sharing one.
  await expect(page.getByTestId("paste-shared-channel")).toBeHidden();

  // Pasting again lands further on, with new ids again; one undo takes one paste away.
  await page.keyboard.press("Control+v");
  await expect(page.getByTestId("node-orders-3")).toBeVisible();
  await page.keyboard.press("Control+z");
  await expect(page.getByTestId("node-orders-3")).toBeHidden();
  await expect(page.getByTestId("node-orders-2")).toBeVisible();
});

test("auto-layout arranges left to right and is undoable; snap to grid toggles", async ({ page }) => {
  // Scatter two nodes by hand first.
  const before = (await readCanvas(page)).nodes.find((n) => n.id === "billing")!;
  // In steps: a one-step dragTo only starts React Flow's drag, and the node stayed where it was.
  // The whole drag is retried until the node has moved: a drag that begins while the canvas is
  // still settling (a fresh page on a busy machine) can be swallowed whole.
  await expect(async () => {
    const box = (await page.getByTestId("node-billing").boundingBox())!;
    await page.mouse.move(box.x + 60, box.y + 20);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) await page.mouse.move(box.x + 60 - i * 30, box.y + 20 + i * 15);
    await page.mouse.up();
    await expect
      .poll(async () => (await readCanvas(page)).nodes.find((n) => n.id === "billing")!.y, { timeout: 3_000 })
      .toBeGreaterThan(before.y + 40);
  }).toPass({ timeout: 30_000 });
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

test("pasted queue workers join the original's queue, and a notice says so", async ({ page }) => {
  await page.getByTestId("templates-menu").click();
  await page.getByTestId("menu-template-queue-workers").click();
  await expect(page.getByTestId("node-worker-a")).toBeVisible();
  await page.getByTestId("node-orders").click();
  await page.getByTestId("node-worker-a").click({ modifiers: ["Control"] });
  await page.keyboard.press("Control+c");
  await page.keyboard.press("Control+v");
  await expect(page.getByTestId("node-worker-a-2")).toBeVisible();
  const notice = page.getByTestId("paste-shared-channel");
  await expect(notice).toBeVisible();
  await expect(notice).toContainText('queue "orders"');
  await expect(page.getByTestId("edge-orders-2-worker-a-2")).toContainText('queue "orders"');
});
