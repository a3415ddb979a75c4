/**
 * The set value, in Redis 7.0's two encodings.
 *
 * "intset": every member is the canonical text of a signed 64-bit integer (Redis's string2ll
 * rules: no sign on 0, no leading zeros, no spaces). Members are kept as one sorted JS array of
 * numbers — a packed SMI/double array costs 8 bytes per member — with the rare values beyond
 * ±2^53 as BigInts. Each integer has exactly one representation (a number when it is a safe
 * integer, a bigint otherwise) so `===` is membership, and `<` compares mixed number/bigint
 * values exactly. Sorted order is also Redis's intset iteration order (SMEMBERS, SSCAN, SPOP of
 * everything answer in the same order as Redis).
 *
 * "hashtable": members in an array plus a Map from member to its slot, so a fair random pick
 * (SRANDMEMBER, SPOP) is O(1); a removal moves the last member into the hole. SSCAN cursors
 * resume the Map's insertion-ordered live iterator.
 *
 * A set is created as an intset when its first member is an integer and converts (one way) to a
 * hashtable when a non-integer is added or it grows past set-max-intset-entries.
 */
import { ValueType, isIntegerText, type RedisValue } from './values.js';
import { DICT_ENTRY, DICT_STRUCT, ROBJ, dictBuckets, jemSize, sdsBytes } from './memsize.js';

export type Int = number | bigint;

const SAFE_MIN = BigInt(Number.MIN_SAFE_INTEGER);
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);

/** The integer a member stands for in an intset, or null when it is not a canonical int64. */
export function memberToInt(s: string): Int | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  const c = s.charCodeAt(0);
  if (c !== 45 && (c < 48 || c > 57)) return null;
  if (!isIntegerText(s)) return null;
  if (n <= 15) return Number(s);
  const b = BigInt(s);
  return b >= SAFE_MIN && b <= SAFE_MAX ? Number(b) : b;
}

/** Redis caps set-max-intset-entries at 2^30. */
const INTSET_HARD_MAX = 1 << 30;

class SetTable {
  /** member → slot in items. */
  readonly index = new Map<string, number>();
  readonly items: string[] = [];
  /** Redis's allocations for the members: a dictEntry and an sds string each. */
  bytes = 0;

  get size(): number {
    return this.items.length;
  }

  add(m: string): boolean {
    if (this.index.has(m)) return false;
    this.index.set(m, this.items.length);
    this.items.push(m);
    this.bytes += DICT_ENTRY + sdsBytes(m.length);
    return true;
  }

  remove(m: string): boolean {
    const i = this.index.get(m);
    if (i === undefined) return false;
    this.removeSlot(i, m);
    return true;
  }

  removeSlot(i: number, m: string): void {
    const last = this.items.length - 1;
    if (i !== last) {
      const lm = this.items[last];
      this.items[i] = lm;
      this.index.set(lm, i);
    }
    this.items.pop();
    this.index.delete(m);
    this.bytes -= DICT_ENTRY + sdsBytes(m.length);
  }
}

/** Index of `v` in the sorted array, or -(insertion point) - 1. */
function search(a: Int[], v: Int): number {
  let lo = 0;
  let hi = a.length - 1;
  // Fast paths for appends and prepends (sequential ids), as Redis's intsetSearch has.
  if (hi >= 0) {
    if (v > a[hi]) return -(hi + 1) - 1;
    if (v < a[0]) return -1;
  }
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const x = a[mid];
    if (x < v) lo = mid + 1;
    else if (x > v) hi = mid - 1;
    else return mid;
  }
  return -lo - 1;
}

export class SetValue implements RedisValue {
  lru = 0;
  /** Snapshot stamp (see persistence/snapshot.ts): the epoch this value was last written at. */
  sv = 0;
  /** Sorted integers (intset) or SetTable (hashtable). */
  private d: Int[] | SetTable;

  /** An empty set in the intset encoding (Redis's createIntsetObject). */
  constructor() {
    this.d = [];
  }

  /** A new empty set encoded for its first member, like Redis's setTypeCreate. */
  static forMember(first: string): SetValue {
    const s = new SetValue();
    if (memberToInt(first) === null) s.d = new SetTable();
    return s;
  }

  get type(): ValueType.Set {
    return ValueType.Set;
  }

  encoding(): string {
    return Array.isArray(this.d) ? 'intset' : 'hashtable';
  }

  get isIntset(): boolean {
    return Array.isArray(this.d);
  }

  get size(): number {
    const d = this.d;
    return Array.isArray(d) ? d.length : d.size;
  }

  /** Converts to the hashtable encoding (one way). */
  convert(): void {
    const d = this.d;
    if (!Array.isArray(d)) return;
    const t = new SetTable();
    for (const v of d) t.add(String(v));
    this.d = t;
  }

  /** Adds a member (SADD rules); returns true when it was not there. */
  add(m: string, maxIntset: number): boolean {
    const d = this.d;
    if (!Array.isArray(d)) return d.add(m);
    const v = memberToInt(m);
    if (v === null) {
      this.convert();
      return (this.d as SetTable).add(m);
    }
    const i = search(d, v);
    if (i >= 0) return false;
    const at = -i - 1;
    if (at === d.length) d.push(v);
    else d.splice(at, 0, v);
    if (d.length > Math.min(maxIntset, INTSET_HARD_MAX)) this.convert();
    return true;
  }

  remove(m: string): boolean {
    const d = this.d;
    if (!Array.isArray(d)) return d.remove(m);
    const v = memberToInt(m);
    if (v === null) return false;
    const i = search(d, v);
    if (i < 0) return false;
    d.splice(i, 1);
    return true;
  }

  has(m: string): boolean {
    const d = this.d;
    if (!Array.isArray(d)) return d.index.has(m);
    const v = memberToInt(m);
    return v !== null && search(d, v) >= 0;
  }

  /** Member at position i (0 ≤ i < size): sorted order for an intset. */
  at(i: number): string {
    const d = this.d;
    return Array.isArray(d) ? String(d[i]) : d.items[i];
  }

  /** Removes the member at position i and returns it. */
  removeAt(i: number): string {
    const d = this.d;
    if (Array.isArray(d)) {
      const v = d[i];
      d.splice(i, 1);
      return String(v);
    }
    const m = d.items[i];
    d.removeSlot(i, m);
    return m;
  }

  /** A uniformly random member of a non-empty set. */
  random(): string {
    return this.at(Math.floor(Math.random() * this.size));
  }

  /** Removes and returns a uniformly random member of a non-empty set. */
  popRandom(): string {
    return this.removeAt(Math.floor(Math.random() * this.size));
  }

  forEach(fn: (member: string) => void): void {
    const d = this.d;
    if (Array.isArray(d)) for (const v of d) fn(String(v));
    else for (const m of d.items) fn(m);
  }

  /** Members as strings (for the RDB writer, replies and tests). */
  *members(): IterableIterator<string> {
    const d = this.d;
    if (Array.isArray(d)) for (const v of d) yield String(v);
    else yield* d.items;
  }

  /** The sorted integers of an intset (for an RDB writer), or null for a hashtable. */
  ints(): readonly Int[] | null {
    return Array.isArray(this.d) ? this.d : null;
  }

  toArray(): string[] {
    const d = this.d;
    return Array.isArray(d) ? d.map(String) : d.items.slice();
  }

  /** What a SCAN cursor iterates for the hashtable encoding; null for an intset. */
  scanSource(): ReadonlyMap<string, number> | null {
    const d = this.d;
    return Array.isArray(d) ? null : d.index;
  }

  /** Deep copy with the same encoding (COPY). */
  clone(): SetValue {
    const s = new SetValue();
    const d = this.d;
    if (Array.isArray(d)) s.d = d.slice();
    else {
      const t = new SetTable();
      for (const m of d.items) t.add(m);
      s.d = t;
    }
    return s;
  }

  /**
   * Bytes Redis would hold (objectComputeSize with every element): the robj and the intset (its
   * integer width set by the extreme members), or the dict, its buckets and per member a
   * dictEntry and an sds string.
   */
  memoryUsage(): number {
    const d = this.d;
    if (Array.isArray(d)) {
      const n = d.length;
      let width = 2;
      if (n > 0) {
        const lo = d[0];
        const hi = d[n - 1];
        if (lo < -2147483648 || hi > 2147483647) width = 8;
        else if (lo < -32768 || hi > 32767) width = 4;
      }
      return ROBJ + jemSize(8 + width * n);
    }
    return ROBJ + DICT_STRUCT + dictBuckets(d.size) + d.bytes;
  }
}
