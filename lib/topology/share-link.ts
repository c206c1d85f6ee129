import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { TopologySchema, type Topology } from "@/lib/gen/ipcplay/v1/topology_pb";
import { packForLink, unpackLink } from "@/lib/links/fragment-codec";
import { LIMITS } from "./limits";
import { acceptTopology, errorMessage, type ParseResult } from "./parse";

/**
 * Marks our fragments and their format. A fragment without it is someone
 * else's (or a mangled copy) and is refused before any decoding; a future
 * format gets a new tag and this module keeps reading the old one.
 */
export const SHARE_FORMAT_TAG = "t1.";

/** The key the app puts before the fragment: `https://…/#topology=t1.…`. */
export const SHARE_FRAGMENT_KEY = "topology";

/**
 * Packs a topology into the text of a URL fragment: protobuf binary (much
 * smaller than JSON), zlib at the highest level (its checksum tells a damaged
 * link from a valid one), base64url. The fragment never reaches the server,
 * so a shared topology stays between the people who share it.
 *
 * @example
 * location.hash = `${SHARE_FRAGMENT_KEY}=${encodeShareFragment(topology)}`;
 */
export function encodeShareFragment(t: Topology): string {
  return SHARE_FORMAT_TAG + packForLink(toBinary(TopologySchema, t));
}

/**
 * Reads a fragment made by {@link encodeShareFragment} and passes the topology
 * through the same gate as every other input. Accepts the fragment with or
 * without a leading "#" and "topology=". A fragment that is foreign, damaged or
 * too large gives one problem (path "") and no topology.
 *
 * @example
 * const result = decodeShareFragment(location.hash);
 * if (result.topology) load(result.topology); else showProblems(result.problems);
 */
export function decodeShareFragment(fragment: string): ParseResult {
  let text = fragment.startsWith("#") ? fragment.slice(1) : fragment;
  if (text.startsWith(`${SHARE_FRAGMENT_KEY}=`)) text = text.slice(SHARE_FRAGMENT_KEY.length + 1);
  if (text.length > LIMITS.maxShareFragmentChars) {
    return refused(`the link is too long (${text.length} characters; at most ${LIMITS.maxShareFragmentChars})`);
  }
  if (!text.startsWith(SHARE_FORMAT_TAG)) {
    return refused(`this is not an IPC Playground topology link (it should start with "${SHARE_FORMAT_TAG}")`);
  }
  const unpacked = unpackLink(text.slice(SHARE_FORMAT_TAG.length), LIMITS.maxShareInflatedBytes);
  if (typeof unpacked === "string") return refused(`the link is damaged: ${unpacked}`);
  let topology: Topology;
  try {
    // Unknown fields are dropped: with the checksum good they can only come from
    // a newer format, and the version check reports that.
    topology = fromBinary(TopologySchema, unpacked, { readUnknownFields: false });
  } catch (error) {
    return refused(`the link is damaged: its topology cannot be read (${errorMessage(error)})`);
  }
  return acceptTopology(topology);
}

function refused(message: string): ParseResult {
  return { ok: false, problems: [{ path: "", message }] };
}
