import { expect, type Page, test } from "@playwright/test";
import { freshPage } from "./canvas-helpers";

/**
 * The Metrics tab on the real server: the queue-workers template's queue edge,
 * both workers killed — the queue's waiting series rises — then started again
 * — it falls. Polls the chart's newest value (data-last-waiting); no sleeps.
 */

const waiting = async (page: Page) => Number((await page.getByTestId("metrics-panel").getAttribute("data-last-waiting")) ?? NaN);

async function nodeAction(page: Page, nodeId: string, action: "kill" | "start") {
  await page.getByTestId(`node-${nodeId}`).click();
  const button = page.getByTestId(`node-action-${nodeId}`);
  await expect(button).toHaveAttribute("data-action", action);
  await button.click();
}

test("metrics: a queue edge's waiting rises while its workers are down and falls once they are back", async ({ page }) => {
  test.setTimeout(180_000);
  await freshPage(page);
  await page.getByTestId("template-queue-workers").click();
  await page.getByTestId("template-guide-close").click();

  // Before a run the tab says what it will show.
  await page.getByTestId("tab-metrics").click();
  await expect(page.getByTestId("metrics-empty")).toContainText("Run the topology");

  await page.getByTestId("run").click();
  await expect(page.getByTestId("run-state")).toHaveAttribute("data-phase", "running", { timeout: 60_000 });
  await expect(page.getByTestId("status-worker-b")).toHaveAttribute("data-status", "up", { timeout: 60_000 });
  await page.getByTestId("tab-metrics").click();
  await expect(page.getByTestId("metrics-empty")).toContainText("Select an edge or a service");

  await page.getByTestId("edge-orders-worker-b").click();
  const panel = page.getByTestId("metrics-panel");
  await expect(panel).toHaveAttribute("data-subject", "edge:orders-worker-b", { timeout: 30_000 });
  await expect(panel.getByTestId("metrics-chart-queue")).toBeVisible();
  await expect(panel.getByTestId("metrics-chart-rate").locator("canvas")).toHaveCount(1);
  await expect(page.getByTestId("edge-inspector").getByTestId("sparklines")).toBeVisible({ timeout: 15_000 });

  // Both workers down: the jobs wait.
  await nodeAction(page, "worker-b", "kill");
  await nodeAction(page, "worker-a", "kill");
  await expect(page.getByTestId("status-worker-a")).toHaveAttribute("data-status", "down", { timeout: 30_000 });
  await page.getByTestId("edge-orders-worker-b").click();
  await expect(panel).toHaveAttribute("data-subject", "edge:orders-worker-b");
  await expect.poll(() => waiting(page), { timeout: 60_000 }).toBeGreaterThan(5);
  let peak = await waiting(page);
  await page.screenshot({ path: "test-results/metrics-down.png" });
  await page.getByTestId("run-panel").screenshot({ path: "test-results/metrics-panel-down.png" });
  await page.getByRole("complementary", { name: "Inspector" }).screenshot({ path: "test-results/metrics-sparklines-down.png" });

  // Back up: the queue drains.
  await nodeAction(page, "worker-b", "start");
  await nodeAction(page, "worker-a", "start");
  await page.getByTestId("edge-orders-worker-b").click();
  await expect(panel).toHaveAttribute("data-subject", "edge:orders-worker-b");
  peak = Math.max(peak, await waiting(page));
  await expect.poll(() => waiting(page), { timeout: 60_000 }).toBeLessThan(peak / 2);
  await page.getByTestId("run-panel").screenshot({ path: "test-results/metrics-panel-up.png" });

  // A service's charts.
  await page.getByTestId("node-worker-a").click();
  await expect(panel).toHaveAttribute("data-subject", "node:worker-a");
  await expect(panel.getByTestId("metrics-chart-cpu")).toBeVisible();
  // The kills are bands on its time axis; a live edit is a line.
  await expect(panel).toHaveAttribute("data-faults", "2");
  await page.getByTestId("field-error-rate").fill("5");
  await expect.poll(async () => Number(await panel.getAttribute("data-edits")), { timeout: 30_000 }).toBeGreaterThan(0);
  await page.screenshot({ path: "test-results/metrics-node.png" });

  // After Stop the series stay.
  await page.getByTestId("stop").click();
  await expect(page.getByTestId("run-state")).toHaveAttribute("data-phase", "stopped", { timeout: 30_000 });
  await page.getByTestId("tab-metrics").click();
  await expect(page.getByTestId("metrics-panel")).toHaveAttribute("data-subject", "node:worker-a");
  await page.getByTestId("run-panel").screenshot({ path: "test-results/metrics-panel-stopped.png" });
});
