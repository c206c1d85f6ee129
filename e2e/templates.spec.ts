import { expect, test } from "@playwright/test";
import { NodeKind } from "@/lib/gen/ipcplay/v1/topology_pb";
import { TEMPLATES } from "@/lib/topology/templates";
import { freshPage } from "./canvas-helpers";

// Every template, none skipped: each opens from the gallery and runs as it is to its first trace.
for (const template of TEMPLATES) {
  test(`template ${template.id}: opens from the gallery with its explanation and runs to a trace`, async ({ page }) => {
    await freshPage(page);
    await page.getByTestId(`template-${template.id}`).click();
    await expect(page.getByTestId("empty-state")).toBeHidden();
    for (const node of template.topology.nodes) await expect(page.getByTestId(`node-${node.id}`)).toBeVisible();
    await expect(page.getByTestId("topology-name")).toHaveValue(template.title);
    const guide = page.getByTestId("template-guide");
    await expect(guide).toBeVisible();
    await expect(guide).toContainText(template.explanation.slice(0, 60));
    // The whole drawing fits in view, below the explanation strip.
    const strip = (await guide.boundingBox())!;
    const canvas = (await page.getByTestId("canvas").boundingBox())!;
    await expect
      .poll(async () => {
        const boxes = await Promise.all(template.topology.nodes.map((n) => page.getByTestId(`node-${n.id}`).boundingBox()));
        return boxes.every((b) => b && b.y >= strip.y + strip.height && b.x >= canvas.x && b.x + b.width <= canvas.x + canvas.width);
      })
      .toBe(true);
    await page.screenshot({ path: `test-results/template-${template.id}.png` });

    await expect(page.getByTestId("run")).toBeEnabled();
    await page.getByTestId("run").click();
    await expect(page.getByTestId("run-state")).toHaveAttribute("data-phase", "running", { timeout: 60_000 });
    const client = template.topology.nodes.find((n) => n.kind === NodeKind.CLIENT)!;
    const row = page.getByTestId("trace-row").first();
    await expect(row).toBeVisible({ timeout: 30_000 });
    await expect(row).toContainText(client.id);

    await page.getByTestId("stop").click();
    await expect(page.getByTestId("run-state")).toHaveAttribute("data-phase", "stopped", { timeout: 30_000 });

    // The guide can be closed.
    await page.getByTestId("template-guide-close").click();
    await expect(guide).toBeHidden();
  });
}
