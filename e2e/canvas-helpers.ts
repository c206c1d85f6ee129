import { expect, type Page } from "@playwright/test";

export const STORAGE_KEY = "ipcplay.topology.v1";

/** An empty canvas: no autosave, the template gallery showing. */
export async function freshPage(page: Page): Promise<void> {
  // The document is cleared from a static file of the same origin, where the app does not run: on the
  // app's page, an autosave still pending (250 ms after it loaded the document) wrote it back.
  await page.goto("/icon.svg");
  await page.evaluate((key) => localStorage.removeItem(key), STORAGE_KEY);
  await page.goto("/");
  await expect(page.getByTestId("empty-state")).toBeVisible();
}

/** Opens the page with `topology` (its protobuf JSON form) as the autosaved document. */
export async function openSaved(page: Page, topology: object): Promise<void> {
  // Written from the static file, as in freshPage: the app's pending autosave would overwrite it.
  await page.goto("/icon.svg");
  await page.evaluate(([key, doc]) => localStorage.setItem(key, doc), [STORAGE_KEY, JSON.stringify(topology)] as const);
  await page.goto("/");
}

/** Connects two nodes handle to handle and picks a transport ("rest", "grpc", "queue", "pubsub"). */
export async function connect(page: Page, source: string, target: string, transport = "rest"): Promise<void> {
  await page.getByTestId(`handle-out-${source}`).dragTo(page.getByTestId(`handle-in-${target}`));
  const picker = page.getByTestId("transport-picker");
  await expect(picker).toBeVisible();
  await picker.getByTestId(`pick-${transport}`).click();
  await expect(picker).toBeHidden();
}

export interface CanvasPicture {
  nodes: { id: string; label: string; x: number; y: number }[];
  edges: { id: string; caption: string }[];
}

/** What the canvas shows, read from React Flow's DOM: ids, labels, positions, edges and their captions. */
export async function readCanvas(page: Page): Promise<CanvasPicture> {
  return page.evaluate(() => {
    const nodes = [...document.querySelectorAll<HTMLElement>(".react-flow__node")].map((el) => {
      const m = /translate\(\s*(-?[\d.]+)px,\s*(-?[\d.]+)px\)/.exec(el.style.transform);
      return {
        id: el.dataset.id ?? "",
        label: el.querySelector("[data-testid=node-label]")?.textContent?.trim() ?? "",
        x: m ? Number(m[1]) : NaN,
        y: m ? Number(m[2]) : NaN,
      };
    });
    const edges = [...document.querySelectorAll(".react-flow__edge")].map((el) => {
      const id = el.getAttribute("data-id") ?? "";
      return { id, caption: document.querySelector(`[data-testid="edge-${id}"]`)?.textContent?.trim() ?? "" };
    });
    return { nodes: nodes.sort((a, b) => a.id.localeCompare(b.id)), edges: edges.sort((a, b) => a.id.localeCompare(b.id)) };
  });
}

/** The saved document (autosave), for ends of edges and settings the canvas does not print. */
export async function savedTopology(page: Page): Promise<{
  name?: string;
  nodes: { id: string; position?: { x?: number; y?: number }; behavior?: { workTime?: { meanMs?: number } } }[];
  edges: { id: string; source: string; target: string; transport: string; rest?: { path?: string; timeoutMs?: number }; queue?: { channel?: string } }[];
}> {
  await page.waitForTimeout(400); // the autosave runs 250 ms after the last change
  return page.evaluate((key) => JSON.parse(localStorage.getItem(key) ?? "null"), STORAGE_KEY);
}
