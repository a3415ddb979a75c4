/**
 * RDB reader for versions 1–12 (Redis 2.x – 7.4, Valkey 7.2 – 8.x).
 *
 * Two ways to use it:
 *
 *   readRdb(buffer)            whole file in memory; returns every record only after the whole
 *                              file, EOF and CRC were verified (never partial data).
 *
 *   new RdbReader(handlers)    incremental: feed(chunk) as bytes arrive (e.g. a replica reading
 *     .feed(chunk) …           the full-sync payload from the socket), end() when the input is
 *     .end()                   over. Records are handed to onRecord as soon as each is complete,
 *                              BEFORE the trailing CRC has been checked: the caller must load
 *                              into a staging dataset and discard it if feed()/end() throws.
 *                              `done` turns true after EOF + checksum; bytes after the checksum
 *                              (e.g. the `$EOF:` mark of a diskless transfer) are in remainder().
 *
 * Resumption: the parser works on one top-level item at a time (an opcode with its payload, or
 * a whole key/value record). If the buffered bytes end inside an item, the attempt is abandoned
 * and retried from the item start when more data is there. To keep a very large value from
 * being re-parsed for every small chunk, a retry waits until the bytes the failed attempt was
 * missing have arrived and the buffered part of the item has at least doubled, so the total
 * re-parsing work stays linear in the item size — except when the buffered input ends with
 * what may be EOF + checksum (so `done` is reached as soon as the last byte arrives). end()
 * always parses whatever is buffered.
 *
 * Errors are RdbError with an absolute byte offset in the message, e.g.
 *   "Bad RDB: unexpected end of file at offset 1234"
 *   "Bad RDB: bad CRC at offset 460 (stored 0123…, computed 4567…)"
 *   "Bad RDB: unknown type 42 at offset 85"
 */
import { Crc64, readStoredCrc } from './crc64.js';
import { lzfDecompress, LzfError } from './lzf.js';
import {
  EncodingError,
  intsetToStrings,
  latin1,
  listpackToStrings,
  listpackToPackedHash,
  listpackToValues,
  ziplistToStrings,
  ziplistToValues,
  zipmapToStrings,
  type LpValue,
} from './encodings.js';
import {
  RDB_MAX_READ_VERSION,
  RDB_OPCODE,
  RDB_TYPE,
  RdbError,
  type RdbRecord,
  type RdbStream,
  type RdbStreamEntry,
  type RdbStreamNode,
  type RdbStreamGroup,
  type RdbValue,
} from './rdb-types.js';

export { RdbError } from './rdb-types.js';

const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);

export interface RdbReaderHandlers {
  /** A complete key record (see the class comment about when it is safe to commit). */
  onRecord?(rec: RdbRecord): void;
  /** AUX field (may appear anywhere, even between keys). */
  onAux?(key: string, value: string): void;
  /**
   * A function library (FUNCTION2, or the 7.0-RC form). Without a handler, libraries are
   * skipped (and counted in the summary); a caller that cannot run functions may throw here.
   */
  onFunction?(code: string, offset: number): void;
  onSelectDb?(db: number): void;
  /** RESIZEDB hint (may be absent or wrong). */
  onResizeDb?(dbSize: number, expiresSize: number): void;
  /** Redis 7.4 cluster SLOT_INFO hint. */
  onSlotInfo?(slot: number, slotSize: number, expiresSlotSize: number): void;
}

export interface RdbReaderOptions {
  /** Verify the trailing CRC-64 when it is non-zero (default true; Redis: rdbchecksum). */
  verifyChecksum?: boolean;
  /** SELECTDB ids must be below this (default 16; pass the server's `databases`). */
  databases?: number;
  /** Highest accepted version (default 12). */
  maxVersion?: number;
  /**
   * Loading into a keyspace: listpack hashes within these limits come back already packed
   * (RdbValue hash `packed`), which skips a string per field.
   */
  packSmallHashes?: { maxEntries: number; maxValue: number };
}

export interface RdbSummary {
  version: number;
  /** AUX fields in file order (last value wins on duplicates). */
  aux: Record<string, string>;
  /** 'verified': matched; 'disabled': stored 0; 'absent': version < 5; 'skipped': not checked. */
  checksum: 'verified' | 'disabled' | 'absent' | 'skipped';
  /** The stored checksum as 16 hex digits (null for version < 5). */
  storedChecksum: string | null;
  /** Records handed out. */
  keys: number;
  /** Keys with empty collections, skipped as Redis does. */
  emptyKeysSkipped: number;
  functions: number;
  /** Length of the RDB (header to checksum inclusive). */
  bytes: number;
}

export interface RdbFile extends RdbSummary {
  records: RdbRecord[];
  /** Function library sources (FUNCTION2 payloads) in file order. */
  functionCodes: string[];
  /** Bytes found after the checksum (not part of the RDB). */
  trailing: number;
}

const EMPTY = Buffer.alloc(0);
const TWO32 = 4294967296;
const MODULE_CHARSET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Thrown (one shared instance) when the buffered input ends inside an item. */
class NeedMore {
  need = 0;
}
const NEED_MORE = new NeedMore();

function isObjectType(t: number): boolean {
  return (t >= 0 && t <= 7) || (t >= 9 && t <= 25);
}

/** Decodes a 64-bit module id into its 9-char name (for error messages). */
function moduleName(id: bigint): string {
  let name = '';
  for (let i = 0; i < 9; i++) name += MODULE_CHARSET[Number((id >> BigInt(64 - 6 * (i + 1))) & 63n)];
  return `${name}" (encoding version ${Number(id & 1023n)})`;
}

/** strtod-like parsing of a score stored as text (ziplist/listpack elements, old ZSET type). */
export function parseScoreText(s: string): number {
  const t = s.toLowerCase();
  switch (t) {
    case 'inf':
    case '+inf':
    case 'infinity':
    case '+infinity':
      return Infinity;
    case '-inf':
    case '-infinity':
      return -Infinity;
    case 'nan':
    case '+nan':
    case '-nan':
      return NaN;
  }
  if (s.length === 0 || s.trim() !== s) return NaN;
  return Number(s);
}

function quote(key: string): string {
  const shown = key.length > 64 ? key.slice(0, 64) + '…' : key;
  return JSON.stringify(shown);
}

export class RdbReader {
  private buf: Buffer = EMPTY;
  /** Parse position (index into buf). */
  private p = 0;
  /** Number of valid bytes in buf. */
  private lim = 0;
  /** Absolute offset of buf[0]. */
  private base = 0;
  /** True when buf is our own growable buffer (false: a chunk the caller passed). */
  private owned = false;
  private final = false;
  private state = 0; // 0 header, 1 body, 2 done
  /** Absolute input length the last failed attempt needed at least. */
  private needAt = 0;
  /** Absolute input length after which a failed item is attempted again. */
  private retryAt = 0;
  private readonly crc = new Crc64();
  /** buf index up to which the CRC has been computed. */
  private crcPos = 0;
  private readonly verify: boolean;
  private readonly databases: number;
  private readonly maxVersion: number;

  // per-key attributes set by opcodes, reset after each key
  private db = 0;
  private expireMs: number | null = null;
  private idle: number | null = null;
  private freq: number | null = null;

  // last blob read by readBlob()
  private bBuf: Uint8Array = EMPTY;
  private bStart = 0;
  private bEnd = 0;
  /** Absolute offset of the last blob (for error messages). */
  private bOffset = 0;
  private lzfScratch: Buffer = Buffer.allocUnsafe(1024);

  private tail: Buffer[] = [];

  readonly summary: RdbSummary = {
    version: 0,
    aux: Object.create(null) as Record<string, string>,
    checksum: 'skipped',
    storedChecksum: null,
    keys: 0,
    emptyKeysSkipped: 0,
    functions: 0,
    bytes: 0,
  };

  constructor(
    private readonly handlers: RdbReaderHandlers = {},
    opts: RdbReaderOptions = {},
  ) {
    this.verify = opts.verifyChecksum ?? true;
    this.databases = opts.databases ?? 16;
    this.maxVersion = opts.maxVersion ?? RDB_MAX_READ_VERSION;
    this.packSmallHashes = opts.packSmallHashes ?? null;
  }

  private readonly packSmallHashes: { maxEntries: number; maxValue: number } | null;

  /** True once EOF and the checksum have been read. */
  get done(): boolean {
    return this.state === 2;
  }

  get version(): number {
    return this.summary.version;
  }

  /** Absolute number of bytes consumed so far. */
  get position(): number {
    return this.base + this.p;
  }

  /** Bytes received after the end of the RDB (after the checksum). */
  remainder(): Buffer {
    const rest = this.state === 2 ? this.buf.subarray(this.p, this.lim) : EMPTY;
    if (this.tail.length === 0) return rest;
    return Buffer.concat([rest, ...this.tail]);
  }

  /** Feeds the next chunk of input. Throws RdbError on malformed input. */
  feed(chunk: Buffer): void {
    if (this.final) throw new Error('RdbReader: feed() after end()');
    if (this.state === 2) {
      if (chunk.length > 0) this.tail.push(chunk);
      return;
    }
    if (chunk.length === 0) return;
    this.append(chunk);
    const have = this.base + this.lim;
    if (have < this.needAt) return;
    // A big item is re-parsed only after its buffered part doubled (linear total work), unless
    // the input might end right here: then its last bytes look like EOF + checksum.
    if (have < this.retryAt && !this.mayEndHere()) return;
    this.run();
  }

  /** Declares the input complete; throws if the RDB is truncated. Returns the summary. */
  end(): RdbSummary {
    if (this.state !== 2) {
      this.final = true;
      this.run();
      if (this.state !== 2) throw new RdbError(`Bad RDB: unexpected end of file at offset ${this.base + this.lim}`, this.base + this.lim);
    }
    this.final = true;
    return this.summary;
  }

  /**
   * Parses a whole buffer as final input (no copy). Equivalent to feed(buf) + end() but the
   * buffer is used in place.
   */
  parseAll(buf: Buffer): RdbSummary {
    this.final = true;
    this.append(buf);
    this.run();
    if (this.state !== 2) throw new RdbError(`Bad RDB: unexpected end of file at offset ${this.base + this.lim}`, this.base + this.lim);
    return this.summary;
  }

  // ---------------------------------------------------------------- buffering

  private append(chunk: Buffer): void {
    if (this.p === this.lim) {
      // nothing pending: parse the chunk in place
      this.crc.update(this.buf, this.crcPos, this.p);
      this.base += this.lim;
      this.buf = chunk;
      this.p = 0;
      this.lim = chunk.length;
      this.crcPos = 0;
      this.owned = false;
      return;
    }
    const pending = this.lim - this.p;
    if (this.owned && this.buf.length - this.lim >= chunk.length) {
      chunk.copy(this.buf, this.lim);
      this.lim += chunk.length;
      return;
    }
    this.crc.update(this.buf, this.crcPos, this.p);
    if (this.owned && pending + chunk.length <= this.buf.length) {
      // compact in place
      this.buf.copyWithin(0, this.p, this.lim);
      chunk.copy(this.buf, pending);
      this.base += this.p;
      this.p = 0;
      this.crcPos = 0;
      this.lim = pending + chunk.length;
      return;
    }
    let cap = Math.max(65536, this.owned ? this.buf.length : 0);
    while (cap < pending + chunk.length) cap *= 2;
    const nb = Buffer.allocUnsafe(cap);
    this.buf.copy(nb, 0, this.p, this.lim);
    chunk.copy(nb, pending);
    this.base += this.p;
    this.buf = nb;
    this.p = 0;
    this.crcPos = 0;
    this.lim = pending + chunk.length;
    this.owned = true;
  }

  private mayEndHere(): boolean {
    const at = this.summary.version >= 5 || this.state === 0 ? this.lim - 9 : this.lim - 1;
    return at >= this.p && this.buf[at] === RDB_OPCODE.EOF;
  }

  private run(): void {
    while (this.state !== 2) {
      const itemStart = this.p;
      try {
        if (this.state === 0) this.parseHeader();
        else this.parseItem(itemStart);
      } catch (e) {
        if (e === NEED_MORE) {
          this.p = itemStart;
          const avail = this.lim - itemStart;
          this.needAt = NEED_MORE.need;
          this.retryAt = Math.max(NEED_MORE.need, this.base + itemStart + 2 * avail);
          return;
        }
        throw e;
      }
      // checksum the parsed bytes while they are still in cache
      if (this.p - this.crcPos > 262144) {
        this.crc.update(this.buf, this.crcPos, this.p);
        this.crcPos = this.p;
      }
      if (this.p === this.lim && this.state !== 2) return;
    }
  }

  // ---------------------------------------------------------------- primitives

  private short(needIndex: number): never {
    if (this.final) {
      const at = this.base + this.lim;
      throw new RdbError(`Bad RDB: unexpected end of file at offset ${at}`, at);
    }
    NEED_MORE.need = this.base + needIndex;
    throw NEED_MORE;
  }

  private fail(msg: string, index = this.p): never {
    const at = this.base + index;
    throw new RdbError(`Bad RDB: ${msg} at offset ${at}`, at);
  }

  private u8(): number {
    if (this.p >= this.lim) this.short(this.p + 1);
    return this.buf[this.p++];
  }

  private need(n: number): void {
    if (this.p + n > this.lim) this.short(this.p + n);
  }

  /** A length (6/14/32/64-bit forms). */
  private readLen(): number {
    const p = this.p;
    if (p >= this.lim) this.short(p + 1);
    const b = this.buf;
    const b0 = b[p];
    switch (b0 >>> 6) {
      case 0:
        this.p = p + 1;
        return b0;
      case 1:
        if (p + 2 > this.lim) this.short(p + 2);
        this.p = p + 2;
        return ((b0 & 0x3f) << 8) | b[p + 1];
      case 2:
        if (b0 === 0x80) {
          if (p + 5 > this.lim) this.short(p + 5);
          this.p = p + 5;
          return ((b[p + 1] << 24) | (b[p + 2] << 16) | (b[p + 3] << 8) | b[p + 4]) >>> 0;
        }
        if (b0 === 0x81) {
          if (p + 9 > this.lim) this.short(p + 9);
          const hi = ((b[p + 1] << 24) | (b[p + 2] << 16) | (b[p + 3] << 8) | b[p + 4]) >>> 0;
          const lo = ((b[p + 5] << 24) | (b[p + 6] << 16) | (b[p + 7] << 8) | b[p + 8]) >>> 0;
          if (hi > 0x1fffff) this.fail(`length ${(BigInt(hi) << 32n) | BigInt(lo)} too large`, p);
          this.p = p + 9;
          return hi * TWO32 + lo;
        }
        return this.fail(`bad length encoding 0x${b0.toString(16)}`, p);
      default:
        return this.fail(`string encoding 0x${b0.toString(16)} where a length was expected`, p);
    }
  }

  /** A length as an unsigned 64-bit BigInt (stream IDs and counters). */
  private readLenBig(): bigint {
    const p = this.p;
    if (p >= this.lim) this.short(p + 1);
    const b0 = this.buf[p];
    if (b0 === 0x81) {
      if (p + 9 > this.lim) this.short(p + 9);
      this.p = p + 9;
      return this.buf.readBigUInt64BE(p + 1);
    }
    return BigInt(this.readLen());
  }

  /** 8-byte little-endian signed milliseconds. */
  private readMs(): number {
    this.need(8);
    const b = this.buf;
    const p = this.p;
    const lo = (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
    const hi = b[p + 4] | (b[p + 5] << 8) | (b[p + 6] << 16) | (b[p + 7] << 24);
    this.p = p + 8;
    return hi * TWO32 + lo;
  }

  /**
   * Reads an RDB string as raw bytes: afterwards the bytes are bBuf[bStart, bEnd). Integer
   * encodings are returned as their decimal text (in the LZF scratch buffer); LZF strings are
   * decompressed into the scratch buffer, which the next call may overwrite.
   */
  private readBlob(): void {
    const p = this.p;
    if (p >= this.lim) this.short(p + 1);
    const b = this.buf;
    const b0 = b[p];
    if (b0 < 0xc0) {
      const len = this.readLen();
      if (this.p + len > this.lim) this.short(this.p + len);
      this.bBuf = b;
      this.bStart = this.p;
      this.bEnd = this.p + len;
      this.bOffset = this.base + this.p;
      this.p += len;
      return;
    }
    if (b0 === 0xc3) {
      this.p = p + 1;
      const clen = this.readLen();
      const ulen = this.readLen();
      if (this.p + clen > this.lim) this.short(this.p + clen);
      // LZF expands at most 264 bytes per 3-byte token
      if (ulen > clen * 88 + 64 || (clen > 0 && ulen === 0)) this.fail(`LZF string of ${clen} bytes cannot expand to ${ulen}`, p);
      if (this.lzfScratch.length < ulen) this.lzfScratch = Buffer.allocUnsafe(Math.max(ulen, this.lzfScratch.length * 2));
      let n: number;
      try {
        n = lzfDecompress(b, this.p, this.p + clen, this.lzfScratch, 0, ulen);
      } catch (e) {
        if (e instanceof LzfError) this.fail(`corrupt LZF string (${e.message})`, p);
        throw e;
      }
      if (n !== ulen) this.fail(`corrupt LZF string (decompressed ${n} bytes, expected ${ulen})`, p);
      this.p += clen;
      this.bBuf = this.lzfScratch;
      this.bStart = 0;
      this.bEnd = ulen;
      this.bOffset = this.base + p;
      return;
    }
    // INT8/16/32: the decimal text (at most 11 chars; the scratch buffer is ≥ 1 KiB)
    const s = this.readIntString(b0, p);
    const n = s.length;
    for (let i = 0; i < n; i++) this.lzfScratch[i] = s.charCodeAt(i);
    this.bBuf = this.lzfScratch;
    this.bStart = 0;
    this.bEnd = n;
    this.bOffset = this.base + p;
  }

  private readIntString(b0: number, p: number): string {
    const b = this.buf;
    switch (b0) {
      case 0xc0:
        if (p + 2 > this.lim) this.short(p + 2);
        this.p = p + 2;
        return String((b[p + 1] << 24) >> 24);
      case 0xc1:
        if (p + 3 > this.lim) this.short(p + 3);
        this.p = p + 3;
        return String(((b[p + 1] | (b[p + 2] << 8)) << 16) >> 16);
      case 0xc2:
        if (p + 5 > this.lim) this.short(p + 5);
        this.p = p + 5;
        return String(b[p + 1] | (b[p + 2] << 8) | (b[p + 3] << 16) | (b[p + 4] << 24));
      default:
        return this.fail(`unknown string encoding 0x${b0.toString(16)}`, p);
    }
  }

  /** Reads an RDB string as a latin1 JS string. */
  private readString(): string {
    const p = this.p;
    if (p >= this.lim) this.short(p + 1);
    const b = this.buf;
    const b0 = b[p];
    if (b0 < 0x40) {
      const e = p + 1 + b0;
      if (e > this.lim) this.short(e);
      this.p = e;
      return latin1(b, p + 1, e);
    }
    if (b0 >= 0xc0 && b0 !== 0xc3) return this.readIntString(b0, p);
    this.readBlob();
    return latin1(this.bBuf, this.bStart, this.bEnd);
  }

  // ---------------------------------------------------------------- top level

  private parseHeader(): void {
    this.need(9);
    const b = this.buf;
    const p = this.p;
    if (b.latin1Slice(p, p + 5) !== 'REDIS') {
      if (b.latin1Slice(p, p + 6) === 'VALKEY') this.fail(`unsupported Valkey RDB format "${b.latin1Slice(p, p + 9)}"`, p);
      this.fail('wrong signature (not an RDB file)', p);
    }
    let version = 0;
    for (let i = 5; i < 9; i++) {
      const d = b[p + i] - 48;
      if (d < 0 || d > 9) this.fail('wrong signature (version is not 4 digits)', p + 5);
      version = version * 10 + d;
    }
    if (version < 1 || version > this.maxVersion) this.fail(`can't handle RDB format version ${version}`, p + 5);
    this.summary.version = version;
    this.p = p + 9;
    this.state = 1;
  }

  private parseItem(itemStart: number): void {
    const t = this.u8();
    switch (t) {
      case RDB_OPCODE.EOF: {
        const version = this.summary.version;
        if (version >= 5) {
          this.need(8);
          this.crc.update(this.buf, this.crcPos, this.p);
          this.crcPos = this.p;
          const stored = readStoredCrc(this.buf, this.p);
          this.summary.storedChecksum = stored.toString(16).padStart(16, '0');
          if (stored === 0n) {
            this.summary.checksum = 'disabled';
          } else if (this.verify) {
            if (!this.crc.matchesLE(this.buf, this.p)) {
              this.fail(`bad CRC (stored ${this.summary.storedChecksum}, computed ${this.crc.hex()})`, this.p);
            }
            this.summary.checksum = 'verified';
          } else {
            this.summary.checksum = 'skipped';
          }
          this.p += 8;
        } else {
          this.summary.checksum = 'absent';
        }
        this.summary.bytes = this.base + this.p;
        this.state = 2;
        return;
      }
      case RDB_OPCODE.SELECTDB: {
        const db = this.readLen();
        if (db >= this.databases) this.fail(`SELECTDB ${db} but only ${this.databases} databases are configured`, itemStart);
        this.db = db;
        this.handlers.onSelectDb?.(db);
        return;
      }
      case RDB_OPCODE.RESIZEDB: {
        const a = this.readLen();
        const b = this.readLen();
        this.handlers.onResizeDb?.(a, b);
        return;
      }
      case RDB_OPCODE.AUX: {
        const k = this.readString();
        const v = this.readString();
        this.summary.aux[k] = v;
        this.handlers.onAux?.(k, v);
        return;
      }
      case RDB_OPCODE.EXPIRETIME_MS:
        this.expireMs = this.readMs();
        return;
      case RDB_OPCODE.EXPIRETIME: {
        this.need(4);
        const b = this.buf;
        const p = this.p;
        this.expireMs = (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) * 1000;
        this.p = p + 4;
        return;
      }
      case RDB_OPCODE.IDLE:
        this.idle = this.readLen();
        return;
      case RDB_OPCODE.FREQ:
        this.freq = this.u8();
        return;
      case RDB_OPCODE.MODULE_AUX: {
        const id = this.readLenBig();
        this.fail(`module auxiliary data for module "${moduleName(id)} is not supported (no modules loaded)`, itemStart);
        return;
      }
      case RDB_OPCODE.FUNCTION2: {
        const code = this.readString();
        this.summary.functions++;
        this.handlers.onFunction?.(code, this.base + itemStart);
        return;
      }
      case RDB_OPCODE.FUNCTION_PRE_GA: {
        this.readString(); // name
        this.readString(); // engine
        if (this.readLen()) this.readString(); // description
        const code = this.readString();
        this.summary.functions++;
        this.handlers.onFunction?.(code, this.base + itemStart);
        return;
      }
      case RDB_OPCODE.SLOT_INFO: {
        const slot = this.readLen();
        const size = this.readLen();
        const exp = this.readLen();
        this.handlers.onSlotInfo?.(slot, size, exp);
        return;
      }
      default:
        break;
    }
    if (!isObjectType(t)) this.fail(`unknown type ${t}`, itemStart);
    const key = this.readString();
    const value = this.readValue(t, key, itemStart);
    const rec: RdbRecord | null =
      value === null
        ? null
        : { db: this.db, key, expireMs: this.expireMs, idle: this.idle, freq: this.freq, value, rdbType: t, offset: this.base + itemStart };
    this.expireMs = null;
    this.idle = null;
    this.freq = null;
    if (rec === null) {
      this.summary.emptyKeysSkipped++;
      return;
    }
    this.summary.keys++;
    this.handlers.onRecord?.(rec);
  }

  // ---------------------------------------------------------------- values

  private corrupt(what: string, key: string, e: unknown): never {
    if (e instanceof EncodingError) {
      const at = this.bOffset + e.blobOffset;
      throw new RdbError(`Bad RDB: corrupt ${what} in key ${quote(key)} (${e.message}) at offset ${at}`, at);
    }
    throw e;
  }

  /** Reads one value of RDB type `t`; null for an empty collection (skipped like Redis). */
  private readValue(t: number, key: string, itemStart: number): RdbValue | null {
    switch (t) {
      case RDB_TYPE.STRING:
        return { type: 'string', value: this.readString() };
      case RDB_TYPE.LIST: {
        const n = this.readLen();
        const items: string[] = [];
        for (let i = 0; i < n; i++) items.push(this.readString());
        return n === 0 ? null : { type: 'list', items, encoding: 'linkedlist' };
      }
      case RDB_TYPE.SET: {
        const n = this.readLen();
        const members: string[] = [];
        for (let i = 0; i < n; i++) members.push(this.readString());
        return n === 0 ? null : { type: 'set', members, intset: false, encoding: 'hashtable' };
      }
      case RDB_TYPE.ZSET:
      case RDB_TYPE.ZSET_2: {
        const n = this.readLen();
        const members: string[] = [];
        const scores: number[] = [];
        for (let i = 0; i < n; i++) {
          members.push(this.readString());
          const at = this.p;
          const score = t === RDB_TYPE.ZSET_2 ? this.readBinaryDouble() : this.readAsciiDouble();
          if (Number.isNaN(score)) this.fail(`zset ${quote(key)} has a NaN score`, at);
          scores.push(score);
        }
        return n === 0 ? null : { type: 'zset', members, scores, encoding: 'skiplist' };
      }
      case RDB_TYPE.HASH: {
        const n = this.readLen();
        const pairs: string[] = [];
        for (let i = 0; i < n; i++) {
          pairs.push(this.readString());
          pairs.push(this.readString());
        }
        return n === 0 ? null : { type: 'hash', pairs, encoding: 'hashtable' };
      }
      case RDB_TYPE.MODULE_PRE_GA:
      case RDB_TYPE.MODULE_2: {
        const id = this.readLenBig();
        return this.fail(`key ${quote(key)} holds a value of module "${moduleName(id)}, modules are not supported`, itemStart);
      }
      case RDB_TYPE.HASH_ZIPMAP: {
        this.readBlob();
        const pairs: string[] = [];
        try {
          zipmapToStrings(this.bBuf, this.bStart, this.bEnd, pairs);
        } catch (e) {
          this.corrupt('zipmap', key, e);
        }
        return pairs.length === 0 ? null : { type: 'hash', pairs, encoding: 'zipmap' };
      }
      case RDB_TYPE.LIST_ZIPLIST: {
        this.readBlob();
        const items: string[] = [];
        try {
          ziplistToStrings(this.bBuf, this.bStart, this.bEnd, items);
        } catch (e) {
          this.corrupt('ziplist', key, e);
        }
        return items.length === 0 ? null : { type: 'list', items, encoding: 'ziplist' };
      }
      case RDB_TYPE.SET_INTSET: {
        this.readBlob();
        const members: string[] = [];
        try {
          intsetToStrings(this.bBuf, this.bStart, this.bEnd, members);
        } catch (e) {
          this.corrupt('intset', key, e);
        }
        return members.length === 0 ? null : { type: 'set', members, intset: true, encoding: 'intset' };
      }
      case RDB_TYPE.SET_LISTPACK: {
        this.readBlob();
        const members: string[] = [];
        try {
          listpackToStrings(this.bBuf, this.bStart, this.bEnd, members);
        } catch (e) {
          this.corrupt('listpack', key, e);
        }
        return members.length === 0 ? null : { type: 'set', members, intset: false, encoding: 'listpack' };
      }
      case RDB_TYPE.ZSET_ZIPLIST:
      case RDB_TYPE.ZSET_LISTPACK: {
        this.readBlob();
        let vals: LpValue[];
        const zl = t === RDB_TYPE.ZSET_ZIPLIST;
        try {
          vals = zl ? ziplistToValues(this.bBuf, this.bStart, this.bEnd) : listpackToValues(this.bBuf, this.bStart, this.bEnd);
        } catch (e) {
          return this.corrupt(zl ? 'ziplist' : 'listpack', key, e);
        }
        if (vals.length % 2 !== 0) this.fail(`zset ${quote(key)} has an odd number of elements in its ${zl ? 'ziplist' : 'listpack'}`, itemStart);
        const members: string[] = [];
        const scores: number[] = [];
        for (let i = 0; i < vals.length; i += 2) {
          const m = vals[i];
          members.push(typeof m === 'string' ? m : String(m));
          const s = vals[i + 1];
          const score = typeof s === 'string' ? parseScoreText(s) : Number(s);
          if (Number.isNaN(score)) this.fail(`zset ${quote(key)} has an invalid score ${JSON.stringify(String(s))}`, itemStart);
          scores.push(score);
        }
        return members.length === 0 ? null : { type: 'zset', members, scores, encoding: zl ? 'ziplist' : 'listpack' };
      }
      case RDB_TYPE.HASH_ZIPLIST:
      case RDB_TYPE.HASH_LISTPACK: {
        this.readBlob();
        const pairs: string[] = [];
        const zl = t === RDB_TYPE.HASH_ZIPLIST;
        if (!zl && this.packSmallHashes !== null) {
          let packed: { packed: string; elements: number } | null = null;
          try {
            packed = listpackToPackedHash(this.bBuf, this.bStart, this.bEnd, this.packSmallHashes.maxValue);
          } catch (e) {
            this.corrupt('listpack', key, e);
          }
          if (packed !== null && packed.elements > 0 && packed.elements / 2 <= this.packSmallHashes.maxEntries) {
            return { type: 'hash', pairs, encoding: 'listpack', packed: packed.packed, count: packed.elements / 2 };
          }
        }
        try {
          if (zl) ziplistToStrings(this.bBuf, this.bStart, this.bEnd, pairs);
          else listpackToStrings(this.bBuf, this.bStart, this.bEnd, pairs);
        } catch (e) {
          this.corrupt(zl ? 'ziplist' : 'listpack', key, e);
        }
        if (pairs.length % 2 !== 0) this.fail(`hash ${quote(key)} has an odd number of elements in its ${zl ? 'ziplist' : 'listpack'}`, itemStart);
        return pairs.length === 0 ? null : { type: 'hash', pairs, encoding: zl ? 'ziplist' : 'listpack' };
      }
      case RDB_TYPE.LIST_QUICKLIST:
      case RDB_TYPE.LIST_QUICKLIST_2: {
        const nodes = this.readLen();
        const items: string[] = [];
        const v2 = t === RDB_TYPE.LIST_QUICKLIST_2;
        for (let i = 0; i < nodes; i++) {
          let container = 2;
          if (v2) {
            const at = this.p;
            container = this.readLen();
            if (container !== 1 && container !== 2) this.fail(`quicklist node of key ${quote(key)} has unknown container ${container}`, at);
          }
          if (container === 1) {
            items.push(this.readString());
            continue;
          }
          const at = this.p;
          this.readBlob();
          if (this.bEnd === this.bStart) this.fail(`quicklist node of key ${quote(key)} is empty`, at);
          try {
            if (v2) listpackToStrings(this.bBuf, this.bStart, this.bEnd, items);
            else ziplistToStrings(this.bBuf, this.bStart, this.bEnd, items);
          } catch (e) {
            this.corrupt(v2 ? 'listpack' : 'ziplist', key, e);
          }
        }
        return items.length === 0 ? null : { type: 'list', items, encoding: 'quicklist' };
      }
      case RDB_TYPE.STREAM_LISTPACKS:
      case RDB_TYPE.STREAM_LISTPACKS_2:
      case RDB_TYPE.STREAM_LISTPACKS_3:
        return this.readStream(t, key);
      case RDB_TYPE.HASH_METADATA_PRE_GA:
      case RDB_TYPE.HASH_METADATA: {
        const minExpire = t === RDB_TYPE.HASH_METADATA ? this.readMs() : 0;
        const n = this.readLen();
        const pairs: string[] = [];
        const fieldExpires: number[] = [];
        for (let i = 0; i < n; i++) {
          const ttl = this.readLen();
          fieldExpires.push(ttl === 0 ? 0 : t === RDB_TYPE.HASH_METADATA ? ttl + minExpire - 1 : ttl);
          pairs.push(this.readString());
          pairs.push(this.readString());
        }
        return n === 0 ? null : { type: 'hash', pairs, encoding: 'hashtable', fieldExpires };
      }
      case RDB_TYPE.HASH_LISTPACK_EX_PRE_GA:
      case RDB_TYPE.HASH_LISTPACK_EX: {
        if (t === RDB_TYPE.HASH_LISTPACK_EX) this.readMs(); // minExpire, informational
        this.readBlob();
        let vals: LpValue[];
        try {
          vals = listpackToValues(this.bBuf, this.bStart, this.bEnd);
        } catch (e) {
          return this.corrupt('listpack', key, e);
        }
        if (vals.length % 3 !== 0) this.fail(`hash ${quote(key)} listpack is not made of field/value/ttl triples`, itemStart);
        const pairs: string[] = [];
        const fieldExpires: number[] = [];
        for (let i = 0; i < vals.length; i += 3) {
          const f = vals[i];
          const v = vals[i + 1];
          const x = vals[i + 2];
          if (typeof x === 'string') this.fail(`hash ${quote(key)} has a non-integer field TTL`, itemStart);
          pairs.push(typeof f === 'string' ? f : String(f));
          pairs.push(typeof v === 'string' ? v : String(v));
          fieldExpires.push(Number(x));
        }
        return pairs.length === 0 ? null : { type: 'hash', pairs, encoding: 'listpack', fieldExpires };
      }
      default:
        return this.fail(`unknown type ${t}`, itemStart);
    }
  }

  private readBinaryDouble(): number {
    this.need(8);
    const v = this.buf.readDoubleLE(this.p);
    this.p += 8;
    return v;
  }

  private readAsciiDouble(): number {
    const len = this.u8();
    if (len === 253) return NaN;
    if (len === 254) return Infinity;
    if (len === 255) return -Infinity;
    this.need(len);
    const s = this.buf.latin1Slice(this.p, this.p + len);
    this.p += len;
    return parseScoreText(s);
  }

  private readStreamId(): string {
    return `${this.readLenBig()}-${this.readLenBig()}`;
  }

  private readRawStreamId(): string {
    this.need(16);
    const ms = this.buf.readBigUInt64BE(this.p);
    const seq = this.buf.readBigUInt64BE(this.p + 8);
    this.p += 16;
    return `${ms}-${seq}`;
  }

  private readStream(t: number, key: string): RdbStream {
    const nodes = this.readLen();
    const entries: RdbStreamEntry[] = [];
    const stored: RdbStreamNode[] = [];
    for (let i = 0; i < nodes; i++) {
      const at = this.p;
      this.readBlob();
      if (this.bEnd - this.bStart !== 16) this.fail(`stream ${quote(key)} node key is not a 16-byte ID`, at);
      const nb = Buffer.from(this.bBuf.subarray(this.bStart, this.bEnd));
      const masterMs = nb.readBigUInt64BE(0);
      const masterSeq = nb.readBigUInt64BE(8);
      const lpAt = this.p;
      this.readBlob();
      let vals: LpValue[];
      try {
        vals = listpackToValues(this.bBuf, this.bStart, this.bEnd);
      } catch (e) {
        return this.corrupt('stream listpack', key, e);
      }
      if (vals.length === 0) this.fail(`stream ${quote(key)} has an empty listpack node`, lpAt);
      stored.push(this.decodeStreamNode(vals, masterMs, masterSeq, entries, key, lpAt));
    }
    const length = this.readLen();
    const lastId = this.readStreamId();
    let firstId: string;
    let maxDeletedId = '0-0';
    let entriesAdded: number;
    if (t >= RDB_TYPE.STREAM_LISTPACKS_2) {
      firstId = this.readStreamId();
      maxDeletedId = this.readStreamId();
      entriesAdded = Number(this.readLenBig());
    } else {
      firstId = entries.length > 0 ? entries[0].id : '0-0';
      entriesAdded = length;
    }
    const groups: RdbStreamGroup[] = [];
    const ngroups = this.readLen();
    for (let g = 0; g < ngroups; g++) {
      const name = this.readString();
      const glast = this.readStreamId();
      const entriesRead = t >= RDB_TYPE.STREAM_LISTPACKS_2 ? Number(BigInt.asIntN(64, this.readLenBig())) : null;
      const pelSize = this.readLen();
      const pel = [];
      const pelIds = new Set<string>();
      for (let k = 0; k < pelSize; k++) {
        const id = this.readRawStreamId();
        const deliveryTime = this.readMs();
        const deliveryCount = this.readLen();
        pel.push({ id, deliveryTime, deliveryCount });
        pelIds.add(id);
      }
      const consumers = [];
      const nconsumers = this.readLen();
      for (let c = 0; c < nconsumers; c++) {
        const cname = this.readString();
        const seenTime = this.readMs();
        const activeTime = t >= RDB_TYPE.STREAM_LISTPACKS_3 ? this.readMs() : seenTime;
        const cpelSize = this.readLen();
        const cpel: string[] = [];
        for (let k = 0; k < cpelSize; k++) {
          const at = this.p;
          const id = this.readRawStreamId();
          if (!pelIds.has(id)) this.fail(`stream ${quote(key)} consumer ${quote(cname)} has pending entry ${id} missing from the group PEL`, at);
          cpel.push(id);
        }
        consumers.push({ name: cname, seenTime, activeTime, pel: cpel });
      }
      groups.push({ name, lastId: glast, entriesRead, pel, consumers });
    }
    return { type: 'stream', rdbType: t, entries, length, lastId, firstId, maxDeletedId, entriesAdded, groups, nodes: stored };
  }

  private decodeStreamNode(vals: LpValue[], masterMs: bigint, masterSeq: bigint, out: RdbStreamEntry[], key: string, at: number): RdbStreamNode {
    const node: RdbStreamNode = { master: `${masterMs}-${masterSeq}`, fields: [], entries: [] };
    let i = 0;
    const int = (): number | bigint => {
      if (i >= vals.length) this.fail(`stream ${quote(key)} listpack node ends early`, at);
      const v = vals[i++];
      if (typeof v === 'string') this.fail(`stream ${quote(key)} listpack node has text where a number belongs`, at);
      return v;
    };
    const str = (): string => {
      if (i >= vals.length) this.fail(`stream ${quote(key)} listpack node ends early`, at);
      const v = vals[i++];
      return typeof v === 'string' ? v : String(v);
    };
    int(); // live count
    int(); // deleted count
    const nf = Number(int());
    const masterFields: string[] = [];
    for (let k = 0; k < nf; k++) masterFields.push(str());
    node.fields = masterFields;
    if (Number(int()) !== 0) this.fail(`stream ${quote(key)} master entry is not terminated by 0`, at);
    // IDs are computed with plain numbers when everything stays below 2^53 (nearly always):
    // BigInt arithmetic per entry made loading big streams several times slower.
    const mmsN = masterMs <= MAX_SAFE_BIG ? Number(masterMs) : -1;
    const mseqN = masterSeq <= MAX_SAFE_BIG ? Number(masterSeq) : -1;
    while (i < vals.length) {
      const flags = Number(int());
      const msd = int();
      const seqd = int();
      const fields: string[] = [];
      let elements: number;
      if (flags & 2) {
        for (let k = 0; k < nf; k++) {
          fields.push(masterFields[k]);
          fields.push(str());
        }
        elements = 3 + nf;
      } else {
        const n = Number(int());
        for (let k = 0; k < n; k++) {
          fields.push(str());
          fields.push(str());
        }
        elements = 4 + 2 * n;
      }
      const lpCount = Number(int());
      if (lpCount !== elements) this.fail(`stream ${quote(key)} entry has a wrong element count`, at);
      let id: string;
      const msN = typeof msd === 'number' && mmsN >= 0 ? mmsN + msd : -1;
      const seqN = typeof seqd === 'number' && mseqN >= 0 ? mseqN + seqd : -1;
      if (msN >= 0 && seqN >= 0 && msN <= Number.MAX_SAFE_INTEGER && seqN <= Number.MAX_SAFE_INTEGER) {
        id = `${msN}-${seqN}`;
      } else {
        id = `${BigInt.asUintN(64, masterMs + BigInt(msd))}-${BigInt.asUintN(64, masterSeq + BigInt(seqd))}`;
      }
      node.entries.push({ id, kv: fields, deleted: (flags & 1) !== 0, same: (flags & 2) !== 0 });
      if (!(flags & 1)) out.push({ id, fields });
    }
    return node;
  }

  /** Library codes from a FUNCTION DUMP payload (checks version and CRC-64 like DUMP payloads). */
  static parseFunctionsPayload(payload: Buffer, verifyChecksum = true): string[] {
    const footer = payload.length - 10;
    if (footer < 0) throw new FunctionsPayloadError('DUMP payload version or checksum are wrong');
    const version = payload[footer] | (payload[footer + 1] << 8);
    if (version > RDB_MAX_READ_VERSION) throw new FunctionsPayloadError('DUMP payload version or checksum are wrong');
    if (verifyChecksum && !new Crc64().update(payload, 0, footer + 2).matchesLE(payload, footer + 2)) {
      throw new FunctionsPayloadError('DUMP payload version or checksum are wrong');
    }
    const codes: string[] = [];
    const body = payload.subarray(0, footer);
    let p = 0;
    while (p < body.length) {
      const t = body[p];
      if (t !== RDB_OPCODE.FUNCTION2 && t !== RDB_OPCODE.FUNCTION_PRE_GA) {
        throw new FunctionsPayloadError(isObjectType(t) ? 'given type is not a function' : 'can not read data type');
      }
      // The record is an RDB fragment: parse it with an RDB reader over a header-less buffer.
      const r = new RdbReader({ onFunction: (code) => codes.push(code) });
      r.final = true;
      r.buf = body.subarray(p);
      r.lim = r.buf.length;
      try {
        r.parseItem(0);
      } catch {
        throw new FunctionsPayloadError('failed loading the given functions payload');
      }
      p += r.p;
    }
    return codes;
  }

  /**
   * Parses a DUMP payload (type byte, value, 2-byte RDB version LE, CRC-64 LE over everything
   * before it). Versions above `maxVersion` are refused like RESTORE does.
   */
  static parseDumpPayload(payload: Buffer, opts: { maxVersion?: number; verifyChecksum?: boolean } = {}): RdbValue | null {
    if (payload.length < 11) throw new RdbError('DUMP payload version or checksum are wrong', 0);
    const footer = payload.length - 10;
    const version = payload[footer] | (payload[footer + 1] << 8);
    if (version > (opts.maxVersion ?? 10)) throw new RdbError('DUMP payload version or checksum are wrong', footer);
    if (opts.verifyChecksum ?? true) {
      const c = new Crc64().update(payload, 0, footer + 2);
      if (!c.matchesLE(payload, footer + 2)) throw new RdbError('DUMP payload version or checksum are wrong', footer + 2);
    }
    const r = new RdbReader();
    r.final = true;
    r.summary.version = version;
    r.buf = payload.subarray(0, footer);
    r.lim = footer;
    const t = r.u8();
    if (!isObjectType(t)) r.fail(`unknown type ${t}`, 0);
    const v = r.readValue(t, '(payload)', 0);
    if (r.p !== footer) r.fail('trailing bytes in DUMP payload', r.p);
    return v;
  }
}

/** Thrown by parseFunctionsPayload with the reason FUNCTION RESTORE replies. */
export class FunctionsPayloadError extends Error {}

/**
 * Reads a whole RDB held in memory. Returns all records only if the whole file parsed and its
 * checksum matched; otherwise throws RdbError (nothing partial escapes). Bytes after the
 * checksum are an error unless `allowTrailing` (an RDB file has none; an AOF with an RDB
 * preamble or a captured transfer may).
 */
export function readRdb(buf: Buffer, opts: RdbReaderOptions & { allowTrailing?: boolean } = {}): RdbFile {
  const records: RdbRecord[] = [];
  const functionCodes: string[] = [];
  const reader = new RdbReader(
    {
      onRecord: (r) => records.push(r),
      onFunction: (code) => functionCodes.push(code),
    },
    opts,
  );
  const summary = reader.parseAll(buf);
  const trailing = buf.length - summary.bytes;
  if (trailing > 0 && !opts.allowTrailing) {
    throw new RdbError(`Bad RDB: ${trailing} bytes after the end of the RDB at offset ${summary.bytes}`, summary.bytes);
  }
  return { ...summary, records, functionCodes, trailing };
}

/**
 * Reads an RDB from a finite async source of chunks (e.g. fs.createReadStream(path)) without
 * holding the whole file in memory. Records go to `handlers.onRecord` as they complete —
 * before the checksum is verified, so stage them and discard on rejection. Resolves when the
 * source ends and the RDB was complete (bytes after the checksum are in `remainder`); rejects
 * with RdbError on malformed or truncated input. For a socket that continues with other data
 * (a replica's master link) call RdbReader.feed() from the 'data' handler instead and stop
 * when `done` turns true.
 */
export async function readRdbStream(
  source: AsyncIterable<Buffer | string>,
  handlers: RdbReaderHandlers,
  opts: RdbReaderOptions = {},
): Promise<RdbSummary & { remainder: Buffer }> {
  const reader = new RdbReader(handlers, opts);
  for await (const chunk of source) reader.feed(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
  const summary = reader.end();
  return { ...summary, remainder: reader.remainder() };
}
