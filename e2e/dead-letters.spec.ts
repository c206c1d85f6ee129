import { expect, test } from "@playwright/test";
import { openSaved } from "./canvas-helpers";

/**
 * A queue edge's dead letters from the edge inspector, on the real server:
 * poison jobs (an injected ERRORS fault) fail every attempt and are listed
 * with their trace; once the fault is cleared, "Redrive all" puts them back
 * and they are delivered — the books count each redrive as a new send.
 */
test("poison jobs become dead letters, listed with their traces; redriven after the fault, they are delivered", async ({ page }) => {
  const topology = {
    name: "Dead letters",
    version: 1,
    nodes: [
      { id: "client", label: "Client", kind: "NODE_KIND_CLIENT", position: { x: 0, y: 0 }, traffic: { ratePerSecond: 0 } },
      { id: "worker", label: "Worker", kind: "NODE_KIND_SERVICE", position: { x: 360, y: 0 }, behavior: { concurrency: 4 } },
    ],
    edges: [{ id: "client-worker", source: "client", target: "worker", transport: "TRANSPORT_QUEUE", queue: { channel: "jobs", attempts: 2, backoffMs: 10 } }],
  };
  await openSaved(page, topology);
  await page.getByTestId("run").click();
  await expect(page.getByTestId("status-worker")).toHaveAttribute("data-status", "up", { timeout: 60_000 });

  // Every job is poison while the fault lasts.
  await page.getByTestId("edge-client-worker").click();
  await expect(page.getByTestId("dead-letters")).toBeVisible();
  await page.getByTestId("fault-kind-errors").click();
  await page.getByTestId("fault-rate").fill("100");
  await page.getByTestId("inject-fault").click();
  await expect(page.getByTestId("edge-faults-client-worker")).toBeVisible();

  await page.getByTestId("send-node-client-10").click();
  await page.getByTestId("edge-client-worker").click();
  await expect(page.getByTestId("dead-letter-row")).toHaveCount(10, { timeout: 30_000 });
  await expect(page.getByTestId("dead-letters-count")).toContainText("10");
  await expect(page.getByTestId("dead-letter-row").first()).toContainText("2 attempts");

  // A dead letter's trace opens in the run panel.
  await page.getByTestId("dead-letter-trace").first().click();
  await expect(page.getByTestId("waterfall")).toBeVisible({ timeout: 15_000 });

  // The fault cleared, the jobs go back and are delivered.
  await page.getByTestId("edge-client-worker").click();
  await page.getByTestId("clear-fault-errors").click();
  await expect(page.getByTestId("edge-faults-client-worker")).toHaveCount(0);
  await page.getByTestId("dead-letters-redrive-all").click();
  await expect(page.getByTestId("dead-letters-result")).toContainText("10");
  await expect(page.getByTestId("dead-letter-row")).toHaveCount(0, { timeout: 30_000 });
  await expect
    .poll(async () => (await page.getByTestId("edge-counters-client-worker").textContent()) ?? "", { timeout: 30_000 })
    .toMatch(/20 sent/);

  await page.getByTestId("stop").click();
  await expect(page.getByTestId("run-state")).toHaveAttribute("data-phase", "stopped", { timeout: 30_000 });
});
