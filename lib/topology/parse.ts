import { clone, fromJson, type JsonValue } from "@bufbuild/protobuf";
import { capProblems, type Problem } from "@/lib/run/problem";
import { TopologySchema, type Topology } from "@/lib/gen/ipcplay/v1/topology_pb";
import { checkJsonShape } from "./json-shape";
import { LIMITS, utf8ByteLength } from "./limits";
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
  const huge = hugeListProblems(input);
  if (huge.length > 0) return { ok: false, problems: huge };
  const shapeProblems = checkJsonShape(TopologySchema, input);
  if (shapeProblems.length > 0) return { ok: false, problems: capProblems(shapeProblems, LIMITS.maxProblems) };
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
  const huge = hugeListProblems(decoded);
  if (huge.length > 0) return { ok: false, problems: huge };
  // Migrate first: an older version's zeros may mean something else than today's defaults.
  const migrated = clone(TopologySchema, decoded);
  const migrationProblems = migrateTopology(migrated);
  const topology = normalizeTopology(migrated);
  const problems = [...migrationProblems, ...validateTopology(topology)];
  return { ok: problems.length === 0, topology, problems: capProblems(problems, LIMITS.maxProblems) };
}

const LIST_CAPS = { nodes: LIMITS.maxNodes, edges: LIMITS.maxEdges, schedule: LIMITS.maxScheduledFaults } as const;

/**
 * The lists (in JSON or decoded) far past their caps, one problem each. Such a
 * document is judged no further: checking 30,000 nodes one by one would block
 * the event loop for seconds to say what this says in one line.
 */
export function hugeListProblems(input: unknown): Problem[] {
  if (typeof input !== "object" || input === null) return [];
  const problems: Problem[] = [];
  for (const [list, cap] of Object.entries(LIST_CAPS)) {
    const value = (input as Record<string, unknown>)[list];
    if (Array.isArray(value) && value.length > cap * LIMITS.hugeListFactor) {
      problems.push({ path: list, message: `has ${value.length} entries; at most ${cap} are allowed` });
    }
  }
  return problems;
}

/**
 * A topology's JSON text through the gate, refused unread when it is over
 * {@link LIMITS.maxTopologyBytes} (counted in UTF-8 bytes): the cost of a
 * refusal does not grow with the size of what is refused. Text that is not
 * JSON gives one problem at path "".
 */
export function parseTopologyText(text: string, what = "the topology"): ParseResult {
  const bytes = utf8ByteLength(text);
  if (bytes > LIMITS.maxTopologyBytes) return { ok: false, problems: [tooLargeProblem(bytes, what)] };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [{ path: "", message: `${what} is not JSON (${errorMessage(error)})` }] };
  }
  return parseTopology(json);
}

/** The one problem of a topology over the byte cap, in KiB as people count files. */
export function tooLargeProblem(bytes: number, what = "the topology"): Problem {
  const kib = (n: number) => `${Math.ceil(n / 1024)} KiB`;
  return { path: "", message: `${what} is ${kib(bytes)}; at most ${kib(LIMITS.maxTopologyBytes)} are allowed` };
}

/** The message of anything thrown, for a problem sentence. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
