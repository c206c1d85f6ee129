import { expect, type Page, test } from "@playwright/test";
import { Transport } from "@/lib/gen/ipcplay/v1/topology_pb";
import { TEMPLATES } from "@/lib/topology/templates";
import { freshPage } from "./canvas-helpers";

/**
 * Every edge label (its caption, its queue or topic badge, its live counters)
 * that is covered anywhere: at its centre or at a corner inset by 2 px, the
 * topmost element there is not the label nor inside it. Empty when every
 * figure on the canvas can be read.
 */
async function coveredLabels(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const labels = [...document.querySelectorAll<HTMLElement>(".react-flow__edgelabel-renderer > [data-testid^='edge-']")];
    for (const label of labels) {
      // The label's own box and each pill in it: a pill can be covered while the stack's centre is clear.
      for (const el of [label, ...label.querySelectorAll<HTMLElement>(":scope > *")]) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        const name = el.dataset.testid ?? `${label.dataset.testid} > ${el.textContent?.trim() ?? ""}`;
        // A pill squeezed to a sliver wraps its words letter by letter: readable in no sense.
        if (el !== label && r.height > 60 * (r.width / el.offsetWidth)) problems.push(`${name}: squeezed to ${Math.round(el.offsetWidth)} px wide`);
        const points: [string, number, number][] = [
          ["centre", r.left + r.width / 2, r.top + r.height / 2],
          ["top-left", r.left + 2, r.top + 2],
          ["top-right", r.right - 2, r.top + 2],
          ["bottom-left", r.left + 2, r.bottom - 2],
          ["bottom-right", r.right - 2, r.bottom - 2],
        ];
        for (const [where, x, y] of points) {
          const top = document.elementFromPoint(x, y);
          if (!top) problems.push(`${name} ${where}: off screen`);
          else if (top !== label && !label.contains(top)) {
            const over = top.closest<HTMLElement>("[data-testid]")?.dataset.testid ?? top.className.toString();
            problems.push(`${name} ${where}: under ${over}`);
          }
        }
      }
    }
    return problems;
  });
}

for (const template of TEMPLATES) {
  test(`template ${template.id}: every caption, badge and counter on the canvas can be read while it runs`, async ({ page }) => {
    await freshPage(page);
    await page.getByTestId(`template-${template.id}`).click();
    for (const node of template.topology.nodes) await expect(page.getByTestId(`node-${node.id}`)).toBeVisible();
    // The explanation strip is not part of the canvas; close it so it covers nothing.
    await page.getByTestId("template-guide-close").click();
    await expect(page.getByTestId("template-guide")).toBeHidden();
    await expect.poll(() => coveredLabels(page)).toEqual([]);

    await page.getByTestId("run").click();
    await expect(page.getByTestId("run-state")).toHaveAttribute("data-phase", "running", { timeout: 60_000 });
    // Counters on every edge, badges on every queue and topic: the labels at their biggest.
    for (const edge of template.topology.edges) {
      await expect(page.getByTestId(`edge-counters-${edge.id}`)).toBeVisible({ timeout: 30_000 });
      if (edge.transport === Transport.QUEUE || edge.transport === Transport.PUBSUB) {
        await expect(page.getByTestId(`edge-badge-${edge.id}`)).toBeVisible();
      }
    }
    await expect.poll(async () => page.getByTestId(`edge-counters-${template.topology.edges[0].id}`).textContent()).toMatch(/[1-9]\d* sent/);
    await expect.poll(() => coveredLabels(page)).toEqual([]);
    // Hovering a node raises its Kill button and its card; the labels stay on top of both.
    const service = template.topology.nodes.find((n) => n.id !== "client")!;
    // On its title, not its CPU line: that line's tooltip is an overlay the person asked for, not a card.
    await page.getByTestId(`node-${service.id}`).hover({ position: { x: 60, y: 12 } });
    await expect(page.getByTestId(`node-action-${service.id}`)).toBeVisible();
    await expect.poll(() => coveredLabels(page)).toEqual([]);
    await page.screenshot({ path: `test-results/canvas-numbers-${template.id}.png` });

    await page.getByTestId("stop").click();
    await expect(page.getByTestId("run-state")).toHaveAttribute("data-phase", "stopped", { timeout: 30_000 });
  });
}

test("labels follow their edge when a node moves, and step off a card dropped onto them", async ({ page }) => {
  await freshPage(page);
  await page.getByTestId("template-rest-chain").click();
  await page.getByTestId("template-guide-close").click();
  const label = page.getByTestId("edge-gateway-orders");
  await expect(label).toBeVisible();
  const before = (await label.boundingBox())!;
  // Drag orders down: its incoming label goes with the edge and stays readable.
  const box = (await page.getByTestId("node-orders").boundingBox())!;
  await page.mouse.move(box.x + 100, box.y + 20);
  await page.mouse.down();
  for (let i = 1; i <= 8; i++) await page.mouse.move(box.x + 100, box.y + 20 + i * 15);
  await page.mouse.up();
  await expect.poll(async () => (await label.boundingBox())!.y).toBeGreaterThan(before.y + 20);
  await expect.poll(() => coveredLabels(page)).toEqual([]);
  // Drop the gateway right where the client's label was: the label moves aside instead of hiding under it.
  const spot = (await page.getByTestId("edge-client-gateway").boundingBox())!;
  const gw = (await page.getByTestId("node-gateway").boundingBox())!;
  await page.mouse.move(gw.x + 100, gw.y + 20);
  await page.mouse.down();
  for (let i = 1; i <= 8; i++) await page.mouse.move(gw.x + 100 + ((spot.x - gw.x) * i) / 8, gw.y + 20 + ((spot.y - gw.y) * i) / 8);
  await page.mouse.up();
  await expect.poll(() => coveredLabels(page)).toEqual([]);
});
