/**
 * The topology document's public API: the one gate every topology passes
 * through, the helpers that build and edit topologies, and the canvas mapping.
 * Used by the browser and the server alike; nothing here does I/O.
 */
export { parseTopology, parseTopologyText, acceptTopology, type ParseResult } from "./parse";
export { validateTopology } from "./validate";
export { normalizeTopology, migrateTopology } from "./normalize";
export {
  emptyTopology,
  createNode,
  createEdge,
  defaultSettings,
  slugifyId,
  uniqueNodeId,
  uniqueEdgeId,
} from "./factory";
export { problemTargets, type ProblemTargets } from "./problem-targets";
export {
  topologyToCanvas,
  canvasToTopology,
  topologyMeta,
  type CanvasNode,
  type CanvasEdge,
  type CanvasNodeType,
  type CanvasNodeData,
  type CanvasEdgeData,
  type CanvasNodeInput,
  type CanvasEdgeInput,
  type TopologyMeta,
} from "./canvas";
export {
  ID_PATTERN,
  ID_RULE,
  CHANNEL_PATTERN,
  CHANNEL_RULE,
  REST_METHODS,
  REST_PATH_PATTERN,
  CURRENT_VERSION,
  SETTINGS_CASE,
  settingsCaseOf,
  type RestMethod,
  type SettingsCase,
} from "./rules";
export { LIMITS, DEFAULTS } from "./limits";
export {
  encodeShareFragment,
  decodeShareFragment,
  SHARE_FORMAT_TAG,
  SHARE_FRAGMENT_KEY,
} from "./share-link";
export { TEMPLATES, findTemplate, type Template } from "./templates";
