import { expect, type Page, test } from "@playwright/test";
import { freshPage } from "./canvas-helpers";

/**
 * All four transports in one chain, built by hand on the canvas:
 * client —REST→ gateway —Connect→ orders —Queue→ worker —Pub/Sub→ notifier.
 * One trace crosses all four; killing the queue's consumer makes the queue
 * grow on screen, starting it again drains it.
 */

async function connect(page: Page, source: string, target: string, pick: "rest" | "grpc" | "queue" | "pubsub") {
  await page.getByTestId(`handle-out-${source}`).dragTo(page.getByTestId(`handle-in-${target}`));
  const picker = page.getByTestId("transport-picker");
  await expect(picker).toBeVisible();
  await picker.getByTestId(`pick-${pick}`).click();
  await expect(picker).toBeHidden();
}

async function rename(page: Page, id: string, label: string) {
  await page.getByTestId(`node-${id}`).click();
  await page.getByTestId("field-label").fill(label);
  await expect(page.getByTestId(`node-${label.toLowerCase()}`)).toBeVisible();
}

// A failed test must not leave its processes running until the run expires.
test.afterEach(async ({ page }) => {
  const saved = await page.evaluate(() => sessionStorage.getItem("ipcplay.run.v1")).catch(() => null);
  if (!saved) return;
  const { runId, token } = JSON.parse(saved) as { runId: string; token: string };
  await page.request
    .post("/ipcplay.v1.PlaygroundService/StopRun", { data: { runId }, headers: { authorization: `Bearer ${token}` } })
    .catch(() => undefined);
});

const shot = async (page: Page, name: string, testInfo: { attach: (n: string, o: { path: string; contentType: string }) => Promise<void> }) => {
  const path = `test-results/transports-${name}.png`;
  await page.screenshot({ path });
  await testInfo.attach(name, { path, contentType: "image/png" });
};

test("REST, Connect, queue and pub/sub in one chain; a killed consumer's queue fills and drains", async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  await freshPage(page);
  const canvas = page.getByTestId("canvas");

  // 1. Zoom out a little so five nodes fit, then drag a client and four services in a zigzag.
  await page.locator(".react-flow__controls-zoomout").click();
  await page.locator(".react-flow__controls-zoomout").click();
  // Click to add the first node (the empty canvas offers templates), then move it to the left.
  await page.getByTestId("palette-client").click();
  await expect(page.getByTestId("empty-state")).toBeHidden();
  const node = await page.getByTestId("node-client").boundingBox();
  const pane = await canvas.boundingBox();
  if (!node || !pane) throw new Error("no canvas");
  await page.mouse.move(node.x + node.width / 2, node.y + node.height / 2);
  await page.mouse.down();
  await page.mouse.move(pane.x + 100, pane.y + 110, { steps: 8 });
  await page.mouse.up();
  const spots = [
    { x: 275, y: 240 },
    { x: 450, y: 110 },
    { x: 625, y: 240 },
    { x: 800, y: 110 },
  ];
  for (const targetPosition of spots) await page.getByTestId("palette-service").dragTo(canvas, { targetPosition });
  for (const id of ["client", "service", "service-2", "service-3", "service-4"]) await expect(page.getByTestId(`node-${id}`)).toBeVisible();

  // 2. Name them; ids follow labels.
  await rename(page, "service", "Gateway");
  await rename(page, "service-2", "Orders");
  await rename(page, "service-3", "Worker");
  await rename(page, "service-4", "Notifier");
  await page.getByTestId("node-client").click();
  await page.getByTestId("field-rate").fill("8");

  // 3. Wire them, one transport per edge, through the picker.
  await connect(page, "client", "gateway", "rest");
  await connect(page, "gateway", "orders", "grpc");
  await expect(page.getByTestId("edge-gateway-orders")).toContainText("Connect");
  await connect(page, "orders", "worker", "queue");
  await page.getByTestId("field-channel").fill("orders");
  await expect(page.getByTestId("edge-orders-worker")).toContainText('queue "orders"');
  await connect(page, "worker", "notifier", "pubsub");
  await page.getByTestId("field-topic").fill("order-placed");
  await expect(page.getByTestId("delivery-hint")).toContainText("misses messages");
  await expect(page.getByTestId("edge-worker-notifier")).toContainText('topic "order-placed"');

  // The Connect edge speaks gRPC.
  await page.getByTestId("edge-gateway-orders").click();
  await page.getByTestId("field-protocol").selectOption({ label: "gRPC" });
  await expect(page.getByTestId("edge-gateway-orders")).toContainText("gRPC");
  await page.keyboard.press("Escape");
  await page.keyboard.press("Escape");
  await page.locator(".react-flow__controls-fitview").click();
  await shot(page, "built", testInfo);

  // 4. Run.
  await page.getByTestId("run").click();
  for (const id of ["client", "gateway", "orders", "worker", "notifier"]) {
    await expect(page.getByTestId(`status-${id}`)).toHaveAttribute("data-status", "up", { timeout: 30_000 });
  }
  await expect(page.getByTestId("edge-badge-orders-worker")).toContainText("waiting");
  await expect(page.getByTestId("edge-badge-worker-notifier")).toContainText("sub");

  // 5. A trace whose waterfall holds spans of all four transports, one trace id.
  await expect(page.getByTestId("trace-row").filter({ hasText: "notifier" }).first()).toBeVisible({ timeout: 20_000 });
  // Pointing at the list holds it still (traces arrive at 10 a second).
  await page.getByTestId("trace-list").hover({ position: { x: 200, y: 10 } });
  await expect(page.getByTestId("trace-list")).toHaveAttribute("data-held", "true");
  await page.getByTestId("trace-row").filter({ hasText: "notifier" }).first().click();
  const waterfall = page.getByTestId("waterfall");
  const spanRows = waterfall.getByTestId("span-row");
  await expect
    .poll(async () => [...new Set(await spanRows.evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.transport ?? "")))].sort(), {
      timeout: 10_000,
    })
    .toEqual(expect.arrayContaining(["connect", "pubsub", "queue", "rest"]));
  const traceIds = new Set(await spanRows.evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.trace)));
  expect(traceIds.size).toBe(1);
  await waterfall.locator("[data-testid=span-row][data-transport=queue][data-node=worker]").first().hover();
  await expect(page.getByTestId("span-facts")).toContainText("Waited in queue");
  await shot(page, "running", testInfo);

  // 6. Kill the consumer: jobs pile up in the queue, on screen.
  const worker = page.getByTestId("node-worker");
  await worker.hover();
  const action = page.getByTestId("node-action-worker");
  await expect(action).toHaveText("Kill process");
  await action.click();
  await expect(page.getByTestId("status-worker")).toHaveAttribute("data-status", "down");
  await expect(action).toHaveText("Start again");
  const badge = page.getByTestId("edge-badge-orders-worker");
  await expect.poll(async () => Number(await badge.getAttribute("data-waiting")), { timeout: 10_000 }).toBeGreaterThan(5);
  await shot(page, "killed", testInfo);

  // 7. Start it again: the queue drains to 0.
  await action.click();
  await expect(page.getByTestId("status-worker")).toHaveAttribute("data-status", "up", { timeout: 20_000 });
  await expect.poll(async () => Number(await badge.getAttribute("data-waiting")), { timeout: 15_000 }).toBe(0);
  await expect(badge).toContainText("0 waiting");

  // 8. Stop: one summary row per edge, each with its transport.
  await page.getByTestId("stop").click();
  await expect(page.getByTestId("run-state")).toHaveAttribute("data-phase", "stopped", { timeout: 30_000 });
  const summaryRows = page.getByTestId("summary").getByTestId("summary-row");
  await expect(summaryRows).toHaveCount(4);
  expect(await summaryRows.evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.transport).sort())).toEqual([
    "grpc",
    "pubsub",
    "queue",
    "rest",
  ]);
  await shot(page, "summary", testInfo);
});
