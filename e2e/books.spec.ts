import { expect, type Locator, type Page, test } from "@playwright/test";
import { freshPage } from "./canvas-helpers";

/**
 * The books on screen: a queue shared by two competing workers and a
 * synchronous edge that fails. The inspector names how messages failed, a
 * consumer says what it took of its shared queue, and every row of the
 * summary adds up: sent = delivered + failed + lost + in flight.
 */

/** The first whole number in a text: "1,234 (3 queued)" → 1234. */
function count(text: string | null): number {
  const m = /\d[\d,]*/.exec(text ?? "");
  if (!m) throw new Error(`no number in ${JSON.stringify(text)}`);
  return Number(m[0].replace(/,/g, ""));
}

interface RowBooks {
  what: string;
  sent: number;
  took: number | null;
  delivered: number;
  failed: number;
  lost: number;
  inFlight: number | null;
}

/** Every row of the summary (edges and shared channels), read from its cells. */
async function summaryBooks(page: Page): Promise<RowBooks[]> {
  const rows = page.getByTestId("summary").locator("[data-testid=summary-row], [data-testid=summary-channel]");
  const out: RowBooks[] = [];
  for (const row of await rows.all()) {
    const cell = async (id: string) => {
      const el = row.getByTestId(id);
      return (await el.count()) ? el.textContent() : null;
    };
    const took = await cell("summary-took");
    const tookMatch = took ? /took\s+([\d,]+)\s+of\s+([\d,]+)/.exec(took.replace(/\s+/g, " ")) : null;
    const inFlight = await cell("summary-in-flight");
    out.push({
      what: (await row.getAttribute("data-edge")) ?? `channel ${await row.getAttribute("data-channel")}`,
      sent: tookMatch ? count(tookMatch[2]) : count(await cell("summary-sent")),
      took: tookMatch ? count(tookMatch[1]) : null,
      delivered: count(await cell("summary-delivered")),
      failed: count(await cell("summary-failed")),
      lost: count(await cell("summary-lost")),
      inFlight: inFlight === null ? null : count(inFlight),
    });
  }
  return out;
}

async function shot(target: Page | Locator, name: string): Promise<void> {
  await target.screenshot({ path: `test-results/books-${name}.png` });
}

test("books: a failing call names its outcomes, competing workers say what they took, and the summary adds up", async ({ page }) => {
  test.setTimeout(180_000);
  await freshPage(page);
  await page.getByTestId("template-queue-workers").click();
  await page.getByTestId("template-guide-close").click();
  // The client sends only when asked; orders fails a third of its calls; worker A fails half its jobs (retried, some dead-lettered).
  await page.getByTestId("node-client").click();
  await page.getByTestId("field-rate").fill("0");
  await page.getByTestId("node-orders").click();
  await page.getByTestId("field-error-rate").fill("30");
  await page.getByTestId("node-worker-a").click();
  await page.getByTestId("field-error-rate").fill("50");
  await page.keyboard.press("Escape");

  await page.getByTestId("run").click();
  await expect(page.getByTestId("run-state")).toHaveAttribute("data-phase", "running", { timeout: 60_000 });
  for (let i = 0; i < 3; i++) {
    await page.getByTestId("send-node-client-10").click();
    await expect(page.getByTestId("edge-counters-client-orders")).toContainText(`${(i + 1) * 10} sent`);
  }

  // The failing call: the inspector's ledger names how its calls failed, and the failures add up.
  await page.getByTestId("edge-client-orders").click();
  const inspector = page.getByTestId("edge-inspector");
  await expect(inspector).toBeVisible();
  const ledger = inspector.getByTestId("edge-ledger");
  await expect(ledger.getByTestId("ledger-sent")).toContainText("30");
  await expect(ledger.getByTestId("ledger-failed:error reply")).toBeVisible();
  await expect
    .poll(async () => {
      const [sent, delivered, failed, lost, inFlight] = await Promise.all(
        ["sent", "delivered", "failed", "lost", "in-flight"].map(async (k) => count(await ledger.getByTestId(`ledger-${k}`).locator("dd").textContent())),
      );
      return { sent, ended: delivered + failed + lost + inFlight };
    })
    .toEqual({ sent: 30, ended: 30 });
  await expect(inspector.getByTestId("edge-timing")).toContainText("Call p50");
  await shot(page.getByRole("complementary", { name: "Inspector" }), "inspector-sync");

  // The competing workers: each pill and the inspector say what it took of the shared queue, and the two shares fill it.
  const tookOf = async (id: string) => {
    const part = page.getByTestId(`edge-counters-${id}`).locator("[data-part=took]");
    return (await part.count()) ? /^took ([\d,]+) of ([\d,]+)$/.exec((await part.textContent()) ?? "") : null;
  };
  await expect
    .poll(async () => {
      const [a, b] = [await tookOf("orders-worker-a"), await tookOf("orders-worker-b")];
      const n = (m: RegExpExecArray | null, i: number) => (m ? Number(m[i].replace(/,/g, "")) : NaN);
      return n(a, 2) === n(b, 2) && n(a, 1) + n(b, 1) === n(a, 2) && n(a, 2) > 0;
    }, { timeout: 60_000 })
    .toBe(true);
  await shot(page, "canvas");
  await page.getByTestId("edge-orders-worker-a").click();
  await expect(inspector.getByTestId("shared-books")).toContainText(/Shares queue "orders" with Orders → Worker B — this consumer took \d+ of \d+/);
  await expect(inspector.getByTestId("channel-ledger")).toContainText("Sent");
  await expect(inspector.getByTestId("edge-timing")).toContainText("Wait p50");
  await shot(page.getByRole("complementary", { name: "Inspector" }), "inspector-shared");

  // The last Send's notice would sit over the summary's screenshot; it goes away on its own.
  await expect(page.getByTestId("send-notice")).toBeHidden({ timeout: 20_000 });
  await page.getByTestId("stop").click();
  await expect(page.getByTestId("run-state")).toHaveAttribute("data-phase", "stopped", { timeout: 30_000 });
  await expect(page.getByTestId("summary")).toBeVisible();
  await expect(page.getByTestId("summary").getByTestId("summary-row")).toHaveCount(3);
  await expect(page.getByTestId("summary").getByTestId("summary-channel")).toHaveCount(1);

  // Every row adds up; a consumer's share is its ends, and the two shares are of the queue's sends.
  const books = await summaryBooks(page);
  for (const row of books) {
    if (row.took === null) expect(row.delivered + row.failed + row.lost + (row.inFlight ?? 0), `${row.what}: ${JSON.stringify(row)}`).toBe(row.sent);
    else expect(row.delivered + row.failed + row.lost, `${row.what}: ${JSON.stringify(row)}`).toBe(row.took);
  }
  const channel = books.find((r) => r.what === "channel orders")!;
  const shares = books.filter((r) => r.took !== null);
  expect(shares.map((r) => r.what).sort()).toEqual(["orders-worker-a", "orders-worker-b"]);
  for (const share of shares) expect(share.sent).toBe(channel.sent);
  expect(shares.reduce((n, r) => n + (r.took ?? 0), 0)).toBeLessThanOrEqual(channel.sent);
  const call = books.find((r) => r.what === "client-orders")!;
  expect(call.sent).toBe(30);
  expect(call.failed).toBeGreaterThan(0);
  await expect(page.getByTestId("summary").locator("[data-edge=client-orders]").getByTestId("summary-outcomes")).toContainText(/error reply \d+/);
  // The run's end-to-end time, over the traces sampled in full.
  await expect(page.getByTestId("summary-end-to-end")).toContainText(/End to end p50 .+ · p95 .+ · p99 .+ over \d+ traces?/);
  await shot(page.getByTestId("summary"), "summary");

  // After Stop the inspector tells the books as the run ended, with the outcomes still named.
  await page.getByTestId("edge-client-orders").click();
  await expect(inspector).toContainText("At stop");
  await expect(inspector.getByTestId("ledger-failed:error reply")).toContainText(String(call.failed));
  // And a competing worker's share with the queue's books, as the run ended: the same figures as the summary.
  await page.getByTestId("edge-orders-worker-a").click();
  await expect(inspector).toContainText("At stop");
  const share = books.find((r) => r.what === "orders-worker-a")!;
  await expect(inspector.getByTestId("shared-books")).toContainText(`this consumer took ${share.took} of ${share.sent}`);
  await expect(inspector.getByTestId("channel-ledger").getByTestId("ledger-sent")).toContainText(String(channel.sent));
  await shot(page.getByRole("complementary", { name: "Inspector" }), "inspector-shared-stopped");
});
