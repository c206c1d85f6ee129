/**
 * A recorded run in a URL fragment, for the static replay page
 * (`/replay#run=r1.…`): the record's JSON, zlib at the highest level, then
 * base64url. The fragment never reaches the server. A run with many traces is
 * too long for a link: the link then leaves the traces out, and a run too big
 * even so is shared as its file.
 *
 * Pure: no I/O.
 */
import { strFromU8, strToU8, Unzlib, zlibSync } from "fflate";
import { RUN_RECORD_FORMAT, type RunRecord, runsFromFileText, runsToFileText } from "@/lib/history/run-record";

export const RUN_LINK_TAG = "r1.";
export const RUN_FRAGMENT_KEY = "run";
/** Longest fragment a link carries: past this, chat apps and mail clients cut links. */
export const MAX_RUN_LINK_CHARS = 200_000;
/** A link's run unpacks to at most this much (a damaged or hostile link stops here). */
const MAX_INFLATED_BYTES = 64 * 1024 * 1024;

export type RunLink =
  | { ok: true; fragment: string; /** The traces were left out to fit. */ withoutTraces: boolean; chars: number }
  | { ok: false; chars: number; why: string };

export function encodeRunFragment(record: RunRecord): string {
  return `${RUN_FRAGMENT_KEY}=${RUN_LINK_TAG}${toBase64Url(zlibSync(strToU8(JSON.stringify(record)), { level: 9 }))}`;
}

/** The fragment for a run: whole if it fits, else without its traces, else why not. */
export function runLink(record: RunRecord, maxChars = MAX_RUN_LINK_CHARS): RunLink {
  const whole = encodeRunFragment(record);
  if (whole.length <= maxChars) return { ok: true, fragment: whole, withoutTraces: false, chars: whole.length };
  const lean = encodeRunFragment({ ...record, traces: [], spans: [] });
  if (lean.length <= maxChars) return { ok: true, fragment: lean, withoutTraces: true, chars: lean.length };
  return { ok: false, chars: lean.length, why: `this run is too big for a link (${Math.round(lean.length / 1000)} k characters even without its traces; a link holds ${Math.round(maxChars / 1000)} k)` };
}

/** Reads a fragment made by {@link encodeRunFragment}: the run, or what is wrong with the link. */
export function decodeRunFragment(fragment: string): { record: RunRecord } | { problem: string } {
  let text = fragment.startsWith("#") ? fragment.slice(1) : fragment;
  if (text.startsWith(`${RUN_FRAGMENT_KEY}=`)) text = text.slice(RUN_FRAGMENT_KEY.length + 1);
  if (!text.startsWith(RUN_LINK_TAG)) return { problem: `this is not a recorded-run link (it should start with "#${RUN_FRAGMENT_KEY}=${RUN_LINK_TAG}")` };
  const packed = fromBase64Url(text.slice(RUN_LINK_TAG.length));
  if (!packed) return { problem: "the link is damaged: it holds characters a link of ours never has" };
  const chunks: Uint8Array[] = [];
  let size = 0;
  const inflater = new Unzlib((chunk) => {
    chunks.push(chunk);
    size += chunk.length;
  });
  try {
    for (let offset = 0; offset < packed.length; offset += 1024) {
      const end = Math.min(offset + 1024, packed.length);
      inflater.push(packed.subarray(offset, end), end === packed.length);
      if (size > MAX_INFLATED_BYTES) return { problem: "the link is damaged: it unpacks to far more than any run" };
    }
  } catch (error) {
    return { problem: `the link is damaged: ${(error as Error).message}` };
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  let json: unknown;
  try {
    json = JSON.parse(strFromU8(bytes));
  } catch {
    return { problem: "the link is damaged: its run is not JSON" };
  }
  // Through the same gate as a runs file.
  const read = runsFromFileText(runsToFileText([json as RunRecord]));
  const record = read.runs[0];
  if (!record || (record as { format?: unknown }).format !== RUN_RECORD_FORMAT) return { problem: `the link's run cannot be read: ${read.problems.join("; ")}` };
  return { record };
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    const out = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    return out;
  } catch {
    return null;
  }
}
