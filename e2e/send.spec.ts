import { expect, test } from "@playwright/test";
import { connect, freshPage } from "./canvas-helpers";

test("a client with rate 0 sends on demand: Send 10 gives 10 traces, from the card and the inspector", async ({ page }) => {
  await freshPage(page);
  const canvas = page.getByTestId("canvas");
  await page.getByTestId("palette-client").dragTo(canvas, { targetPosition: { x: 150, y: 200 } });
  await page.getByTestId("palette-service").dragTo(canvas, { targetPosition: { x: 500, y: 200 } });
  for (const id of ["client", "service"]) await expect(page.getByTestId(`node-${id}`)).toBeVisible();
  await connect(page, "client", "service");
  await page.getByTestId("node-client").click();
  await page.getByTestId("field-rate").fill("0");
  await expect(page.getByTestId("node-client")).toContainText(/on demand/i);
  await page.keyboard.press("Escape");

  await page.getByTestId("run").click();
  await expect(page.getByTestId("run-state")).toHaveAttribute("data-phase", "running", { timeout: 60_000 });
  // Nothing sends on its own, and the empty list says what to do instead of waiting forever.
  await expect(page.getByTestId("trace-list")).toContainText("Nothing sends on its own: press Send on a client");

  // The card's Send 10, reached and pressed with the keyboard.
  const send10 = page.getByTestId("send-node-client-10");
  await expect(send10).toHaveAccessibleName("Send 10 messages from client");
  await send10.focus();
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("send-notice")).toContainText("sent 10 messages");
  await expect.poll(() => page.getByTestId("trace-row").count(), { timeout: 30_000 }).toBe(10);
  await expect(page.getByTestId("edge-counters-client-service")).toContainText("10 sent");

  // The inspector's Send 1 does the same.
  await page.getByTestId("node-client").click();
  const inspectorSend = page.getByTestId("send-inspector-client-1");
  await expect(inspectorSend).toBeVisible();
  await inspectorSend.click();
  await expect.poll(() => page.getByTestId("trace-row").count(), { timeout: 30_000 }).toBe(11);
  await expect(page.getByTestId("edge-counters-client-service")).toContainText("11 sent");

  await page.getByTestId("stop").click();
  await expect(page.getByTestId("run-state")).toHaveAttribute("data-phase", "stopped", { timeout: 30_000 });
  // Stopped: no Send anywhere.
  await expect(page.getByTestId("send-node-client")).toBeHidden();
});

test("a hidden Kill button takes no Tab stop; selecting the node shows it and it can be focused", async ({ page }) => {
  await freshPage(page);
  await page.getByTestId("template-rest-chain").click();
  await page.getByTestId("template-guide-close").click();
  await page.getByTestId("run").click();
  await expect(page.getByTestId("run-state")).toHaveAttribute("data-phase", "running", { timeout: 60_000 });
  const kill = page.getByTestId("node-action-orders");
  await expect(kill).toHaveAttribute("tabindex", "-1");
  await page.getByTestId("node-orders").click();
  await expect(kill).toHaveAttribute("tabindex", "0");
  await page.getByTestId("stop").click();
  await expect(page.getByTestId("run-state")).toHaveAttribute("data-phase", "stopped", { timeout: 30_000 });
});
