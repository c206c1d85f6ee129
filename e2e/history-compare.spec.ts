import { expect, type Locator, type Page, test } from "@playwright/test";
import { readFile } from "node:fs/promises";
import { freshPage } from "./canvas-helpers";

/**
 * Run history and comparison on the real server: the "Sync vs async" template
 * runs twice (each run stopped), the History tab lists both from IndexedDB,
 * the two are compared side by side with numbers in both columns, one run's
 * two designs are compared within it (the sync design's client call slower
 * than the async one's, as the real REST chain and queue make it), and the
 * history survives an export, delete and import. Polls after each action; no sleeps.
 */

const shot = (page: Page, name: string) => page.screenshot({ path: `/tmp/history-compare-${name}.png` });

async function runAndStop(page: Page): Promise<void> {
  await page.getByTestId("run").click();
  await expect(page.getByTestId("run-state")).toHaveAttribute("data-phase", "running", { timeout: 60_000 });
  // Enough messages through both designs to have numbers: the client sends 3 a second.
  await expect.poll(() => page.getByTestId("trace-row").count(), { timeout: 30_000 }).toBeGreaterThan(4);
  await page.getByTestId("stop").click();
  await expect(page.getByTestId("run-state")).toHaveAttribute("data-phase", "stopped", { timeout: 60_000 });
}

const numberIn = async (cell: Locator) => Number(await cell.getAttribute("data-value"));

test("two stopped runs compare side by side; a run's two designs compare within it; the history exports and imports", async ({ page }) => {
  test.setTimeout(180_000);
  await freshPage(page);
  await page.getByTestId("template-sync-vs-async").click();
  await page.getByTestId("template-guide-close").click();

  await page.getByTestId("tab-history").click();
  await expect(page.getByTestId("history-empty")).toBeVisible();
  await shot(page, "empty");

  await runAndStop(page);
  await runAndStop(page);

  await page.getByTestId("tab-history").click();
  const rows = page.getByTestId("history-row");
  await expect(rows).toHaveCount(2, { timeout: 20_000 });
  await expect(page.getByTestId("history-count")).toContainText("2 runs kept");
  for (const row of await rows.all()) {
    await expect(row).toContainText("Sync vs async");
    await expect(row.getByTestId("history-sent")).not.toHaveText("0");
  }

  // Compare waits for two picks.
  await expect(page.getByTestId("history-compare")).toBeDisabled();
  await rows.nth(0).getByTestId("history-pick").check();
  await rows.nth(1).getByTestId("history-pick").check();
  await expect(page.getByTestId("history-compare")).toBeEnabled();
  await shot(page, "list");
  await page.getByTestId("history-compare").click();

  const dialog = page.getByTestId("history-compare-dialog");
  await expect(dialog).toBeVisible();
  await expect(dialog).toHaveAttribute("data-kind", "runs");
  await expect(page.getByTestId("history-compare-note")).toContainText("The same topology, run twice");
  await expect(page.getByTestId("history-compare-head-a")).toContainText("Sync vs async");
  await expect(page.getByTestId("history-compare-head-b")).toContainText("Sync vs async");
  for (const key of ["throughput", "sent", "client-p50", "client-p95", "client-p99"]) {
    const row = dialog.locator(`[data-testid=history-compare-row][data-key="${key}"]`);
    await expect(row).toBeVisible();
    expect(await numberIn(row.getByTestId("history-compare-a"))).toBeGreaterThan(0);
    expect(await numberIn(row.getByTestId("history-compare-b"))).toBeGreaterThan(0);
  }
  for (const chart of ["delivered", "p95", "failed", "queue"]) {
    await expect(page.getByTestId(`history-compare-chart-${chart}`).locator("canvas")).toHaveCount(1);
  }
  await shot(page, "runs");
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();

  // Compare designs: the newest run's sync and async paths, which took the same messages at once.
  await rows.nth(0).getByTestId("history-compare-designs").click();
  await expect(dialog).toHaveAttribute("data-kind", "designs");
  await expect(page.getByTestId("history-compare-note")).toContainText("both designs took the same load and the same faults");
  await expect(page.getByTestId("history-compare-head-a")).toContainText("Sync API");
  await expect(page.getByTestId("history-compare-head-b")).toContainText("Async API");
  const p50 = dialog.locator('[data-testid=history-compare-row][data-key="client-p50"]');
  // Sync-api waits for its 300 ms worker; async-api answers once the job is queued.
  expect(await numberIn(p50.getByTestId("history-compare-a"))).toBeGreaterThanOrEqual(300);
  expect(await numberIn(p50.getByTestId("history-compare-b"))).toBeLessThan(300);
  await expect(p50.getByTestId("history-compare-delta")).toHaveText(/less|−/);
  const sent = dialog.locator('[data-testid=history-compare-row][data-key="sent"]');
  expect(await numberIn(sent.getByTestId("history-compare-a"))).toBeGreaterThan(0);
  expect(await numberIn(sent.getByTestId("history-compare-b"))).toBeGreaterThan(0);
  await shot(page, "designs");
  await page.getByTestId("history-compare-close").click();
  await expect(dialog).toBeHidden();

  // Export everything, delete both, import the file: both are back.
  await rows.nth(0).getByTestId("history-pick").uncheck();
  await rows.nth(1).getByTestId("history-pick").uncheck();
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("history-export").click()]);
  const file = await download.path();
  const text = await readFile(file, "utf8");
  expect(JSON.parse(text).runs).toHaveLength(2);
  await rows.nth(0).getByTestId("history-delete").click();
  await expect(rows).toHaveCount(1);
  await rows.nth(0).getByTestId("history-delete").click();
  await expect(page.getByTestId("history-empty")).toBeVisible();
  await page.getByTestId("history-import-file").setInputFiles(file);
  await expect(rows).toHaveCount(2);
  await expect(page.getByTestId("notice-history")).toContainText("2 runs added");

  // Kept across a reload: it is the browser's IndexedDB, not the page's memory.
  await page.reload();
  await page.getByTestId("tab-history").click();
  await expect(rows).toHaveCount(2);
});
