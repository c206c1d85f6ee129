import { clone, fromJson, type JsonValue } from "@bufbuild/protobuf";
import type { Problem } from "@/lib/run/problem";
import { TopologySchema, type Topology } from "@/lib/gen/ipcplay/v1/topology_pb";
import { checkJsonShape } from "./json-shape";
import { migrateTopology, normalizeTopology } from "./normalize";
import { validateTopology } from "./validate";

/** What the gate says about an input. */
export interface ParseResult {
  /** True iff there are no problems. */
  ok: boolean;
  /**
   * The migrated, normalized topology, present whenever the input could be decoded —
   * even with semantic problems, so the canvas can show it and mark what is wrong.
   */
  topology?: Topology;
  /** Every problem found, each with a path into the JSON form. */
  problems: Problem[];
}

/**
 * The one gate every topology passes through, whatever carried it: a file, a
 * share link, localStorage or the control-plane RPC (after `toJson`).
 *
 * Steps: check the JSON shape (listing every wrong type, unknown field and bad
 * enum name with its path), decode, migrate to the current version, write every
 * default in, then validate the meaning.
 *
 * @example
 * const result = parseTopology(JSON.parse(fileText));
 * if (result.topology) canvas.load(result.topology);
 * if (!result.ok) showProblems(result.problems); // e.g. "edges[3].target: no node has id \"x\""
 */
export function parseTopology(input: unknown): ParseResult {
  const shapeProblems = checkJsonShape(TopologySchema, input);
  if (shapeProblems.length > 0) return { ok: false, problems: shapeProblems };
  let decoded: Topology;
  try {
    decoded = fromJson(TopologySchema, input as JsonValue, { ignoreUnknownFields: false });
  } catch (error) {
    // The shape check mirrors fromJson's rules; this reports any case it missed.
    return { ok: false, problems: [{ path: "", message: `cannot read the topology: ${errorMessage(error)}` }] };
  }
  return acceptTopology(decoded);
}

/**
 * The gate's steps after decoding — migrate, normalize, validate — for carriers
 * that decode on their own (the share link reads protobuf binary). Does not
 * modify its argument.
 */
export function acceptTopology(decoded: Topology): ParseResult {
  // Migrate first: an older version's zeros may mean something else than today's defaults.
  const migrated = clone(TopologySchema, decoded);
  const migrationProblems = migrateTopology(migrated);
  const topology = normalizeTopology(migrated);
  const problems = [...migrationProblems, ...validateTopology(topology)];
  return { ok: problems.length === 0, topology, problems };
}

/** The message of anything thrown, for a problem sentence. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
