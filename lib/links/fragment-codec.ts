/**
 * The packing of a link fragment, shared by topology links (lib/topology/share-link.ts)
 * and recorded-run links (lib/replay/replay-link.ts): zlib, then base64url; and the
 * way back, with the inflated size capped (a hostile link never allocates its
 * payload) and zlib's Adler-32 checksum checked, which fflate leaves unchecked.
 *
 * Pure: no I/O.
 */
import { Unzlib, zlibSync } from "fflate";
import { errorMessage } from "@/lib/topology/parse";

/** zlib at the highest level, then base64url. */
export function packForLink(bytes: Uint8Array): string {
  return toBase64Url(zlibSync(bytes, { level: 9 }));
}

/** The bytes a packed link holds, or why they cannot be had ("it …", to follow "the link is damaged: "). */
export function unpackLink(text: string, cap: number): Uint8Array | string {
  const packed = fromBase64Url(text);
  if (!packed) return "it holds characters a link of ours never has";
  return inflateCapped(packed, cap);
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
      if (size > cap) return `it unpacks to more than ${Math.round(cap / 1024)} KiB, far more than a link of ours holds`;
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
  // In slices: a recorded run's link is ~150 KB, one fromCharCode per byte would be slow and one call too big.
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The bytes, or undefined when the text is not unpadded base64url. */
function fromBase64Url(text: string): Uint8Array | undefined {
  // A length of 4n + 1 cannot come from any byte string.
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined;
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
