/**
 * RDB writer producing version 10 (what Redis 7.0 reads and writes), with Redis 7.0's choice
 * of encodings so redis-server 7.0 loads the result and sizes stay close to its own files:
 *
 *   string              type 0; INT8/16/32 for canonical integers ≤ 11 chars, LZF for strings
 *                       > 20 bytes when rdbcompression is on and it saves ≥ 4 bytes
 *   list                type 18 (QUICKLIST_2), listpack nodes filled like list-max-listpack-size
 *                       (-2 = 8 KiB), PLAIN nodes for elements ≥ 1 GiB
 *   set                 type 11 (intset) when every member is a canonical int64 and count ≤
 *                       set-max-intset-entries (512); otherwise type 2
 *   zset                type 17 (listpack, score order) when count ≤ 128 and every member ≤ 64
 *                       bytes; otherwise type 5 (ZSET_2, binary scores, highest score first)
 *   hash                type 16 (listpack) when count ≤ 512 and every field and value ≤ 64
 *                       bytes; otherwise type 4
 *   stream              type 19 (STREAM_LISTPACKS_2): each node's listpack rebuilt from its
 *                       entries exactly as Redis lays it out (tombstones kept), then the
 *                       metadata and consumer groups (PELs, consumers) in name order
 *
 * Output is produced in chunks: bytes accumulate in one reusable buffer and are handed out
 * (ownership transferred) whenever `chunkSize` is reached, through `onChunk` or takeChunks().
 * The caller drives the pace: it writes some keys, looks at its sinks, and continues — nothing
 * here is asynchronous. The CRC-64 is computed over the chunks in order as they are emitted.
 *
 * Values come either as the plain RdbValue records the reader produces or through small
 * adapter interfaces (ListSource, SetSource, ZSetSource, HashSource, StreamSource) so the in-memory value
 * classes can be serialized without first copying them into arrays.
 */
import { Crc64 } from './crc64.js';
import { lzfCompress } from './lzf.js';
import { canonicalInt, lpBacklenSize, ListpackBuilder, writeLatin1 } from './encodings.js';
import { listpackScore } from './numfmt.js';
import {
  RDB_OPCODE,
  RDB_TYPE,
  RDB_WRITE_VERSION,
  REDIS70_LIMITS,
  type EncodingLimits,
  type RdbRecord,
  type RdbStream,
  type RdbValue,
} from './rdb-types.js';

// ------------------------------------------------------------------ adapter interfaces

/** A list, visited head to tail. */
export interface ListSource {
  readonly kind: 'list';
  readonly size: number;
  forEach(fn: (item: string) => void): void;
}

/** A set, visited in any order. */
export interface SetSource {
  readonly kind: 'set';
  readonly size: number;
  forEach(fn: (member: string) => void): void;
}

/**
 * A sorted set, visited in score order (ties by member bytes): ascending when `descending` is
 * false (used for listpack encoding), descending when true (used for ZSET_2, like Redis).
 */
export interface ZSetSource {
  readonly kind: 'zset';
  readonly size: number;
  forEach(fn: (member: string, score: number) => void, descending: boolean): void;
}

/** A hash, visited in its own order (listpack order for small hashes, like Redis). */
export interface HashSource {
  readonly kind: 'hash';
  readonly size: number;
  forEach(fn: (field: string, value: string) => void): void;
  /**
   * Optional: the keyspace's packed small-hash string (varint length + bytes per element),
   * encoded into a listpack without a string per field.
   */
  readonly packed?: string | null;
}

/** A value already serialized: the bytes that follow the key for RDB type `rdbType`. */
export interface RawSource {
  readonly kind: 'raw';
  readonly rdbType: number;
  readonly payload: Uint8Array;
}

/** One stream node (a listpack in Redis's radix tree), tombstones included. */
export interface StreamNodeSource {
  readonly master: bigint;
  readonly fields: readonly string[];
  readonly live: number;
  readonly deleted: number;
  readonly entries: readonly { readonly id: bigint; readonly kv: readonly string[]; readonly deleted: boolean; readonly same: boolean }[];
  /** The node's listpack when the source keeps it packed as Redis does: written as is. */
  readonly listpack?: Uint8Array;
}

export interface StreamGroupSource {
  readonly name: string;
  readonly lastId: bigint;
  /** -1 when unknown. */
  readonly entriesRead: number;
  /** The group's PEL in ascending ID order. */
  readonly pel: readonly { readonly id: bigint; readonly deliveryTime: number; readonly deliveryCount: number }[];
  /** Consumers sorted by name bytes, each with its pending IDs in ascending order. */
  readonly consumers: readonly { readonly name: string; readonly seenTime: number; readonly pel: readonly bigint[] }[];
}

/** A stream: IDs are (ms << 64) | seq. Written as RDB_TYPE_STREAM_LISTPACKS_2 (Redis 7.0). */
export interface StreamSource {
  readonly kind: 'stream';
  /** Live entries. */
  readonly size: number;
  readonly nodes: readonly StreamNodeSource[];
  readonly lastId: bigint;
  readonly firstId: bigint;
  readonly maxDeletedId: bigint;
  readonly entriesAdded: number;
  /** Sorted by name bytes. */
  readonly groups: readonly StreamGroupSource[];
}

export type ValueSource = ListSource | SetSource | ZSetSource | HashSource | RawSource | StreamSource;

/** Anything writeKey accepts: a bare string is a string value. */
export type RdbWriteValue = string | RdbValue | ValueSource;

export interface RdbWriterOptions {
  /** rdbcompression (default true). */
  compression?: boolean;
  /** rdbchecksum (default true); when false the trailer is 8 zero bytes. */
  checksum?: boolean;
  /** Emit a chunk once this many bytes are buffered (default 64 KiB). */
  chunkSize?: number;
  /** Encoding thresholds (defaults: Redis 7.0's). */
  limits?: Partial<EncodingLimits>;
  /**
   * Receives each chunk; the writer never touches a chunk again after handing it out. Without
   * a callback chunks are kept until takeChunks().
   */
  onChunk?: (chunk: Buffer) => void;
}

export interface RdbAuxOptions {
  /** Default "7.0.15". */
  redisVer?: string;
  /** Default 64. */
  redisBits?: number;
  /** Unix seconds; default now. */
  ctime?: number;
  /** Default 0. */
  usedMem?: number;
  /** Replication info: written (all three) when replId is given. */
  replStreamDb?: number;
  replId?: string;
  replOffset?: number;
  /** Default 0. */
  aofBase?: 0 | 1;
  /** Further AUX fields, written after the standard ones. */
  extra?: [string, string][];
}

/** Elements at least this long become PLAIN quicklist nodes (Redis's packed_threshold). */
let packedThreshold = 1 << 30;

/** DEBUG QUICKLIST-PACKED-THRESHOLD: false when out of range (0 restores the 1 GiB default). */
export function setPackedThreshold(bytes: number): boolean {
  if (bytes > 2 ** 32 - 2 ** 20) return false;
  packedThreshold = bytes === 0 ? 1 << 30 : bytes;
  return true;
}
const QUICKLIST_SIZE_CLASSES = [4096, 8192, 16384, 32768, 65536];
const QUICKLIST_SAFETY_LIMIT = 8192;
/** Recycled output buffers kept for reuse (more than the sinks ever hold in flight is waste). */
const MAX_SPARE = 64;

function lenSize(n: number): number {
  return n < 64 ? 1 : n < 16384 ? 2 : n <= 0xffffffff ? 5 : 9;
}

/** Bytes a string element takes inside a listpack (encoding + data + backlen). */
function lpEntrySize(s: string): number {
  const v = canonicalInt(s);
  if (v !== null) {
    if (typeof v === 'bigint') return 10;
    if (v >= 0 && v <= 127) return 2;
    if (v >= -4096 && v <= 4095) return 3;
    if (v >= -32768 && v <= 32767) return 4;
    if (v >= -8388608 && v <= 8388607) return 5;
    if (v >= -2147483648 && v <= 2147483647) return 6;
    return 10;
  }
  const n = s.length;
  const l = (n < 64 ? 1 : n < 4096 ? 2 : 5) + n;
  return l + lpBacklenSize(l);
}

function compareScoreMember(ma: string, sa: number, mb: string, sb: number): number {
  if (sa < sb) return -1;
  if (sa > sb) return 1;
  return ma < mb ? -1 : ma > mb ? 1 : 0;
}

export class RdbWriter {
  private out: Buffer;
  private pos = 0;
  private readonly chunkSize: number;
  private readonly compression: boolean;
  private readonly checksum: boolean;
  private readonly limits: EncodingLimits;
  private readonly crc = new Crc64();
  private readonly onChunk: ((chunk: Buffer) => void) | undefined;
  private readonly chunks: Buffer[] = [];
  /** Output buffers handed back by the consumer (recycle), reused instead of allocating. */
  private readonly spare: ArrayBuffer[] = [];
  /** Output buffers this writer allocated: the only memory recycle() accepts. */
  private readonly own = new WeakSet<ArrayBufferLike>();
  private flushed = 0;
  private finished = false;
  private curDb = -1;

  private readonly lp = new ListpackBuilder(8192);
  private lzfOut: Buffer = Buffer.allocUnsafe(8192);
  private scratch: Buffer = Buffer.allocUnsafe(4096);

  // state for the allocation-free adapter callbacks
  private ok = true;
  private ints: (number | bigint)[] = [];
  private plan: number[] = [];
  private planNode = 0;
  private planLeft = 0;
  private nodeBytes = 0;
  private nodeCount = 0;
  private readonly hashToListpack: (f: string, v: string) => void;
  private readonly hashToPlain: (f: string, v: string) => void;
  private readonly zsetToListpack: (m: string, s: number) => void;
  private readonly zsetToPlain: (m: string, s: number) => void;
  private readonly setToInts: (m: string) => void;
  private readonly setToPlain: (m: string) => void;
  private readonly listPlanItem: (s: string) => void;
  private readonly listWriteItem: (s: string) => void;

  constructor(opts: RdbWriterOptions = {}) {
    this.chunkSize = Math.max(1024, opts.chunkSize ?? 65536);
    this.compression = opts.compression ?? true;
    this.checksum = opts.checksum ?? true;
    this.limits = { ...REDIS70_LIMITS, ...opts.limits };
    this.onChunk = opts.onChunk;
    this.out = this.newBuffer(this.chunkSize + 1024);

    const maxHashVal = this.limits.hashMaxListpackValue;
    this.hashToListpack = (f, v) => {
      if (!this.ok) return;
      if (f.length > maxHashVal || v.length > maxHashVal) {
        this.ok = false;
        return;
      }
      this.lp.add(f);
      this.lp.add(v);
    };
    this.hashToPlain = (f, v) => {
      this.writeString(f);
      this.writeString(v);
      if (this.pos >= this.chunkSize) this.flush();
    };
    const maxZsetVal = this.limits.zsetMaxListpackValue;
    this.zsetToListpack = (m, s) => {
      if (!this.ok) return;
      if (m.length > maxZsetVal) {
        this.ok = false;
        return;
      }
      this.lp.add(m);
      this.addScore(s);
    };
    this.zsetToPlain = (m, s) => {
      this.writeString(m);
      this.writeDouble(s);
      if (this.pos >= this.chunkSize) this.flush();
    };
    this.setToInts = (m) => {
      if (!this.ok) return;
      const v = canonicalInt(m);
      if (v === null) this.ok = false;
      else this.ints.push(v);
    };
    this.setToPlain = (m) => {
      this.writeString(m);
      if (this.pos >= this.chunkSize) this.flush();
    };
    this.listPlanItem = (s) => this.planItem(s);
    this.listWriteItem = (s) => this.writeListItem(s);
  }

  // ---------------------------------------------------------------- output buffer

  /** Bytes handed out so far plus bytes buffered. */
  get bytesWritten(): number {
    return this.flushed + this.pos;
  }

  /** Bytes buffered and not yet handed out. */
  get pendingBytes(): number {
    return this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.out.length) return;
    this.flush();
    if (n > this.out.length) this.out = this.newBuffer(n + this.chunkSize);
  }

  /** Hands out the buffered bytes now (no-op when nothing is buffered). */
  flush(): void {
    this.emit(this.checksum);
  }

  private emit(addToCrc: boolean): void {
    if (this.pos === 0) return;
    const chunk = this.out.subarray(0, this.pos);
    if (addToCrc) this.crc.update(chunk);
    this.flushed += this.pos;
    const keep = this.out.length > 4 * this.chunkSize ? this.chunkSize + 1024 : this.out.length;
    // Spares all have the standard size (recycle takes no other).
    const spare = keep === this.chunkSize + 1024 ? this.spare.pop() : undefined;
    if (spare !== undefined) {
      this.own.add(spare);
      this.out = Buffer.from(spare);
    } else {
      this.out = this.newBuffer(keep);
    }
    this.pos = 0;
    if (this.onChunk) this.onChunk(chunk);
    else this.chunks.push(chunk);
  }

  /**
   * The consumer is done with a chunk it received: its memory becomes the next output buffer.
   * Without this every 64 KB chunk is a fresh ArrayBuffer, and that external memory makes V8
   * run young collections every few megabytes of output, which clients feel as latency.
   */
  recycle(chunk: Buffer): void {
    const ab = chunk.buffer;
    if (ab instanceof ArrayBuffer && this.own.has(ab) && ab.byteLength === this.chunkSize + 1024 && this.spare.length < MAX_SPARE) {
      this.own.delete(ab); // accepted once: a second recycle of the same chunk is ignored
      this.spare.push(ab);
    }
  }

  private newBuffer(size: number): Buffer {
    const b = Buffer.allocUnsafeSlow(size);
    this.own.add(b.buffer);
    return b;
  }

  /** Chunks produced so far (when no onChunk callback was given). */
  takeChunks(): Buffer[] {
    return this.chunks.splice(0);
  }

  private maybeFlush(): void {
    if (this.pos >= this.chunkSize) this.flush();
  }

  private byte(b: number): void {
    if (this.pos >= this.out.length) this.ensure(1);
    this.out[this.pos++] = b;
  }

  private writeLen(n: number): void {
    this.ensure(9);
    this.pos = this.writeLenAt(this.out, this.pos, n);
  }

  private writeLenAt(b: Buffer, p: number, n: number): number {
    if (n < 64) {
      b[p++] = n;
    } else if (n < 16384) {
      b[p++] = 0x40 | (n >>> 8);
      b[p++] = n & 0xff;
    } else if (n <= 0xffffffff) {
      b[p++] = 0x80;
      b[p++] = n >>> 24;
      b[p++] = (n >>> 16) & 0xff;
      b[p++] = (n >>> 8) & 0xff;
      b[p++] = n & 0xff;
    } else {
      b[p++] = 0x81;
      b.writeBigUInt64BE(BigInt(n), p);
      p += 8;
    }
    return p;
  }

  /** 8-byte little-endian signed integer (|v| < 2^53), without BigInt. */
  private writeInt64LE(v: number): void {
    this.ensure(8);
    v = Math.trunc(v);
    const hi = Math.floor(v / 4294967296);
    const lo = v - hi * 4294967296;
    this.out.writeUInt32LE(lo, this.pos);
    this.out.writeInt32LE(hi, this.pos + 4);
    this.pos += 8;
  }

  private writeDouble(d: number): void {
    this.ensure(8);
    this.out.writeDoubleLE(d, this.pos);
    this.pos += 8;
  }

  /** An RDB string with Redis's rules: INT encodings, then LZF (> 20 bytes), else plain. */
  writeString(s: string): void {
    const n = s.length;
    if (n <= 11 && n > 0) {
      const c = s.charCodeAt(0);
      if ((c >= 48 && c <= 57) || c === 45) {
        const v = canonicalInt(s);
        if (typeof v === 'number' && v >= -2147483648 && v <= 2147483647) {
          this.writeIntEncoded(v);
          return;
        }
      }
    }
    this.ensure(n + 16);
    const b = this.out;
    const p = this.pos;
    const hdr = lenSize(n);
    writeLatin1(b, p + hdr, s);
    if (this.compression && n > 20) {
      if (this.lzfOut.length < n) this.lzfOut = Buffer.allocUnsafe(n + 1024);
      const clen = lzfCompress(b, p + hdr, p + hdr + n, this.lzfOut, 0, n - 4);
      if (clen > 0) {
        let q = p;
        b[q++] = 0xc3;
        q = this.writeLenAt(b, q, clen);
        q = this.writeLenAt(b, q, n);
        copyBytes(this.lzfOut, 0, clen, b, q);
        this.pos = q + clen;
        return;
      }
    }
    this.writeLenAt(b, p, n);
    this.pos = p + hdr + n;
  }

  private writeIntEncoded(v: number): void {
    this.ensure(5);
    const b = this.out;
    let p = this.pos;
    if (v >= -128 && v <= 127) {
      b[p++] = 0xc0;
      b[p++] = v & 0xff;
    } else if (v >= -32768 && v <= 32767) {
      b[p++] = 0xc1;
      b[p++] = v & 0xff;
      b[p++] = (v >> 8) & 0xff;
    } else {
      b[p++] = 0xc2;
      b[p++] = v & 0xff;
      b[p++] = (v >> 8) & 0xff;
      b[p++] = (v >> 16) & 0xff;
      b[p++] = (v >> 24) & 0xff;
    }
    this.pos = p;
  }

  /** An RDB string holding src[start, end) (blobs: listpacks, intsets), LZF when it pays. */
  private writeBlob(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (this.compression && n > 20) {
      if (this.lzfOut.length < n) this.lzfOut = Buffer.allocUnsafe(n + 1024);
      const clen = lzfCompress(src, start, end, this.lzfOut, 0, n - 4);
      if (clen > 0) {
        this.ensure(clen + 11);
        const b = this.out;
        let q = this.pos;
        b[q++] = 0xc3;
        q = this.writeLenAt(b, q, clen);
        q = this.writeLenAt(b, q, n);
        copyBytes(this.lzfOut, 0, clen, b, q);
        this.pos = q + clen;
        return;
      }
    }
    this.ensure(n + 9);
    const q = this.writeLenAt(this.out, this.pos, n);
    copyBytes(src, start, end, this.out, q);
    this.pos = q + n;
  }

  // ---------------------------------------------------------------- file structure

  /** Magic "REDIS0010" and Redis 7.0's AUX fields. */
  writeHeader(aux: RdbAuxOptions = {}): void {
    this.ensure(9);
    this.pos = writeLatin1(this.out, this.pos, `REDIS${String(RDB_WRITE_VERSION).padStart(4, '0')}`);
    this.writeAux('redis-ver', aux.redisVer ?? '7.0.15');
    this.writeAux('redis-bits', String(aux.redisBits ?? 64));
    this.writeAux('ctime', String(aux.ctime ?? Math.floor(Date.now() / 1000)));
    this.writeAux('used-mem', String(aux.usedMem ?? 0));
    if (aux.replId !== undefined) {
      this.writeAux('repl-stream-db', String(aux.replStreamDb ?? 0));
      this.writeAux('repl-id', aux.replId);
      this.writeAux('repl-offset', String(aux.replOffset ?? 0));
    }
    this.writeAux('aof-base', String(aux.aofBase ?? 0));
    for (const [k, v] of aux.extra ?? []) this.writeAux(k, v);
  }

  writeAux(key: string, value: string): void {
    this.byte(RDB_OPCODE.AUX);
    this.writeString(key);
    this.writeString(value);
  }

  /** FUNCTION2: one function library source. */
  writeFunction(code: string): void {
    this.byte(RDB_OPCODE.FUNCTION2);
    this.writeString(code);
  }

  selectDb(db: number): void {
    this.byte(RDB_OPCODE.SELECTDB);
    this.writeLen(db);
    this.curDb = db;
  }

  resizeDb(dbSize: number, expiresSize: number): void {
    this.byte(RDB_OPCODE.RESIZEDB);
    this.writeLen(dbSize);
    this.writeLen(expiresSize);
  }

  /** Writes SELECTDB only when `db` differs from the current DB (interleaved writers). */
  ensureDb(db: number): void {
    if (db !== this.curDb) this.selectDb(db);
  }

  /** The DB of the last SELECTDB written (-1 before any). */
  get currentDb(): number {
    return this.curDb;
  }

  /**
   * Writes one key. Returns false (and writes nothing) for an empty collection, which RDB
   * files never contain. `meta.idle` (LRU seconds) / `meta.freq` (LFU counter) are written
   * when given, as Redis does under LRU / LFU maxmemory policies.
   */
  writeKey(key: string, value: RdbWriteValue, expireMs: number | null = null, meta?: { idle?: number | null; freq?: number | null }): boolean {
    if (this.finished) throw new Error('RdbWriter: writeKey after finish()');
    if (isEmptyValue(value)) return false;
    if (expireMs !== null) {
      this.byte(RDB_OPCODE.EXPIRETIME_MS);
      this.writeInt64LE(expireMs);
    }
    if (meta) {
      if (meta.idle !== undefined && meta.idle !== null) {
        this.byte(RDB_OPCODE.IDLE);
        this.writeLen(meta.idle);
      }
      if (meta.freq !== undefined && meta.freq !== null) {
        this.byte(RDB_OPCODE.FREQ);
        this.byte(meta.freq & 0xff);
      }
    }
    this.writeObject(key, value);
    this.maybeFlush();
    return true;
  }

  /** Writes a record, emitting SELECTDB first when its DB differs from the current one. */
  writeRecord(rec: RdbRecord): boolean {
    this.ensureDb(rec.db);
    return this.writeKey(rec.key, rec.value, rec.expireMs, rec);
  }

  /** EOF and the checksum trailer; flushes everything. */
  finish(): void {
    if (this.finished) return;
    this.byte(RDB_OPCODE.EOF);
    this.flush();
    this.ensure(8);
    if (this.checksum) this.crc.writeLE(this.out, this.pos);
    else this.out.fill(0, this.pos, this.pos + 8);
    this.pos += 8;
    this.emit(false); // the trailer is not part of the checksum
    this.finished = true;
  }

  /** The checksum of everything flushed so far (the file's CRC once finish() ran). */
  get crcHex(): string {
    return this.crc.hex();
  }

  // ---------------------------------------------------------------- values

  /** Type byte, key (when not null: DUMP payloads have none), value. */
  private writeObject(key: string | null, value: RdbWriteValue): void {
    if (typeof value === 'string') {
      this.byte(RDB_TYPE.STRING);
      if (key !== null) this.writeString(key);
      this.writeString(value);
      return;
    }
    if ('kind' in value) {
      switch (value.kind) {
        case 'hash':
          return this.writeHashSource(key, value);
        case 'set':
          return this.writeSetSource(key, value);
        case 'zset':
          return this.writeZsetSource(key, value);
        case 'list':
          return this.writeListSource(key, value);
        case 'stream':
          return this.writeStreamSource(key, value);
        case 'raw':
          this.byte(value.rdbType);
          if (key !== null) this.writeString(key);
          this.ensure(value.payload.length);
          copyBytes(value.payload, 0, value.payload.length, this.out, this.pos);
          this.pos += value.payload.length;
          return;
      }
    }
    switch (value.type) {
      case 'string':
        this.byte(RDB_TYPE.STRING);
        if (key !== null) this.writeString(key);
        this.writeString(value.value);
        return;
      case 'hash':
        if (value.fieldExpires && value.fieldExpires.some((t) => t !== 0)) {
          throw new Error(`hash ${JSON.stringify(key)} has field TTLs, which RDB version ${RDB_WRITE_VERSION} cannot represent`);
        }
        return this.writeHashPairs(key, value.pairs);
      case 'set':
        return this.writeSetMembers(key, value.members);
      case 'zset':
        return this.writeZsetArrays(key, value.members, value.scores);
      case 'list':
        return this.writeListItems(key, value.items);
      case 'stream':
        return this.writeStreamSource(key, plainStreamSource(value));
    }
  }

  private typeAndKey(type: number, key: string | null): void {
    this.byte(type);
    if (key !== null) this.writeString(key);
  }

  // hashes

  private writeHashPairs(key: string | null, pairs: readonly string[]): void {
    const n = pairs.length >>> 1;
    if (n <= this.limits.hashMaxListpackEntries) {
      const max = this.limits.hashMaxListpackValue;
      const lp = this.lp;
      lp.reset();
      let ok = true;
      for (let i = 0; i < pairs.length; i += 2) {
        const f = pairs[i];
        const v = pairs[i + 1];
        if (f.length > max || v.length > max) {
          ok = false;
          break;
        }
        lp.add(f);
        lp.add(v);
      }
      if (ok) {
        const len = lp.finish();
        this.typeAndKey(RDB_TYPE.HASH_LISTPACK, key);
        this.writeBlob(lp.buf, 0, len);
        return;
      }
    }
    this.typeAndKey(RDB_TYPE.HASH, key);
    this.writeLen(n);
    for (let i = 0; i < pairs.length; i += 2) {
      this.writeString(pairs[i]);
      this.writeString(pairs[i + 1]);
      if (this.pos >= this.chunkSize) this.flush();
    }
  }

  private writeHashSource(key: string | null, h: HashSource): void {
    if (h.size <= this.limits.hashMaxListpackEntries) {
      this.lp.reset();
      this.ok = true;
      if (h.packed) this.packedToListpack(h.packed);
      else h.forEach(this.hashToListpack);
      if (this.ok) {
        this.writeListpack(RDB_TYPE.HASH_LISTPACK, key);
        return;
      }
    }
    this.typeAndKey(RDB_TYPE.HASH, key);
    this.writeLen(h.size);
    h.forEach(this.hashToPlain);
  }

  /** Emits the listpack just built as a value of `type` (hash or sorted set). */
  private writeListpack(type: number, key: string | null): void {
    const len = this.lp.finish();
    this.typeAndKey(type, key);
    this.writeBlob(this.lp.buf, 0, len);
  }

  /** Walks a packed small hash (see store/hash.ts) straight into the listpack builder. */
  private packedToListpack(d: string): void {
    const maxVal = this.limits.hashMaxListpackValue;
    const lp = this.lp;
    const n = d.length;
    let p = 0;
    while (p < n) {
      let c = d.charCodeAt(p++);
      let len = c;
      if (c >= 128) {
        len = c & 127;
        let mul = 128;
        for (;;) {
          c = d.charCodeAt(p++);
          if (c < 128) {
            len += c * mul;
            break;
          }
          len += (c & 127) * mul;
          mul *= 128;
        }
      }
      if (len > maxVal) {
        this.ok = false;
        return;
      }
      lp.addRange(d, p, p + len);
      p += len;
    }
  }

  // sets

  private writeSetMembers(key: string | null, members: readonly string[]): void {
    const n = members.length;
    if (n <= this.limits.setMaxIntsetEntries) {
      const ints = this.ints;
      ints.length = 0;
      let ok = true;
      for (let i = 0; i < n; i++) {
        const v = canonicalInt(members[i]);
        if (v === null) {
          ok = false;
          break;
        }
        ints.push(v);
      }
      if (ok) {
        this.typeAndKey(RDB_TYPE.SET_INTSET, key);
        this.writeIntset();
        return;
      }
    }
    this.typeAndKey(RDB_TYPE.SET, key);
    this.writeLen(n);
    for (let i = 0; i < n; i++) {
      this.writeString(members[i]);
      if (this.pos >= this.chunkSize) this.flush();
    }
  }

  private writeSetSource(key: string | null, s: SetSource): void {
    if (s.size <= this.limits.setMaxIntsetEntries) {
      this.ints.length = 0;
      this.ok = true;
      s.forEach(this.setToInts);
      if (this.ok) {
        this.typeAndKey(RDB_TYPE.SET_INTSET, key);
        this.writeIntset();
        return;
      }
    }
    this.typeAndKey(RDB_TYPE.SET, key);
    this.writeLen(s.size);
    s.forEach(this.setToPlain);
  }

  /** Writes this.ints (canonical integers) as an intset blob. */
  private writeIntset(): void {
    const ints = this.ints;
    ints.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    let enc = 2;
    for (let i = 0; i < ints.length; i++) {
      const v = ints[i];
      if (v < -2147483648 || v > 2147483647) {
        enc = 8;
        break;
      }
      if (v < -32768 || v > 32767) enc = 4;
    }
    const size = 8 + ints.length * enc;
    if (this.scratch.length < size) this.scratch = Buffer.allocUnsafe(size * 2);
    const b = this.scratch;
    b.writeUInt32LE(enc, 0);
    b.writeUInt32LE(ints.length, 4);
    let p = 8;
    for (let i = 0; i < ints.length; i++) {
      const v = ints[i];
      if (enc === 2) b.writeInt16LE(Number(v), p);
      else if (enc === 4) b.writeInt32LE(Number(v), p);
      else b.writeBigInt64LE(BigInt(v), p);
      p += enc;
    }
    ints.length = 0;
    this.writeBlob(b, 0, size);
  }

  // sorted sets

  private addScore(d: number): void {
    const s = listpackScore(d);
    if (typeof s === 'string') this.lp.addRawString(s);
    else this.lp.addInt(s);
  }

  private writeZsetArrays(key: string | null, members: readonly string[], scores: readonly number[]): void {
    const n = members.length;
    // ascending (score, member) order
    const order: number[] = new Array(n);
    let sorted = true;
    for (let i = 0; i < n; i++) {
      order[i] = i;
      if (i > 0 && compareScoreMember(members[i - 1], scores[i - 1], members[i], scores[i]) > 0) sorted = false;
    }
    if (!sorted) order.sort((a, b) => compareScoreMember(members[a], scores[a], members[b], scores[b]));
    if (n <= this.limits.zsetMaxListpackEntries) {
      const max = this.limits.zsetMaxListpackValue;
      let ok = true;
      for (let i = 0; i < n; i++) {
        if (members[i].length > max) {
          ok = false;
          break;
        }
      }
      if (ok) {
        const lp = this.lp;
        lp.reset();
        for (let i = 0; i < n; i++) {
          const k = order[i];
          lp.add(members[k]);
          this.addScore(scores[k]);
        }
        const len = lp.finish();
        this.typeAndKey(RDB_TYPE.ZSET_LISTPACK, key);
        this.writeBlob(lp.buf, 0, len);
        return;
      }
    }
    this.typeAndKey(RDB_TYPE.ZSET_2, key);
    this.writeLen(n);
    for (let i = n - 1; i >= 0; i--) {
      const k = order[i];
      this.writeString(members[k]);
      this.writeDouble(scores[k]);
      if (this.pos >= this.chunkSize) this.flush();
    }
  }

  private writeZsetSource(key: string | null, z: ZSetSource): void {
    if (z.size <= this.limits.zsetMaxListpackEntries) {
      this.lp.reset();
      this.ok = true;
      z.forEach(this.zsetToListpack, false);
      if (this.ok) {
        this.writeListpack(RDB_TYPE.ZSET_LISTPACK, key);
        return;
      }
    }
    this.typeAndKey(RDB_TYPE.ZSET_2, key);
    this.writeLen(z.size);
    z.forEach(this.zsetToPlain, true);
  }

  // lists

  /** Quicklist node planning: does an element of raw length `len` fit the current node? */
  private planItem(s: string): void {
    const len = s.length;
    if (len >= packedThreshold) {
      this.closePlanNode();
      this.plan.push(-1); // PLAIN node
      return;
    }
    const esz = lpEntrySize(s);
    if (this.nodeCount > 0 && this.nodeFits(len)) {
      this.nodeBytes += esz;
      this.nodeCount++;
      return;
    }
    this.closePlanNode();
    this.nodeBytes = 7 + esz;
    this.nodeCount = 1;
  }

  private nodeFits(len: number): boolean {
    const newSize = this.nodeBytes + len + 8;
    const fill = this.limits.listMaxListpackSize;
    if (fill < 0) return newSize <= QUICKLIST_SIZE_CLASSES[Math.min(-fill, 5) - 1];
    return newSize <= QUICKLIST_SAFETY_LIMIT && this.nodeCount < fill;
  }

  private closePlanNode(): void {
    if (this.nodeCount > 0) this.plan.push(this.nodeCount);
    this.nodeCount = 0;
    this.nodeBytes = 0;
  }

  /** Writes one list element while following the node plan. */
  private writeListItem(s: string): void {
    if (this.planLeft === 0) {
      // start the next node
      const n = this.plan[this.planNode++];
      this.writeLen(n < 0 ? 1 : 2);
      if (n < 0) {
        this.writeString(s);
        if (this.pos >= this.chunkSize) this.flush();
        return;
      }
      this.planLeft = n;
      this.lp.reset();
    }
    this.lp.add(s);
    if (--this.planLeft === 0) {
      const len = this.lp.finish();
      this.writeBlob(this.lp.buf, 0, len);
      if (this.pos >= this.chunkSize) this.flush();
    }
  }

  private startPlan(): void {
    this.plan.length = 0;
    this.nodeBytes = 0;
    this.nodeCount = 0;
  }

  private writePlannedList(key: string | null, each: (fn: (s: string) => void) => void): void {
    this.startPlan();
    each(this.listPlanItem);
    this.closePlanNode();
    this.typeAndKey(RDB_TYPE.LIST_QUICKLIST_2, key);
    this.writeLen(this.plan.length);
    this.planNode = 0;
    this.planLeft = 0;
    each(this.listWriteItem);
  }

  private writeListItems(key: string | null, items: readonly string[]): void {
    this.writePlannedList(key, (fn) => {
      for (let i = 0; i < items.length; i++) fn(items[i]);
    });
  }

  private writeListSource(key: string | null, l: ListSource): void {
    this.writePlannedList(key, (fn) => l.forEach(fn));
  }

  // streams

  /** A length that may exceed 2^53 (stream IDs, counters stored as uint64). */
  private writeLenBig(n: bigint): void {
    if (n <= 0xffffffffn) {
      this.writeLen(Number(n));
      return;
    }
    this.ensure(9);
    this.out[this.pos++] = 0x81;
    this.out.writeBigUInt64BE(BigInt.asUintN(64, n), this.pos);
    this.pos += 8;
  }

  /** A stream ID as rdbSaveLen(ms), rdbSaveLen(seq). */
  private writeIdLens(id: bigint): void {
    this.writeLenBig(id >> 64n);
    this.writeLenBig(id & U64);
  }

  /** A stream ID as its 16-byte big-endian radix tree key, written raw (PEL entries). */
  private writeIdRaw(id: bigint): void {
    this.ensure(16);
    this.out.writeBigUInt64BE(id >> 64n, this.pos);
    this.out.writeBigUInt64BE(id & U64, this.pos + 8);
    this.pos += 16;
  }

  /**
   * RDB_TYPE_STREAM_LISTPACKS_2 as Redis 7.0 writes it: per node its 16-byte master ID and its
   * listpack (as RDB strings), then length, last/first/max-deleted IDs, entries-added, and the
   * consumer groups with their PELs and consumers.
   */
  private writeStreamSource(key: string | null, s: StreamSource): void {
    this.typeAndKey(RDB_TYPE.STREAM_LISTPACKS_2, key);
    this.writeLen(s.nodes.length);
    const idKey = this.scratch;
    for (const node of s.nodes) {
      idKey.writeBigUInt64BE(node.master >> 64n, 0);
      idKey.writeBigUInt64BE(node.master & U64, 8);
      this.writeBlob(idKey, 0, 16);
      if (node.listpack !== undefined) this.writeBlob(node.listpack, 0, node.listpack.length);
      else {
        this.buildStreamListpack(node);
        const len = this.lp.finish();
        this.writeBlob(this.lp.buf, 0, len);
      }
      this.maybeFlush();
    }
    this.writeLen(s.size);
    this.writeIdLens(s.lastId);
    this.writeIdLens(s.firstId);
    this.writeIdLens(s.maxDeletedId);
    this.writeLen(s.entriesAdded);
    const groups = s.groups;
    this.writeLen(groups.length);
    for (const g of groups) {
      this.writeString(g.name);
      this.writeIdLens(g.lastId);
      this.writeLenBig(BigInt.asUintN(64, BigInt(g.entriesRead)));
      this.writeLen(g.pel.length);
      for (const n of g.pel) {
        this.writeIdRaw(n.id);
        this.writeInt64LE(n.deliveryTime);
        this.writeLen(n.deliveryCount);
        this.maybeFlush();
      }
      this.writeLen(g.consumers.length);
      for (const c of g.consumers) {
        this.writeString(c.name);
        this.writeInt64LE(c.seenTime);
        this.writeLen(c.pel.length);
        for (const id of c.pel) {
          this.writeIdRaw(id);
          this.maybeFlush();
        }
      }
    }
  }

  /**
   * The node's listpack as Redis lays it out: master entry (live count, deleted count, field
   * count, field names, 0), then per entry flags, ms and seq deltas from the master ID, the
   * fields (or only the values with SAMEFIELDS) and the entry's element count.
   */
  private buildStreamListpack(node: StreamNodeSource): void {
    const lp = this.lp;
    lp.reset();
    lp.addInt(node.live);
    lp.addInt(node.deleted);
    lp.addInt(node.fields.length);
    for (const f of node.fields) lp.add(f);
    lp.addInt(0);
    const mms = node.master >> 64n;
    const mseq = node.master & U64;
    for (const e of node.entries) {
      const n = e.kv.length >>> 1;
      lp.addInt((e.deleted ? 1 : 0) | (e.same ? 2 : 0));
      lp.addInt(BigInt.asIntN(64, (e.id >> 64n) - mms));
      lp.addInt(BigInt.asIntN(64, (e.id & U64) - mseq));
      if (e.same) {
        for (let i = 1; i < e.kv.length; i += 2) lp.add(e.kv[i]);
        lp.addInt(n + 3);
      } else {
        lp.addInt(n);
        for (let i = 0; i < e.kv.length; i++) lp.add(e.kv[i]);
        lp.addInt(2 * n + 4);
      }
    }
  }

  // ---------------------------------------------------------------- DUMP payloads

  /**
   * DUMP payload of a value: type byte, value, RDB version (2 bytes LE), CRC-64 (8 bytes LE)
   * over everything before it. Compression follows the options like Redis's rdbcompression.
   */
  static dumpPayload(value: RdbWriteValue, opts: { compression?: boolean; limits?: Partial<EncodingLimits> } = {}): Buffer {
    const w = new RdbWriter({ compression: opts.compression, limits: opts.limits, checksum: false });
    w.writeObject(null, value);
    w.ensure(10);
    w.out[w.pos++] = RDB_WRITE_VERSION & 0xff;
    w.out[w.pos++] = RDB_WRITE_VERSION >>> 8;
    w.flush();
    const body = Buffer.concat(w.takeChunks());
    const out = Buffer.allocUnsafe(body.length + 8);
    body.copy(out, 0);
    new Crc64().update(body).writeLE(out, body.length);
    return out;
  }
  /** FUNCTION DUMP payload: one FUNCTION2 record per library, then the RDB version and CRC-64 like DUMP. */
  static functionsPayload(codes: readonly string[]): Buffer {
    const w = new RdbWriter({ compression: false, checksum: false });
    for (const code of codes) w.writeFunction(code);
    w.ensure(2);
    w.out[w.pos++] = RDB_WRITE_VERSION & 0xff;
    w.out[w.pos++] = RDB_WRITE_VERSION >>> 8;
    w.flush();
    const body = Buffer.concat(w.takeChunks());
    const out = Buffer.allocUnsafe(body.length + 8);
    body.copy(out, 0);
    new Crc64().update(body).writeLE(out, body.length);
    return out;
  }
}

function copyBytes(src: Uint8Array, start: number, end: number, dst: Uint8Array, at: number): void {
  const n = end - start;
  // Buffer.copy and subarray both create a view object for a partial range; for the small
  // blobs a snapshot writes millions of times, a loop makes no garbage and is as fast.
  if (n < 1024) {
    for (let i = 0; i < n; i++) dst[at + i] = src[start + i];
  } else {
    dst.set(src.subarray(start, end), at);
  }
}

const U64 = (1n << 64n) - 1n;

function parseStreamId(s: string): bigint {
  const dash = s.indexOf('-');
  return (BigInt(s.slice(0, dash)) << 64n) | BigInt(s.slice(dash + 1));
}

/** Entries per node when a plain stream comes without its nodes (stream-node-max-entries). */
const PLAIN_NODE_ENTRIES = 100;

/** A reader's plain stream as a StreamSource (its stored nodes when it has them). */
export function plainStreamSource(v: RdbStream): StreamSource {
  const nodes: StreamNodeSource[] = [];
  if (v.nodes !== undefined) {
    for (const n of v.nodes) {
      const entries = n.entries.map((e) => ({ id: parseStreamId(e.id), kv: e.kv, deleted: e.deleted, same: e.same }));
      let live = 0;
      for (const e of entries) if (!e.deleted) live++;
      nodes.push({ master: parseStreamId(n.master), fields: n.fields, live, deleted: entries.length - live, entries });
    }
  } else {
    for (let i = 0; i < v.entries.length; i += PLAIN_NODE_ENTRIES) {
      const chunk = v.entries.slice(i, i + PLAIN_NODE_ENTRIES);
      const fields: string[] = [];
      for (let k = 0; k < chunk[0].fields.length; k += 2) fields.push(chunk[0].fields[k]);
      const entries = chunk.map((e) => {
        let same = e.fields.length === fields.length * 2;
        for (let k = 0; same && k < fields.length; k++) same = e.fields[k * 2] === fields[k];
        return { id: parseStreamId(e.id), kv: e.fields, deleted: false, same };
      });
      nodes.push({ master: entries[0].id, fields, live: entries.length, deleted: 0, entries });
    }
  }
  const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const groups: StreamGroupSource[] = [...v.groups].sort(byName).map((g) => ({
    name: g.name,
    lastId: parseStreamId(g.lastId),
    entriesRead: g.entriesRead ?? -1,
    pel: g.pel.map((n) => ({ id: parseStreamId(n.id), deliveryTime: n.deliveryTime, deliveryCount: n.deliveryCount })),
    consumers: [...g.consumers].sort(byName).map((c) => ({ name: c.name, seenTime: c.seenTime, pel: c.pel.map(parseStreamId) })),
  }));
  return {
    kind: 'stream',
    size: v.length,
    nodes,
    lastId: parseStreamId(v.lastId),
    firstId: parseStreamId(v.firstId),
    maxDeletedId: parseStreamId(v.maxDeletedId),
    entriesAdded: v.entriesAdded,
    groups,
  };
}

function isEmptyValue(v: RdbWriteValue): boolean {
  if (typeof v === 'string') return false;
  if ('kind' in v) return v.kind === 'raw' || v.kind === 'stream' ? false : v.size === 0;
  switch (v.type) {
    case 'string':
      return false;
    case 'list':
      return v.items.length === 0;
    case 'set':
      return v.members.length === 0;
    case 'zset':
      return v.members.length === 0;
    case 'hash':
      return v.pairs.length === 0;
    case 'stream':
      return false;
  }
}

export interface WriteRdbOptions extends RdbWriterOptions {
  aux?: RdbAuxOptions;
  functions?: string[];
}

/**
 * Serializes a whole dataset of plain records (any DB order; they are grouped by DB, each DB
 * with SELECTDB + RESIZEDB like Redis) into one Buffer. For big datasets prefer driving an
 * RdbWriter with onChunk.
 */
export function writeRdb(records: readonly RdbRecord[], opts: WriteRdbOptions = {}): Buffer {
  const chunks: Buffer[] = [];
  const w = new RdbWriter({ ...opts, onChunk: opts.onChunk ?? ((c) => chunks.push(c)) });
  w.writeHeader(opts.aux);
  for (const f of opts.functions ?? []) w.writeFunction(f);
  const byDb = new Map<number, RdbRecord[]>();
  for (const r of records) {
    let l = byDb.get(r.db);
    if (!l) byDb.set(r.db, (l = []));
    l.push(r);
  }
  for (const db of [...byDb.keys()].sort((a, b) => a - b)) {
    const list = byDb.get(db)!;
    w.selectDb(db);
    w.resizeDb(list.length, list.filter((r) => r.expireMs !== null).length);
    for (const r of list) w.writeKey(r.key, r.value, r.expireMs, r);
  }
  w.finish();
  return Buffer.concat(chunks);
}
