import { expect, type Page, test } from "@playwright/test";

import { freshPage, openSaved, STORAGE_KEY } from "./canvas-helpers";

async function connect(page: Page, source: string, target: string) {
  await page.getByTestId(`handle-out-${source}`).dragTo(page.getByTestId(`handle-in-${target}`));
  const picker = page.getByTestId("transport-picker");
  await expect(picker).toBeVisible();
  // Every transport can be picked; this chain uses REST.
  await expect(picker.getByTestId("pick-queue")).toBeEnabled();
  await picker.getByTestId("pick-rest").click();
  await expect(picker).toBeHidden();
}

test("build client → orders → billing, run it, read a trace, stop, reload", async ({ page }, testInfo) => {
  await freshPage(page);
  const canvas = page.getByTestId("canvas");

  // 1. Drag a client and two services from the palette onto the canvas.
  await page.getByTestId("palette-client").dragTo(canvas, { targetPosition: { x: 150, y: 200 } });
  await page.getByTestId("palette-service").dragTo(canvas, { targetPosition: { x: 470, y: 200 } });
  await page.getByTestId("palette-service").dragTo(canvas, { targetPosition: { x: 790, y: 200 } });
  await expect(page.getByTestId("empty-state")).toBeHidden();
  for (const id of ["client", "service", "service-2"]) await expect(page.getByTestId(`node-${id}`)).toBeVisible();

  // 2. Connect them, handle to handle, picking REST.
  await connect(page, "client", "service");
  await connect(page, "service", "service-2");

  // 3. Name them in the inspector: the id follows the label.
  await page.getByTestId("node-service").click();
  await page.getByTestId("field-label").fill("Orders");
  await expect(page.getByTestId("node-orders").getByTestId("node-id")).toHaveText("orders");
  await page.getByTestId("node-service-2").click();
  await page.getByTestId("field-label").fill("Billing");
  await expect(page.getByTestId("node-billing").getByTestId("node-id")).toHaveText("billing");
  await page.getByTestId("field-work-time").fill("40");
  await expect(page.getByTestId("node-billing")).toContainText("40 ms work");

  // 4. Edit the orders → billing edge.
  await page.getByTestId("edge-orders-billing").click();
  await expect(page.getByTestId("edge-inspector")).toBeVisible();
  await page.getByTestId("field-path").fill("/charge");
  await page.getByTestId("field-timeout").fill("2000");
  await expect(page.getByTestId("edge-orders-billing")).toContainText("POST /charge");
  await page.keyboard.press("Escape"); // leaves the field
  await page.keyboard.press("Escape"); // deselects
  await expect(page.getByTestId("overview")).toBeVisible();

  // 5. Run: every process comes up, traces arrive.
  const run = page.getByTestId("run");
  await expect(run).toBeEnabled();
  await run.click();
  for (const id of ["client", "orders", "billing"]) {
    await expect(page.getByTestId(`status-${id}`)).toHaveAttribute("data-status", "up", { timeout: 45_000 });
  }
  await expect(page.getByTestId("run-state")).toHaveAttribute("data-phase", "running");
  const row = page.getByTestId("trace-row").filter({ hasText: "billing" }).first();
  await expect(row).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId("edge-counters-orders-billing")).toContainText("sent");

  // 6. Its waterfall: client → orders → billing, billing worked ≥ 40 ms.
  await row.click();
  const waterfall = page.getByTestId("waterfall");
  await expect(waterfall).toBeVisible();
  const spans = waterfall.getByTestId("span-row");
  await expect(waterfall.locator("[data-testid=span-row][data-node=billing]").first()).toBeVisible();
  const rows = await spans.evaluateAll((els) =>
    els.map((el) => ({
      node: (el as HTMLElement).dataset.node ?? "",
      depth: Number((el as HTMLElement).dataset.depth),
      ms: Number((el as HTMLElement).dataset.durationMs),
    })),
  );
  const nodes = new Set(rows.map((r) => r.node));
  expect([...nodes]).toEqual(expect.arrayContaining(["client", "orders", "billing"]));
  const deepest = (node: string) => Math.max(...rows.filter((r) => r.node === node).map((r) => r.depth));
  expect(deepest("billing")).toBeGreaterThan(deepest("orders"));
  expect(deepest("orders")).toBeGreaterThan(Math.min(...rows.filter((r) => r.node === "client").map((r) => r.depth)));
  expect(Math.max(...rows.filter((r) => r.node === "billing").map((r) => r.ms))).toBeGreaterThanOrEqual(40);
  await waterfall.locator("[data-testid=span-row][data-node=billing]").last().hover();
  await expect(page.getByTestId("span-details")).toContainText("pid");

  await page.screenshot({ path: "test-results/playground.png", fullPage: true });
  await testInfo.attach("running", { path: "test-results/playground.png", contentType: "image/png" });

  // A reload mid-run picks the run up again (its token is kept for this tab).
  await page.reload();
  await expect(page.getByTestId("run-state")).toHaveAttribute("data-phase", "running", { timeout: 15_000 });
  await expect(page.getByTestId("status-billing")).toHaveAttribute("data-status", "up");
  await expect(page.getByTestId("trace-row").first()).toBeVisible({ timeout: 15_000 });

  // 7. Stop: a summary per edge, every edge delivered something.
  await page.getByTestId("stop").click();
  await expect(page.getByTestId("run-state")).toHaveAttribute("data-phase", "stopped", { timeout: 30_000 });
  const summary = page.getByTestId("summary");
  await expect(summary).toBeVisible();
  const summaryRows = summary.getByTestId("summary-row");
  await expect(summaryRows).toHaveCount(2);
  for (const delivered of await summaryRows.getByTestId("summary-delivered").allTextContents()) {
    expect(Number(delivered.replace(/,/g, ""))).toBeGreaterThan(0);
  }
  await page.screenshot({ path: "test-results/playground-stopped.png", fullPage: true });
  await testInfo.attach("stopped", { path: "test-results/playground-stopped.png", contentType: "image/png" });

  // 8. Reload: the topology is still there.
  await page.reload();
  for (const id of ["client", "orders", "billing"]) await expect(page.getByTestId(`node-${id}`)).toBeVisible();
  await expect(page.getByTestId("edge-orders-billing")).toContainText("POST /charge");
  await expect(page.getByTestId("empty-state")).toBeHidden();
});

test("a corrupt saved document gives a notice and an empty canvas", async ({ page }) => {
  await page.goto("/");
  await page.evaluate((key) => localStorage.setItem(key, "{ this is not json"), STORAGE_KEY);
  await page.reload();
  await expect(page.getByTestId("notice-restore")).toBeVisible();
  await expect(page.getByTestId("empty-state")).toBeVisible();
});

test("problems are marked on the canvas and Run says why it is disabled", async ({ page }) => {
  const topology = {
    name: "Broken",
    version: 1,
    nodes: [
      { id: "client", label: "Client", kind: "NODE_KIND_CLIENT", position: { x: 0, y: 0 }, traffic: { ratePerSecond: 1 } },
      { id: "9lives", label: "Cat", kind: "NODE_KIND_SERVICE", position: { x: 320, y: 0 }, behavior: { concurrency: 4 } },
    ],
    edges: [{ id: "client-cat", source: "client", target: "9lives", transport: "TRANSPORT_REST" }],
  };
  await openSaved(page, topology);
  await expect(page.getByTestId("node-9lives")).toBeVisible();
  await expect(page.getByTestId("node-problem-9lives")).toBeVisible();
  await expect(page.getByTestId("run")).toBeDisabled();
  await page.getByTestId("tab-problems").click();
  await expect(page.getByTestId("problems")).toContainText("9lives");
});
