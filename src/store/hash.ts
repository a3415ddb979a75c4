/**
 * The hash value, in Redis's two encodings.
 *
 * "listpack" (small hashes): the whole hash is ONE latin1 JS string,
 *
 *     [len(field) field len(value) value] [len(field) field len(value) value] ...
 *
 * where each length is a little-endian base-128 varint (one char below 128, which covers every
 * field and value under the default 64-byte hash-max-listpack-value). Pairs keep insertion order,
 * an update keeps the pair in place and a delete closes the gap, exactly like Redis's listpack,
 * so HGETALL/HKEYS/HSCAN of a small hash answer in the same order as Redis.
 *
 * Why a string: every V8 heap object costs a header (a JS object ~24 bytes + 8 per field, an
 * array 32 + 8 per slot, a Map entry ~30+, each string 16 + length). A hash of 5 short pairs as
 * Map<string,string> costs ~600 bytes; as one sequential one-byte string it costs 16 bytes of
 * header plus its payload. Reads scan the string linearly with charCodeAt (no allocation except
 * the returned substring); writes rebuild it with one Array.join, which V8 turns into a flat
 * sequential string (a `+` concatenation would leave a rope of ConsStrings behind). Small hashes
 * only (hash-max-listpack-entries, default 512), so the linear cost is bounded as in Redis.
 *
 * "hashtable" (large hashes): fields and values in two parallel arrays plus a Map from field to
 * its slot. The arrays give O(1) fair random picks (HRANDFIELD); a delete moves the last pair into
 * the hole. The Map's insertion-ordered live iterator is what HSCAN cursors resume.
 *
 * Conversion goes one way (listpack → hashtable), when a field or value is longer than
 * hash-max-listpack-value or the hash grows past hash-max-listpack-entries; the thresholds are
 * passed in by the commands (they read the live config).
 */
import { ValueType, type RedisValue } from './values.js';
import { DICT_ENTRY, DICT_STRUCT, LP_OVERHEAD, ROBJ, dictBuckets, jemSize, sdsBytes } from './memsize.js';

// ---------------------------------------------------------------- packed string primitives

/** Cached one-char strings for the length prefixes 0..127. */
const SMALL_LEN: string[] = [];
for (let i = 0; i < 128; i++) SMALL_LEN.push(String.fromCharCode(i));

/** Varint length prefix. */
export function lenPrefix(n: number): string {
  if (n < 128) return SMALL_LEN[n];
  let s = '';
  while (n >= 128) {
    s += String.fromCharCode((n % 128) | 128);
    n = Math.floor(n / 128);
  }
  return s + String.fromCharCode(n);
}

let scratch = Buffer.allocUnsafe(4096);

/**
 * A flat sequential copy of `s`. V8 returns substrings of 13+ chars as slices that keep their
 * parent alive, and Array.join of a single non-empty part returns that part as is; a stored
 * packed string must own its bytes.
 */
export function flat(s: string): string {
  const n = s.length;
  if (n < 13) return s; // V8 makes no slices or ropes this short
  if (n > scratch.length) scratch = Buffer.allocUnsafe(Math.max(n, scratch.length * 2));
  scratch.latin1Write(s, 0, n);
  return scratch.latin1Slice(0, n);
}

/** Position right after the last prefix read by readLen (module scratch: no allocation). */
let rp = 0;

function readLen(s: string, p: number): number {
  let c = s.charCodeAt(p);
  if (c < 128) {
    rp = p + 1;
    return c;
  }
  let n = c & 127;
  let mul = 128;
  p++;
  for (;;) {
    c = s.charCodeAt(p++);
    if (c < 128) {
      n += c * mul;
      break;
    }
    n += (c & 127) * mul;
    mul *= 128;
  }
  rp = p;
  return n;
}

function sameAt(s: string, p: number, f: string, n: number): boolean {
  for (let i = 0; i < n; i++) if (s.charCodeAt(p + i) !== f.charCodeAt(i)) return false;
  return true;
}

/** Pairs counted by the last lpFind that did not find its field (the whole string was walked). */
let scanned = 0;

/** Position of the value's length prefix for `field`, or -1 (then `scanned` = number of pairs). */
function lpFind(s: string, field: string): number {
  const flen = field.length;
  const n = s.length;
  let p = 0;
  let pairs = 0;
  while (p < n) {
    const l = readLen(s, p);
    p = rp;
    if (l === flen && sameAt(s, p, field, l)) return p + l;
    p += l;
    const vl = readLen(s, p);
    p = rp + vl;
    pairs++;
  }
  scanned = pairs;
  return -1;
}

function lpCount(s: string): number {
  const n = s.length;
  let p = 0;
  let pairs = 0;
  while (p < n) {
    const l = readLen(s, p);
    p = rp + l;
    const vl = readLen(s, p);
    p = rp + vl;
    pairs++;
  }
  return pairs;
}

/** Encodes pairs as a packed string (one flat allocation). */
function lpEncode(fields: readonly string[], values: readonly string[]): string {
  const parts: string[] = [];
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    const v = values[i];
    parts.push(lenPrefix(f.length), f, lenPrefix(v.length), v);
  }
  return parts.join('');
}

/** Decodes a packed string into fresh flat strings (not slices that would pin the packed one). */
function lpDecode(s: string, fields: string[], values: string[], copy: boolean): void {
  const buf = copy && s.length > 0 ? Buffer.from(s, 'latin1') : null;
  const n = s.length;
  let p = 0;
  while (p < n) {
    const l = readLen(s, p);
    p = rp;
    fields.push(buf ? buf.latin1Slice(p, p + l) : s.slice(p, p + l));
    p += l;
    const vl = readLen(s, p);
    p = rp;
    values.push(buf ? buf.latin1Slice(p, p + vl) : s.slice(p, p + vl));
    p += vl;
  }
}

// ---------------------------------------------------------------- hashtable encoding

class HashTable {
  /** field → slot in fields/values. */
  readonly index = new Map<string, number>();
  readonly fields: string[] = [];
  readonly values: string[] = [];
  /** Redis's allocations for the pairs: a dictEntry and two sds strings each (kept on every change). */
  bytes = 0;

  get size(): number {
    return this.fields.length;
  }

  get(f: string): string | undefined {
    const i = this.index.get(f);
    return i === undefined ? undefined : this.values[i];
  }

  /** Returns true when the field was created, false when its value was replaced. */
  set(f: string, v: string): boolean {
    const i = this.index.get(f);
    if (i !== undefined) {
      this.bytes += sdsBytes(v.length) - sdsBytes(this.values[i].length);
      this.values[i] = v;
      return false;
    }
    this.index.set(f, this.fields.length);
    this.fields.push(f);
    this.values.push(v);
    this.bytes += DICT_ENTRY + sdsBytes(f.length) + sdsBytes(v.length);
    return true;
  }

  /** Recomputes `bytes` after the arrays were filled directly. */
  recount(): void {
    let b = 0;
    for (let i = 0; i < this.fields.length; i++) b += DICT_ENTRY + sdsBytes(this.fields[i].length) + sdsBytes(this.values[i].length);
    this.bytes = b;
  }

  delete(f: string): boolean {
    const i = this.index.get(f);
    if (i === undefined) return false;
    this.bytes -= DICT_ENTRY + sdsBytes(f.length) + sdsBytes(this.values[i].length);
    const last = this.fields.length - 1;
    if (i !== last) {
      const lf = this.fields[last];
      this.fields[i] = lf;
      this.values[i] = this.values[last];
      this.index.set(lf, i);
    }
    this.fields.pop();
    this.values.pop();
    this.index.delete(f);
    return true;
  }
}

// ---------------------------------------------------------------- the value

/** Rough V8 size of a sequential one-byte string of n chars. */
export function stringBytes(n: number): number {
  return (16 + n + 7) & ~7;
}

export class HashValue implements RedisValue {
  lru = 0;
  /** Snapshot stamp (see persistence/snapshot.ts): the epoch this value was last written at. */
  sv = 0;
  /** Packed string (listpack) or HashTable (hashtable). One field keeps the object at 40 bytes. */
  private d: string | HashTable;

  constructor() {
    this.d = '';
  }

  /** A small hash from an already packed string (RDB loading: see listpackToPackedHash). */
  static fromPacked(packed: string): HashValue {
    const h = new HashValue();
    h.d = packed;
    return h;
  }

  get type(): ValueType.Hash {
    return ValueType.Hash;
  }

  encoding(): string {
    return typeof this.d === 'string' ? 'listpack' : 'hashtable';
  }

  get isListpack(): boolean {
    return typeof this.d === 'string';
  }

  /** The packed listpack string (for an RDB writer or tests), or null when a hashtable. */
  get packed(): string | null {
    return typeof this.d === 'string' ? this.d : null;
  }

  get length(): number {
    const d = this.d;
    return typeof d === 'string' ? lpCount(d) : d.size;
  }

  /** True when the hash has no field left (O(1), unlike `length` for a listpack). */
  get isEmpty(): boolean {
    const d = this.d;
    return typeof d === 'string' ? d.length === 0 : d.size === 0;
  }

  get(field: string): string | undefined {
    const d = this.d;
    if (typeof d !== 'string') return d.get(field);
    const p = lpFind(d, field);
    if (p < 0) return undefined;
    const l = readLen(d, p);
    return d.slice(rp, rp + l);
  }

  has(field: string): boolean {
    const d = this.d;
    return typeof d === 'string' ? lpFind(d, field) >= 0 : d.index.has(field);
  }

  /** Length of a field's value, 0 when missing (HSTRLEN). */
  strlen(field: string): number {
    const d = this.d;
    if (typeof d !== 'string') return d.get(field)?.length ?? 0;
    const p = lpFind(d, field);
    return p < 0 ? 0 : readLen(d, p);
  }

  /** Converts to the hashtable encoding (one way, like Redis). */
  convert(): void {
    const d = this.d;
    if (typeof d !== 'string') return;
    const t = new HashTable();
    lpDecode(d, t.fields, t.values, true);
    for (let i = 0; i < t.fields.length; i++) t.index.set(t.fields[i], i);
    t.recount();
    this.d = t;
  }

  /**
   * Sets one field (HSETNX, HINCRBY*): converts first when the field or value is longer than
   * `maxValue`, and after inserting when the hash has more than `maxEntries` fields.
   * Returns true when the field was created, false when updated.
   */
  set(field: string, value: string, maxEntries: number, maxValue: number): boolean {
    let d = this.d;
    if (typeof d === 'string' && (field.length > maxValue || value.length > maxValue)) {
      this.convert();
      d = this.d;
    }
    if (typeof d !== 'string') return d.set(field, value);
    const p = lpFind(d, field);
    if (p >= 0) {
      const vl = readLen(d, p);
      const end = rp + vl;
      this.d = [d.slice(0, p), lenPrefix(value.length), value, d.slice(end)].join('');
      return false;
    }
    const count = scanned + 1;
    this.d = [d, lenPrefix(field.length), field, lenPrefix(value.length), value].join('');
    if (count > maxEntries) this.convert();
    return true;
  }

  /**
   * HSET/HMSET: sets argv[start], argv[start+1], ... pairs. Like Redis, any argument longer than
   * `maxValue` converts before inserting. Returns the number of fields created.
   */
  setMany(argv: readonly string[], start: number, maxEntries: number, maxValue: number): number {
    const n = argv.length;
    if (typeof this.d === 'string') {
      for (let i = start; i < n; i++) {
        if (argv[i].length > maxValue) {
          this.convert();
          break;
        }
      }
    }
    const d = this.d;
    if (typeof d !== 'string') {
      let created = 0;
      for (let i = start; i + 1 < n; i += 2) if (d.set(argv[i], argv[i + 1])) created++;
      return created;
    }
    if (n - start === 2) return this.set(argv[start], argv[start + 1], maxEntries, maxValue) ? 1 : 0;
    if (d === '') return this.buildFresh(argv, start, maxEntries);
    // Existing small hash, several pairs: decode, apply, encode once.
    const fields: string[] = [];
    const values: string[] = [];
    lpDecode(d, fields, values, false);
    const at = new Map<string, number>();
    for (let i = 0; i < fields.length; i++) at.set(fields[i], i);
    let created = 0;
    for (let i = start; i + 1 < n; i += 2) {
      const f = argv[i];
      const j = at.get(f);
      if (j !== undefined) values[j] = argv[i + 1];
      else {
        at.set(f, fields.length);
        fields.push(f);
        values.push(argv[i + 1]);
        created++;
      }
    }
    this.d = lpEncode(fields, values);
    if (fields.length > maxEntries) this.convert();
    return created;
  }

  /** A new hash from pairs (the common HSET/HMSET-creates-the-key path): one string, no decode. */
  private buildFresh(argv: readonly string[], start: number, maxEntries: number): number {
    const n = argv.length;
    const parts: string[] = [];
    let created = 0;
    const pairs = (n - start) >> 1;
    // Duplicate fields in one command: the last value wins, at the first field's position.
    const seen = pairs > 16 ? new Map<string, number>() : null;
    for (let i = start; i + 1 < n; i += 2) {
      const f = argv[i];
      let dup = -1;
      if (seen !== null) {
        const j = seen.get(f);
        if (j !== undefined) dup = j;
        else seen.set(f, parts.length);
      } else {
        for (let k = 1; k < parts.length; k += 4) {
          if (parts[k] === f) {
            dup = k - 1;
            break;
          }
        }
      }
      const v = argv[i + 1];
      if (dup >= 0) {
        parts[dup + 2] = lenPrefix(v.length);
        parts[dup + 3] = v;
      } else {
        parts.push(lenPrefix(f.length), f, lenPrefix(v.length), v);
        created++;
      }
    }
    this.d = parts.join('');
    if (created > maxEntries) this.convert();
    return created;
  }

  delete(field: string): boolean {
    const d = this.d;
    if (typeof d !== 'string') return d.delete(field);
    const p = lpFind(d, field);
    if (p < 0) return false;
    const vl = readLen(d, p);
    const end = rp + vl;
    // Walk back from the value prefix to the field's own prefix.
    const fl = field.length;
    const fstart = p - fl - (fl < 128 ? 1 : lenPrefix(fl).length);
    if (fstart === 0) this.d = flat(d.slice(end));
    else if (end === d.length) this.d = flat(d.slice(0, fstart));
    else this.d = [d.slice(0, fstart), d.slice(end)].join('');
    return true;
  }

  /** Calls fn for every pair, in the encoding's order. */
  forEach(fn: (field: string, value: string) => void): void {
    const d = this.d;
    if (typeof d !== 'string') {
      const { fields, values } = d;
      for (let i = 0; i < fields.length; i++) fn(fields[i], values[i]);
      return;
    }
    const n = d.length;
    let p = 0;
    while (p < n) {
      const l = readLen(d, p);
      const f = d.slice(rp, rp + l);
      p = rp + l;
      const vl = readLen(d, p);
      const v = d.slice(rp, rp + vl);
      p = rp + vl;
      fn(f, v);
    }
  }

  /** Field/value pairs, in the encoding's order. */
  entries(): [string, string][] {
    const out: [string, string][] = [];
    this.forEach((f, v) => out.push([f, v]));
    return out;
  }

  /** All fields and values as two arrays (for random sampling with a count). */
  toArrays(): { fields: string[]; values: string[] } {
    const d = this.d;
    if (typeof d !== 'string') return { fields: d.fields.slice(), values: d.values.slice() };
    const fields: string[] = [];
    const values: string[] = [];
    lpDecode(d, fields, values, false);
    return { fields, values };
  }

  /**
   * The pair at position i (0 ≤ i < length), as [field, value]. O(1) for a hashtable, a scan
   * for a listpack (bounded by hash-max-listpack-entries).
   */
  pairAt(i: number): [string, string] {
    const d = this.d;
    if (typeof d !== 'string') return [d.fields[i], d.values[i]];
    let p = 0;
    for (;;) {
      const l = readLen(d, p);
      const fstart = rp;
      p = rp + l;
      const vl = readLen(d, p);
      if (i === 0) return [d.slice(fstart, fstart + l), d.slice(rp, rp + vl)];
      p = rp + vl;
      i--;
    }
  }

  /** A uniformly random pair of a non-empty hash. */
  randomPair(): [string, string] {
    return this.pairAt(Math.floor(Math.random() * this.length));
  }

  /** What a SCAN cursor iterates for the hashtable encoding (fields); null for a listpack. */
  scanSource(): ReadonlyMap<string, number> | null {
    const d = this.d;
    return typeof d === 'string' ? null : d.index;
  }

  /** Deep copy with the same encoding (COPY). */
  clone(): HashValue {
    const h = new HashValue();
    const d = this.d;
    if (typeof d === 'string') {
      h.d = d; // immutable: sharing the string is a copy
    } else {
      const t = new HashTable();
      for (let i = 0; i < d.fields.length; i++) {
        t.fields.push(d.fields[i]);
        t.values.push(d.values[i]);
        t.index.set(d.fields[i], i);
      }
      t.bytes = d.bytes;
      h.d = t;
    }
    return h;
  }

  /**
   * Bytes Redis would hold for this value (objectComputeSize with every element): the robj and
   * the listpack, or the dict, its buckets and per pair a dictEntry and two sds strings.
   */
  memoryUsage(): number {
    const d = this.d;
    if (typeof d === 'string') return ROBJ + jemSize(LP_OVERHEAD + packedListpackBytes(d));
    return ROBJ + DICT_STRUCT + dictBuckets(d.size) + d.bytes;
  }
}

/** Listpack entry bytes of a packed hash (fields and values, integers as integers); bounded by the listpack limits. */
function packedListpackBytes(s: string): number {
  const n = s.length;
  let p = 0;
  let bytes = 0;
  while (p < n) {
    const l = readLen(s, p);
    p = rp;
    bytes += l <= 18 ? smallEntryBytes(s, p, l) : lpEntryBytes1(l);
    p += l;
  }
  return bytes;
}

/**
 * Listpack bytes of the entry s[p, p+l) with l <= 18, read in place: canonical integers (no
 * leading zero, no "-0") are stored as integers, by range; anything else as a string.
 */
function smallEntryBytes(s: string, p: number, l: number): number {
  if (l === 0) return 2;
  let i = p;
  const end = p + l;
  let neg = false;
  if (s.charCodeAt(i) === 45) {
    if (l === 1) return 3;
    neg = true;
    i++;
  }
  const first = s.charCodeAt(i);
  if (first < 48 || first > 57 || (first === 48 && end - i > 1) || (neg && first === 48)) return lpEntryBytes1(l);
  let v = 0;
  for (; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return lpEntryBytes1(l);
    v = v * 10 + (c - 48);
  }
  if (neg) v = -v;
  if (v >= 0 && v <= 127) return 2;
  if (v >= -4096 && v <= 4095) return 3;
  if (v >= -32768 && v <= 32767) return 4;
  if (v >= -8388608 && v <= 8388607) return 5;
  if (v >= -2147483648 && v <= 2147483647) return 6;
  return 10;
}

/** Listpack bytes of a string entry of n bytes that is not an integer. */
function lpEntryBytes1(n: number): number {
  const enc = n < 64 ? 1 + n : n < 4096 ? 2 + n : 5 + n;
  return enc + (enc < 128 ? 1 : enc < 16384 ? 2 : enc < 2097152 ? 3 : 4);
}
