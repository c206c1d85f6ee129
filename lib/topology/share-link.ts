import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { Unzlib, zlibSync } from "fflate";
import { TopologySchema, type Topology } from "@/lib/gen/ipcplay/v1/topology_pb";
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
  return SHARE_FORMAT_TAG + toBase64Url(zlibSync(toBinary(TopologySchema, t), { level: 9 }));
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
  const packed = fromBase64Url(text.slice(SHARE_FORMAT_TAG.length));
  if (!packed) return refused("the link is damaged: it holds characters a link of ours never has");
  const unpacked = inflateCapped(packed, LIMITS.maxShareInflatedBytes);
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

/** Input slice per inflate step: a slice inflates to at most ~1 MiB, so the cap holds before memory runs away. */
const INFLATE_STEP_BYTES = 1024;

/**
 * Inflates zlib data, stopping as soon as the output passes `cap` bytes (a zip
 * bomb never gets to allocate its payload), and checks the Adler-32 checksum,
 * which fflate leaves unchecked. Returns the bytes, or why they could not be had.
 */
function inflateCapped(packed: Uint8Array, cap: number): Uint8Array | string {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const inflater = new Unzlib((chunk) => {
    chunks.push(chunk);
    size += chunk.length;
  });
  try {
    for (let offset = 0; offset < packed.length; offset += INFLATE_STEP_BYTES) {
      const end = Math.min(offset + INFLATE_STEP_BYTES, packed.length);
      inflater.push(packed.subarray(offset, end), end === packed.length);
      if (size > cap) return `it unpacks to more than ${Math.round(cap / 1024)} KiB, far more than any topology`;
    }
  } catch (error) {
    return `its data cannot be unpacked (${errorMessage(error)})`;
  }
  const out = concat(chunks, size);
  if (packed.length < 4 || adler32(out) !== readUint32BE(packed, packed.length - 4)) {
    return "its checksum does not match";
  }
  return out;
}

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** Adler-32 (RFC 1950), the checksum at the end of zlib data. */
function adler32(data: Uint8Array): number {
  const MOD = 65521;
  const NMAX = 5552; // the most bytes before the sums can overflow 2^32
  let a = 1;
  let b = 0;
  for (let start = 0; start < data.length; start += NMAX) {
    const end = Math.min(start + NMAX, data.length);
    for (let i = start; i < end; i++) {
      a += data[i];
      b += a;
    }
    a %= MOD;
    b %= MOD;
  }
  return ((b << 16) | a) >>> 0;
}

function readUint32BE(data: Uint8Array, offset: number): number {
  return ((data[offset] << 24) | (data[offset + 1] << 16) | (data[offset + 2] << 8) | data[offset + 3]) >>> 0;
}

// base64url by hand: btoa/atob exist in browsers and Node alike; Buffer does not.

function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The bytes, or undefined when the text is not unpadded base64url. */
function fromBase64Url(text: string): Uint8Array | undefined {
  // A length of 4n + 1 cannot come from any byte string.
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined;
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
