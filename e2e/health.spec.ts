import { expect, type Page, test, type TestInfo } from "@playwright/test";
import { openSaved } from "./canvas-helpers";

/**
 * Health at a glance, trace search and the critical path, against the real
 * server: errors injected on a REST edge turn it red, clearing them turns it
 * back; the trace list filters to errors and to one edge; a trace's
 * waterfall marks its critical path.
 */

async function shot(page: Page, name: string, testInfo: TestInfo): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path });
  await testInfo.attach(name, { path, contentType: "image/png" });
}

const topology = {
  name: "Health",
  version: 1,
  nodes: [
    { id: "client", label: "Client", kind: "NODE_KIND_CLIENT", position: { x: 0, y: 0 }, traffic: { ratePerSecond: 8 } },
    { id: "gw", label: "Gateway", kind: "NODE_KIND_SERVICE", position: { x: 320, y: 0 }, behavior: { workTime: { meanMs: 5 } } },
    { id: "be", label: "Backend", kind: "NODE_KIND_SERVICE", position: { x: 640, y: 0 }, behavior: { workTime: { meanMs: 10 } } },
    { id: "worker", label: "Worker", kind: "NODE_KIND_SERVICE", position: { x: 960, y: 0 }, behavior: { workTime: { meanMs: 20 } } },
    { id: "side", label: "Side client", kind: "NODE_KIND_CLIENT", position: { x: 0, y: 260 }, traffic: { ratePerSecond: 4 } },
    { id: "other", label: "Other", kind: "NODE_KIND_SERVICE", position: { x: 320, y: 260 }, behavior: { workTime: { meanMs: 5 } } },
  ],
  edges: [
    { id: "client-gw", source: "client", target: "gw", transport: "TRANSPORT_REST" },
    { id: "gw-be", source: "gw", target: "be", transport: "TRANSPORT_REST" },
    { id: "be-worker", source: "be", target: "worker", transport: "TRANSPORT_QUEUE", queue: { channel: "jobs" } },
    { id: "side-other", source: "side", target: "other", transport: "TRANSPORT_REST" },
  ],
};

const health = (page: Page, edgeId: string) => page.getByTestId(`edge-${edgeId}`).getAttribute("data-health");

test("an edge turns red under injected errors and back after, its caption opens its traces, the trace list filters, the waterfall marks the critical path", async ({ page }, testInfo) => {
  await openSaved(page, topology);
  // The thresholds: a popover from the control bar, checked as typed, kept across a reload.
  await page.getByTestId("health-settings").click();
  const popover = page.getByTestId("health-settings-popover");
  await expect(popover).toContainText("≥ 0.1 % of the messages that ended is degraded (amber), > 10 % failing (red)");
  await page.getByTestId("health-degraded").fill("20");
  await expect(popover).toContainText("Degraded must be 0–100 % and no more than failing.");
  await page.getByTestId("health-degraded").fill("1");
  await expect(popover).toContainText("≥ 1 % of the messages");
  await page.reload();
  await page.getByTestId("health-settings").click();
  await expect(page.getByTestId("health-degraded")).toHaveValue("1");
  await page.getByTestId("health-reset").click();
  await expect(page.getByTestId("health-degraded")).toHaveValue("0.1");
  await page.keyboard.press("Escape");
  await expect(popover).toHaveCount(0);
  await page.getByTestId("run").click();
  await expect(page.getByTestId("run-state")).toHaveAttribute("data-phase", "running", { timeout: 60_000 });
  for (const id of ["client", "gw", "be", "worker", "side", "other"]) {
    await expect(page.getByTestId(`status-${id}`)).toHaveAttribute("data-status", "up", { timeout: 45_000 });
  }
  await expect.poll(() => health(page, "gw-be"), { timeout: 30_000 }).toBe("healthy");
  const caption = page.getByTestId("edge-health-gw-be");
  await expect(caption).toHaveText(/\d[\d.]*(k)?\/s/);
  await expect(caption).toHaveAttribute("title", /degraded \(amber\), > 10 % failing \(red\)/);

  // Errors on every call of gw → be: the edge, and the client's edge the 502s come back on, turn red.
  await page.getByTestId("edge-gw-be").click();
  await page.getByTestId("fault-kind-errors").click();
  await page.getByTestId("fault-rate").fill("100");
  await page.getByTestId("inject-fault").click();
  await expect(page.getByTestId("fault-error")).toHaveCount(0);
  await expect.poll(() => health(page, "gw-be"), { timeout: 30_000 }).toBe("failing");
  await expect(caption).toHaveAttribute("data-health", "failing");
  await expect(caption).toContainText("% err");
  await expect.poll(() => health(page, "client-gw"), { timeout: 30_000 }).toBe("failing");
  // The other client's edge carries none of it.
  expect(await health(page, "side-other")).toBe("healthy");
  await shot(page, "health-failing", testInfo);

  // Trace search: errors only, then a service, then cleared.
  const list = page.getByTestId("trace-list");
  await page.getByTestId("trace-filter-status").selectOption("error");
  await expect.poll(() => list.getByTestId("trace-row").count(), { timeout: 30_000 }).toBeGreaterThan(0);
  for (const title of await list.getByTestId("trace-row").evaluateAll((rows) => rows.slice(0, 10).map((r) => r.getAttribute("title") ?? ""))) {
    expect(title).toMatch(/^Error/);
  }
  await expect(page.getByTestId("trace-filter-count")).toHaveText(/^[\d,]+ of [\d,]+ traces?$/);
  await page.getByTestId("trace-filter-service").selectOption("other");
  await expect(page.getByTestId("trace-filter-empty")).toBeVisible();
  await page.getByTestId("trace-filter-clear").click();
  await expect(page.getByTestId("trace-filter-count")).toHaveText(/^[\d,]+ traces?$/);

  await page.getByTestId("clear-fault-errors").click();
  await expect(page.getByTestId("edge-faults-gw-be")).toHaveCount(0);
  await expect.poll(() => health(page, "gw-be"), { timeout: 40_000 }).toBe("healthy");

  // The side client's caption: the trace list filtered to that edge, every row on its path.
  await page.getByTestId("edge-health-side-other").click();
  await expect(page.getByTestId("tab-traces")).toHaveAttribute("aria-selected", "true");
  await expect(page.getByTestId("trace-filter-edge")).toHaveValue("side-other");
  await expect.poll(() => list.getByTestId("trace-row").count(), { timeout: 30_000 }).toBeGreaterThan(0);
  const paths = await list.getByTestId("trace-row").evaluateAll((rows) => rows.slice(0, 10).map((r) => r.textContent ?? ""));
  for (const p of paths) expect(p).toMatch(/other/);

  // A trace through the queue: its critical path reaches the worker's consumer span.
  await page.getByTestId("trace-filter-edge").selectOption("be-worker");
  await page.getByTestId("trace-filter-status").selectOption("ok");
  await expect.poll(() => list.getByTestId("trace-row").count(), { timeout: 30_000 }).toBeGreaterThan(0);
  await list.getByTestId("trace-row").first().click();
  const waterfall = page.getByTestId("waterfall");
  await expect(waterfall).toBeVisible();
  await expect.poll(async () => Number(await page.getByTestId("waterfall-critical").getAttribute("data-count")), { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
  await expect(waterfall.locator("[data-testid=span-row][data-critical=true][data-node=worker]").first()).toBeVisible();
  await expect(waterfall.locator("[data-testid=span-row][data-critical=true] [data-testid=critical-mark]").first()).toBeVisible();
  await waterfall.locator("[data-testid=span-row][data-critical=true][data-node=worker]").first().scrollIntoViewIfNeeded();
  await shot(page, "health-critical-path", testInfo);

  await page.getByTestId("stop").click();
  await expect(page.getByTestId("run-state")).toHaveAttribute("data-phase", "stopped", { timeout: 30_000 });
  // On the summary the edges keep their health over the whole run.
  expect(await health(page, "side-other")).toBe("healthy");
  expect(["degraded", "failing"]).toContain(await health(page, "gw-be"));
});
