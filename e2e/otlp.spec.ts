import { readFile } from "node:fs/promises";
import { expect, type Page, test } from "@playwright/test";
import { freshPage } from "./canvas-helpers";

/**
 * OpenTelemetry traces out and back in, on the real server: the queue-workers
 * template (REST, then a BullMQ queue) runs and stops; the run's traces are
 * downloaded as OTLP/JSON from the File menu (and one trace from the
 * waterfall); the canvas is emptied; the file is imported ("Import OTLP
 * traces…", then dropped on the canvas): the services it implies are drawn,
 * its traces fill the list, and the waterfall shows a trace with the
 * consumer's link to its producer.
 */

const shot = (page: Page, name: string) => page.screenshot({ path: `/tmp/otlp-${name}.png` });

interface OtlpFile {
  resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: { traceId: string; spanId: string; kind: number; startTimeUnixNano: string; links?: unknown[] }[] }[] }[];
}

test("a run's traces download as OTLP/JSON and import back: services on the canvas, traces in the waterfall", async ({ page }) => {
  test.setTimeout(150_000);
  await freshPage(page);
  await page.getByTestId("template-queue-workers").click();
  await page.getByTestId("template-guide-close").click();
  await page.getByTestId("run").click();
  await expect(page.getByTestId("run-state")).toHaveAttribute("data-phase", "running", { timeout: 60_000 });
  await expect.poll(() => page.getByTestId("trace-row").count(), { timeout: 30_000 }).toBeGreaterThan(3);
  // Let a few jobs be worked (400 ms each), then stop.
  await page.waitForTimeout(2_000);
  await page.getByTestId("stop").click();
  await expect(page.getByTestId("run-state")).toHaveAttribute("data-phase", "stopped", { timeout: 60_000 });

  // One trace from its waterfall (the stop opened the Summary tab).
  await page.getByTestId("tab-traces").click();
  await page.getByTestId("trace-row").first().click();
  await expect(page.getByTestId("waterfall")).toBeVisible();
  const oneTrace = page.waitForEvent("download");
  await page.getByTestId("waterfall-download-otlp").click();
  const traceFile = await oneTrace;
  expect(traceFile.suggestedFilename()).toMatch(/^trace-[0-9a-f]{16}\.otlp\.json$/);
  const single = JSON.parse(await readFile((await traceFile.path())!, "utf8")) as OtlpFile;
  expect(new Set(single.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((span) => span.traceId)))).size).toBe(1);

  // The whole run, from the File menu.
  await page.getByTestId("file-menu").click();
  const whole = page.waitForEvent("download");
  await page.getByTestId("export-otlp").click();
  const runFile = await whole;
  const runPath = (await runFile.path())!;
  const text = await readFile(runPath, "utf8");
  const otlp = JSON.parse(text) as OtlpFile;
  const services = new Set(otlp.resourceSpans.map((r) => r.resource.attributes.find((a) => a.key === "service.name")?.value.stringValue));
  expect([...services].sort()).toEqual(expect.arrayContaining(["client", "orders"]));
  const spans = otlp.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
  expect(spans.length).toBeGreaterThan(3);
  for (const span of spans) {
    expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(span.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(typeof span.kind).toBe("number");
    expect(span.startTimeUnixNano).toMatch(/^\d+$/);
  }
  expect(spans.some((span) => span.kind === 5 && (span.links?.length ?? 0) === 1)).toBe(true);
  await shot(page, "after-run");

  // An empty canvas, so what appears next comes from the file.
  await freshPage(page);
  await expect(page.getByTestId("node-orders")).toHaveCount(0);

  // Import OTLP traces… from the File menu.
  await page.getByTestId("file-menu").click();
  await expect(page.getByTestId("import-otlp")).toBeEnabled();
  await page.getByTestId("import-otlp-input").setInputFiles({ name: "run.otlp.json", mimeType: "application/json", buffer: Buffer.from(text) });
  await expect(page.getByTestId("notice-otlp-import")).toBeVisible();
  await expect(page.getByTestId("node-client")).toBeVisible();
  await expect(page.getByTestId("node-orders")).toBeVisible();
  await expect(page.locator('[data-testid^="node-worker-"]').first()).toBeVisible();
  await expect(page.getByTestId("edge-client-orders")).toBeVisible();
  await expect(page.getByTestId("tab-traces")).toHaveAttribute("aria-selected", "true");
  await expect.poll(() => page.getByTestId("trace-row").count()).toBeGreaterThan(0);
  // The newest trace is open in the waterfall, its spans from the file.
  const waterfall = page.getByTestId("waterfall");
  await expect(waterfall).toBeVisible();
  await expect.poll(() => waterfall.getByTestId("span-row").count()).toBeGreaterThan(1);
  // A trace whose job was worked: its consumer row draws its link to the producer.
  const traced = spans.find((span) => span.kind === 5)!.traceId;
  await page.locator(`[data-testid="trace-row"][data-trace-id="${traced}"]`).click();
  await expect(waterfall).toHaveAttribute("data-trace-id", traced);
  await expect(waterfall.locator('[data-testid="span-row"][data-links="1"]')).toHaveCount(1);
  await expect(waterfall.getByTestId("span-link")).toHaveCount(1);
  await shot(page, "imported");

  // Dropped on the canvas, the same file is recognised as OTLP too (not taken for a topology).
  await freshPage(page);
  const dataTransfer = await page.evaluateHandle((content) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([content], "dropped.json", { type: "application/json" }));
    return transfer;
  }, text);
  // The empty canvas shows the template gallery; a drop on it is a drop on the canvas.
  await page.getByTestId("empty-state").locator("> div").dispatchEvent("drop", { dataTransfer });
  await expect(page.getByTestId("notice-otlp-import")).toBeVisible();
  await expect(page.getByTestId("node-orders")).toBeVisible();
  await expect.poll(() => page.getByTestId("trace-row").count()).toBeGreaterThan(0);
});
