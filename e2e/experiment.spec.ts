import { expect, type Page, test } from "@playwright/test";
import { freshPage, savedTopology, STORAGE_KEY } from "./canvas-helpers";

/** Adds a scheduled fault from the strip's form. */
async function addScheduledFault(page: Page, f: { target: string; kind: string; at: string; for: string; latency?: string }): Promise<void> {
  const add = page.getByTestId("experiment-add-first").or(page.getByTestId("experiment-add"));
  await add.click();
  const editor = page.getByTestId("schedule-editor");
  await expect(editor).toBeVisible();
  await page.getByTestId("schedule-target").selectOption(f.target);
  await page.getByTestId("schedule-kind").selectOption({ label: f.kind });
  await page.getByTestId("schedule-at").fill(f.at);
  await page.getByTestId("schedule-for").fill(f.for);
  if (f.latency) await page.getByTestId("schedule-latency").fill(f.latency);
  await expect(page.getByTestId("schedule-editor-problems")).toBeHidden();
  await page.getByTestId("schedule-save").click();
  await expect(editor).toBeHidden();
}

/** Records, in the page, every state a node card and the fault bars of one target pass through, so short states are not missed between polls. */
async function watchStates(page: Page, nodeId: string): Promise<void> {
  await page.evaluate((id) => {
    const w = window as unknown as { __seen: string[] };
    w.__seen = [];
    const note = () => {
      const status = document.querySelector(`[data-testid="node-${id}"]`)?.getAttribute("data-node-status") ?? "none";
      const bars = [...document.querySelectorAll(`[data-testid="ran-bar-${id}"]`)].map((b) => (b.getAttribute("data-active") === "true" ? "active" : "past"));
      const entry = `${status}|${bars.join(",")}`;
      if (w.__seen[w.__seen.length - 1] !== entry) w.__seen.push(entry);
    };
    note();
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-node-status", "data-active"] });
  }, nodeId);
}

const seen = (page: Page) => page.evaluate(() => (window as unknown as { __seen: string[] }).__seen);

test("a kill scheduled from the strip happens in the run: the bar is in force, then past, and the node goes down and comes back", async ({ page }) => {
  await freshPage(page);
  await page.getByTestId("template-rest-chain").click();
  await expect(page.getByTestId("node-billing")).toBeVisible();

  // Empty: one sentence and the way to add one.
  const strip = page.getByTestId("experiment-strip");
  await expect(page.getByTestId("experiment-empty")).toContainText("A schedule injects faults at set times");

  // The kind picker offers only what fits the target: a node has no black hole, an edge no kill.
  await page.getByTestId("experiment-add-first").click();
  await page.getByTestId("schedule-target").selectOption("node:billing");
  await expect(page.getByTestId("schedule-kind").locator("option")).toContainText(["Kill", "Pause", "Slow down", "Errors", "Crash loop"]);
  await page.getByTestId("schedule-target").selectOption("edge:orders-billing");
  await expect(page.getByTestId("schedule-kind").locator("option", { hasText: "Kill" })).toHaveCount(0);
  await expect(page.getByTestId("schedule-kind").locator("option", { hasText: "Black hole" })).toHaveCount(1);
  await page.getByTestId("schedule-cancel").click();

  await addScheduledFault(page, { target: "node:billing", kind: "Kill", at: "1", for: "4" });
  const plan = page.getByTestId("plan-bar-0");
  await expect(plan).toContainText("kill");
  await expect(page.getByTestId("experiment-summary")).toContainText("1 scheduled fault");
  await expect.poll(async () => (await savedTopology(page) as unknown as { schedule?: unknown[] }).schedule).toEqual([
    { atS: 1, durationS: 4, nodeId: "billing", kind: "FAULT_KIND_KILL" },
  ]);

  // One undo step takes the entry away, redo brings it back.
  await page.keyboard.press("Control+z");
  await expect(plan).toBeHidden();
  await page.keyboard.press("Control+Shift+z");
  await expect(plan).toContainText("kill");

  await watchStates(page, "billing");
  await page.getByTestId("run").click();
  // While the run is up the schedule is locked, and says so.
  await expect(page.getByTestId("experiment-locked")).toBeVisible();
  await plan.click();
  await expect(page.getByTestId("schedule-editor")).toBeHidden();

  // The kill happens: the bar is in force, then past; the node goes down and is started again.
  const ran = page.getByTestId("ran-bar-billing");
  await expect(ran).toHaveAttribute("data-active", "false", { timeout: 45_000 });
  await expect(ran).toHaveAttribute("data-scheduled", "true");
  await expect(ran).toHaveAttribute("data-kind", "KILL");
  await expect(ran).toContainText("kill");
  await expect(page.getByTestId("node-billing")).toHaveAttribute("data-node-status", "up", { timeout: 30_000 });
  await expect(page.getByTestId("experiment-now")).toBeVisible();
  const states = await seen(page);
  const activeAt = states.findIndex((s) => s.endsWith("|active"));
  const downAt = states.findIndex((s) => s.startsWith("down|"));
  expect(activeAt, states.join(" → ")).toBeGreaterThanOrEqual(0);
  expect(downAt, states.join(" → ")).toBeGreaterThanOrEqual(0);
  expect(states.slice(activeAt).some((s) => s.endsWith("|past")), states.join(" → ")).toBe(true);
  expect(states.slice(downAt).some((s) => s.startsWith("up|")), states.join(" → ")).toBe(true);

  // The bar says what, how and when when focused (keyboard) as when hovered.
  await ran.focus();
  await expect(page.getByTestId("experiment-tip")).toContainText("by the schedule");
  await expect(page.getByTestId("experiment-tip")).toContainText("KILL");
  await strip.screenshot({ path: "test-results/experiment-after-kill.png" });

  await page.getByTestId("stop").click();
  await expect(page.getByTestId("run-state")).toHaveAttribute("data-phase", "stopped", { timeout: 30_000 });
  // After the stop the plan is editable again and what happened stays on the strip.
  await expect(page.getByTestId("experiment-locked")).toBeHidden();
  await expect(ran).toHaveAttribute("data-active", "false");
  await plan.click();
  await expect(page.getByTestId("schedule-editor")).toBeVisible();
  await page.getByTestId("schedule-delete").click();
  await expect(plan).toBeHidden();
  await expect(ran).toBeVisible();
});

test("a share link carries the schedule; a template's schedule shows; the strip stays closed when closed", async ({ page, browser }) => {
  await freshPage(page);
  await page.getByTestId("template-circuit-breaker").click();
  await expect(page.getByTestId("plan-bar-0")).toContainText("slow down +1000 ms");
  await expect(page.getByTestId("lane-node-pricing")).toBeVisible();

  await addScheduledFault(page, { target: "edge:client-shop", kind: "Latency", at: "20", for: "10", latency: "250" });
  await expect(page.getByTestId("plan-bar-1")).toContainText("latency 250 ms");
  await expect.poll(async () => ((await savedTopology(page)) as unknown as { schedule?: unknown[] }).schedule?.length).toBe(2);
  const saved = (await savedTopology(page)) as unknown as { schedule: unknown[] };

  await page.getByTestId("share").click();
  const link = await page.getByTestId("share-link").inputValue();
  await page.keyboard.press("Escape");

  const other = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page2 = await other.newPage();
  await page2.goto(link);
  await expect(page2.getByTestId("node-pricing")).toBeVisible();
  await expect(page2.getByTestId("plan-bar-0")).toContainText("slow down +1000 ms");
  await expect(page2.getByTestId("plan-bar-1")).toContainText("latency 250 ms");
  await expect.poll(async () => ((await savedTopology(page2)) as unknown as { schedule?: unknown[] }).schedule).toEqual(saved.schedule);

  // Closed stays closed across a reload; the toggle is a button a keyboard reaches.
  const toggle = page2.getByTestId("experiment-toggle");
  await toggle.focus();
  await page2.keyboard.press("Enter");
  await expect(toggle).toHaveAttribute("aria-expanded", "false");
  await expect(page2.getByTestId("experiment-body")).toBeHidden();
  await expect.poll(() => page2.evaluate((key) => localStorage.getItem(key), STORAGE_KEY)).not.toBeNull();
  await page2.reload();
  await expect(page2.getByTestId("node-pricing")).toBeVisible();
  await expect(page2.getByTestId("experiment-toggle")).toHaveAttribute("aria-expanded", "false");
  await page2.getByTestId("experiment-toggle").click();
  await expect(page2.getByTestId("plan-bar-1")).toContainText("latency 250 ms");
  await other.close();
});
