/** Pure helpers over spans for the browser and the server: waterfall layout, status and labels. */
export { layoutWaterfall, traceBounds, type WaterfallRow, type TraceBounds } from "./waterfall";
export {
  STATUS_SEVERITY,
  worseStatus,
  worstStatus,
  statusTone,
  spanStatusLabel,
  transportLabel,
  spanKindLabel,
  type StatusTone,
} from "./status";
export { criticalPath, type PathSpan } from "./critical-path";
export { compareTraces, deltaText, isSlower, SLOWER_SHARE, SLOWER_FLOOR_MS, type SpanMatch, type TraceComparison } from "./compare";
