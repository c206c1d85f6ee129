import { toJson } from "@bufbuild/protobuf";
import { TopologySchema, type Topology } from "@/lib/gen/ipcplay/v1/topology_pb";
import { slugifyId } from "./factory";
import { LIMITS } from "./limits";
import { parseTopologyText, type ParseResult } from "./parse";

/** A topology file larger than this is refused unread: the biggest valid one is far smaller. */
export const MAX_TOPOLOGY_FILE_BYTES = LIMITS.maxTopologyBytes;

/**
 * The export file: the topology's protobuf JSON form (defaults left out, as
 * every reader fills them in again through the gate), pretty-printed.
 *
 * @example download(topologyFileName(t), topologyToFileText(t));
 */
export function topologyToFileText(t: Topology): string {
  return `${JSON.stringify(toJson(TopologySchema, t), null, 2)}\n`;
}

/**
 * A file name from the topology's name: "Checkout flow" → "checkout-flow.json".
 */
export function topologyFileName(t: Topology): string {
  return `${slugifyId(t.name) || "topology"}.json`;
}

/**
 * Reads an imported file's text through the one gate. Text that is not JSON
 * gives one problem at path "" and no topology; otherwise the gate's verdict:
 * no topology when it cannot be decoded, a topology (with its problems, to be
 * marked on the canvas) when it can.
 *
 * @example
 * const result = topologyFromFileText(await file.text());
 * if (!result.topology) showProblems(result.problems); // the canvas is left alone
 */
export function topologyFromFileText(text: string): ParseResult {
  return parseTopologyText(text, "the file");
}
