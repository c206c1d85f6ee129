import { expect, test } from "@playwright/test";
import { connect, freshPage, readCanvas, savedTopology, STORAGE_KEY } from "./canvas-helpers";

test("a share link reproduces the canvas exactly in a new browser; a damaged one changes nothing", async ({ page, browser, baseURL }) => {
  await freshPage(page);
  const canvas = page.getByTestId("canvas");

  // 1. Build client → orders (REST) → billing (queue), and change a few settings.
  await page.getByTestId("palette-client").dragTo(canvas, { targetPosition: { x: 160, y: 140 } });
  await page.getByTestId("palette-service").dragTo(canvas, { targetPosition: { x: 470, y: 230 } });
  await page.getByTestId("palette-service").dragTo(canvas, { targetPosition: { x: 790, y: 120 } });
  await connect(page, "client", "service", "rest");
  await connect(page, "service", "service-2", "queue");
  await page.getByTestId("node-service").click();
  await page.getByTestId("field-label").fill("Orders");
  await page.getByTestId("node-service-2").click();
  await page.getByTestId("field-label").fill("Billing");
  await page.getByTestId("field-work-time").fill("45");
  await page.getByTestId("edge-client-orders").click();
  await page.getByTestId("field-path").fill("/orders");
  await page.getByTestId("field-timeout").fill("1500");
  await page.keyboard.press("Escape");
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("edge-client-orders")).toContainText("POST /orders");

  const before = await readCanvas(page);
  const savedBefore = await savedTopology(page);
  expect(before.nodes.map((n) => n.id)).toEqual(["billing", "client", "orders"]);
  expect(before.edges).toHaveLength(2);

  // 2. Share: the popover confirms the copy and shows the link and its length.
  await page.getByTestId("share").click();
  const popover = page.getByTestId("share-popover");
  await expect(popover).toBeVisible();
  const link = await page.getByTestId("share-link").inputValue();
  expect(link.startsWith(`${baseURL}/#topology=t1.`)).toBe(true);
  await expect(page.getByTestId("share-length")).toContainText(`${link.length.toLocaleString("en-US")} characters`);
  if ((await popover.getAttribute("data-copied")) === "true") {
    await expect(popover).toContainText("Link copied");
  }
  await page.keyboard.press("Escape");
  await expect(popover).toBeHidden();

  // 3. Open it in a new context: fresh localStorage, nothing shared but the link.
  const other = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page2 = await other.newPage();
  await page2.goto(link);
  await expect(page2.getByTestId("node-billing")).toBeVisible();
  // The fragment is taken out of the address bar, so a reload shows the autosave.
  await expect.poll(() => page2.url()).toBe(`${baseURL}/`);
  const after = await readCanvas(page2);
  expect(after.nodes.map(({ id, label }) => ({ id, label }))).toEqual(before.nodes.map(({ id, label }) => ({ id, label })));
  for (const [i, n] of after.nodes.entries()) {
    expect(Math.abs(n.x - before.nodes[i].x)).toBeLessThanOrEqual(1);
    expect(Math.abs(n.y - before.nodes[i].y)).toBeLessThanOrEqual(1);
  }
  expect(after.edges).toEqual(before.edges);
  const savedAfter = await savedTopology(page2);
  expect(savedAfter).toEqual(savedBefore);
  // Settings, read where a person reads them.
  await page2.getByTestId("node-billing").click();
  await expect(page2.getByTestId("field-work-time")).toHaveValue("45");
  await page2.getByTestId("edge-client-orders").click();
  await expect(page2.getByTestId("field-timeout")).toHaveValue("1500");
  await page2.keyboard.press("Escape");

  // 4. A damaged link: a notice says why, and the canvas stays as it was.
  const damaged = link.slice(0, -12) + "AAAAAAAAAAAA";
  await page2.goto("about:blank");
  await page2.goto(damaged);
  await expect(page2.getByTestId("notice-link")).toBeVisible();
  await expect(page2.getByTestId("notice-link")).toContainText("could not be opened");
  await expect(page2.getByTestId("node-billing")).toBeVisible();
  expect((await readCanvas(page2)).nodes.map((n) => n.id)).toEqual(["billing", "client", "orders"]);
  await page2.screenshot({ path: "test-results/share-damaged.png" });

  // A foreign fragment is refused the same way, without touching the canvas.
  await page2.goto("about:blank");
  await page2.goto(`${baseURL}/#topology=hello`);
  await expect(page2.getByTestId("notice-link")).toContainText("not an IPC Playground topology link");
  await expect(page2.getByTestId("node-orders")).toBeVisible();
  await other.close();
});

test("opening a link over a different canvas keeps that canvas one undo away", async ({ page, baseURL }) => {
  await freshPage(page);
  await page.getByTestId("template-rest-chain").click();
  await expect(page.getByTestId("node-gateway")).toBeVisible();
  await page.getByTestId("share").click();
  const link = await page.getByTestId("share-link").inputValue();
  await page.keyboard.press("Escape");

  // Someone else's canvas: the queue template.
  await page.getByTestId("templates-menu").click();
  await page.getByTestId("menu-template-queue-workers").click();
  await expect(page.getByTestId("node-worker-a")).toBeVisible();
  await expect.poll(() => page.evaluate((key) => localStorage.getItem(key) ?? "", STORAGE_KEY)).toContain("worker-a");
  await page.goto("about:blank");
  await page.goto(link);
  await expect(page.getByTestId("node-gateway")).toBeVisible();
  await expect(page.getByTestId("node-worker-a")).toBeHidden();
  await expect(page.getByTestId("notice-open")).toContainText("previous canvas is one undo away");
  await page.getByTestId("notice-action").click();
  await expect(page.getByTestId("node-worker-a")).toBeVisible();
  await expect(page.getByTestId("node-gateway")).toBeHidden();
  expect(page.url()).toBe(`${baseURL}/`);
});
