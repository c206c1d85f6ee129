/**
 * A host's message counts, kept in a small file the parent can read at any
 * moment — and after the host was SIGKILLed. A periodic report over IPC would
 * lose the last half second of a killed process (sends its target saw, but the
 * books did not); a write to the file is done when the count is.
 *
 * Layout: for each counted edge, in `countedEdgeIds` order, one little-endian
 * uint32 slot per COUNT_KEYS entry. The parent creates the file zero-filled
 * before the host starts (on tmpfs when the machine has one: no disk I/O), the
 * host writes each slot it counts with one positioned write, the parent reads
 * the whole file with one positioned read.
 */
import { closeSync, openSync, readSync, writeSync } from "node:fs";
import { COUNT_KEYS, emptyTally, type CountKey, type Tally } from "@/lib/metrics/outcomes";

const SLOT_BYTES = 4;
const SLOTS_PER_EDGE = COUNT_KEYS.length;
const KEY_INDEX = new Map<CountKey, number>(COUNT_KEYS.map((key, index) => [key, index]));

/** The edges a host counts, in slot order: its outgoing edges, then its inbound ones (a self-loop once). */
export function countedEdgeIds(outgoing: readonly string[], inbound: readonly string[]): string[] {
  return [...new Set([...outgoing, ...inbound])];
}

export function countFileBytes(edgeCount: number): number {
  return edgeCount * SLOTS_PER_EDGE * SLOT_BYTES;
}

/** countedEdgeIds of a host's config, whose edges are protobuf JSON. */
export function countedEdgeIdsOf(config: { outgoing: readonly unknown[]; inbound: readonly unknown[] }): string[] {
  const idOf = (json: unknown) => String((json as { id?: unknown }).id ?? "");
  return countedEdgeIds(config.outgoing.map(idOf), config.inbound.map(idOf));
}

/** The host's side: counts, each one written through at once. */
export class CountFileWriter {
  private readonly fd: number;
  private bytes: Buffer;
  private counts: Uint32Array;
  private readonly base = new Map<string, number>();

  constructor(path: string, edgeIds: readonly string[]) {
    this.fd = openSync(path, "r+");
    this.bytes = Buffer.alloc(countFileBytes(edgeIds.length));
    // Little-endian on every machine Node runs on that we support (x64, arm64).
    this.counts = new Uint32Array(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length / SLOT_BYTES);
    edgeIds.forEach((edgeId, index) => this.base.set(edgeId, index * SLOTS_PER_EDGE));
  }

  /**
   * Slots for edges the host counts from now on (a live update gave it new
   * ones): appended after the existing ones, whose counts stay where they are.
   * `edgeIds` is the whole new slot list, the old one as its start
   * (CounterBook.extend grew the file first).
   */
  extend(edgeIds: readonly string[]): void {
    const added = edgeIds.filter((edgeId) => !this.base.has(edgeId));
    if (added.length === 0) return;
    const slots = this.base.size + added.length;
    const bytes = Buffer.alloc(countFileBytes(slots));
    this.bytes.copy(bytes);
    this.bytes = bytes;
    this.counts = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length / SLOT_BYTES);
    for (const edgeId of added) this.base.set(edgeId, this.base.size * SLOTS_PER_EDGE);
  }

  /** Adds to one count of one edge; an edge this host does not touch is a bug, shown rather than miscounted. */
  add(edgeId: string, key: CountKey, amount = 1): void {
    const base = this.base.get(edgeId);
    if (base === undefined) throw new Error(`edge ${edgeId} is not counted by this host`);
    const slot = base + KEY_INDEX.get(key)!;
    this.counts[slot] += amount;
    writeSync(this.fd, this.bytes, slot * SLOT_BYTES, SLOT_BYTES, slot * SLOT_BYTES);
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** The parent's side: reads every edge's counts of one host file. */
export class CountFileReader {
  private readonly bytes: Buffer;
  private readonly counts: Uint32Array;

  constructor(
    private readonly fd: number,
    readonly edgeIds: readonly string[],
  ) {
    this.bytes = Buffer.alloc(countFileBytes(edgeIds.length));
    this.counts = new Uint32Array(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length / SLOT_BYTES);
  }

  read(): Map<string, Tally> {
    readSync(this.fd, this.bytes, 0, this.bytes.length, 0);
    const tallies = new Map<string, Tally>();
    this.edgeIds.forEach((edgeId, index) => {
      const tally = emptyTally();
      COUNT_KEYS.forEach((key, offset) => (tally[key] = this.counts[index * SLOTS_PER_EDGE + offset]));
      tallies.set(edgeId, tally);
    });
    return tallies;
  }

  /** One count of every edge, e.g. "sent" again after the outcomes were read. */
  readKey(key: CountKey): Map<string, number> {
    readSync(this.fd, this.bytes, 0, this.bytes.length, 0);
    const offset = KEY_INDEX.get(key)!;
    return new Map(this.edgeIds.map((edgeId, index) => [edgeId, this.counts[index * SLOTS_PER_EDGE + offset]]));
  }
}
