/**
 * SCAN cursors over insertion-ordered JS collections (the keyspace's Map, and later hashes, sets
 * and sorted sets kept in Maps/Sets).
 *
 * Redis's cursor is a position in its hash table (reverse-binary bucket order), which survives
 * rehashing. A JS Map has no addressable positions, but it has two properties we can build on:
 *
 *   1. Iteration is in insertion order; a new key is appended at the end; overwriting an
 *      existing key keeps its place; a deleted key is simply skipped.
 *   2. A live iterator stays valid across any number of inserts, deletes and internal rehashes
 *      between two `next()` calls (the engine guarantees it).
 *
 * So a cursor is a handle on a live iterator kept by the server:
 *
 *   SCAN 0        → new iterator over the collection, `remaining` = collection size now
 *   SCAN <id>     → resume that iterator, hand out a fresh id for the next step
 *   end           → cursor "0" once the iterator is exhausted or `remaining` keys were taken
 *
 * Guarantees (the same as Redis's):
 *   - Every key present from the first to the last call is returned at least once: such a key
 *     was in the collection when the iterator was created, so it precedes every key inserted
 *     later, and the iterator reaches it before `remaining` (the start size) runs out.
 *   - Keys added or removed during the iteration may or may not be returned; a key deleted and
 *     re-added is appended again, so it can be returned twice.
 *   - The iteration always terminates, after at most start-size keys, even under a write load
 *     that keeps adding keys (a rolling dataset never makes the iterator chase its tail).
 *
 * Cursors are server state, so they are bounded: at most MAX_CURSORS live ones (least recently
 * used dropped first) and idle ones are dropped after MAX_IDLE_MS. A cursor the table does not
 * know — dropped, from before a restart, from another database or collection, or reused after
 * it was already advanced — restarts the iteration from the beginning. That can only repeat
 * keys, never miss one, so the guarantee above holds for every cursor a client may send.
 * Emptying or swapping a database drops the cursors on its old dictionary (`forget`).
 */

/** What can be scanned: a Map or Set (anything with a size and a live keys() iterator). */
export interface ScanSource<K> {
  readonly size: number;
  keys(): IterableIterator<K>;
}

interface CursorState {
  source: ScanSource<unknown>;
  it: Iterator<unknown>;
  /** Keys still to take before the iteration ends (the source size when it started, minus taken). */
  remaining: number;
  lastUsed: number;
}

const MAX_CURSORS = 16384;
const MAX_IDLE_MS = 60 * 60 * 1000;
const ID_LIMIT = 2 ** 53;
const U64 = 2n ** 64n;

export interface ScanStep<K> {
  /** Cursor for the next call ("0" when the iteration is complete). */
  cursor: string;
  keys: K[];
}

export class ScanCursors {
  /** Live cursors, least recently used first (Map insertion order). */
  private readonly cursors = new Map<number, CursorState>();
  private nextId: number;

  constructor(
    private readonly maxCursors = MAX_CURSORS,
    private readonly maxIdleMs = MAX_IDLE_MS,
  ) {
    // Start somewhere random so cursors from a previous process are unlikely to be live ones.
    this.nextId = 1 + Math.floor(Math.random() * 2 ** 40);
  }

  get size(): number {
    return this.cursors.size;
  }

  /**
   * One SCAN step: takes up to `count` keys from the iteration `cursor` designates (0 or
   * unknown: a new iteration over `source`). `cursor` is the value parseScanCursor returned.
   */
  step<K>(source: ScanSource<K>, cursor: bigint, count: number, now = Date.now()): ScanStep<K> {
    let st: CursorState | undefined;
    if (cursor !== 0n && cursor < BigInt(ID_LIMIT)) {
      const id = Number(cursor);
      st = this.cursors.get(id);
      if (st !== undefined) this.cursors.delete(id);
    }
    if (st === undefined || st.source !== source) {
      st = { source, it: source.keys(), remaining: source.size, lastUsed: now };
    }
    const keys: K[] = [];
    const it = st.it as Iterator<K>;
    while (keys.length < count && st.remaining > 0) {
      const r = it.next();
      if (r.done) {
        st.remaining = 0;
        break;
      }
      keys.push(r.value);
      st.remaining--;
    }
    if (st.remaining === 0) return { cursor: '0', keys };
    st.lastUsed = now;
    const id = this.allocate();
    this.cursors.set(id, st);
    this.prune(now);
    return { cursor: String(id), keys };
  }

  /** Drops every cursor iterating `source` (its database was emptied or swapped). */
  forget(source: ScanSource<unknown>): void {
    for (const [id, st] of this.cursors) if (st.source === source) this.cursors.delete(id);
  }

  clear(): void {
    this.cursors.clear();
  }

  private allocate(): number {
    for (;;) {
      const id = this.nextId++;
      if (this.nextId >= ID_LIMIT) this.nextId = 1;
      if (!this.cursors.has(id)) return id;
    }
  }

  private prune(now: number): void {
    while (this.cursors.size > this.maxCursors) this.dropOldest();
    for (const [id, st] of this.cursors) {
      if (now - st.lastUsed <= this.maxIdleMs) break;
      this.cursors.delete(id);
    }
  }

  private dropOldest(): void {
    for (const id of this.cursors.keys()) {
      this.cursors.delete(id);
      return;
    }
  }
}

/**
 * Parses a SCAN cursor the way Redis does (strtoul, base 10, no leading space, nothing after the
 * digits; an optional sign, a negative value wrapping modulo 2^64; the empty string is 0).
 * Returns the unsigned 64-bit value, or null for "ERR invalid cursor".
 */
export function parseScanCursor(s: string): bigint | null {
  const n = s.length;
  if (n === 0) return 0n;
  let i = 0;
  const c0 = s.charCodeAt(0);
  if (c0 === 43 /* + */ || c0 === 45 /* - */) i = 1;
  if (i === n) return null;
  if (n - i <= 15) {
    let v = 0;
    for (let j = i; j < n; j++) {
      const d = s.charCodeAt(j) - 48;
      if (d < 0 || d > 9) return null;
      v = v * 10 + d;
    }
    if (c0 === 45 && v !== 0) return U64 - BigInt(v);
    return BigInt(v);
  }
  for (let j = i; j < n; j++) {
    const d = s.charCodeAt(j) - 48;
    if (d < 0 || d > 9) return null;
  }
  const v = BigInt(s.slice(i));
  if (v >= U64) return null;
  return c0 === 45 && v !== 0n ? U64 - v : v;
}
