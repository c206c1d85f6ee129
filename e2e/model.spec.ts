import { expect, test } from "@playwright/test";
import { freshPage } from "./canvas-helpers";

// The queueing model beside the measurement: run a template, select a service, see λ, μ, c, ρ, the waits and Little's law.
test("the node inspector shows the queueing model of a running service", async ({ page }) => {
  await freshPage(page);
  await page.getByTestId("template-rest-chain").click();
  await page.getByTestId("run").click();
  await expect(page.getByTestId("run-state")).toHaveAttribute("data-phase", "running", { timeout: 60_000 });
  await page.getByTestId("node-orders").click();

  const section = page.getByTestId("queueing-model");
  await expect(section).toBeVisible({ timeout: 15_000 });
  await expect(section).toContainText("Poisson arrivals");
  // Numbers once two readings are in: the client sends 3/s.
  await expect
    .poll(async () => parseFloat((await page.getByTestId("model-lambda").textContent({ timeout: 1_000 }).catch(() => "")) ?? ""), { timeout: 20_000 })
    .toBeGreaterThan(0);
  await expect(page.getByTestId("model-c")).toHaveText(/^\d+$/);
  await expect(page.getByTestId("model-rho")).toHaveText(/\d/);
  await expect(page.getByTestId("model-wait")).toContainText("M/M/c predicts");
  await expect(page.getByTestId("model-little")).toContainText(/L [\d.]+ [≈≠] λW [\d.]+/);
  await section.screenshot({ path: "test-results/model-section.png" });

  await page.getByTestId("stop").click();
  await expect(page.getByTestId("run-state")).toHaveAttribute("data-phase", "stopped", { timeout: 30_000 });
  // After the run the last window stays.
  await expect(page.getByTestId("model-little")).toBeVisible();
});
