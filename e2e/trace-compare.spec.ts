import { expect, type Page, test } from "@playwright/test";
import { freshPage } from "./canvas-helpers";

/**
 * An edge's traces and chart, and two traces side by side, on the real server
 * at the width of a laptop: the REST chain template runs; a click in the
 * middle of a running edge's label (where its health caption sits) selects the
 * edge, filters the trace list to it (a removable chip says so) and shows the
 * edge's charts beside the list; Enter on a focused edge does the same. Then,
 * the run stopped, a trace is pinned with "Compare with…", a second picked in the list, and the
 * comparison shows both waterfalls and the table of durations; Escape closes
 * it. Polls after each action; no sleeps.
 */

test.use({ viewport: { width: 1280, height: 800 } });

const shot = (page: Page, name: string) => page.screenshot({ path: `/tmp/trace-compare-${name}.png` });

test("an edge's click shows its traces and chart; two traces compare side by side", async ({ page }) => {
  test.setTimeout(150_000);
  await freshPage(page);
  await page.getByTestId("template-rest-chain").click();
  await page.getByTestId("template-guide-close").click();
  await page.getByTestId("run").click();
  await expect(page.getByTestId("run-state")).toHaveAttribute("data-phase", "running", { timeout: 60_000 });
  await expect(page.getByTestId("status-billing")).toHaveAttribute("data-status", "up", { timeout: 60_000 });
  // The caption appears with the edge's first counters; then the label is its running size.
  await expect(page.getByTestId("edge-health-orders-billing")).toBeVisible({ timeout: 30_000 });
  await expect.poll(() => page.getByTestId("trace-row").count(), { timeout: 30_000 }).toBeGreaterThan(3);

  // The middle of the label, where the health caption sits once the run is up: same outcome as anywhere on it.
  await page.getByTestId("edge-orders-billing").click();
  const chip = page.getByTestId("trace-filter-edge-chip");
  await expect(chip).toHaveAttribute("data-edge", "orders-billing");
  await expect(chip).toContainText("Orders → Billing");
  await expect(page.getByTestId("tab-traces")).toHaveAttribute("aria-selected", "true");
  await expect(page.getByTestId("trace-filter-count")).toContainText(/\d+ of \d+ traces/);
  const chart = page.getByTestId("edge-chart");
  await expect(chart).toHaveAttribute("data-edge", "orders-billing");
  await expect(chart.getByTestId("metrics-panel")).toHaveAttribute("data-subject", "edge:orders-billing", { timeout: 20_000 });
  await expect(chart.getByTestId("metrics-chart-rate").locator("canvas")).toHaveCount(1);
  await expect(page.getByTestId("edge-inspector")).toBeVisible();
  // Every listed trace crossed orders → billing (its path has orders then billing).
  await expect.poll(() => page.getByTestId("trace-row").count()).toBeGreaterThan(0);
  await shot(page, "edge-focus");

  // The chip removes the filter; the chart gives way to the waterfall's pane.
  await page.getByTestId("trace-filter-edge-remove").click();
  await expect(chip).toBeHidden();
  await expect(chart).toBeHidden();
  await expect(page.getByTestId("trace-filter-count")).not.toContainText(" of ");

  // The keyboard: Tab reaches an edge (React Flow makes it focusable); Enter does what a click does.
  await page.getByTestId("rf__edge-gateway-orders").focus();
  await page.keyboard.press("Enter");
  await expect(chip).toHaveAttribute("data-edge", "gateway-orders");
  await expect(page.getByTestId("edge-chart").getByTestId("metrics-panel")).toHaveAttribute("data-subject", "edge:gateway-orders", { timeout: 20_000 });

  // Compare two traces of the stopped run: its list holds still (a running one's rows move down as traces arrive).
  await page.getByTestId("stop").click();
  await expect(page.getByTestId("run-state")).toHaveAttribute("data-phase", "stopped", { timeout: 60_000 });
  await page.getByTestId("tab-traces").click();
  await expect.poll(() => page.getByTestId("trace-row").count()).toBeGreaterThan(3);
  // Open the quickest trace in the list: the waterfall takes the chart's place; pin it as A.
  const listed = await page.getByTestId("trace-row").evaluateAll((rows) =>
    rows.map((r) => ({ id: r.getAttribute("data-trace-id")!, ms: Number(r.getAttribute("data-duration-ms")) })).sort((x, y) => x.ms - y.ms),
  );
  const a = listed[0].id;
  const b = listed[listed.length - 1].id;
  // The slowest one as B: the table has rows to mark (the chain's traces vary from about 100 to 300 ms).
  expect(listed[listed.length - 1].ms).toBeGreaterThan(listed[0].ms * 1.3);
  await page.locator(`[data-testid=trace-row][data-trace-id="${a}"]`).click();
  await expect(page.getByTestId("waterfall")).toHaveAttribute("data-trace-id", a);
  await page.getByTestId("waterfall-compare").click();
  await expect(page.getByTestId("waterfall-pinned")).toBeVisible();
  await expect(page.getByTestId("trace-compare-picking")).toContainText(a.slice(0, 12));
  await shot(page, "picking");

  // Pick B in the list: the comparison opens.
  await page.locator(`[data-testid=trace-row][data-trace-id="${b}"]`).click();
  const dialog = page.getByRole("dialog", { name: "Compare two traces" });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId("trace-compare-a")).toHaveAttribute("data-trace-id", a);
  await expect(dialog.getByTestId("trace-compare-b")).toHaveAttribute("data-trace-id", b);
  await expect.poll(async () => Number(await dialog.getByTestId("trace-compare-b").getAttribute("data-spans"))).toBeGreaterThan(0);
  await expect.poll(async () => Number(await dialog.getByTestId("trace-compare-a").getAttribute("data-spans"))).toBeGreaterThan(0);
  await expect.poll(() => dialog.getByTestId("compare-row").count()).toBeGreaterThan(1);
  // Both waterfalls on one scale: their axes end at the same time.
  const axisEnd = (side: string) => dialog.getByTestId(`trace-compare-axis-${side}`).locator("span").last().textContent();
  expect(await axisEnd("a")).toBe(await axisEnd("b"));
  await expect(dialog.getByTestId("compare-row").filter({ hasText: "client" }).first()).toBeVisible();
  await expect(dialog.getByTestId("trace-compare-total")).toContainText("end to end");
  // B is the slowest trace: at least its end-to-end span is marked slower, in the table and in B's waterfall.
  await expect.poll(() => dialog.locator("[data-testid=compare-row][data-slower=true]").count()).toBeGreaterThan(0);
  await expect(dialog.getByTestId("trace-compare-b").locator("[data-testid=compare-span][data-slower=true]").first()).toBeVisible();
  // The dialog fits the window at 1280 px.
  const box = await dialog.boundingBox();
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width).toBeLessThanOrEqual(1280);
  await shot(page, "dialog");

  // Escape closes it and nothing else: the edge stays selected.
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId("edge-inspector")).toBeVisible();
  await expect(page.getByTestId("trace-compare-picking")).toBeHidden();
});
