import { readFile } from "node:fs/promises";
import { expect, type Page, type Request, test } from "@playwright/test";
import { freshPage } from "./canvas-helpers";

/**
 * Recorded runs replay without a backend (issue 12, part 4): the "Sync vs
 * async" template runs briefly and stops; History → Replay shows it with a
 * time scrubber — at the start the canvas numbers are zero, at the end they
 * are the summary's, a trace of the run opens in the waterfall — and from the
 * moment the replay opens the page makes no control-plane (Connect) and no
 * socket.io request. The replay's link then opens the static /replay page in
 * a fresh page, which shows the topology and the scrubber and asks the server
 * for nothing either. Polls after each action; no sleeps.
 */

const shot = (page: Page, name: string) => page.screenshot({ path: `/tmp/replay-${name}.png` });

const serverCall = (r: Request) => r.url().includes("/ipcplay.v1.PlaygroundService/") || r.url().includes("/socket.io");

test("a stopped run replays from History with no server call; its link opens the static replay page", async ({ page, context }) => {
  test.setTimeout(180_000);
  await freshPage(page);
  await page.getByTestId("template-sync-vs-async").click();
  await page.getByTestId("template-guide-close").click();
  const userNodes = await page.locator(".react-flow__node").count();

  await page.getByTestId("run").click();
  await expect(page.getByTestId("run-state")).toHaveAttribute("data-phase", "running", { timeout: 60_000 });
  await expect.poll(() => page.getByTestId("trace-row").count(), { timeout: 30_000 }).toBeGreaterThan(4);
  await page.getByTestId("stop").click();
  await expect(page.getByTestId("run-state")).toHaveAttribute("data-phase", "stopped", { timeout: 60_000 });

  // The summary's books, per edge: what the replay's end must show.
  await page.getByTestId("tab-summary").click();
  await expect(page.getByTestId("summary-row").first()).toBeVisible();
  const sentByEdge = new Map<string, number>();
  for (const row of await page.getByTestId("summary-row").all()) {
    const edge = await row.getAttribute("data-edge");
    const sent = row.getByTestId("summary-sent");
    if (edge && (await sent.count()) === 1) sentByEdge.set(edge, Number((await sent.innerText()).replace(/[^\d]/g, "")));
  }
  expect(sentByEdge.size).toBeGreaterThan(0);
  expect([...sentByEdge.values()].some((n) => n > 0)).toBe(true);

  await page.getByTestId("tab-history").click();
  const row = page.getByTestId("history-row").first();
  await expect(row).toBeVisible({ timeout: 20_000 });

  // From here on: no Connect call, no socket.io request.
  const offending: string[] = [];
  page.on("request", (r) => {
    if (serverCall(r)) offending.push(r.url());
  });
  page.on("websocket", (ws) => offending.push(`websocket ${ws.url()}`));
  await row.getByTestId("history-replay").click();
  const banner = page.getByTestId("replay-banner");
  await expect(banner).toBeVisible();
  await expect(page.getByTestId("replay-title")).toContainText(/Replay of Sync vs async — recorded \d/);
  await expect(page.getByTestId("run")).toHaveCount(0);
  const scrubber = page.getByTestId("replay-scrubber");

  // The start: nothing sent yet, no trace begun.
  await scrubber.fill("0");
  await expect(page.getByTestId("replay-time")).toHaveAttribute("data-t", "0.0");
  for (const edge of sentByEdge.keys()) await expect(page.getByTestId(`edge-counters-${edge}`)).toHaveAttribute("data-sent", "0");
  await expect(page.getByTestId("trace-row")).toHaveCount(0);
  await shot(page, "start");

  // The end: the summary's numbers on the canvas.
  await scrubber.focus();
  await page.keyboard.press("End");
  await expect(page.getByTestId("replay-time")).toHaveAttribute("data-end", "true");
  for (const [edge, sent] of sentByEdge) await expect(page.getByTestId(`edge-counters-${edge}`)).toHaveAttribute("data-sent", String(sent));
  await shot(page, "end");

  // A step back a second with ←, and in between some of the numbers.
  const end = Number(await page.getByTestId("replay-time").getAttribute("data-t"));
  await page.keyboard.press("ArrowLeft");
  await expect(page.getByTestId("replay-time")).toHaveAttribute("data-t", (end - 1).toFixed(1));

  // A trace of the run, opened in the waterfall.
  await page.keyboard.press("End");
  await page.getByTestId("tab-traces").click();
  await expect.poll(() => page.getByTestId("trace-row").count()).toBeGreaterThan(0);
  await page.getByTestId("trace-row").first().click();
  await expect(page.getByTestId("waterfall")).toBeVisible();
  await expect(page.getByTestId("waterfall-span-count")).toContainText(/[1-9]/);
  await shot(page, "waterfall");

  // Play, at ten times the speed, runs on to the end by itself.
  await page.getByTestId("replay-scrubber").fill("0");
  await page.getByTestId("replay-speed").selectOption("10");
  await page.getByTestId("replay-play").click();
  await expect(page.getByTestId("replay-play")).toHaveAttribute("data-playing", "true");
  await expect(page.getByTestId("replay-time")).toHaveAttribute("data-end", "true");
  await expect(page.getByTestId("replay-play")).toHaveAttribute("data-playing", "false");

  // The charts carry the scrubber's time.
  const firstEdge = [...sentByEdge.keys()][0];
  await page.getByTestId(`edge-${firstEdge}`).click();
  await page.getByTestId("tab-metrics").click();
  await expect(page.getByTestId("metrics-panel")).toHaveAttribute("data-cursor", /\d+/);
  await shot(page, "metrics");
  const cursorAtEnd = await page.getByTestId("metrics-panel").getAttribute("data-cursor");
  await page.getByTestId("replay-scrubber").fill(String(end / 2));
  await expect(page.getByTestId("metrics-panel")).not.toHaveAttribute("data-cursor", cursorAtEnd!);
  await shot(page, "metrics-mid");

  // A link to the static page.
  await page.getByTestId("replay-share").click();
  const link = await page.getByTestId("replay-link").inputValue();
  expect(link).toMatch(/\/replay#run=r1\./);
  await shot(page, "link");
  // Esc closes the link's panel first, then the replay.
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("replay-share-panel")).toBeHidden();
  await expect(banner).toBeVisible();
  expect(offending).toEqual([]);

  // Close replay: the person's canvas, as it was (the panel stays on its tab).
  await page.keyboard.press("Escape");
  await expect(banner).toBeHidden();
  await expect(page.getByTestId("tab-metrics")).toHaveAttribute("aria-selected", "true");
  await expect(page.getByTestId("run")).toBeVisible();
  await expect(page.locator(".react-flow__node")).toHaveCount(userNodes);

  // The run as a file (History → Export) opens as a replay from the File menu too.
  await page.getByTestId("tab-history").click();
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("history-export").click()]);
  const runFile = (await download.path())!;
  await page.getByTestId("open-run-input").setInputFiles(runFile);
  await expect(banner).toBeVisible();
  await expect(page.getByTestId("replay-title")).toContainText("Replay of Sync vs async");
  await page.getByTestId("replay-close").click();
  await expect(banner).toBeHidden();
  await expect(page.locator(".react-flow__node")).toHaveCount(userNodes);

  // …and when dropped on the canvas (a topology file dropped there is imported; a run file replays).
  const text = await readFile(runFile, "utf8");
  const dataTransfer = await page.evaluateHandle((t) => {
    const dt = new DataTransfer();
    dt.items.add(new File([t], "run.json", { type: "application/json" }));
    return dt;
  }, text);
  await page.locator(".react-flow__pane").dispatchEvent("drop", { dataTransfer });
  await expect(banner).toBeVisible();
  await page.getByTestId("replay-close").click();
  await expect(banner).toBeHidden();

  // The static page, fresh: the topology and the scrubber, no server asked.
  const fresh = await context.newPage();
  const freshCalls: string[] = [];
  fresh.on("request", (r) => {
    if (serverCall(r)) freshCalls.push(r.url());
  });
  fresh.on("websocket", (ws) => freshCalls.push(`websocket ${ws.url()}`));
  await fresh.goto(link);
  await expect(fresh.getByTestId("replay-banner")).toBeVisible();
  await expect(fresh.getByTestId("replay-title")).toContainText("Replay of Sync vs async");
  await expect(fresh.getByTestId("replay-scrubber")).toBeVisible();
  await expect(fresh.getByTestId("replay-close")).toHaveCount(0);
  await expect(fresh.locator(".react-flow__node")).toHaveCount(userNodes);
  await fresh.getByTestId("replay-scrubber").focus();
  await fresh.keyboard.press("End");
  for (const [edge, sent] of sentByEdge) await expect(fresh.getByTestId(`edge-counters-${edge}`)).toHaveAttribute("data-sent", String(sent));
  await fresh.screenshot({ path: "/tmp/replay-static.png" });
  // A file chosen on the landing page (no fragment) replays as well.
  await fresh.goto("/replay");
  await expect(fresh.getByTestId("replay-drop")).toBeVisible();
  await fresh.getByTestId("replay-file-input").setInputFiles(runFile);
  await expect(fresh.getByTestId("replay-banner")).toBeVisible();
  await expect(fresh.locator(".react-flow__node")).toHaveCount(userNodes);
  expect(freshCalls).toEqual([]);
  await fresh.close();
});

test("the replay page without a run offers a file, and says what is wrong with a damaged link", async ({ page }) => {
  await page.goto("/replay#run=r1.AAAA");
  await expect(page.getByTestId("replay-problem")).toContainText("does not open a recorded run");
  await expect(page.getByTestId("replay-choose")).toBeVisible();
  await page.screenshot({ path: "/tmp/replay-landing.png" });
});
