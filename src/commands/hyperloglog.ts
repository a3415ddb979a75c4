/**
 * HyperLogLog commands: PFADD PFCOUNT PFMERGE PFDEBUG PFSELFTEST. An HLL is a string value in
 * Redis 7.0's exact byte layout (src/store/hll.ts), so GET/SET/DUMP/RESTORE and snapshots carry
 * it unchanged between reddish and redis-server.
 *
 * Writers edit the value in place after lookupWrite (or, for PFCOUNT's cached cardinality, after
 * the snapshot hook), like Redis's dbUnshareStringValue: the value becomes a raw string.
 */
import type { Client } from '../net/client.js';
import type { Database } from '../store/database.js';
import { StringValue, ValueType, type RedisValue } from '../store/values.js';
import type { Command, CommandSpec } from './registry.js';
import { E } from './util.js';
import { NOTIFY } from '../config/config.js';
import {
  CARD_OVERFLOW,
  DENSE,
  DENSE_SIZE,
  HDR_SIZE,
  PROMOTE,
  REGISTERS,
  SPARSE,
  cacheValid,
  count,
  countRaw,
  decodeSparse,
  denseAdd,
  denseGet,
  denseSet,
  denseSetReg,
  invalidateCache,
  isValidHll,
  mergeInto,
  newSparse,
  patIndex,
  patLenString,
  patLenU64,
  readCard,
  sparseBytes,
  sparseLoad,
  sparseTail,
  sparseSet,
  sparseToDense,
  writeCard,
} from '../store/hll.js';

const NOT_HLL = 'WRONGTYPE Key is not a valid HyperLogLog string value.';
const CORRUPTED = 'INVALIDOBJ Corrupted HLL object detected';
/** What PFCOUNT replies for an estimate C's llroundl cannot represent (LLONG_MIN). */
const OVERFLOW_REPLY = -9223372036854775808n;

/** Bytes of a string value for reading: the live buffer of a raw value, else a latin1 copy (so reads keep the encoding). */
function readBytes(sv: StringValue): Buffer {
  return sv.isRaw ? sv.bytes() : Buffer.from(sv.toString(), 'latin1');
}

/** Redis's isHLLObjectOrReply: the string value when it holds an HLL; null after the error reply. */
function hllOrReply(c: Client, v: RedisValue): StringValue | null {
  if (v.type !== ValueType.String) {
    c.error(E.WRONGTYPE);
    return null;
  }
  const sv = v as StringValue;
  const len = sv.length;
  let ok: boolean;
  if (len < HDR_SIZE) ok = false;
  else if (sv.isRaw) ok = isValidHll(sv.bytes(), len);
  else {
    // Checked on the text itself: copying it to bytes would turn an embstr read into raw.
    const s = sv.toString();
    const enc = s.charCodeAt(4);
    ok = s.startsWith('HYLL') && enc <= SPARSE && (enc !== DENSE || len === DENSE_SIZE);
  }
  if (!ok) {
    c.error(NOT_HLL);
    return null;
  }
  return sv;
}

/** Replaces the bytes of an HLL value (in place: TTL, access clock and identity stay). */
function store(sv: StringValue, bytes: Uint8Array): Buffer {
  const b = sv.resize(bytes.length);
  b.set(bytes, 0);
  tails.delete(sv);
  return b;
}

/**
 * The byte Redis's buffer holds just past the end of a sparse HLL, when an edit left one there
 * that is not the terminator (see sparseSet): it is read back by a cut-short final XZERO, so it
 * stays with the value while its length does not change. Copies (COPY, RESTORE, reload) start at 0.
 */
const tails = new WeakMap<StringValue, { len: number; tail: number }>();

function tailOf(sv: StringValue): number {
  const t = tails.get(sv);
  return t !== undefined && t.len === sv.length ? t.tail : 0;
}

/** Stores the edited scratch HLL in `sv`, with the byte past its end. */
function storeSparse(sv: StringValue): Buffer {
  const b = store(sv, sparseBytes());
  const tail = sparseTail();
  if (tail !== 0) tails.set(sv, { len: sv.length, tail });
  return b;
}

/** A new empty (sparse) HLL under `key`. */
function createHll(db: Database, key: string): StringValue {
  const sv = StringValue.fromBuffer(newSparse());
  db.set(key, sv);
  return sv;
}

// ---------------------------------------------------------------- PFADD

function pfaddCommand(c: Client, argv: string[]): void {
  const db = c.db;
  const key = argv[1];
  const v = db.lookupWrite(key);
  let updated = 0;
  let sv: StringValue;
  if (v === undefined) {
    sv = createHll(db, key);
    updated++;
  } else {
    const h = hllOrReply(c, v);
    if (h === null) return;
    sv = h;
  }
  const n = argv.length;
  let buf = sv.mutable(sv.length);
  if (buf[4] === DENSE) {
    for (let j = 2; j < n; j++) updated += denseAdd(buf, argv[j]);
  } else if (n > 2) {
    const maxBytes = c.server.config.num('hll-sparse-max-bytes');
    sparseLoad(buf, sv.length, tailOf(sv));
    let dense: Buffer | null = null;
    let changed = false;
    let corrupted = false;
    for (let j = 2; j < n; j++) {
      if (dense !== null) {
        updated += denseAdd(dense, argv[j]);
        continue;
      }
      const cnt = patLenString(argv[j]);
      const index = patIndex;
      const r = sparseSet(index, cnt, maxBytes);
      if (r === 1) {
        updated++;
        changed = true;
      } else if (r === PROMOTE) {
        dense = sparseToDense(sparseBytes(), sparseBytes().length, sparseTail());
        if (dense === null) {
          corrupted = true;
          break;
        }
        denseSet(dense, index, cnt);
        updated++;
      } else if (r === -1) {
        corrupted = true;
        break;
      }
    }
    // Redis edits the value as it goes: even a failing PFADD leaves its earlier changes.
    if (dense !== null) buf = store(sv, dense);
    else if (changed) buf = storeSparse(sv);
    if (corrupted) {
      c.error(CORRUPTED);
      return;
    }
  }
  if (updated > 0) {
    db.touched(key);
    db.notify(NOTIFY.STRING, 'pfadd', key);
    c.server.dirty += updated;
    invalidateCache(buf);
  }
  c.w.raw(updated > 0 ? ':1\r\n' : ':0\r\n');
}

// ---------------------------------------------------------------- PFCOUNT

const maxRegs = new Uint8Array(REGISTERS);

function replyCard(c: Client, card: number | bigint): void {
  c.w.int(card === CARD_OVERFLOW ? OVERFLOW_REPLY : card);
}

function pfcountCommand(c: Client, argv: string[]): void {
  const db = c.db;
  if (argv.length > 2) {
    // Several keys: the cardinality of their union, nothing is modified.
    maxRegs.fill(0);
    for (let j = 1; j < argv.length; j++) {
      const v = db.lookupRead(argv[j]);
      if (v === undefined) continue;
      const sv = hllOrReply(c, v);
      if (sv === null) return;
      const b = readBytes(sv);
      if (!mergeInto(maxRegs, b, sv.length, tailOf(sv))) {
        c.error(CORRUPTED);
        return;
      }
    }
    replyCard(c, countRaw(maxRegs));
    return;
  }
  const key = argv[1];
  const v = db.lookupRead(key);
  if (v === undefined) {
    c.w.raw(':0\r\n');
    return;
  }
  const sv = hllOrReply(c, v);
  if (sv === null) return;
  const len = sv.length;
  const buf = sv.mutable(len);
  if (cacheValid(buf)) {
    c.w.int(readCard(buf));
    return;
  }
  const card = count(buf, len, tailOf(sv));
  if (card === null) {
    c.error(CORRUPTED);
    return;
  }
  // Refreshing the cache modifies the string: it is a write that replicas must see too.
  c.server.keyspace.beforeWrite(db, key);
  writeCard(buf, card);
  db.touched(key);
  c.server.dirty++;
  replyCard(c, card);
}

// ---------------------------------------------------------------- PFMERGE

function pfmergeCommand(c: Client, argv: string[]): void {
  const db = c.db;
  maxRegs.fill(0);
  let useDense = false;
  // The destination is merged too (it is argv[1]).
  for (let j = 1; j < argv.length; j++) {
    const v = db.lookupRead(argv[j]);
    if (v === undefined) continue;
    const sv = hllOrReply(c, v);
    if (sv === null) return;
    const b = readBytes(sv);
    if (b[4] === DENSE) useDense = true;
    if (!mergeInto(maxRegs, b, sv.length, tailOf(sv))) {
      c.error(CORRUPTED);
      return;
    }
  }
  const key = argv[1];
  const dv = db.lookupWrite(key);
  const sv = dv === undefined ? createHll(db, key) : (dv as StringValue);
  let buf = sv.mutable(sv.length);
  if (useDense && buf[4] === SPARSE) {
    const d = sparseToDense(buf, sv.length, tailOf(sv));
    if (d === null) {
      c.error(CORRUPTED);
      return;
    }
    buf = store(sv, d);
  }
  if (buf[4] === DENSE) {
    for (let j = 0; j < REGISTERS; j++) if (maxRegs[j] !== 0) denseSet(buf, j, maxRegs[j]);
  } else {
    // Register by register through the sparse editor, as Redis does, so the bytes come out the same.
    const maxBytes = c.server.config.num('hll-sparse-max-bytes');
    sparseLoad(buf, sv.length, tailOf(sv));
    let dense: Buffer | null = null;
    let changed = false;
    for (let j = 0; j < REGISTERS; j++) {
      const m = maxRegs[j];
      if (m === 0) continue;
      if (dense !== null) {
        denseSet(dense, j, m);
        continue;
      }
      const r = sparseSet(j, m, maxBytes);
      if (r === 1) changed = true;
      else if (r === PROMOTE) {
        dense = sparseToDense(sparseBytes(), sparseBytes().length, sparseTail());
        if (dense !== null) denseSet(dense, j, m);
      }
    }
    if (dense !== null) buf = store(sv, dense);
    else if (changed) buf = storeSparse(sv);
  }
  invalidateCache(buf);
  db.touched(key);
  // Redis reports a merge as a mass PFADD.
  db.notify(NOTIFY.STRING, 'pfadd', key);
  c.server.dirty++;
  c.w.ok();
}

// ---------------------------------------------------------------- PFDEBUG PFSELFTEST

function pfdebugCommand(c: Client, argv: string[]): void {
  const sub = argv[1];
  const key = argv[2];
  const db = c.db;
  const v = db.lookupWrite(key);
  if (v === undefined) {
    c.error('ERR The specified key does not exist');
    return;
  }
  const sv = hllOrReply(c, v);
  if (sv === null) return;
  let buf = sv.mutable(sv.length);
  switch (sub.toLowerCase()) {
    case 'getreg': {
      if (buf[4] === SPARSE) {
        const d = sparseToDense(buf, sv.length, tailOf(sv));
        if (d === null) {
          c.error(CORRUPTED);
          return;
        }
        buf = store(sv, d);
        // Propagated so replicas convert too; Redis does not signal the key as modified.
        c.server.dirty++;
      }
      c.w.array(REGISTERS);
      for (let j = 0; j < REGISTERS; j++) c.w.int(denseGet(buf, HDR_SIZE, j));
      return;
    }
    case 'decode':
      if (buf[4] !== SPARSE) {
        c.error('ERR HLL encoding is not sparse');
        return;
      }
      c.w.bulk(decodeSparse(buf, sv.length, tailOf(sv)));
      return;
    case 'encoding':
      c.w.simple(buf[4] === DENSE ? 'dense' : 'sparse');
      return;
    case 'todense': {
      let conv = 0;
      if (buf[4] === SPARSE) {
        const d = sparseToDense(buf, sv.length, tailOf(sv));
        if (d === null) {
          c.error(CORRUPTED);
          return;
        }
        store(sv, d);
        conv = 1;
        c.server.dirty++;
      }
      c.w.int(conv);
      return;
    }
    default:
      c.error(`ERR Unknown PFDEBUG subcommand '${sub}'`);
  }
}

/**
 * PFSELFTEST: register access on random values, then ten million elements added to a dense and
 * a sparse HLL at once, checking at powers of ten that they agree and stay within the error bound.
 */
function pfselftestCommand(c: Client): void {
  const dense = Buffer.alloc(DENSE_SIZE);
  const bytes = new Uint8Array(REGISTERS);
  for (let cycle = 0; cycle < 1000; cycle++) {
    for (let i = 0; i < REGISTERS; i++) {
      const r = (Math.random() * 64) | 0;
      bytes[i] = r;
      denseSetReg(dense, HDR_SIZE, i, r);
    }
    for (let i = 0; i < REGISTERS; i++) {
      const val = denseGet(dense, HDR_SIZE, i);
      if (val !== bytes[i]) {
        c.error(`ERR TESTFAILED Register ${i} should be ${bytes[i]} but is ${val}`);
        return;
      }
    }
  }

  dense.fill(0, HDR_SIZE);
  dense[4] = DENSE;
  const maxBytes = c.server.config.num('hll-sparse-max-bytes');
  sparseLoad(newSparse(), HDR_SIZE + 2);
  let other: Buffer | null = null; // the second HLL once it went dense
  const relerr = 1.04 / Math.sqrt(REGISTERS);
  let checkpoint = 1;
  const seedLo = (Math.random() * 0x100000000) >>> 0;
  const seedHi = (Math.random() * 0x100000000) >>> 0;
  for (let j = 1; j <= 10000000; j++) {
    const lo = (j ^ seedLo) >>> 0;
    const cnt = patLenU64(seedHi, lo);
    const index = patIndex;
    denseSet(dense, index, cnt);
    if (other !== null) denseSet(other, index, cnt);
    else if (sparseSet(index, cnt, maxBytes) === PROMOTE) {
      other = sparseToDense(sparseBytes(), sparseBytes().length)!;
      denseSet(other, index, cnt);
    }
    if (j !== checkpoint) continue;
    if (j < maxBytes / 2 && other !== null) {
      c.error('ERR TESTFAILED sparse encoding not used');
      return;
    }
    const est = count(dense, DENSE_SIZE)!;
    const est2 = other !== null ? count(other, DENSE_SIZE) : count(sparseBytes(), sparseBytes().length);
    if (est !== est2) {
      c.error('ERR TESTFAILED dense/sparse disagree');
      return;
    }
    let maxerr = Math.ceil(relerr * 6 * checkpoint);
    if (j === 10) maxerr = 1;
    const abserr = Math.abs(checkpoint - est);
    if (abserr > maxerr) {
      c.error(`ERR TESTFAILED Too big error. card:${checkpoint} abserr:${abserr}`);
      return;
    }
    checkpoint *= 10;
  }
  c.w.ok();
}

// ---------------------------------------------------------------- table

export function hyperloglogCommands(): CommandSpec[] {
  const group = 'hyperloglog';
  return [
    { name: 'pfadd', arity: -2, flags: ['write', 'denyoom', 'fast'], keys: [1, 1, 1], group, since: '2.8.9', summary: 'Adds the specified elements to the specified HyperLogLog.', handler: pfaddCommand },
    { name: 'pfcount', arity: -2, flags: ['readonly'], keys: [1, -1, 1], group, since: '2.8.9', summary: 'Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).', handler: pfcountCommand, hiddenMayReplicate: true },
    { name: 'pfmerge', arity: -2, flags: ['write', 'denyoom'], keys: [1, -1, 1], group, since: '2.8.9', summary: 'Merge N different HyperLogLogs into a single one.', handler: pfmergeCommand },
    { name: 'pfdebug', arity: 3, flags: ['write', 'denyoom', 'admin'], keys: [2, 2, 1], group, since: '2.8.9', summary: 'Internal commands for debugging HyperLogLog values', handler: pfdebugCommand },
    { name: 'pfselftest', arity: 1, flags: ['admin'], group, since: '2.8.9', summary: 'An internal command for testing HyperLogLog values', handler: (c) => pfselftestCommand(c) },
  ];
}
