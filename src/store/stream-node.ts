/**
 * One node of a stream, stored as the very listpack Redis keeps in its radix tree (so its size
 * is Redis's lpBytes, which decides node boundaries, and an RDB write copies it as is):
 *
 *   header: total bytes (u32 LE), element count (u16 LE, 65535 = unknown)
 *   master entry: live count, deleted count, field count, field names…, 0
 *   per entry: flags (1 deleted, 2 SAMEFIELDS), ms delta, seq delta from the master ID,
 *              then the values (SAMEFIELDS) or field count + field/value pairs,
 *              then the entry's element count (for walking backwards)
 *   0xFF
 *
 * Every element is followed by its "backlen" so the list can be walked both ways. Entries are
 * decoded only when read. Why a packed buffer: a decoded entry (object, array, strings) took
 * ~450 bytes for a 3-field entry that packs into ~45.
 */
import { canonicalInt, latin1, lpBacklenSize } from '../persistence/encodings.js';
import { U64_MAX, type StreamId } from './stream-id.js';

/** A live entry as the commands see it (decoded on demand). */
export interface StreamEntry {
  id: StreamId;
  /** Flat field, value, field, value, … */
  kv: string[];
}

export const FLAG_DELETED = 1;
export const FLAG_SAMEFIELDS = 2;

const HDR = 6;
const SAFE = Number.MAX_SAFE_INTEGER;
const SAFE_BIG = BigInt(SAFE);

// ---------------------------------------------------------------- element codec

/** Set by the readers: position right after the element just read (its backlen included). */
let rdEnd = 0;
/** Set by rdInt when it returns NaN: the value, beyond ±2^53. */
let rdBig = 0n;

/** Encoding bytes (without backlen) of an integer element, for a safe integer. */
function intEncLen(v: number): number {
  if (v >= 0 && v <= 127) return 1;
  if (v >= -4096 && v <= 4095) return 2;
  if (v >= -32768 && v <= 32767) return 3;
  if (v >= -8388608 && v <= 8388607) return 4;
  if (v >= -2147483648 && v <= 2147483647) return 5;
  return 9;
}

function putBacklen(b: Uint8Array, p: number, l: number): number {
  if (l <= 127) {
    b[p] = l;
    return p + 1;
  }
  const bl = lpBacklenSize(l);
  for (let k = bl - 1; k >= 0; k--) {
    const group = Math.floor(l / 128 ** k) & 0x7f;
    b[p++] = k === bl - 1 ? group : group | 0x80;
  }
  return p;
}

/** Writes an integer element (safe integer); returns the position after it. */
function putInt(b: Uint8Array, p: number, v: number): number {
  if (v >= 0 && v <= 127) {
    b[p] = v;
    b[p + 1] = 1;
    return p + 2;
  }
  if (v >= -4096 && v <= 4095) {
    const u = v < 0 ? v + 8192 : v;
    b[p] = 0xc0 | (u >>> 8);
    b[p + 1] = u & 0xff;
    b[p + 2] = 2;
    return p + 3;
  }
  if (v >= -32768 && v <= 32767) {
    b[p] = 0xf1;
    b[p + 1] = v & 0xff;
    b[p + 2] = (v >> 8) & 0xff;
    b[p + 3] = 3;
    return p + 4;
  }
  if (v >= -8388608 && v <= 8388607) {
    b[p] = 0xf2;
    b[p + 1] = v & 0xff;
    b[p + 2] = (v >> 8) & 0xff;
    b[p + 3] = (v >> 16) & 0xff;
    b[p + 4] = 4;
    return p + 5;
  }
  if (v >= -2147483648 && v <= 2147483647) {
    b[p] = 0xf3;
    b[p + 1] = v & 0xff;
    b[p + 2] = (v >> 8) & 0xff;
    b[p + 3] = (v >> 16) & 0xff;
    b[p + 4] = (v >> 24) & 0xff;
    b[p + 5] = 5;
    return p + 6;
  }
  return putBig(b, p, BigInt(v));
}

/** Writes a 64-bit integer element. */
function putBig(b: Uint8Array, p: number, v: bigint): number {
  if (v >= -9007199254740991n && v <= 9007199254740991n) {
    const n = Number(v);
    if (intEncLen(n) < 9) return putInt(b, p, n);
  }
  b[p] = 0xf4;
  const u = BigInt.asUintN(64, v);
  let lo = Number(u & 0xffffffffn);
  let hi = Number(u >> 32n);
  for (let k = 1; k <= 4; k++) {
    b[p + k] = lo & 0xff;
    lo = Math.floor(lo / 256);
  }
  for (let k = 5; k <= 8; k++) {
    b[p + k] = hi & 0xff;
    hi = Math.floor(hi / 256);
  }
  b[p + 9] = 9;
  return p + 10;
}

/** Writes `s` as a string element (never as an integer). */
function putRawStr(b: Uint8Array, p: number, s: string): number {
  const n = s.length;
  const s0 = p;
  if (n < 64) b[p++] = 0x80 | n;
  else if (n < 4096) {
    b[p++] = 0xe0 | (n >>> 8);
    b[p++] = n & 0xff;
  } else {
    b[p++] = 0xf0;
    b[p++] = n & 0xff;
    b[p++] = (n >>> 8) & 0xff;
    b[p++] = (n >>> 16) & 0xff;
    b[p++] = (n >>> 24) & 0xff;
  }
  if (n <= 32) for (let k = 0; k < n; k++) b[p + k] = s.charCodeAt(k);
  else (b as Buffer).latin1Write(s, p, n);
  p += n;
  return putBacklen(b, p, p - s0);
}

/** Writes `s` the way Redis's lpAppend does: canonical int64 text as an integer element. */
function putStr(b: Uint8Array, p: number, s: string): number {
  const c = s.length > 0 && s.length <= 20 ? s.charCodeAt(0) : 0;
  if ((c >= 48 && c <= 57) || c === 45) {
    const v = canonicalInt(s);
    if (v !== null) return typeof v === 'number' ? putInt(b, p, v) : putBig(b, p, v);
  }
  return putRawStr(b, p, s);
}

/** Upper bound of the bytes putStr writes for `s`. */
function strMax(s: string): number {
  return s.length + 10;
}

/** Reads an integer element at p. NaN when the value is beyond ±2^53 (then it is in rdBig). */
function rdInt(b: Uint8Array, p: number): number {
  const e0 = b[p];
  if (e0 < 0x80) {
    rdEnd = p + 2;
    return e0;
  }
  if ((e0 & 0xe0) === 0xc0) {
    rdEnd = p + 3;
    const v = ((e0 & 0x1f) << 8) | b[p + 1];
    return v >= 4096 ? v - 8192 : v;
  }
  switch (e0) {
    case 0xf1:
      rdEnd = p + 4;
      return ((b[p + 1] | (b[p + 2] << 8)) << 16) >> 16;
    case 0xf2:
      rdEnd = p + 5;
      return ((b[p + 1] | (b[p + 2] << 8) | (b[p + 3] << 16)) << 8) >> 8;
    case 0xf3:
      rdEnd = p + 6;
      return b[p + 1] | (b[p + 2] << 8) | (b[p + 3] << 16) | (b[p + 4] << 24);
    case 0xf4: {
      rdEnd = p + 10;
      const lo = (b[p + 1] | (b[p + 2] << 8) | (b[p + 3] << 16) | (b[p + 4] << 24)) >>> 0;
      const hi = b[p + 5] | (b[p + 6] << 8) | (b[p + 7] << 16) | (b[p + 8] << 24);
      if (hi >= -0x200000 && hi < 0x200000) return hi * 4294967296 + lo;
      rdBig = (BigInt(hi) << 32n) | BigInt(lo);
      return NaN;
    }
  }
  throw new Error('stream node: integer element expected');
}

/** Reads any element at p as text (integers as their decimal text). */
function rdStr(b: Uint8Array, p: number): string {
  const e0 = b[p];
  let s: number;
  let n: number;
  if ((e0 & 0xc0) === 0x80) {
    n = e0 & 0x3f;
    s = p + 1;
  } else if ((e0 & 0xf0) === 0xe0) {
    n = ((e0 & 0x0f) << 8) | b[p + 1];
    s = p + 2;
  } else if (e0 === 0xf0) {
    n = (b[p + 1] | (b[p + 2] << 8) | (b[p + 3] << 16) | (b[p + 4] << 24)) >>> 0;
    s = p + 5;
  } else {
    const v = rdInt(b, p);
    return v === v ? String(v) : rdBig.toString();
  }
  const e = s + n;
  rdEnd = e + lpBacklenSize(e - p);
  return latin1(b, s, e);
}

/** Position of the element after the one at p. */
function elNext(b: Uint8Array, p: number): number {
  const e0 = b[p];
  if (e0 < 0x80) return p + 2;
  if ((e0 & 0xc0) === 0x80) return p + 2 + (e0 & 0x3f); // ≤ 64 bytes: one backlen byte
  if ((e0 & 0xe0) === 0xc0) return p + 3;
  if ((e0 & 0xf0) === 0xe0) {
    const l = 2 + (((e0 & 0x0f) << 8) | b[p + 1]);
    return p + l + lpBacklenSize(l);
  }
  switch (e0) {
    case 0xf0: {
      const l = 5 + ((b[p + 1] | (b[p + 2] << 8) | (b[p + 3] << 16) | (b[p + 4] << 24)) >>> 0);
      return p + l + lpBacklenSize(l);
    }
    case 0xf1:
      return p + 4;
    case 0xf2:
      return p + 5;
    case 0xf3:
      return p + 6;
    case 0xf4:
      return p + 10;
  }
  throw new Error('stream node: bad element encoding');
}

/** Start of the element before position p (an element start or the 0xFF end). */
function elPrev(b: Uint8Array, p: number): number {
  let q = p - 1;
  let l = 0;
  let mul = 1;
  for (;;) {
    const x = b[q];
    l += (x & 127) * mul;
    if ((x & 128) === 0) break;
    mul *= 128;
    q--;
  }
  return p - lpBacklenSize(l) - l;
}

// ---------------------------------------------------------------- entry cursor

/**
 * Set by StreamNode.head(): the entry's flags, where its fields start, and its ID: as numbers
 * hMs/hSeq when both are below 2^53 (hMs -1 otherwise, then hBig holds the ID). The bigint ID is
 * made only for entries that are returned (headId()).
 */
let hFlags = 0;
let hMs = 0;
let hSeq = 0;
let hBig: StreamId = 0n;
let hBody = 0;
/** Set by readKv: the position after the entry's last field or value (its element count). */
let kvEnd = 0;

/** Last ms converted to its shifted bigint (consecutive entries mostly share it). */
let cacheMs = -1;
let cacheMsBig = 0n;

function idFromParts(ms: number, seq: number): StreamId {
  if (ms !== cacheMs) {
    cacheMs = ms;
    cacheMsBig = BigInt(ms) << 64n;
  }
  return seq === 0 ? cacheMsBig : cacheMsBig | BigInt(seq);
}

function headId(): StreamId {
  return hMs >= 0 ? idFromParts(hMs, hSeq) : hBig;
}

/** A comparison target: an ID split into numbers (Infinity for a part beyond 2^53). */
interface Target {
  id: StreamId;
  ms: number;
  seq: number;
}

export function target(id: StreamId): Target {
  const ms = id >> 64n;
  const seq = id & U64_MAX;
  return { id, ms: ms <= SAFE_BIG ? Number(ms) : Infinity, seq: seq <= SAFE_BIG ? Number(seq) : Infinity };
}

/** Sign of (entry just read by head()) − t. */
function headCmp(t: Target): number {
  if (hMs >= 0) {
    // A target part that is Infinity is beyond every exact number: the entry is smaller.
    if (hMs !== t.ms) return hMs < t.ms ? -1 : 1;
    return hSeq < t.seq ? -1 : hSeq > t.seq ? 1 : 0;
  }
  return hBig < t.id ? -1 : hBig > t.id ? 1 : 0;
}

/** A bigint delta (an int element read as NaN or number). */
function big(v: number): bigint {
  return v === v ? BigInt(v) : rdBig;
}

export class StreamNode {
  /** ID of the first entry added (its radix tree key); kept after that entry dies. */
  readonly master: StreamId;
  /** master ms and seq as numbers, -1 when beyond 2^53 (then IDs are computed with bigints). */
  private readonly mms: number;
  private readonly mseq: number;
  /** The listpack is buf[0, len). */
  buf: Buffer;
  len: number;
  live = 0;
  deleted = 0;
  /** Elements in the listpack. */
  private nel = 0;
  /** Master field count. */
  readonly nf: number;
  /** Offset of the first entry. */
  private es = 0;
  /** Decoded master fields, kept while the node is the stream's tail (appends compare with them). */
  private mf: string[] | null = null;
  /**
   * Offset and ID (as numbers) of the last entry returned by ascending(), 0 when none: a
   * consumer group reading on from there (XREADGROUP `>`) starts its scan at that entry instead
   * of the node's first. Dropped whenever entries move.
   */
  private hintPos = 0;
  private hintMs = 0;
  private hintSeq = 0;

  private constructor(master: StreamId, nf: number, buf: Buffer) {
    this.master = master;
    const ms = master >> 64n;
    const seq = master & U64_MAX;
    const safe = ms <= SAFE_BIG && seq <= SAFE_BIG;
    this.mms = safe ? Number(ms) : -1;
    this.mseq = safe ? Number(seq) : -1;
    this.nf = nf;
    this.buf = buf;
    this.len = 0;
  }

  /** A node whose master entry takes its fields from `kv` (field, value, …); no entries yet. */
  static create(master: StreamId, fields: readonly string[], capacity = 0): StreamNode {
    let need = HDR + 2 + 2 + 10 + 2 + 1;
    for (const f of fields) need += strMax(f);
    const b = Buffer.allocUnsafeSlow(Math.max(need, capacity));
    const n = new StreamNode(master, fields.length, b);
    let p = HDR;
    p = putInt(b, p, 0);
    p = putInt(b, p, 0);
    p = putInt(b, p, fields.length);
    for (const f of fields) p = putStr(b, p, f);
    p = putInt(b, p, 0);
    n.es = p;
    b[p] = 0xff;
    n.len = p + 1;
    n.nel = 4 + fields.length;
    n.writeHeader();
    return n;
  }

  /** Redis's lpBytes for this node. */
  get bytes(): number {
    return this.len;
  }

  /** The listpack as Redis stores it (a view, valid until the node changes). */
  get listpack(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }

  private writeHeader(): void {
    const b = this.buf;
    const t = this.len;
    b[0] = t & 0xff;
    b[1] = (t >>> 8) & 0xff;
    b[2] = (t >>> 16) & 0xff;
    b[3] = (t >>> 24) & 0xff;
    const n = this.nel < 65535 ? this.nel : 65535;
    b[4] = n & 0xff;
    b[5] = n >>> 8;
  }

  private reserve(extra: number): void {
    const need = this.len + extra;
    if (need <= this.buf.length) return;
    const nb = Buffer.allocUnsafeSlow(Math.max(need, Math.min(this.buf.length * 2, need + 65536)));
    this.buf.copy(nb, 0, 0, this.len);
    this.buf = nb;
  }

  /** Drops the spare capacity and caches: the node will not be appended to again. */
  seal(): void {
    this.mf = null;
    if (this.buf.length > this.len) {
      const nb = Buffer.allocUnsafeSlow(this.len);
      this.buf.copy(nb, 0, 0, this.len);
      this.buf = nb;
    }
  }

  /** Rewrites the live (0) or deleted (1) counter, moving the rest when its size changes. */
  private setCounter(which: number, v: number): void {
    let b = this.buf;
    const p = which === 0 ? HDR : elNext(b, HDR);
    const old = elNext(b, p) - p;
    const now = intEncLen(v) + 1;
    if (now !== old) {
      this.reserve(now - old);
      b = this.buf;
      b.copyWithin(p + now, p + old, this.len);
      this.len += now - old;
      this.es += now - old;
      this.hintPos = 0;
      this.writeHeader();
    }
    putInt(b, p, v);
  }

  /** The master entry's field names. */
  fields(): string[] {
    if (this.mf !== null) return this.mf;
    const b = this.buf;
    let p = elNext(b, elNext(b, HDR));
    p = elNext(b, p); // field count
    const out: string[] = [];
    for (let i = 0; i < this.nf; i++) {
      out.push(rdStr(b, p));
      p = rdEnd;
    }
    return out;
  }

  /** True if `kv`'s fields are the master's, in order (Redis's SAMEFIELDS). */
  sameFields(kv: readonly string[]): boolean {
    if (kv.length !== this.nf * 2) return false;
    if (this.mf === null) this.mf = this.fields();
    const f = this.mf;
    for (let i = 0; i < f.length; i++) if (kv[i * 2] !== f[i]) return false;
    return true;
  }

  /** Appends an entry (ID greater than every ID in the node). `flags` may carry DELETED (loading). */
  append(id: StreamId, kv: readonly string[], same: boolean, flags = 0, msN = -1, seqN = -1): void {
    let need = 3 * 10 + 2 * 10;
    for (let i = same ? 1 : 0; i < kv.length; i += same ? 2 : 1) need += strMax(kv[i]);
    this.reserve(need);
    const b = this.buf;
    let p = this.len - 1;
    const n = kv.length >>> 1;
    p = putInt(b, p, flags | (same ? FLAG_SAMEFIELDS : 0));
    if (this.mms >= 0 && msN >= 0) {
      // The caller's numbers for the ID (exact below 2^53).
      p = putInt(b, p, msN - this.mms);
      p = putInt(b, p, seqN - this.mseq);
    } else if (this.mms >= 0 && id >> 64n <= SAFE_BIG && (id & U64_MAX) <= SAFE_BIG) {
      p = putInt(b, p, Number(id >> 64n) - this.mms);
      p = putInt(b, p, Number(id & U64_MAX) - this.mseq);
    } else {
      const ms = id >> 64n;
      const seq = id & U64_MAX;
      p = putBig(b, p, BigInt.asIntN(64, ms - (this.master >> 64n)));
      p = putBig(b, p, BigInt.asIntN(64, seq - (this.master & U64_MAX)));
    }
    let count: number;
    if (same) {
      for (let i = 1; i < kv.length; i += 2) p = putStr(b, p, kv[i]);
      count = n + 3;
    } else {
      p = putInt(b, p, n);
      for (let i = 0; i < kv.length; i++) p = putStr(b, p, kv[i]);
      count = 2 * n + 4;
    }
    p = putInt(b, p, count);
    b[p] = 0xff;
    this.len = p + 1;
    this.nel += count + 1;
    if (flags & FLAG_DELETED) {
      this.deleted++;
      this.setCounter(1, this.deleted);
    } else {
      this.live++;
      this.setCounter(0, this.live);
    }
    this.writeHeader();
  }

  // ---------------------------------------------------------------- reading

  /** First entry's offset; end() is the 0xFF's. */
  get start(): number {
    return this.es;
  }

  get end(): number {
    return this.len - 1;
  }

  /** Decodes the entry header at p into hFlags/hMs/hSeq/hBig/hBody. */
  private head(p: number): void {
    const b = this.buf;
    hFlags = b[p]; // 0..3: a one-byte integer element
    const msd = rdInt(b, p + 2);
    const msBig = msd !== msd ? rdBig : 0n;
    const seqd = rdInt(b, rdEnd);
    hBody = rdEnd;
    if (this.mms >= 0 && msd === msd && seqd === seqd) {
      const ms = this.mms + msd;
      const seq = this.mseq + seqd;
      if (ms >= 0 && ms <= SAFE && seq >= 0 && seq <= SAFE) {
        hMs = ms;
        hSeq = seq;
        return;
      }
    }
    hMs = -1;
    const m = BigInt.asUintN(64, (this.master >> 64n) + (msd === msd ? BigInt(msd) : msBig));
    const s = BigInt.asUintN(64, (this.master & U64_MAX) + big(seqd));
    hBig = (m << 64n) | s;
  }

  /** Offset of the entry after the one whose header was just read (hFlags/hBody). */
  private skipBody(): number {
    const b = this.buf;
    let p = hBody;
    const n = hFlags & FLAG_SAMEFIELDS ? this.nf : rdInt(b, p) * 2;
    if (!(hFlags & FLAG_SAMEFIELDS)) p = rdEnd;
    for (let i = 0; i < n; i++) p = elNext(b, p);
    return elNext(b, p); // the entry's element count
  }

  /** The field/value pairs of the entry whose header was just read. */
  private readKv(fields: string[] | null): string[] {
    const b = this.buf;
    let p = hBody;
    const kv: string[] = [];
    if (hFlags & FLAG_SAMEFIELDS) {
      const f = fields ?? this.fields();
      for (let i = 0; i < this.nf; i++) {
        kv.push(f[i], rdStr(b, p));
        p = rdEnd;
      }
    } else {
      const n = rdInt(b, p) * 2;
      p = rdEnd;
      for (let i = 0; i < n; i++) {
        kv.push(rdStr(b, p));
        p = rdEnd;
      }
    }
    kvEnd = p;
    return kv;
  }

  /** Start of the entry that ends at q (q: an entry start or the end). */
  private prevEntry(q: number): number {
    const b = this.buf;
    let p = elPrev(b, q);
    const c = rdInt(b, p);
    for (let i = 0; i < c; i++) p = elPrev(b, p);
    return p;
  }

  /** ID of the node's last entry, tombstones included (lpGetEdgeStreamID). */
  lastEntryId(): StreamId {
    this.head(this.prevEntry(this.end));
    return headId();
  }

  /** First (or last) entry ID, tombstones skipped or not; null when none qualifies. */
  edgeId(first: boolean, skipTombstones: boolean): StreamId | null {
    if (first) {
      for (let p = this.es; p < this.end; ) {
        this.head(p);
        if (!skipTombstones || !(hFlags & FLAG_DELETED)) return headId();
        p = this.skipBody();
      }
    } else {
      for (let q = this.end; q > this.es; ) {
        const p = this.prevEntry(q);
        this.head(p);
        if (!skipTombstones || !(hFlags & FLAG_DELETED)) return headId();
        q = p;
      }
    }
    return null;
  }

  /** Offset of the live entry with this ID, -1 if none. */
  private find(id: StreamId): number {
    const t = target(id);
    for (let p = this.es; p < this.end; ) {
      this.head(p);
      const c = headCmp(t);
      if (c >= 0) return c === 0 && !(hFlags & FLAG_DELETED) ? p : -1;
      p = this.skipBody();
    }
    return -1;
  }

  /** The live entry with this ID. */
  get(id: StreamId): StreamEntry | undefined {
    const p = this.find(id);
    if (p < 0) return undefined;
    this.head(p);
    return { id, kv: this.readKv(null) };
  }

  /** Live entries with start ≤ id ≤ end, ascending. Returns false (via done) past `end`. */
  *ascending(start: Target, end: Target): Generator<StreamEntry, boolean> {
    let fields: string[] | null = null;
    let p = this.es;
    if (this.hintPos > 0 && (this.hintMs < start.ms || (this.hintMs === start.ms && this.hintSeq <= start.seq))) p = this.hintPos;
    while (p < this.end) {
      this.head(p);
      if (headCmp(end) > 0) return false;
      const flags = hFlags;
      if (!(flags & FLAG_DELETED) && headCmp(start) >= 0) {
        const id = headId();
        if (hMs >= 0) {
          this.hintPos = p;
          this.hintMs = hMs;
          this.hintSeq = hSeq;
        }
        if (flags & FLAG_SAMEFIELDS && fields === null) {
          fields = this.fields();
          this.head(p);
        }
        const kv = this.readKv(fields);
        p = elNext(this.buf, kvEnd);
        yield { id, kv };
      } else p = this.skipBody();
    }
    return true;
  }

  /**
   * ascending() without a generator (the hot path of XREADGROUP and XRANGE): pushes the live
   * entries with start ≤ id ≤ end onto `out` until it holds `max` of them (0: no limit).
   * Returns false once past `end` or full.
   */
  collect(start: Target, end: Target, out: StreamEntry[], max: number): boolean {
    let fields: string[] | null = null;
    let p = this.es;
    if (this.hintPos > 0 && (this.hintMs < start.ms || (this.hintMs === start.ms && this.hintSeq <= start.seq))) p = this.hintPos;
    while (p < this.end) {
      this.head(p);
      if (headCmp(end) > 0) return false;
      const flags = hFlags;
      if (!(flags & FLAG_DELETED) && headCmp(start) >= 0) {
        const id = headId();
        if (hMs >= 0) {
          this.hintPos = p;
          this.hintMs = hMs;
          this.hintSeq = hSeq;
        }
        if (flags & FLAG_SAMEFIELDS && fields === null) {
          fields = this.fields();
          this.head(p);
        }
        const kv = this.readKv(fields);
        p = elNext(this.buf, kvEnd);
        out.push({ id, kv });
        if (max !== 0 && out.length >= max) return false;
      } else p = this.skipBody();
    }
    return true;
  }

  /** Live entries with start ≤ id ≤ end, descending. Returns false past `start`. */
  *descending(start: Target, end: Target): Generator<StreamEntry, boolean> {
    let fields: string[] | null = null;
    for (let q = this.end; q > this.es; ) {
      const p = this.prevEntry(q);
      this.head(p);
      if (headCmp(start) < 0) return false;
      q = p;
      if (!(hFlags & FLAG_DELETED) && headCmp(end) <= 0) {
        const id = headId();
        if (hFlags & FLAG_SAMEFIELDS && fields === null) {
          fields = this.fields();
          this.head(p);
        }
        const kv = this.readKv(fields);
        yield { id, kv };
      }
    }
    return true;
  }

  /** Marks the entry at p deleted (it must be live). */
  private markAt(p: number): void {
    this.buf[p] |= FLAG_DELETED;
    this.live--;
    this.deleted++;
    this.setCounter(0, this.live);
    this.setCounter(1, this.deleted);
  }

  /** XDEL of one ID: true if a live entry was marked deleted. */
  delete(id: StreamId): boolean {
    const p = this.find(id);
    if (p < 0) return false;
    this.markAt(p);
    return true;
  }

  /**
   * XTRIM's exact trimming of the first node kept: marks live entries deleted from the node's
   * start, at most `max` of them and (with `minid`) only those below `minid`; returns how many.
   */
  trimHead(max: number, minid: StreamId | null): number {
    const t = minid !== null ? target(minid) : null;
    let n = 0;
    for (let p = this.es; p < this.end && n < max; ) {
      this.head(p);
      if (t !== null && headCmp(t) >= 0) break;
      const flags = hFlags;
      const next = this.skipBody();
      if (!(flags & FLAG_DELETED)) {
        const before = this.es;
        this.markAt(p);
        // A counter whose encoding grew moved every entry.
        p = next + (this.es - before);
        n++;
      } else p = next;
    }
    return n;
  }

  /** Every entry, tombstones included, decoded (RDB writer and digest). */
  get entries(): { id: StreamId; kv: string[]; deleted: boolean; same: boolean }[] {
    const out: { id: StreamId; kv: string[]; deleted: boolean; same: boolean }[] = [];
    const fields = this.fields();
    for (let p = this.es; p < this.end; ) {
      this.head(p);
      const id = headId();
      const flags = hFlags;
      const kv = this.readKv(fields);
      p = elNext(this.buf, kvEnd);
      out.push({ id, kv, deleted: (flags & FLAG_DELETED) !== 0, same: (flags & FLAG_SAMEFIELDS) !== 0 });
    }
    return out;
  }

  clone(): StreamNode {
    const b = Buffer.allocUnsafeSlow(this.len);
    this.buf.copy(b, 0, 0, this.len);
    const n = new StreamNode(this.master, this.nf, b);
    n.len = this.len;
    n.live = this.live;
    n.deleted = this.deleted;
    n.nel = this.nel;
    n.es = this.es;
    return n;
  }
}
