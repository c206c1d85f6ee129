/**
 * A recorded run in a URL fragment, for the static replay page
 * (`/replay#run=r1.…`): the record's JSON, zlib at the highest level, then
 * base64url. The fragment never reaches the server. A run with many traces is
 * too long for a link: the link then leaves the traces out, and a run too big
 * even so is shared as its file.
 *
 * Pure: no I/O.
 */
import { strFromU8, strToU8 } from "fflate";
import { packForLink, unpackLink } from "@/lib/links/fragment-codec";
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
  return `${RUN_FRAGMENT_KEY}=${RUN_LINK_TAG}${packForLink(strToU8(JSON.stringify(record)))}`;
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
  const bytes = unpackLink(text.slice(RUN_LINK_TAG.length), MAX_INFLATED_BYTES);
  if (typeof bytes === "string") return { problem: `the link is damaged: ${bytes}` };
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
