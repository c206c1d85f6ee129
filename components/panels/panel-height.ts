/**
 * The run panel's height: dragged or stepped by its top edge, kept between a
 * floor that still shows a few trace rows and a ceiling that leaves the canvas
 * its top bar and some room, and remembered across reloads.
 */

export const DEFAULT_PANEL_HEIGHT = 290;
export const MIN_PANEL_HEIGHT = 160;
/** What the canvas keeps above the panel: the top bar and enough of the diagram to work on. */
export const CANVAS_RESERVE = 220;
/** One arrow-key step; Page Up / Page Down take four. */
export const KEY_STEP = 24;
export const PANEL_HEIGHT_KEY = "ipcplay.runPanelHeight";

/** The height the panel may take in a window `windowHeight` tall. */
export function clampPanelHeight(height: number, windowHeight: number): number {
  const ceiling = Math.max(MIN_PANEL_HEIGHT, windowHeight - CANVAS_RESERVE);
  if (!Number.isFinite(height)) return Math.min(DEFAULT_PANEL_HEIGHT, ceiling);
  return Math.round(Math.min(ceiling, Math.max(MIN_PANEL_HEIGHT, height)));
}

/** A height stored earlier, or the default when none (or garbage) is stored. */
export function storedPanelHeight(stored: string | null, windowHeight: number): number {
  const parsed = stored === null ? Number.NaN : Number(stored);
  return clampPanelHeight(parsed, windowHeight);
}

/** The height after a key on the separator; undefined for a key it does not take. */
export function heightAfterKey(key: string, height: number, windowHeight: number): number | undefined {
  const steps: Record<string, number> = { ArrowUp: KEY_STEP, ArrowDown: -KEY_STEP, PageUp: 4 * KEY_STEP, PageDown: -4 * KEY_STEP };
  // Home: as tall as the window allows; End: as short as it goes.
  if (key === "Home") return clampPanelHeight(windowHeight, windowHeight);
  if (key === "End") return MIN_PANEL_HEIGHT;
  if (!(key in steps)) return undefined;
  return clampPanelHeight(height + steps[key], windowHeight);
}
