/**
 * The compact blob encodings found inside RDB values, as plain data:
 *
 *   listpack (7.0+ hashes, zsets, list nodes, stream nodes; 7.2 sets)
 *   ziplist  (≤ 6.2 hashes, zsets, list nodes)
 *   intset   (integer sets)
 *   zipmap   (≤ 2.4 hashes)
 *
 * Decoders take a Buffer and a byte range and append latin1 strings (one char per byte; integer
 * elements become their decimal text) to a caller-provided array, or, where numbers matter
 * (zset scores, stream node metadata), produce numbers. Everything is validated as it is
 * walked: a malformed blob throws EncodingError with the offset inside the blob, never reads
 * outside its range, and never returns partial data.
 *
 * Encoders write into a growable scratch Buffer (ListpackBuilder) so a writer can produce a blob
 * without allocating per element.
 */

export class EncodingError extends Error {
  constructor(
    message: string,
    /** Offset inside the blob where the problem was found. */
    readonly blobOffset: number,
  ) {
    super(message);
  }
}

// ------------------------------------------------------------------ small shared helpers

/**
 * latin1 text of buf[s, e). Short strings are built with String.fromCharCode (no native call),
 * which is 2-3 times faster than Buffer#latin1Slice for the field/value sizes typical of
 * small hashes.
 */
export function latin1(b: Uint8Array, s: number, e: number): string {
  switch (e - s) {
    case 0:
      return '';
    case 1:
      return String.fromCharCode(b[s]);
    case 2:
      return String.fromCharCode(b[s], b[s + 1]);
    case 3:
      return String.fromCharCode(b[s], b[s + 1], b[s + 2]);
    case 4:
      return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3]);
    case 5:
      return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4]);
    case 6:
      return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5]);
    case 7:
      return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6]);
    case 8:
      return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7]);
    case 9:
      return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8]);
    case 10:
      return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9]);
    case 11:
      return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10]);
    case 12:
      return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11]);
    case 13:
      return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12]);
    case 14:
      return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13]);
    case 15:
      return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14]);
    case 16:
      return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15]);
    case 17:
      return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16]);
    case 18:
      return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16], b[s + 17]);
    case 19:
      return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16], b[s + 17], b[s + 18]);
    case 20:
      return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16], b[s + 17], b[s + 18], b[s + 19]);
    case 21:
      return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16], b[s + 17], b[s + 18], b[s + 19], b[s + 20]);
    case 22:
      return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16], b[s + 17], b[s + 18], b[s + 19], b[s + 20], b[s + 21]);
    case 23:
      return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16], b[s + 17], b[s + 18], b[s + 19], b[s + 20], b[s + 21], b[s + 22]);
    case 24:
      return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16], b[s + 17], b[s + 18], b[s + 19], b[s + 20], b[s + 21], b[s + 22], b[s + 23]);
    default:
      return (b as Buffer).latin1Slice(s, e);
  }
}

/** Writes the latin1 string `s` at `pos` (the caller made room); returns the new position. */
export function writeLatin1(b: Buffer, pos: number, s: string): number {
  const n = s.length;
  if (n <= 16) {
    for (let k = 0; k < n; k++) b[pos + k] = s.charCodeAt(k);
  } else {
    b.latin1Write(s, pos, n);
  }
  return pos + n;
}

const TWO63 = 2n ** 63n;

/**
 * If `s` is the canonical decimal text of a signed 64-bit integer (Redis's string2ll rules: an
 * optional '-', no leading zeros, no '+', no spaces, "-0" rejected), returns it as a number (or
 * a bigint beyond ±2^53); otherwise null.
 */
export function canonicalInt(s: string): number | bigint | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  let c = s.charCodeAt(0);
  let i = 0;
  let neg = false;
  if (c === 45) {
    if (n === 1) return null;
    neg = true;
    i = 1;
    c = s.charCodeAt(1);
  }
  if (c < 49 || c > 57) return c === 48 && n === 1 ? 0 : null; // leading zero only for "0"
  if (n - i <= 15) {
    let v = 0;
    for (; i < n; i++) {
      const d = s.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return null;
      v = v * 10 + d;
    }
    return neg ? -v : v;
  }
  for (let k = i; k < n; k++) {
    const d = s.charCodeAt(k);
    if (d < 48 || d > 57) return null;
  }
  const b = BigInt(s);
  if (b >= TWO63 || b < -TWO63) return null;
  if (b >= -9007199254740991n && b <= 9007199254740991n) return Number(b);
  return b;
}

function readInt64LE(b: Uint8Array, p: number): number | bigint {
  const lo = (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
  const hi = b[p + 4] | (b[p + 5] << 8) | (b[p + 6] << 16) | (b[p + 7] << 24); // signed
  if (hi >= -0x200000 && hi < 0x200000) return hi * 4294967296 + lo;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

function intText(v: number | bigint): string {
  return typeof v === 'number' ? String(v) : v.toString();
}

// ------------------------------------------------------------------ listpack

/** Bytes the backlen of an element whose encoding+data is `l` bytes long takes. */
export function lpBacklenSize(l: number): number {
  return l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
}

/**
 * Walks a listpack. For every element calls `onStr(start, end)` for string elements or
 * `onInt(value)` for integer elements. Returns the number of elements.
 */
function lpWalk(b: Uint8Array, start: number, end: number, onStr: (s: number, e: number) => void, onInt: (v: number | bigint) => void): number {
  const size = end - start;
  if (size < 7) throw new EncodingError(`listpack too short (${size} bytes)`, 0);
  const total = (b[start] | (b[start + 1] << 8) | (b[start + 2] << 16) | (b[start + 3] << 24)) >>> 0;
  if (total !== size) throw new EncodingError(`listpack header says ${total} bytes, blob has ${size}`, 0);
  const declared = b[start + 4] | (b[start + 5] << 8);
  if (b[end - 1] !== 0xff) throw new EncodingError('listpack does not end with 0xFF', size - 1);
  let p = start + 6;
  const last = end - 1;
  let count = 0;
  while (p < last) {
    const e0 = b[p];
    const elStart = p;
    let dataEnd: number;
    if (e0 < 0x80) {
      dataEnd = p + 1;
      onInt(e0);
    } else if (e0 < 0xc0) {
      const len = e0 & 0x3f;
      dataEnd = p + 1 + len;
      if (dataEnd > last) throw new EncodingError('listpack string past the end', p - start);
      onStr(p + 1, dataEnd);
    } else if (e0 < 0xe0) {
      if (p + 2 > last) throw new EncodingError('listpack integer past the end', p - start);
      let v = ((e0 & 0x1f) << 8) | b[p + 1];
      if (v >= 4096) v -= 8192;
      dataEnd = p + 2;
      onInt(v);
    } else if (e0 < 0xf0) {
      if (p + 2 > last) throw new EncodingError('listpack string past the end', p - start);
      const len = ((e0 & 0x0f) << 8) | b[p + 1];
      dataEnd = p + 2 + len;
      if (dataEnd > last) throw new EncodingError('listpack string past the end', p - start);
      onStr(p + 2, dataEnd);
    } else {
      switch (e0) {
        case 0xf0: {
          if (p + 5 > last) throw new EncodingError('listpack string past the end', p - start);
          const len = (b[p + 1] | (b[p + 2] << 8) | (b[p + 3] << 16) | (b[p + 4] << 24)) >>> 0;
          dataEnd = p + 5 + len;
          if (dataEnd > last) throw new EncodingError('listpack string past the end', p - start);
          onStr(p + 5, dataEnd);
          break;
        }
        case 0xf1:
          if (p + 3 > last) throw new EncodingError('listpack integer past the end', p - start);
          onInt(((b[p + 1] | (b[p + 2] << 8)) << 16) >> 16);
          dataEnd = p + 3;
          break;
        case 0xf2:
          if (p + 4 > last) throw new EncodingError('listpack integer past the end', p - start);
          onInt(((b[p + 1] | (b[p + 2] << 8) | (b[p + 3] << 16)) << 8) >> 8);
          dataEnd = p + 4;
          break;
        case 0xf3:
          if (p + 5 > last) throw new EncodingError('listpack integer past the end', p - start);
          onInt(b[p + 1] | (b[p + 2] << 8) | (b[p + 3] << 16) | (b[p + 4] << 24));
          dataEnd = p + 5;
          break;
        case 0xf4:
          if (p + 9 > last) throw new EncodingError('listpack integer past the end', p - start);
          onInt(readInt64LE(b, p + 1));
          dataEnd = p + 9;
          break;
        default:
          throw new EncodingError(`invalid listpack encoding byte 0x${e0.toString(16)}`, p - start);
      }
    }
    // backlen: the size of encoding+data, stored so it can be read backwards
    const l = dataEnd - elStart;
    const bl = lpBacklenSize(l);
    if (dataEnd + bl > last) throw new EncodingError('listpack element backlen past the end', dataEnd - start);
    if (bl === 1 ? b[dataEnd] !== l : !backlenMatches(b, dataEnd, bl, l)) {
      throw new EncodingError('listpack element has a wrong backlen', dataEnd - start);
    }
    p = dataEnd + bl;
    count++;
  }
  if (p !== last) throw new EncodingError('listpack elements overrun the end marker', p - start);
  if (declared !== 65535 && declared !== count) {
    throw new EncodingError(`listpack header says ${declared} elements, found ${count}`, 4);
  }
  return count;
}

function backlenMatches(b: Uint8Array, p: number, bl: number, l: number): boolean {
  // bytes from p: most significant 7-bit group first (bit 7 clear), then groups with bit 7 set
  let v = 0;
  for (let k = 0; k < bl; k++) {
    const x = b[p + k];
    if ((k === 0) !== ((x & 0x80) === 0)) return false;
    v = v * 128 + (x & 0x7f);
  }
  return v === l;
}

/** Module-level sinks so the hot decoders pass monomorphic closures allocated once. */
let sinkStrings: string[] = [];
let sinkBuf: Uint8Array = new Uint8Array(0);
const strSinkStr = (s: number, e: number): void => {
  sinkStrings.push(latin1(sinkBuf, s, e));
};
const strSinkInt = (v: number | bigint): void => {
  sinkStrings.push(typeof v === 'number' ? String(v) : v.toString());
};

/** Appends every element of the listpack b[start, end) to `out` as latin1 text; returns the count. */
export function listpackToStrings(b: Uint8Array, start: number, end: number, out: string[]): number {
  const prevOut = sinkStrings;
  const prevBuf = sinkBuf;
  sinkStrings = out;
  sinkBuf = b;
  try {
    return lpWalk(b, start, end, strSinkStr, strSinkInt);
  } finally {
    sinkStrings = prevOut;
    sinkBuf = prevBuf;
  }
}

// A sink that re-encodes elements straight into the keyspace's packed small-hash format
// (varint length + bytes per element, see store/hash.ts), with no string per element.
let packOut = Buffer.allocUnsafe(64 * 1024);
let packLen = 0;
let packMaxValue = 0;
let packTooLong = false;
function packReserve(n: number): void {
  if (packLen + n <= packOut.length) return;
  const bigger = Buffer.allocUnsafe(Math.max(packOut.length * 2, packLen + n));
  packOut.copy(bigger, 0, 0, packLen);
  packOut = bigger;
}
function packPrefix(n: number): void {
  while (n >= 128) {
    packOut[packLen++] = (n % 128) | 128;
    n = Math.floor(n / 128);
  }
  packOut[packLen++] = n;
}
const packSinkStr = (s: number, e: number): void => {
  const n = e - s;
  if (n > packMaxValue) packTooLong = true;
  packReserve(n + 5);
  packPrefix(n);
  // Elements are short: a byte loop beats creating a subarray view per element.
  const out = packOut;
  const src = sinkBuf;
  let o = packLen;
  for (let i = s; i < e; i++) out[o++] = src[i];
  packLen = o;
};
const packSinkInt = (v: number | bigint): void => {
  const t = typeof v === 'number' ? String(v) : v.toString();
  packReserve(t.length + 1);
  packOut[packLen++] = t.length;
  packLen += packOut.latin1Write(t, packLen);
};

/**
 * A listpack hash b[start, end) as the keyspace's packed small-hash string, or null when an
 * element is longer than `maxValue` (the hash must then be a hashtable) or the count is odd.
 */
export function listpackToPackedHash(b: Uint8Array, start: number, end: number, maxValue: number): { packed: string; elements: number } | null {
  const prevBuf = sinkBuf;
  sinkBuf = b;
  packLen = 0;
  packMaxValue = maxValue;
  packTooLong = false;
  try {
    const elements = lpWalk(b, start, end, packSinkStr, packSinkInt);
    if (packTooLong || elements % 2 !== 0) return null;
    return { packed: packOut.latin1Slice(0, packLen), elements };
  } finally {
    sinkBuf = prevBuf;
  }
}

/** A listpack element as plain data: text, or an integer. */
export type LpValue = string | number | bigint;

/** All elements of a listpack, integers kept as numbers (bigint beyond ±2^53). */
export function listpackToValues(b: Uint8Array, start: number, end: number): LpValue[] {
  const out: LpValue[] = [];
  lpWalk(
    b,
    start,
    end,
    (s, e) => out.push(latin1(b, s, e)),
    (v) => out.push(v),
  );
  return out;
}

// ------------------------------------------------------------------ listpack builder

/**
 * Builds a listpack in a reusable scratch buffer: reset(), add elements, finish() → length.
 * The blob is then buf[0, length).
 */
export class ListpackBuilder {
  buf: Buffer;
  pos = 6;
  count = 0;

  constructor(initial = 4096) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  reset(): void {
    this.pos = 6;
    this.count = 0;
  }

  /** Current blob size if finish() were called now (for fill decisions). */
  get size(): number {
    return this.pos + 1;
  }

  private ensure(n: number): void {
    if (this.pos + n > this.buf.length) {
      let cap = this.buf.length * 2;
      while (cap < this.pos + n) cap *= 2;
      const nb = Buffer.allocUnsafe(cap);
      this.buf.copy(nb, 0, 0, this.pos);
      this.buf = nb;
    }
  }

  private backlen(l: number): void {
    const b = this.buf;
    let p = this.pos;
    if (l <= 127) {
      b[p++] = l;
    } else {
      const bl = lpBacklenSize(l);
      for (let k = bl - 1; k >= 0; k--) {
        const group = Math.floor(l / 128 ** k) & 0x7f;
        b[p++] = k === bl - 1 ? group : group | 0x80;
      }
    }
    this.pos = p;
  }

  /**
   * Writes a string element's encoding byte(s) for `n` bytes of data (room for the data and
   * its backlen is reserved); returns the header size.
   */
  private stringHeader(n: number): number {
    this.ensure(n + 10);
    const b = this.buf;
    let p = this.pos;
    let hdr: number;
    if (n < 64) {
      b[p++] = 0x80 | n;
      hdr = 1;
    } else if (n < 4096) {
      b[p++] = 0xe0 | (n >>> 8);
      b[p++] = n & 0xff;
      hdr = 2;
    } else {
      b[p++] = 0xf0;
      b[p++] = n & 0xff;
      b[p++] = (n >>> 8) & 0xff;
      b[p++] = (n >>> 16) & 0xff;
      b[p++] = (n >>> 24) & 0xff;
      hdr = 5;
    }
    this.pos = p;
    return hdr;
  }

  /** Adds a string element, stored as an integer when it is a canonical int64 (like Redis). */
  add(s: string): void {
    // canonicalInt rejects non-numbers on their first character.
    const v = canonicalInt(s);
    if (v !== null) this.addInt(v);
    else this.addRawString(s);
  }

  /**
   * Adds s[start, end) as an element without creating the substring (the RDB writer's path for
   * packed small hashes). Text that may be an integer goes through add() for its encoding.
   */
  addRange(s: string, start: number, end: number): void {
    const n = end - start;
    if (n > 0 && n <= 20) {
      const c = s.charCodeAt(start);
      if ((c >= 48 && c <= 57) || c === 45) {
        this.add(s.slice(start, end));
        return;
      }
    }
    const hdr = this.stringHeader(n);
    const b = this.buf;
    let p = this.pos;
    for (let i = start; i < end; i++) b[p++] = s.charCodeAt(i);
    this.pos = p;
    this.backlen(hdr + n);
    this.count++;
  }

  /** Adds a string element without trying the integer encoding. */
  addRawString(s: string): void {
    const n = s.length;
    const hdr = this.stringHeader(n);
    const b = this.buf;
    let p = this.pos;
    p = writeLatin1(b, p, s);
    this.pos = p;
    this.backlen(hdr + n);
    this.count++;
  }

  /** Adds a string element from raw bytes (no integer detection). */
  addBytes(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    const hdr = this.stringHeader(n);
    const b = this.buf;
    let p = this.pos;
    b.set(src.subarray(start, end), p);
    this.pos = p + n;
    this.backlen(hdr + n);
    this.count++;
  }

  /** Adds an integer element with the smallest integer encoding. */
  addInt(v: number | bigint): void {
    this.ensure(10);
    const b = this.buf;
    let p = this.pos;
    if (typeof v === 'bigint') {
      if (v >= -9007199254740991n && v <= 9007199254740991n) {
        this.addInt(Number(v));
        return;
      }
      b[p] = 0xf4;
      b.writeBigInt64LE(v, p + 1);
      this.pos = p + 9;
      this.backlen(9);
      this.count++;
      return;
    }
    let l: number;
    if (v >= 0 && v <= 127) {
      b[p++] = v;
      l = 1;
    } else if (v >= -4096 && v <= 4095) {
      const u = v < 0 ? v + 8192 : v;
      b[p++] = 0xc0 | (u >>> 8);
      b[p++] = u & 0xff;
      l = 2;
    } else if (v >= -32768 && v <= 32767) {
      b[p++] = 0xf1;
      b[p++] = v & 0xff;
      b[p++] = (v >> 8) & 0xff;
      l = 3;
    } else if (v >= -8388608 && v <= 8388607) {
      b[p++] = 0xf2;
      b[p++] = v & 0xff;
      b[p++] = (v >> 8) & 0xff;
      b[p++] = (v >> 16) & 0xff;
      l = 4;
    } else if (v >= -2147483648 && v <= 2147483647) {
      b[p++] = 0xf3;
      b[p++] = v & 0xff;
      b[p++] = (v >> 8) & 0xff;
      b[p++] = (v >> 16) & 0xff;
      b[p++] = (v >> 24) & 0xff;
      l = 5;
    } else {
      b[p++] = 0xf4;
      b.writeBigInt64LE(BigInt(v), p);
      p += 8;
      l = 9;
    }
    this.pos = p;
    this.backlen(l);
    this.count++;
  }

  /** Writes the header and end byte; returns the blob length (blob = buf[0, length)). */
  finish(): number {
    this.ensure(1);
    const b = this.buf;
    b[this.pos] = 0xff;
    const total = this.pos + 1;
    b[0] = total & 0xff;
    b[1] = (total >>> 8) & 0xff;
    b[2] = (total >>> 16) & 0xff;
    b[3] = (total >>> 24) & 0xff;
    const n = this.count < 65535 ? this.count : 65535;
    b[4] = n & 0xff;
    b[5] = n >>> 8;
    return total;
  }
}

/** Encodes a list of strings as a standalone listpack Buffer (tests, small tools). */
export function encodeListpack(items: readonly (string | number | bigint)[]): Buffer {
  const lb = new ListpackBuilder(256);
  for (const it of items) {
    if (typeof it === 'string') lb.add(it);
    else lb.addInt(it);
  }
  const n = lb.finish();
  return Buffer.from(lb.buf.subarray(0, n));
}

// ------------------------------------------------------------------ ziplist

function zlWalk(b: Uint8Array, start: number, end: number, onStr: (s: number, e: number) => void, onInt: (v: number | bigint) => void): number {
  const size = end - start;
  if (size < 11) throw new EncodingError(`ziplist too short (${size} bytes)`, 0);
  const zlbytes = (b[start] | (b[start + 1] << 8) | (b[start + 2] << 16) | (b[start + 3] << 24)) >>> 0;
  if (zlbytes !== size) throw new EncodingError(`ziplist header says ${zlbytes} bytes, blob has ${size}`, 0);
  const zltail = (b[start + 4] | (b[start + 5] << 8) | (b[start + 6] << 16) | (b[start + 7] << 24)) >>> 0;
  if (zltail > size - 1) throw new EncodingError('ziplist tail offset out of range', 4);
  const declared = b[start + 8] | (b[start + 9] << 8);
  if (b[end - 1] !== 0xff) throw new EncodingError('ziplist does not end with 0xFF', size - 1);
  const last = end - 1;
  let p = start + 10;
  let prevLen = 0;
  let count = 0;
  let lastEntry = -1;
  while (p < last) {
    const entry = p;
    // prevlen
    let pl: number;
    if (b[p] < 254) {
      pl = b[p];
      p += 1;
    } else if (b[p] === 254) {
      if (p + 5 > last) throw new EncodingError('ziplist prevlen past the end', p - start);
      pl = (b[p + 1] | (b[p + 2] << 8) | (b[p + 3] << 16) | (b[p + 4] << 24)) >>> 0;
      p += 5;
    } else {
      throw new EncodingError('ziplist entry starts with 0xFF', p - start);
    }
    if (pl !== prevLen) throw new EncodingError(`ziplist prevlen ${pl} does not match the previous entry (${prevLen})`, entry - start);
    if (p >= last) throw new EncodingError('ziplist entry header past the end', p - start);
    const e0 = b[p];
    const top = e0 >>> 6;
    if (top === 0) {
      const len = e0 & 0x3f;
      const s = p + 1;
      if (s + len > last) throw new EncodingError('ziplist string past the end', p - start);
      onStr(s, s + len);
      p = s + len;
    } else if (top === 1) {
      if (p + 2 > last) throw new EncodingError('ziplist string past the end', p - start);
      const len = ((e0 & 0x3f) << 8) | b[p + 1];
      const s = p + 2;
      if (s + len > last) throw new EncodingError('ziplist string past the end', p - start);
      onStr(s, s + len);
      p = s + len;
    } else if (top === 2) {
      if (e0 !== 0x80) throw new EncodingError(`invalid ziplist encoding byte 0x${e0.toString(16)}`, p - start);
      if (p + 5 > last) throw new EncodingError('ziplist string past the end', p - start);
      const len = ((b[p + 1] << 24) | (b[p + 2] << 16) | (b[p + 3] << 8) | b[p + 4]) >>> 0;
      const s = p + 5;
      if (s + len > last) throw new EncodingError('ziplist string past the end', p - start);
      onStr(s, s + len);
      p = s + len;
    } else {
      let n: number;
      switch (e0) {
        case 0xc0:
          n = 2;
          if (p + 1 + n > last) throw new EncodingError('ziplist integer past the end', p - start);
          onInt(((b[p + 1] | (b[p + 2] << 8)) << 16) >> 16);
          break;
        case 0xd0:
          n = 4;
          if (p + 1 + n > last) throw new EncodingError('ziplist integer past the end', p - start);
          onInt(b[p + 1] | (b[p + 2] << 8) | (b[p + 3] << 16) | (b[p + 4] << 24));
          break;
        case 0xe0:
          n = 8;
          if (p + 1 + n > last) throw new EncodingError('ziplist integer past the end', p - start);
          onInt(readInt64LE(b, p + 1));
          break;
        case 0xf0:
          n = 3;
          if (p + 1 + n > last) throw new EncodingError('ziplist integer past the end', p - start);
          onInt(((b[p + 1] | (b[p + 2] << 8) | (b[p + 3] << 16)) << 8) >> 8);
          break;
        case 0xfe:
          n = 1;
          if (p + 1 + n > last) throw new EncodingError('ziplist integer past the end', p - start);
          onInt((b[p + 1] << 24) >> 24);
          break;
        default:
          if (e0 >= 0xf1 && e0 <= 0xfd) {
            n = 0;
            onInt((e0 & 0x0f) - 1);
          } else {
            throw new EncodingError(`invalid ziplist encoding byte 0x${e0.toString(16)}`, p - start);
          }
      }
      p += 1 + n;
    }
    prevLen = p - entry;
    lastEntry = entry;
    count++;
  }
  if (p !== last) throw new EncodingError('ziplist entries overrun the end marker', p - start);
  if (count > 0 && lastEntry - start !== zltail) throw new EncodingError('ziplist tail offset does not point at the last entry', 4);
  if (declared !== 65535 && declared !== count) throw new EncodingError(`ziplist header says ${declared} entries, found ${count}`, 8);
  return count;
}

/** Appends every entry of the ziplist b[start, end) to `out` as latin1 text; returns the count. */
export function ziplistToStrings(b: Uint8Array, start: number, end: number, out: string[]): number {
  return zlWalk(
    b,
    start,
    end,
    (s, e) => out.push(latin1(b, s, e)),
    (v) => out.push(intText(v)),
  );
}

/** All ziplist entries, integers kept as numbers (bigint beyond ±2^53). */
export function ziplistToValues(b: Uint8Array, start: number, end: number): LpValue[] {
  const out: LpValue[] = [];
  zlWalk(
    b,
    start,
    end,
    (s, e) => out.push(latin1(b, s, e)),
    (v) => out.push(v),
  );
  return out;
}

// ------------------------------------------------------------------ intset

/**
 * Appends the members of the intset b[start, end) to `out` as decimal text (ascending order);
 * returns the element width (2, 4 or 8).
 */
export function intsetToStrings(b: Uint8Array, start: number, end: number, out: string[]): number {
  const size = end - start;
  if (size < 8) throw new EncodingError(`intset too short (${size} bytes)`, 0);
  const enc = (b[start] | (b[start + 1] << 8) | (b[start + 2] << 16) | (b[start + 3] << 24)) >>> 0;
  const len = (b[start + 4] | (b[start + 5] << 8) | (b[start + 6] << 16) | (b[start + 7] << 24)) >>> 0;
  if (enc !== 2 && enc !== 4 && enc !== 8) throw new EncodingError(`invalid intset encoding ${enc}`, 0);
  if (8 + len * enc !== size) throw new EncodingError(`intset of ${len} × ${enc} bytes does not match blob size ${size}`, 4);
  let p = start + 8;
  let prev: number | bigint | null = null;
  for (let i = 0; i < len; i++) {
    let v: number | bigint;
    if (enc === 2) v = ((b[p] | (b[p + 1] << 8)) << 16) >> 16;
    else if (enc === 4) v = b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24);
    else v = readInt64LE(b, p);
    if (prev !== null && !(prev < v)) throw new EncodingError('intset members not strictly ascending', p - start);
    prev = v;
    out.push(intText(v));
    p += enc;
  }
  return enc;
}

/** Builds an intset blob from canonical integer members (any order, no duplicates). */
export function encodeIntset(values: readonly (number | bigint)[]): Buffer {
  const sorted = values.slice().sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let enc = 2;
  for (const v of sorted) {
    if (v < -2147483648 || v > 2147483647) {
      enc = 8;
      break;
    }
    if (v < -32768 || v > 32767) enc = 4;
  }
  const out = Buffer.allocUnsafe(8 + sorted.length * enc);
  out.writeUInt32LE(enc, 0);
  out.writeUInt32LE(sorted.length, 4);
  let p = 8;
  for (const v of sorted) {
    if (enc === 2) out.writeInt16LE(Number(v), p);
    else if (enc === 4) out.writeInt32LE(Number(v), p);
    else out.writeBigInt64LE(BigInt(v), p);
    p += enc;
  }
  return out;
}

// ------------------------------------------------------------------ zipmap

/**
 * Appends the field/value pairs of the zipmap b[start, end) to `out` (flat: f0, v0, f1, v1 …);
 * returns the number of pairs.
 */
export function zipmapToStrings(b: Uint8Array, start: number, end: number, out: string[]): number {
  const size = end - start;
  if (size < 2) throw new EncodingError(`zipmap too short (${size} bytes)`, 0);
  const zmlen = b[start];
  let p = start + 1;
  let pairs = 0;
  const readLen = (): number => {
    if (p >= end) throw new EncodingError('zipmap length past the end', p - start);
    const x = b[p];
    if (x < 254) {
      p += 1;
      return x;
    }
    if (x === 254) {
      if (p + 5 > end) throw new EncodingError('zipmap length past the end', p - start);
      const v = (b[p + 1] | (b[p + 2] << 8) | (b[p + 3] << 16) | (b[p + 4] << 24)) >>> 0;
      p += 5;
      return v;
    }
    throw new EncodingError('unexpected zipmap end marker', p - start);
  };
  for (;;) {
    if (p >= end) throw new EncodingError('zipmap has no end marker', p - start);
    if (b[p] === 0xff) {
      p++;
      break;
    }
    const klen = readLen();
    if (p + klen > end) throw new EncodingError('zipmap field past the end', p - start);
    out.push(latin1(b, p, p + klen));
    p += klen;
    const vlen = readLen();
    if (p >= end) throw new EncodingError('zipmap free byte past the end', p - start);
    const free = b[p++];
    if (p + vlen + free > end) throw new EncodingError('zipmap value past the end', p - start);
    out.push(latin1(b, p, p + vlen));
    p += vlen + free;
    pairs++;
  }
  if (p !== end) throw new EncodingError('bytes after the zipmap end marker', p - start);
  if (zmlen < 254 && zmlen !== pairs) throw new EncodingError(`zipmap header says ${zmlen} pairs, found ${pairs}`, 0);
  return pairs;
}
