/**
 * Where an edge's label goes: a point near its bezier path whose label box
 * stays clear of every node card and of the labels already placed. The
 * midpoint is preferred; with nodes close together (two rows 200 px apart,
 * columns 144 px apart) the midpoint's box can fall on a card, and a label
 * drawn under or over a card hides its figures ("616 waiting" read "0 waiting").
 * Pure geometry, so it is tested without a browser.
 */

export interface Point {
  x: number;
  y: number;
}

/** An axis-aligned box: top-left corner and size, in flow coordinates. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A cubic bezier: start, two control points, end. */
export type Cubic = readonly [Point, Point, Point, Point];

/**
 * The cubic of an SVG path of the form React Flow's getBezierPath returns,
 * `M sx,sy C c1x,c1y c2x,c2y tx,ty`; null for any other shape.
 *
 * @example cubicFromPath("M0,0 C50,0 50,100 100,100") // [{0,0},{50,0},{50,100},{100,100}]
 */
export function cubicFromPath(path: string): Cubic | null {
  if (!/^\s*M[^C]*C[^C]*$/i.test(path)) return null;
  const n = path.match(/-?\d*\.?\d+(?:e[-+]?\d+)?/gi)?.map(Number) ?? [];
  if (n.length !== 8 || n.some((v) => !Number.isFinite(v))) return null;
  return [
    { x: n[0], y: n[1] },
    { x: n[2], y: n[3] },
    { x: n[4], y: n[5] },
    { x: n[6], y: n[7] },
  ];
}

/** The point at parameter t (0..1) of a cubic. */
export function pointAt(c: Cubic, t: number): Point {
  const u = 1 - t;
  const a = u * u * u;
  const b = 3 * u * u * t;
  const d = 3 * u * t * t;
  const e = t * t * t;
  return { x: a * c[0].x + b * c[1].x + d * c[2].x + e * c[3].x, y: a * c[0].y + b * c[1].y + d * c[2].y + e * c[3].y };
}

/** Area two boxes share (0 when they only touch). */
export function overlapArea(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/** The box of a given size centred on a point. */
export function boxAt(centre: Point, size: { width: number; height: number }): Rect {
  return { x: centre.x - size.width / 2, y: centre.y - size.height / 2, width: size.width, height: size.height };
}

export interface PlaceLabelInput {
  curve: Cubic;
  /** The label's measured size. */
  size: { width: number; height: number };
  /** Node cards: the label must not cover them, nor they it. */
  nodes: readonly Rect[];
  /** Labels placed before this one. */
  labels?: readonly Rect[];
  /** Clear space kept around the label, px. */
  gap?: number;
}

/** Where a label goes: its centre, and the point of the path it belongs to. */
export interface LabelPlace {
  centre: Point;
  /** On the path; differs from `centre` when the label had to step aside (a leader line joins them). */
  anchor: Point;
}

/** Steps along the path, from the middle outwards: the middle wins ties. */
const T_STEPS = [0.5, 0.45, 0.55, 0.4, 0.6, 0.35, 0.65, 0.3, 0.7, 0.25, 0.75, 0.2, 0.8];
/** Sideways shifts off the path, px (also from the nearest outwards). */
const SHIFTS = [0, 12, -12, 24, -24, 40, -40, 60, -60, 80, -80, 100, -100, 130, -130];
const MAX_SHIFT = 130;

/** The curve's bounding box (its control points bound it), grown by `margin` on every side. */
function nearCurve(c: Cubic, margin: number): Rect {
  const xs = c.map((p) => p.x);
  const ys = c.map((p) => p.y);
  const x = Math.min(...xs) - margin;
  const y = Math.min(...ys) - margin;
  return { x, y, width: Math.max(...xs) + margin - x, height: Math.max(...ys) + margin - y };
}

/**
 * The centre for an edge's label: the candidate (a point along the path,
 * possibly shifted sideways, vertically and horizontally) whose box overlaps
 * node cards and other labels the least; among clear ones, the one nearest
 * the path's middle. Node overlap weighs more than label overlap: a card
 * hides more than a neighbouring pill does.
 *
 * @example placeLabel({ curve, size: { width: 120, height: 60 }, nodes: cards, labels: placed })
 */
export function placeLabel({ curve, size, nodes, labels = [], gap = 6 }: PlaceLabelInput): LabelPlace {
  const padded = { width: size.width + 2 * gap, height: size.height + 2 * gap };
  // Only boxes within reach of some candidate matter: on a big canvas that is a handful, not all
  // (every edge places its label again on each frame of a drag).
  const reach = nearCurve(curve, MAX_SHIFT + Math.max(padded.width, padded.height));
  const nearNodes = nodes.filter((n) => overlapArea(reach, n) > 0);
  const nearLabels = labels.filter((l) => overlapArea(reach, l) > 0);
  const mid = pointAt(curve, 0.5);
  let best: LabelPlace = { centre: mid, anchor: mid };
  let bestScore = Infinity;
  for (const t of T_STEPS) {
    const p = pointAt(curve, t);
    for (const dy of SHIFTS) {
      for (const dx of SHIFTS) {
        const c = { x: p.x + dx, y: p.y + dy };
        const box = boxAt(c, padded);
        let cover = 0;
        for (const n of nearNodes) cover += overlapArea(box, n);
        let crowd = 0;
        for (const l of nearLabels) crowd += overlapArea(box, l);
        // Overlap dominates; distance only breaks ties between clear spots.
        const away = Math.abs(t - 0.5) * 200 + Math.hypot(dx, dy);
        const score = cover * 100 + crowd * 40 + away;
        if (score < bestScore) {
          bestScore = score;
          best = { centre: c, anchor: p };
        }
      }
    }
  }
  return best;
}
