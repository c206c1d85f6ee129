/**
 * Undo/redo as a pure reducer over document snapshots. The store records the
 * state *before* each change; changes that belong together (one drag, typing
 * into one field, everything one key press did) collapse into one step.
 */

/** Steps kept; the oldest go first. */
export const HISTORY_LIMIT = 100;
/** Changes with the same key this close together are one step (a drag, a word typed). */
export const COALESCE_MS = 1000;

export interface History<S> {
  past: readonly S[];
  future: readonly S[];
  /** What the last recorded change touched, for coalescing; null after undo/redo. */
  lastKey: string | null;
  lastAt: number;
  /** The synchronous batch the last change belonged to: changes of one batch are always one step. */
  lastBatch: number;
}

export interface Change {
  /** What the change touched ("move:a,b", "edit:n3", "meta"); null for a structural change that never coalesces. */
  key: string | null;
  /** When it happened, in ms. */
  at: number;
  /** Changes made in one synchronous run (React Flow removes nodes, then their edges) share a batch. */
  batch: number;
}

export function emptyHistory<S>(): History<S> {
  return { past: [], future: [], lastKey: null, lastAt: -Infinity, lastBatch: -1 };
}

/**
 * Records that the document is about to leave `before`. A change that continues
 * the previous one (same batch, or same key within {@link COALESCE_MS}) adds no
 * step. Any change clears the redo list.
 *
 * @example
 * h = record(h, snapshotBeforeDrag, { key: "move:orders", at: 100, batch: 1 });
 * h = record(h, snapshotMidDrag, { key: "move:orders", at: 116, batch: 2 }); // still one step
 */
export function record<S>(h: History<S>, before: S, change: Change, limit = HISTORY_LIMIT): History<S> {
  const continues =
    change.batch === h.lastBatch ||
    (change.key !== null && change.key === h.lastKey && change.at - h.lastAt < COALESCE_MS);
  if (continues && h.past.length > 0) {
    return { ...h, future: [], lastAt: change.at, lastBatch: change.batch, lastKey: change.key ?? h.lastKey };
  }
  const past = [...h.past, before];
  return {
    past: past.length > limit ? past.slice(past.length - limit) : past,
    future: [],
    lastKey: change.key,
    lastAt: change.at,
    lastBatch: change.batch,
  };
}

/** The snapshot to show and the history after it, or null when there is nothing to undo. */
export function undo<S>(h: History<S>, current: S): { history: History<S>; snapshot: S } | null {
  if (h.past.length === 0) return null;
  const snapshot = h.past[h.past.length - 1];
  return {
    snapshot,
    history: { past: h.past.slice(0, -1), future: [current, ...h.future], lastKey: null, lastAt: -Infinity, lastBatch: -1 },
  };
}

/** The snapshot to show and the history after it, or null when there is nothing to redo. */
export function redo<S>(h: History<S>, current: S): { history: History<S>; snapshot: S } | null {
  if (h.future.length === 0) return null;
  const [snapshot, ...future] = h.future;
  return {
    snapshot,
    history: { past: [...h.past, current], future, lastKey: null, lastAt: -Infinity, lastBatch: -1 },
  };
}

/** The parts of a canvas node and edge a change is judged by. */
interface NodeLike {
  id: string;
  position: { x: number; y: number };
  data: unknown;
}
interface EdgeLike {
  id: string;
  source: string;
  target: string;
  data?: unknown;
}
export interface DocSnapshot<M = unknown, N extends NodeLike = NodeLike, E extends EdgeLike = EdgeLike> {
  meta: M;
  nodes: readonly N[];
  edges: readonly E[];
}

/**
 * What changed between two document states, as a coalescing key: undefined when
 * nothing the document saves changed (selection, measured sizes, dragging
 * flags), "move:…" for positions only, "edit:…" for one item's settings, "meta"
 * for the name, null for added or removed items.
 */
export function changeKey(prev: DocSnapshot, next: DocSnapshot): string | null | undefined {
  if (prev.nodes.length !== next.nodes.length || prev.edges.length !== next.edges.length) return null;
  const moved: string[] = [];
  let edited: string | undefined;
  next.nodes.forEach((n, i) => {
    const p = prev.nodes[i];
    if (p === n) return;
    if (p.data !== n.data || p.id !== n.id) edited ??= `edit:n${i}`;
    else if (p.position.x !== n.position.x || p.position.y !== n.position.y) moved.push(n.id);
  });
  next.edges.forEach((e, i) => {
    const p = prev.edges[i];
    if (p === e) return;
    if (p.data !== e.data || p.id !== e.id || p.source !== e.source || p.target !== e.target) edited ??= `edit:e${i}`;
  });
  if (edited) return edited;
  if (moved.length) return `move:${moved.join(",")}`;
  // Each edit of the fault schedule is a step of its own, even right after another.
  if (prev.meta !== next.meta) return scheduleOf(prev.meta) !== scheduleOf(next.meta) ? null : "meta";
  return undefined;
}

function scheduleOf(meta: unknown): unknown {
  return meta && typeof meta === "object" && "schedule" in meta ? meta.schedule : undefined;
}
