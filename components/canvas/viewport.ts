/**
 * Whether every node card is fully on screen. The minimap only helps to find
 * what is off screen; while everything is in view it would only cover the
 * bottom-right card and its figures (Worker B's "handled" in the queue template).
 */
import type { Rect } from "./label-place";

/** React Flow's viewport transform: screen = flow × zoom + (x, y). */
export interface ViewTransform {
  x: number;
  y: number;
  zoom: number;
}

/**
 * True when every rectangle (flow coordinates) lies inside a pane of this size.
 *
 * @example allInView([{ x: 0, y: 0, width: 216, height: 92 }], { x: 10, y: 10, zoom: 1 }, { width: 800, height: 600 }) // true
 */
export function allInView(nodes: readonly Rect[], t: ViewTransform, pane: { width: number; height: number }): boolean {
  return nodes.every((n) => {
    const left = n.x * t.zoom + t.x;
    const top = n.y * t.zoom + t.y;
    return left >= 0 && top >= 0 && left + n.width * t.zoom <= pane.width && top + n.height * t.zoom <= pane.height;
  });
}
