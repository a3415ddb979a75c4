import { ROBJ, jemSize, sdsBytes } from './memsize.js';

/**
 * Value objects stored in the keyspace. Every value carries the type tag and the access clock
 * (LRU seconds or LFU counter, as Redis keeps in its robj) so OBJECT IDLETIME/FREQ and eviction
 * work for every key.
 *
 * Strings are kept as latin1 JS strings (compact, immutable, cheap to write to a socket). The
 * commands that modify a string in place (APPEND, SETRANGE, SETBIT, BITFIELD) switch it to a
 * growable Buffer so repeated edits are not quadratic; Redis reports such strings as "raw".
 */

export const enum ValueType {
  String = 0,
  List = 1,
  Set = 2,
  ZSet = 3,
  Hash = 4,
  Stream = 6,
}

export const TYPE_NAMES: Record<number, string> = {
  0: 'string',
  1: 'list',
  2: 'set',
  3: 'zset',
  4: 'hash',
  6: 'stream',
};

export interface RedisValue {
  readonly type: ValueType;
  /** LRU clock (seconds) or, under an LFU policy, the packed LFU data, like Redis's robj.lru. */
  lru: number;
  /**
   * Snapshot stamp: the keyspace epoch at which this value was stored or last preserved. A
   * snapshot taken at epoch `cut` must still write values with `sv < cut` (persistence/snapshot.ts).
   */
  sv: number;
  /** Redis's OBJECT ENCODING name for the current representation. */
  encoding(): string;
  /** Approximate bytes the value holds (MEMORY USAGE, eviction accounting). */
  memoryUsage(): number;
  /** Deep copy (COPY, snapshots). */
  clone(): RedisValue;
}

/** Heap bytes of a one-byte V8 string of n chars (16-byte header, 8-byte alignment). */
export function stringBytes(n: number): number {
  return (16 + n + 7) & ~7;
}

const EMBSTR_LIMIT = 44;

/** True if `s` is the canonical text of an integer in the signed 64-bit range (string2ll rules). */
export function isIntegerText(s: string): boolean {
  const n = s.length;
  if (n === 0 || n > 20) return false;
  let i = 0;
  if (s.charCodeAt(0) === 45) {
    if (n === 1) return false;
    i = 1;
  }
  if (s.charCodeAt(i) === 48) return n === 1; // "0" only; "-0" and leading zeros are not canonical
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  if (n >= 19) {
    try {
      const b = BigInt(s);
      return b >= -(2n ** 63n) && b <= 2n ** 63n - 1n;
    } catch {
      return false;
    }
  }
  return true;
}

export class StringValue implements RedisValue {
  readonly type = ValueType.String;
  lru = 0;
  /** Snapshot stamp (see persistence/snapshot.ts): the epoch this value was last written at. */
  sv = 0;
  /** The value as a latin1 string, or null while `buf` holds the authoritative bytes. */
  private str: string | null;
  /** Growable backing store used once the value is modified in place. */
  private buf: Buffer | null = null;
  private blen = 0;

  constructor(value: string) {
    this.str = value;
  }

  static fromBuffer(b: Buffer): StringValue {
    const v = new StringValue('');
    v.str = null;
    v.buf = b;
    v.blen = b.length;
    return v;
  }

  get length(): number {
    return this.str !== null ? this.str.length : this.blen;
  }

  /** True once the value has been modified in place (Redis: "raw" sds). */
  get isRaw(): boolean {
    return this.buf !== null;
  }

  toString(): string {
    if (this.str === null) this.str = this.buf!.latin1Slice(0, this.blen);
    return this.str;
  }

  /** Bytes view (valid until the next mutation). */
  bytes(): Buffer {
    if (this.buf === null) {
      const s = this.str!;
      // Exactly the length: a read must not change the value's accounted size (memoryUsage).
      const b = Buffer.allocUnsafe(s.length);
      b.latin1Write(s, 0, s.length);
      this.buf = b;
      this.blen = s.length;
    }
    return this.buf.subarray(0, this.blen);
  }

  /** Makes the value mutable with at least `size` bytes, zero-filling new bytes; returns the buffer. */
  mutable(size: number): Buffer {
    this.bytes();
    if (size > this.buf!.length) {
      const next = Buffer.alloc(Math.max(size, Math.min(this.buf!.length * 2, size + 1024 * 1024)));
      this.buf!.copy(next, 0, 0, this.blen);
      this.buf = next;
    } else if (size > this.blen) {
      this.buf!.fill(0, this.blen, size);
    }
    if (size > this.blen) this.blen = size;
    this.str = null;
    return this.buf!;
  }

  /** Sets the length to `n`: grows with zero bytes like mutable(), or drops the tail (HLL sparse edits). */
  resize(n: number): Buffer {
    const b = this.mutable(n);
    this.blen = n;
    return b;
  }

  append(s: string): number {
    const start = this.length;
    const b = this.mutable(start + s.length);
    b.latin1Write(s, start, s.length);
    return this.blen;
  }

  /**
   * Bytes Redis would hold: a bare robj for an integer, robj and sds in one allocation for an
   * embstr, robj plus a separate sds for a raw string, with its spare room once grown in place.
   * It depends only on what writes change (the length, the spare room), never on the caches
   * reads fill (bytes(), toString()), so a read leaves the accounted figure as it was.
   */
  memoryUsage(): number {
    const n = this.length;
    if (this.buf !== null && this.buf.length > n) return ROBJ + sdsBytes(this.buf.length);
    if (n <= 20 && isIntegerText(this.toString())) return ROBJ;
    if (n <= EMBSTR_LIMIT) return jemSize(ROBJ + 3 + n + 1);
    return ROBJ + sdsBytes(n);
  }

  clone(): StringValue {
    if (this.buf === null) return new StringValue(this.str!);
    return StringValue.fromBuffer(Buffer.from(this.buf.subarray(0, this.blen)));
  }

  encoding(): string {
    if (this.buf !== null) return 'raw';
    const s = this.str!;
    if (s.length <= 20 && isIntegerText(s)) return 'int';
    return s.length <= EMBSTR_LIMIT ? 'embstr' : 'raw';
  }
}
