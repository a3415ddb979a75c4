/**
 * DEBUG DIGEST / DEBUG DIGEST-VALUE with the same results as Redis 7.0, computed over plain
 * values (the reader's RdbValue records, or the writer's adapter sources), so two servers'
 * datasets — or a server and an RDB file — can be compared.
 *
 * Construction (from the format of Redis's debug.c, re-implemented):
 *   xor(D, data):  D ^= SHA1(data)                 — order-independent accumulation
 *   mix(D, data):  D = SHA1(D ^ SHA1(data))        — order-dependent chaining
 *
 *   key digest K  = 0; mix(K, key); mix(K, uint32 BE object type);
 *                   string: mix(K, value)
 *                   list:   mix(K, element) for each element, head to tail
 *                   set:    xor(K, member) for each member
 *                   zset:   E = 0; mix(E, member); mix(E, "%.17g" of score); xor(K, E) per member
 *                   hash:   E = 0; mix(E, field); mix(E, value); xor(K, E) per field
 *                           (xor(K, E) hashes E: K ^= SHA1(E))
 *                   stream: per live entry mix(K, "<ms>.<seq>"), then mix(K, field), mix(K, value)
 *                   if the key has a TTL: xor(K, "!!expire!!")
 *   dataset       = 0; for each non-empty DB in ascending order:
 *                     mix(F, uint32 BE db index); xor(F, K) for every key of that DB
 *   DIGEST-VALUE  = the key digest without the mix(K, key) step.
 * An empty dataset digests to 40 zeros.
 */
import { sha1Into } from './sha1.js';
import { writeLatin1 } from './encodings.js';
import { formatG17 } from './numfmt.js';
import { OBJ_TYPE, type RdbRecord, type RdbValue } from './rdb-types.js';
import type { RdbWriteValue } from './rdb-writer.js';

let scratch = Buffer.allocUnsafe(4096);
const hashOut = new Uint8Array(20);
const mixBuf = new Uint8Array(20);
const EXPIRE_MARK = Buffer.from('!!expire!!', 'latin1');

function bytesOf(s: string): number {
  const n = s.length;
  if (scratch.length < n) scratch = Buffer.allocUnsafe(Math.max(n, scratch.length * 2));
  writeLatin1(scratch, 0, s);
  return n;
}

/** D ^= SHA1(src[start, end)) */
function xorBytes(d: Uint8Array, src: Uint8Array, start: number, end: number): void {
  sha1Into(src, start, end, hashOut, 0);
  for (let i = 0; i < 20; i++) d[i] ^= hashOut[i];
}

/** D = SHA1(D ^ SHA1(src[start, end))) */
function mixBytes(d: Uint8Array, src: Uint8Array, start: number, end: number): void {
  xorBytes(d, src, start, end);
  for (let i = 0; i < 20; i++) mixBuf[i] = d[i];
  sha1Into(mixBuf, 0, 20, d, 0);
}

function xorString(d: Uint8Array, s: string): void {
  const n = bytesOf(s);
  xorBytes(d, scratch, 0, n);
}

function mixString(d: Uint8Array, s: string): void {
  const n = bytesOf(s);
  mixBytes(d, scratch, 0, n);
}

const u32 = new Uint8Array(4);
function mixU32(d: Uint8Array, v: number): void {
  u32[0] = v >>> 24;
  u32[1] = (v >>> 16) & 0xff;
  u32[2] = (v >>> 8) & 0xff;
  u32[3] = v & 0xff;
  mixBytes(d, u32, 0, 4);
}

function xorInto(d: Uint8Array, e: Uint8Array): void {
  for (let i = 0; i < 20; i++) d[i] ^= e[i];
}

const ele = new Uint8Array(20);

function pairDigest(d: Uint8Array, a: string, b: string): void {
  ele.fill(0);
  mixString(ele, a);
  mixString(ele, b);
  xorBytes(d, ele, 0, 20);
}

function objectType(v: RdbWriteValue): number {
  if (typeof v === 'string') return OBJ_TYPE.string;
  if ('kind' in v) {
    if (v.kind === 'raw') throw new Error('digest: raw (pre-serialized) values cannot be digested');
    return OBJ_TYPE[v.kind];
  }
  return OBJ_TYPE[v.type];
}

/** Folds the digest of one value (type, content, TTL mark) into `d` (Redis's xorObjectDigest). */
function objectDigest(d: Uint8Array, v: RdbWriteValue, hasExpire: boolean): void {
  mixU32(d, objectType(v));
  if (typeof v === 'string') {
    mixString(d, v);
  } else if ('kind' in v) {
    switch (v.kind) {
      case 'list':
        v.forEach((s) => mixString(d, s));
        break;
      case 'set':
        v.forEach((s) => xorString(d, s));
        break;
      case 'hash':
        v.forEach((f, val) => pairDigest(d, f, val));
        break;
      case 'zset':
        v.forEach((m, score) => pairDigest(d, m, formatG17(score)), false);
        break;
      case 'stream':
        for (const n of v.nodes) {
          for (const e of n.entries) {
            if (e.deleted) continue;
            mixString(d, `${e.id >> 64n}.${e.id & 0xffffffffffffffffn}`);
            for (const s of e.kv) mixString(d, s);
          }
        }
        break;
      case 'raw':
        break;
    }
  } else {
    valueDigest(d, v);
  }
  if (hasExpire) xorBytes(d, EXPIRE_MARK, 0, EXPIRE_MARK.length);
}

function valueDigest(d: Uint8Array, v: RdbValue): void {
  switch (v.type) {
    case 'string':
      mixString(d, v.value);
      return;
    case 'list':
      for (const s of v.items) mixString(d, s);
      return;
    case 'set':
      for (const s of v.members) xorString(d, s);
      return;
    case 'hash':
      for (let i = 0; i < v.pairs.length; i += 2) pairDigest(d, v.pairs[i], v.pairs[i + 1]);
      return;
    case 'zset':
      for (let i = 0; i < v.members.length; i++) pairDigest(d, v.members[i], formatG17(v.scores[i]));
      return;
    case 'stream':
      for (const e of v.entries) {
        mixString(d, e.id.replace('-', '.'));
        for (const f of e.fields) mixString(d, f);
      }
      return;
  }
}

function hex(d: Uint8Array): string {
  return Buffer.from(d.buffer, d.byteOffset, 20).toString('hex');
}

/** DEBUG DIGEST-VALUE of one value (40 hex digits); `hasExpire` = the key has a TTL. */
export function digestValue(value: RdbWriteValue, hasExpire = false): string {
  const d = new Uint8Array(20);
  objectDigest(d, value, hasExpire);
  return hex(d);
}

/** Accumulates DEBUG DIGEST over keys added in any order. */
export class DatasetDigest {
  private readonly perDb = new Map<number, Uint8Array>();
  private readonly k = new Uint8Array(20);

  /** Adds one key (`hasExpire`: the key has a TTL — only its presence counts, not its value). */
  add(db: number, key: string, value: RdbWriteValue, hasExpire: boolean): void {
    const k = this.k;
    k.fill(0);
    mixString(k, key);
    objectDigest(k, value, hasExpire);
    let acc = this.perDb.get(db);
    if (!acc) this.perDb.set(db, (acc = new Uint8Array(20)));
    xorBytes(acc, k, 0, 20);
  }

  addRecord(r: RdbRecord): void {
    this.add(r.db, r.key, r.value, r.expireMs !== null);
  }

  /** 40 hex digits, like DEBUG DIGEST. */
  hex(): string {
    const f = new Uint8Array(20);
    for (const db of [...this.perDb.keys()].sort((a, b) => a - b)) {
      mixU32(f, db);
      xorInto(f, this.perDb.get(db)!);
    }
    return hex(f);
  }
}

/** DEBUG DIGEST of a set of records. */
export function datasetDigest(records: Iterable<RdbRecord>): string {
  const dd = new DatasetDigest();
  for (const r of records) dd.addRecord(r);
  return dd.hex();
}
