/**
 * The critical path of a trace: the chain of spans that decides its end-to-end
 * time. Jaeger's walk, made to follow asynchronous hand-offs: each span's
 * subtree counts until its last descendant ends (a CONSUMER span, the child of
 * the PRODUCER span that handed its message to the broker, often ends long
 * after its producer), so the queue wait between them is on the path when the
 * consumer's work ends the trace.
 *
 * From the span whose subtree ends last, walk back in time: the child whose
 * subtree ends last (before the cursor) is on the path; the cursor moves to that
 * child's start, and the next child that ended before it is on the path too, and
 * so on. Parallel children: the one ending last wins, the others overlap it and
 * are not. Pure; spans whose parent is missing count as roots.
 */
export interface PathSpan {
  spanId: string;
  parentSpanId: string;
  startUnixMs: number;
  durationMs: number;
}

/** Slack for clocks of different processes (ms). */
const EPS_MS = 1e-6;

/**
 * The span ids on the critical path, from the root to the last span of the
 * chain, in the order the walk met them (each parent before its children).
 *
 * @example criticalPath(spans) // ["client", "gw", "be", "db"]
 */
export function criticalPath(spans: readonly PathSpan[]): string[] {
  if (spans.length === 0) return [];
  const byId = new Map<string, PathSpan>();
  for (const s of spans) if (!byId.has(s.spanId)) byId.set(s.spanId, s);
  const children = new Map<string, PathSpan[]>();
  const roots: PathSpan[] = [];
  for (const s of byId.values()) {
    const parent = s.parentSpanId !== "" && s.parentSpanId !== s.spanId ? byId.get(s.parentSpanId) : undefined;
    if (!parent) roots.push(s);
    else {
      const list = children.get(parent.spanId);
      if (list) list.push(s);
      else children.set(parent.spanId, [s]);
    }
  }
  if (roots.length === 0) return [];

  // When each span's subtree ends, bottom-up, without recursion (a trace may be deep), cycle-safe.
  const finish = new Map<string, number>();
  const order: PathSpan[] = [];
  const seen = new Set<string>();
  const stack = [...roots];
  while (stack.length) {
    const s = stack.pop()!;
    if (seen.has(s.spanId)) continue;
    seen.add(s.spanId);
    order.push(s);
    for (const c of children.get(s.spanId) ?? []) stack.push(c);
  }
  for (let i = order.length - 1; i >= 0; i--) {
    const s = order[i];
    let end = s.startUnixMs + Math.max(0, s.durationMs);
    for (const c of children.get(s.spanId) ?? []) end = Math.max(end, finish.get(c.spanId) ?? -Infinity);
    finish.set(s.spanId, end);
  }
  const finishOf = (s: PathSpan) => finish.get(s.spanId) ?? s.startUnixMs + s.durationMs;

  // The root whose subtree ends last starts the path (the earliest on a tie).
  let root = roots[0];
  for (const r of roots) {
    if (finishOf(r) > finishOf(root) + EPS_MS || (Math.abs(finishOf(r) - finishOf(root)) <= EPS_MS && r.startUnixMs < root.startUnixMs)) root = r;
  }

  const path: string[] = [];
  const onPath = new Set<string>();
  const work: { span: PathSpan; cursor: number }[] = [{ span: root, cursor: finishOf(root) }];
  while (work.length) {
    const { span, cursor } = work.pop()!;
    if (onPath.has(span.spanId)) continue;
    onPath.add(span.spanId);
    path.push(span.spanId);
    const kids = [...(children.get(span.spanId) ?? [])].sort((a, b) => finishOf(b) - finishOf(a) || a.startUnixMs - b.startUnixMs);
    const picked: { span: PathSpan; cursor: number }[] = [];
    let cur = cursor;
    for (const c of kids) {
      if (onPath.has(c.spanId)) continue;
      if (c.startUnixMs >= cur + EPS_MS || finishOf(c) > cur + EPS_MS) continue;
      picked.push({ span: c, cursor: Math.min(finishOf(c), cur) });
      cur = c.startUnixMs;
    }
    // Visit in time order, so the path lists a parent's children earliest first.
    for (let i = 0; i < picked.length; i++) work.push(picked[i]);
  }
  return path;
}
