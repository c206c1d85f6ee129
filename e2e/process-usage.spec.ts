import { expect, test } from "@playwright/test";
import { TEMPLATES } from "@/lib/topology/templates";
import { freshPage } from "./canvas-helpers";

const template = TEMPLATES.find((t) => t.id === "rest-chain")!;

// The playground's own cost on screen: each node's process, the machine, the server.
test("while running, every node card shows its process's CPU and memory, and the top bar the machine's", async ({ page }) => {
  await freshPage(page);
  await page.getByTestId(`template-${template.id}`).click();
  await page.getByTestId("run").click();
  await expect(page.getByTestId("run-state")).toHaveAttribute("data-phase", "running", { timeout: 60_000 });

  // Figures, not placeholders: the sampler needs two readings, about a second.
  for (const node of template.topology.nodes) {
    await expect(page.getByTestId(`usage-${node.id}`)).toHaveText(/^cpu \d+(\.\d)? % · mem \d+(\.\d)? [MG]iB$/, { timeout: 15_000 });
  }
  const machine = page.getByTestId("machine-load");
  await expect(machine).toBeVisible();
  await expect(page.getByTestId("machine-cpu")).toHaveText(/^\d+ %$/);
  await expect(machine).toContainText(/of \d+ cores?/);
  await expect(page.getByTestId("machine-memory")).toHaveText(/^\d+(\.\d)?( [MG]iB)? \/ \d+(\.\d)? [MG]iB$/);
  await expect(page.getByTestId("server-usage")).toHaveText(/^\d+(\.\d)? % · \d+(\.\d)? [MG]iB$/);

  // The tooltip says whose CPU this is.
  const usage = page.getByTestId(`usage-${template.topology.nodes[1].id}`);
  await usage.hover();
  const tooltip = usage.locator("xpath=following-sibling::*[@role='tooltip']");
  await expect(tooltip).toContainText("own OS process");
  await expect(tooltip).toHaveCSS("opacity", "1");
  await page.screenshot({ path: "test-results/process-usage-running.png" });

  await page.getByTestId("stop").click();
  await expect(page.getByTestId("run-state")).toHaveAttribute("data-phase", "stopped", { timeout: 30_000 });
  await expect(page.getByTestId(`usage-${template.topology.nodes[0].id}`)).toBeHidden();
  await expect(machine).toBeHidden();
  await expect(page.getByTestId("machine-busy")).toBeHidden();
});
