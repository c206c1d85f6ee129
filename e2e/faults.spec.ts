import { expect, type Page, test, type TestInfo } from "@playwright/test";
import { connect, freshPage, openSaved, STORAGE_KEY } from "./canvas-helpers";

/**
 * Faults, the circuit breaker and live edits, driven from the UI against the
 * real server: the REST chain template (client → orders → billing).
 */

async function shot(page: Page, name: string, testInfo: TestInfo): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path });
  await testInfo.attach(name, { path, contentType: "image/png" });
}

async function runRestChain(page: Page): Promise<void> {
  await freshPage(page);
  await page.getByTestId("template-rest-chain").click();
  await page.getByTestId("template-guide-close").click();
  await page.getByTestId("run").click();
  await expect(page.getByTestId("run-state")).toHaveAttribute("data-phase", "running", { timeout: 60_000 });
  for (const id of ["client", "orders", "billing"]) {
    await expect(page.getByTestId(`status-${id}`)).toHaveAttribute("data-status", "up", { timeout: 45_000 });
  }
}

async function stop(page: Page): Promise<void> {
  await page.getByTestId("stop").click();
  await expect(page.getByTestId("run-state")).toHaveAttribute("data-phase", "stopped", { timeout: 30_000 });
}

/** A number from an edge's counters pill ("12 failed" → 12), 0 when the figure is absent. */
async function counterOf(page: Page, edgeId: string, part: string): Promise<number> {
  const el = page.getByTestId(`edge-counters-${edgeId}`).locator(`[data-part=${part}]`);
  if ((await el.count()) === 0) return 0;
  const text = (await el.textContent()) ?? "";
  const m = /([\d.,]+)(k?)/.exec(text);
  return m ? Number(m[1].replace(/,/g, "")) * (m[2] ? 1000 : 1) : 0;
}

test("pause and resume a service from its card: the badge says paused, its caller's calls fail, and it recovers", async ({ page }, testInfo) => {
  await runRestChain(page);
  const billing = page.getByTestId("node-billing");
  // Hidden until the card is hovered or selected, and then no Tab stop either.
  await expect(page.getByTestId("node-pause-billing")).toHaveAttribute("tabindex", "-1");
  await billing.click();
  await expect(page.getByTestId("node-pause-billing")).toHaveAttribute("tabindex", "0");

  // The process buttons hang under the card: nothing of the footer is covered.
  const bar = page.getByTestId("node-actions-billing");
  await expect(bar).toBeVisible();
  const card = await billing.boundingBox();
  const barBox = await bar.boundingBox();
  expect(card && barBox && barBox.y >= card.y + card.height - 1).toBe(true);

  // The inspector offers the faults that fit a service.
  const kinds = page.getByTestId("fault-kinds");
  await expect(kinds.getByRole("radio")).toHaveText(["Kill", "Pause", "Slow down", "Errors", "Crash loop"]);

  // Pause from the card, with the keyboard.
  const pause = page.getByTestId("node-pause-billing");
  await expect(pause).toHaveText("Pause");
  await pause.focus();
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("status-billing")).toHaveAttribute("data-status", "paused");
  const badge = page.getByTestId("node-faults-billing").getByTestId("fault-badge");
  await expect(badge).toHaveAttribute("data-kind", "pause");
  await expect(badge).toHaveText(/paused/);
  await expect(badge).toHaveAttribute("aria-label", /Paused: its process is stopped/);
  await expect(page.getByTestId("active-fault")).toHaveAttribute("data-kind", "pause");
  await expect(pause).toHaveText("Resume");

  // Its effect: orders' calls to a stopped process time out (1 s) and fail.
  await expect.poll(() => counterOf(page, "orders-billing", "failed"), { timeout: 20_000 }).toBeGreaterThan(0);
  await shot(page, "paused", testInfo);

  // Resume from the inspector's list: up again, the badge goes, calls get through again.
  await page.getByTestId("clear-fault-pause").click();
  await expect(page.getByTestId("status-billing")).toHaveAttribute("data-status", "up");
  await expect(page.getByTestId("node-faults-billing")).toHaveCount(0);
  const failedAfter = await counterOf(page, "orders-billing", "failed");
  const sentAfter = await counterOf(page, "orders-billing", "sent");
  await expect.poll(() => counterOf(page, "orders-billing", "sent"), { timeout: 20_000 }).toBeGreaterThan(sentAfter + 3);
  // A call or two caught by the pause may still end failed; new calls succeed.
  expect(await counterOf(page, "orders-billing", "failed")).toBeLessThanOrEqual(failedAfter + 3);

  // Kill from the inspector's Faults section: down, then Start again from the card.
  await page.getByTestId("fault-kind-kill").click();
  await page.getByTestId("inject-fault").click();
  await expect(page.getByTestId("status-billing")).toHaveAttribute("data-status", "down");
  await expect(page.getByTestId("node-action-billing")).toHaveText("Start again");
  await shot(page, "killed", testInfo);
  await page.getByTestId("node-action-billing").click();
  await expect(page.getByTestId("status-billing")).toHaveAttribute("data-status", "up", { timeout: 20_000 });
  await stop(page);
});

test("breaker, retry, bulkhead and rate-limit editors write the document and check their ranges", async ({ page }, testInfo) => {
  await freshPage(page);
  await page.getByTestId("template-rest-chain").click();
  await page.getByTestId("template-guide-close").click();

  await page.getByTestId("edge-orders-billing").click();
  await expect(page.getByTestId("edge-inspector")).toBeVisible();
  await expect(page.getByTestId("edge-breaker-orders-billing")).toHaveCount(0);
  await page.getByLabel("Open the circuit when calls keep failing").check();
  await expect(page.getByTestId("edge-breaker-orders-billing")).toHaveAttribute("data-state", "configured");
  await page.getByTestId("field-breaker-threshold").fill("40");
  await page.getByTestId("field-breaker-min-calls").fill("5");
  await page.getByTestId("field-breaker-open").fill("2000");
  await expect(page.getByTestId("breaker-hint")).toContainText("Once 5 calls were made in 10 s and 40 % of them failed");
  // Out of range: the field says so and the document keeps the last good value.
  await page.getByTestId("field-breaker-min-calls").fill("0");
  await expect(page.getByText("Between 1 and 10,000 calls")).toBeVisible();
  await page.getByTestId("field-breaker-min-calls").fill("5");
  await page.getByTestId("field-retry-backoff").fill("100");
  await page.getByTestId("field-retry-budget").fill("20");
  await page.getByLabel("Jitter the backoff").check();
  await shot(page, "edge-settings", testInfo);

  await page.getByTestId("node-billing").click();
  await page.getByTestId("field-max-waiting").fill("20");
  await page.getByTestId("field-rate-limit").fill("50");
  await expect(page.getByTestId("bulkhead-hint")).toContainText("past 20 waiting");
  await expect(page.getByTestId("bulkhead-hint")).toContainText("past 50 msg/s");
  await shot(page, "node-settings", testInfo);

  await expect
    .poll(async () => {
      const saved = JSON.parse((await page.evaluate((key) => localStorage.getItem(key), STORAGE_KEY)) ?? "{}");
      const edge = saved.edges?.find((e: { id: string }) => e.id === "orders-billing");
      const node = saved.nodes?.find((n: { id: string }) => n.id === "billing");
      return { rest: edge?.rest, behavior: { maxWaiting: node?.behavior?.maxWaiting, rateLimit: node?.behavior?.rateLimitPerSecond } };
    })
    .toMatchObject({
      rest: {
        circuitBreaker: { failureRateThreshold: 0.4, minimumCalls: 5, windowS: 10, openMs: 2000, halfOpenCalls: 3 },
        retryJitter: true,
        retryBudgetPercent: 20,
        retryBackoffMs: 100,
      },
      behavior: { maxWaiting: 20, rateLimit: 50 },
    });

  // Off again: no breaker in the document, none on the canvas.
  await page.getByTestId("edge-orders-billing").click();
  await page.getByLabel("Open the circuit when calls keep failing").uncheck();
  await expect(page.getByTestId("edge-breaker-orders-billing")).toHaveCount(0);
});

test("a live edit the run refuses stays on the canvas, marked not applied, with the server's reason", async ({ page }, testInfo) => {
  await runRestChain(page);
  const saved = JSON.parse((await page.evaluate((key) => localStorage.getItem(key), STORAGE_KEY)) ?? "{}");
  const index = (saved.nodes as { id: string }[]).findIndex((n) => n.id === "billing");
  // The server's answer is made here, so this holds whatever the server supports: a refusal with problems.
  await page.route("**/ipcplay.v1.PlaygroundService/UpdateRun", (route) =>
    route.fulfill({
      status: 400,
      contentType: "application/json",
      body: JSON.stringify({ code: "invalid_argument", message: `nodes[${index}].behavior.maxWaiting: must be a whole number from 0 to 4096, got 5000` }),
    }),
  );
  await page.getByTestId("node-billing").click();
  await expect(page.getByTestId("live-edit-status")).toHaveAttribute("data-status", "idle");
  await page.getByTestId("field-max-waiting").fill("4000");
  await expect(page.getByTestId("live-edit-status")).toHaveAttribute("data-status", "refused");
  await expect(page.getByTestId("live-edit-message")).toContainText("Not applied");
  await expect(page.getByTestId("not-applied-billing")).toBeVisible();
  // The problem's path lands on its field.
  await expect(page.getByTestId("node-inspector").getByRole("alert")).toHaveText("Must be a whole number from 0 to 4096, got 5000");
  // The edit is still on the canvas.
  await expect(page.getByTestId("field-max-waiting")).toHaveValue("4000");
  await shot(page, "live-edit-refused", testInfo);

  // A server that cannot change a running run yet says so; the message is shown as it is.
  await page.unroute("**/ipcplay.v1.PlaygroundService/UpdateRun");
  await page.route("**/ipcplay.v1.PlaygroundService/UpdateRun", (route) =>
    route.fulfill({
      status: 400,
      contentType: "application/json",
      body: JSON.stringify({ code: "failed_precondition", message: "Run r1: live changes are not supported yet; stop the run to change it." }),
    }),
  );
  await page.getByTestId("field-max-waiting").fill("3000");
  await expect(page.getByTestId("live-edit-message")).toContainText("live changes are not supported yet");
  await expect(page.getByTestId("not-applied-billing")).toBeVisible();

  // Undoing back to what runs clears the mark without asking the server.
  await page.getByTestId("field-max-waiting").fill("0");
  await expect(page.getByTestId("not-applied-billing")).toHaveCount(0);
  await page.unroute("**/ipcplay.v1.PlaygroundService/UpdateRun");
  await stop(page);
});

// Needs edge faults on the server.

test("latency injected on a REST edge: its badge, its time left, and calls that take longer", async ({ page }, testInfo) => {
  await runRestChain(page);
  await page.getByTestId("edge-orders-billing").click();
  await expect(page.getByTestId("fault-kinds").getByRole("radio")).toHaveText(["Latency", "Errors", "Black hole", "Bandwidth", "Reset", "Partition"]);
  await page.getByTestId("fault-kind-latency").click();
  await page.getByTestId("fault-latency").fill("300");
  await page.getByTestId("fault-duration").fill("120");
  await page.getByTestId("inject-fault").click();
  await expect(page.getByTestId("fault-error")).toHaveCount(0);
  const badge = page.getByTestId("edge-faults-orders-billing").getByTestId("fault-badge");
  await expect(badge).toHaveText("300 ms");
  await expect(badge).toHaveAttribute("aria-label", /Latency: every request waits 300 ms on the wire/);
  await expect(page.getByTestId("fault-time-left")).toHaveText(/clears in (1 min|\d+ s)/);
  // Its effect: the call's median passes 300 ms.
  await expect
    .poll(async () => Number(/p50 ([\d.]+) ms/.exec((await page.getByTestId("edge-counters-orders-billing").textContent()) ?? "")?.[1] ?? 0), { timeout: 30_000 })
    .toBeGreaterThanOrEqual(300);
  await shot(page, "edge-latency", testInfo);
  await page.getByTestId("clear-fault-latency").click();
  await expect(page.getByTestId("edge-faults-orders-billing")).toHaveCount(0);
  await stop(page);
});

test("a queue consumer disconnected from the broker: jobs wait in the queue, then drain once the fault is cleared", async ({ page }, testInfo) => {
  const topology = {
    name: "Queue outage",
    version: 1,
    nodes: [
      { id: "client", label: "Client", kind: "NODE_KIND_CLIENT", position: { x: 0, y: 0 }, traffic: { ratePerSecond: 10 } },
      { id: "worker", label: "Worker", kind: "NODE_KIND_SERVICE", position: { x: 360, y: 0 }, behavior: { concurrency: 4 } },
    ],
    edges: [{ id: "client-worker", source: "client", target: "worker", transport: "TRANSPORT_QUEUE", queue: { channel: "jobs" } }],
  };
  await openSaved(page, topology);
  await page.getByTestId("run").click();
  await expect(page.getByTestId("status-worker")).toHaveAttribute("data-status", "up", { timeout: 60_000 });

  await page.getByTestId("edge-client-worker").click();
  await expect(page.getByTestId("fault-kinds").getByRole("radio")).toHaveText(["Disconnect", "Slow consumer", "Poison", "Duplicate", "Broker latency"]);
  await page.getByTestId("fault-kind-disconnect").click();
  await page.getByTestId("inject-fault").click();
  const chip = page.getByTestId("edge-faults-client-worker").getByTestId("fault-badge");
  await expect(chip).toHaveText("disconnected");
  await expect(chip).toHaveAttribute("aria-label", /Disconnected: the consumer is cut off from the broker/);
  const badge = page.getByTestId("edge-badge-client-worker");
  await expect.poll(async () => Number(await badge.getAttribute("data-waiting")), { timeout: 20_000 }).toBeGreaterThan(5);
  await shot(page, "queue-disconnected", testInfo);

  await page.getByTestId("clear-fault-disconnect").click();
  await expect(page.getByTestId("edge-faults-client-worker")).toHaveCount(0);
  await expect.poll(async () => Number(await badge.getAttribute("data-waiting")), { timeout: 20_000 }).toBeLessThan(3);
  await stop(page);
});

test("a breaker opens on the canvas when its callee is killed, short-circuits calls, and closes again", async ({ page }, testInfo) => {
  await freshPage(page);
  await page.getByTestId("template-rest-chain").click();
  await page.getByTestId("template-guide-close").click();
  await page.getByTestId("edge-orders-billing").click();
  await page.getByLabel("Open the circuit when calls keep failing").check();
  await page.getByTestId("field-breaker-min-calls").fill("3");
  await page.getByTestId("field-breaker-open").fill("2000");
  await page.keyboard.press("Escape");
  await page.getByTestId("run").click();
  await expect(page.getByTestId("run-state")).toHaveAttribute("data-phase", "running", { timeout: 60_000 });
  await expect(page.getByTestId("status-billing")).toHaveAttribute("data-status", "up", { timeout: 45_000 });
  const glyph = page.getByTestId("edge-breaker-orders-billing");
  await expect(glyph).toHaveAttribute("data-state", "closed", { timeout: 15_000 });

  // Billing's process dies: orders' calls are refused, the breaker opens and short-circuits the next ones.
  await page.getByTestId("node-billing").click();
  await page.getByTestId("node-action-billing").click();
  await expect(page.getByTestId("status-billing")).toHaveAttribute("data-status", "down");
  await expect(glyph).toHaveAttribute("data-state", /open/, { timeout: 30_000 });
  await expect(glyph).toHaveAttribute("aria-label", /Circuit breaker (open|half-open)/);
  await page.getByTestId("edge-orders-billing").click();
  await expect(page.getByTestId("breaker-state")).toBeVisible();
  await expect
    .poll(async () => Number((await page.getByTestId("resilience-short-circuited").locator("dd").textContent())?.replace(/,/g, "")), { timeout: 15_000 })
    .toBeGreaterThan(0);
  await expect(page.getByTestId("resilience-attempts")).toContainText("per message");
  await shot(page, "breaker-open", testInfo);

  // Started again: the half-open probes succeed and the breaker closes.
  await page.getByTestId("node-action-billing").click();
  await expect(page.getByTestId("status-billing")).toHaveAttribute("data-status", "up", { timeout: 20_000 });
  await expect(glyph).toHaveAttribute("data-state", "closed", { timeout: 30_000 });
  await stop(page);
});

test("live edits are applied to the running run: a setting, then a new service wired in", async ({ page }, testInfo) => {
  await runRestChain(page);
  await page.getByTestId("node-billing").click();
  await page.getByTestId("field-work-time").fill("80");
  await expect(page.getByTestId("live-edit-status")).toHaveAttribute("data-status", "applied", { timeout: 15_000 });
  await expect(page.getByTestId("live-edit-message")).toContainText("billing");
  await expect(page.getByTestId("not-applied-billing")).toHaveCount(0);
  await shot(page, "live-edit-applied", testInfo);

  // Structure: a service added from the palette and called by billing starts in its own process.
  await page.getByTestId("palette-service").click();
  await expect(page.getByTestId("node-service")).toBeVisible();
  await expect(page.getByTestId("status-service")).toHaveAttribute("data-status", "up", { timeout: 30_000 });
  await connect(page, "billing", "service");
  await expect(page.getByTestId("live-edit-status")).toHaveAttribute("data-status", "applied", { timeout: 15_000 });
  await expect.poll(() => counterOf(page, "billing-service", "sent"), { timeout: 30_000 }).toBeGreaterThan(0);
  await shot(page, "live-edit-structure", testInfo);
  // Its effect: billing's work now takes 80 ms.
  await page.getByTestId("edge-orders-billing").click();
  await expect
    .poll(async () => Number(/Work p50\s*([\d.]+) ms/.exec((await page.getByTestId("edge-timing").innerText()).replace(/\n/g, " "))?.[1] ?? 0), { timeout: 30_000 })
    .toBeGreaterThanOrEqual(80);
  await stop(page);
});
