"use client";

import { useStore } from "@xyflow/react";
import { type RefObject, useEffect, useLayoutEffect, useMemo, useState } from "react";
import { create } from "zustand";
import { boxAt, cubicFromPath, type LabelPlace, placeLabel, type Rect } from "./label-place";

/**
 * The boxes of the edge labels already placed, by edge id. Labels are placed
 * in edge-id order and each avoids only those before it, so the layout
 * settles in one pass instead of two labels shoving each other back and forth.
 */
const usePlaced = create<{ boxes: Record<string, Rect> }>(() => ({ boxes: {} }));

/** How far a node's connection handles reach beyond its card, px (they grow on hover). */
const HANDLE_PX = 6;

const serialize = (r: Rect) => `${Math.round(r.x)},${Math.round(r.y)},${Math.round(r.width)},${Math.round(r.height)}`;
const parse = (key: string): Rect[] =>
  key
    ? key.split(";").map((s) => {
        const [x, y, width, height] = s.split(",").map(Number);
        return { x, y, width, height };
      })
    : [];

/** The label's own size, in flow pixels (layout size: the viewport's zoom is a transform and does not change it). */
function useSize(ref: RefObject<HTMLElement | null>): { width: number; height: number } | null {
  const [size, setSize] = useState<{ width: number; height: number } | null>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const read = () =>
      setSize((s) => (s && s.width === el.offsetWidth && s.height === el.offsetHeight ? s : { width: el.offsetWidth, height: el.offsetHeight }));
    read();
    const ro = new ResizeObserver(read);
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref]);
  return size;
}

/**
 * Where this edge's label goes (see placeLabel): clear of every node card and
 * of the labels of edges sorted before it; recomputed when nodes move, the
 * label grows or the path changes. Falls back to the path's midpoint.
 */
export function useLabelPlace(
  edgeId: string,
  path: string,
  midX: number,
  midY: number,
  ref: RefObject<HTMLElement | null>,
): LabelPlace {
  const size = useSize(ref);
  // A string key: the selector's value stays equal while nothing moves, so edges do not re-render for nothing.
  const nodesKey = useStore((s) =>
    [...s.nodeLookup.values()]
      .map((n) =>
        // Wider by the handles that stick out left and right: a label over a handle would take its drags.
        serialize({
          x: n.internals.positionAbsolute.x - HANDLE_PX,
          y: n.internals.positionAbsolute.y,
          width: (n.measured.width ?? 0) + 2 * HANDLE_PX,
          height: n.measured.height ?? 0,
        }),
      )
      .join(";"),
  );
  const before = usePlaced((s) =>
    Object.keys(s.boxes)
      .filter((id) => id < edgeId)
      .sort()
      .map((id) => serialize(s.boxes[id]))
      .join(";"),
  );
  const place = useMemo((): LabelPlace => {
    const curve = cubicFromPath(path);
    const mid = { x: midX, y: midY };
    if (!curve || !size) return { centre: mid, anchor: mid };
    // A 2 px gap: a 128 px label plus handles fits the 144 px between two template columns.
    return placeLabel({ curve, size, nodes: parse(nodesKey), labels: parse(before), gap: 2 });
  }, [path, size, nodesKey, before, midX, midY]);

  const box = size ? serialize(boxAt(place.centre, size)) : "";
  useEffect(() => {
    if (!box) return;
    usePlaced.setState((s) => ({ boxes: { ...s.boxes, [edgeId]: parse(box)[0] } }));
  }, [edgeId, box]);
  useEffect(
    () => () =>
      usePlaced.setState((s) => ({ boxes: Object.fromEntries(Object.entries(s.boxes).filter(([id]) => id !== edgeId)) })),
    [edgeId],
  );
  return place;
}
