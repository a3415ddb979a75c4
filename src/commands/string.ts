/**
 * String commands: SET and its variants (SETNX SETEX PSETEX GETSET MSET MSETNX), the getters
 * (GET GETEX GETDEL MGET GETRANGE SUBSTR STRLEN), in-place edits (APPEND SETRANGE), counters
 * (INCR DECR INCRBY DECRBY INCRBYFLOAT) and LCS, with Redis 7.0's replies, error texts, check
 * order, dirty counting and propagation rewrites.
 */
import type { Client } from '../net/client.js';
import type { Database } from '../store/database.js';
import { StringValue, ValueType, type RedisValue } from '../store/values.js';
import type { CommandSpec } from './registry.js';
import { E, parseInt64, parseBigInt64 } from './util.js';
import { parseExt, addExt, formatExt, type Ext } from './string-float.js';
import { NOTIFY } from '../config/config.js';

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

// ---------------------------------------------------------------- shared helpers

/** Replies a string value as a bulk, without materialising a JS string for in-place-edited values. */
export function replyStringValue(c: Client, v: StringValue): void {
  if (v.isRaw) c.w.bulkBuffer(v.bytes());
  else c.w.bulk(v.toString());
}

/** Bytes of a string value for read-only scanning (a temporary copy unless already a buffer). */
export function readBytes(v: StringValue): Buffer {
  return v.isRaw ? v.bytes() : Buffer.from(v.toString(), 'latin1');
}

/**
 * Redis's checkStringLength: a string may not grow beyond proto-max-bulk-len (the master's
 * stream is trusted). Replies the error and returns false when `size + append` is too big.
 */
export function checkStringLength(c: Client, size: number, append: number): boolean {
  if (c.isMaster) return true;
  if (size + append > c.server.config.num('proto-max-bulk-len')) {
    c.error(E.STRING_TOO_LONG);
    return false;
  }
  return true;
}

/** Redis's setKey: lazily expires the old key (propagating its DEL) then stores the value. */
function setKey(db: Database, key: string, value: RedisValue, keepTtl = false): void {
  db.expireIfNeeded(key);
  db.set(key, value, keepTtl);
}

/** GET's logic shared by SET GET, GETDEL, GETSET: false when it replied an error. */
function getGeneric(c: Client, key: string): boolean {
  const v = c.db.lookupRead(key);
  if (v === undefined) {
    c.w.nil();
    return true;
  }
  if (v.type !== ValueType.String) {
    c.error(E.WRONGTYPE);
    return false;
  }
  replyStringValue(c, v as StringValue);
  return true;
}

// ---------------------------------------------------------------- SET family

const F_NX = 1;
const F_XX = 2;
const F_EX = 4;
const F_PX = 8;
const F_KEEPTTL = 16;
const F_GET = 32;
const F_EXAT = 64;
const F_PXAT = 128;
const F_PERSIST = 256;

// Results of parseExtended (module scratch, so the hot path allocates nothing).
let pFlags = 0;
let pExpire: string | null = null;

/**
 * The option parser shared by SET (from argv[3]) and GETEX (from argv[2]), accepting the same
 * combinations as Redis: repeating an option is fine, conflicting ones are a syntax error.
 */
function parseExtended(c: Client, argv: string[], isSet: boolean): boolean {
  let flags = 0;
  let expire: string | null = null;
  const n = argv.length;
  for (let j = isSet ? 3 : 2; j < n; j++) {
    const opt = argv[j];
    const hasNext = j < n - 1;
    const u = opt.length <= 7 ? opt.toUpperCase() : '';
    if (u === 'NX' && !(flags & F_XX) && isSet) {
      flags |= F_NX;
    } else if (u === 'XX' && !(flags & F_NX) && isSet) {
      flags |= F_XX;
    } else if (u === 'GET' && isSet) {
      flags |= F_GET;
    } else if (u === 'KEEPTTL' && !(flags & (F_PERSIST | F_EX | F_EXAT | F_PX | F_PXAT)) && isSet) {
      flags |= F_KEEPTTL;
    } else if (u === 'PERSIST' && !isSet && !(flags & (F_EX | F_EXAT | F_PX | F_PXAT | F_KEEPTTL))) {
      flags |= F_PERSIST;
    } else if (u === 'EX' && !(flags & (F_KEEPTTL | F_PERSIST | F_EXAT | F_PX | F_PXAT)) && hasNext) {
      flags |= F_EX;
      expire = argv[++j];
    } else if (u === 'PX' && !(flags & (F_KEEPTTL | F_PERSIST | F_EX | F_EXAT | F_PXAT)) && hasNext) {
      flags |= F_PX;
      expire = argv[++j];
    } else if (u === 'EXAT' && !(flags & (F_KEEPTTL | F_PERSIST | F_EX | F_PX | F_PXAT)) && hasNext) {
      flags |= F_EXAT;
      expire = argv[++j];
    } else if (u === 'PXAT' && !(flags & (F_KEEPTTL | F_PERSIST | F_EX | F_EXAT | F_PX)) && hasNext) {
      flags |= F_PXAT;
      expire = argv[++j];
    } else {
      c.error(E.SYNTAX);
      return false;
    }
  }
  pFlags = flags;
  pExpire = expire;
  return true;
}

/** Text of the last absolute expire computed by expireAt (for the propagated PXAT / PEXPIREAT). */
let expireText = '';

/**
 * Converts an expire argument to an absolute Unix time in ms, validating it like Redis's
 * getExpireMillisecondsOrReply. Returns -1 after replying an error.
 */
function expireAt(c: Client, s: string, seconds: boolean, relative: boolean, cmd: string): number {
  if (s.length <= 12) {
    // Small enough for exact double arithmetic all the way (< 2^53 even as ms from now).
    const v = parseInt64(s);
    if (v === null) {
      c.error(E.NOT_INTEGER);
      return -1;
    }
    if (v <= 0) {
      c.error(`ERR invalid expire time in '${cmd}' command`);
      return -1;
    }
    let ms = seconds ? v * 1000 : v;
    if (relative) ms += c.server.keyspace.now();
    expireText = String(ms);
    return ms;
  }
  const b = parseBigInt64(s);
  if (b === null) {
    c.error(E.NOT_INTEGER);
    return -1;
  }
  if (b <= 0n || (seconds && b > INT64_MAX / 1000n)) {
    c.error(`ERR invalid expire time in '${cmd}' command`);
    return -1;
  }
  let ms = seconds ? b * 1000n : b;
  if (relative) ms += BigInt(c.server.keyspace.now());
  if (ms > INT64_MAX) {
    // The C addition wraps to a negative time.
    c.error(`ERR invalid expire time in '${cmd}' command`);
    return -1;
  }
  expireText = ms.toString();
  return Number(ms);
}

/**
 * Redis's setGenericCommand. `intReply` selects SETNX's :1/:0 replies instead of +OK/nil.
 */
function setGeneric(
  c: Client,
  argv: string[],
  key: string,
  value: string,
  flags: number,
  expire: string | null,
  cmd: string,
  intReply: boolean,
): void {
  const db = c.db;
  let when = 0;
  if (expire !== null) {
    when = expireAt(c, expire, (flags & (F_PX | F_PXAT)) === 0, (flags & (F_EX | F_PX)) !== 0, cmd);
    if (when < 0) return;
  }
  const withGet = (flags & F_GET) !== 0;
  if (withGet && !getGeneric(c, key)) return;
  const found = db.has(key);
  if (((flags & F_NX) !== 0 && found) || ((flags & F_XX) !== 0 && !found)) {
    if (!withGet) {
      if (intReply) c.w.raw(':0\r\n');
      else c.w.nil();
    }
    return;
  }
  db.set(key, new StringValue(value), (flags & F_KEEPTTL) !== 0);
  c.server.dirty++;
  db.notify(NOTIFY.STRING, 'set', key);
  if (expire !== null) {
    db.setExpire(key, when);
    db.notify(NOTIFY.GENERIC, 'expire', key);
    c.propagateArgv = ['SET', key, value, 'PXAT', expireText];
  }
  if (!withGet) {
    if (intReply) c.w.raw(':1\r\n');
    else c.w.ok();
  } else if (expire === null) {
    // Replicas get the command without its GET options.
    const out: string[] = [];
    for (let j = 0; j < argv.length; j++) {
      if (j >= 3 && argv[j].length === 3 && argv[j].toUpperCase() === 'GET') continue;
      out.push(argv[j]);
    }
    c.propagateArgv = out;
  }
}

function setCommand(c: Client, argv: string[]): void {
  if (argv.length === 3) {
    const key = argv[1];
    setKey(c.db, key, new StringValue(argv[2]));
    c.server.dirty++;
    c.db.notify(NOTIFY.STRING, 'set', key);
    c.w.ok();
    return;
  }
  if (!parseExtended(c, argv, true)) return;
  setGeneric(c, argv, argv[1], argv[2], pFlags, pExpire, 'set', false);
}

function setnxCommand(c: Client, argv: string[]): void {
  setGeneric(c, argv, argv[1], argv[2], F_NX, null, 'setnx', true);
}

function setexCommand(c: Client, argv: string[]): void {
  setGeneric(c, argv, argv[1], argv[3], F_EX, argv[2], 'setex', false);
}

function psetexCommand(c: Client, argv: string[]): void {
  setGeneric(c, argv, argv[1], argv[3], F_PX, argv[2], 'psetex', false);
}

function getCommand(c: Client, argv: string[]): void {
  const v = c.db.lookupRead(argv[1]);
  if (v === undefined) c.w.nil();
  else if (v.type !== ValueType.String) c.error(E.WRONGTYPE);
  else replyStringValue(c, v as StringValue);
}

function getexCommand(c: Client, argv: string[]): void {
  if (!parseExtended(c, argv, false)) return;
  const flags = pFlags;
  const expire = pExpire;
  const key = argv[1];
  const db = c.db;
  const v = db.lookupRead(key);
  if (v === undefined) {
    c.w.nil();
    return;
  }
  if (v.type !== ValueType.String) {
    c.error(E.WRONGTYPE);
    return;
  }
  let when = 0;
  if (expire !== null) {
    when = expireAt(c, expire, (flags & (F_PX | F_PXAT)) === 0, (flags & (F_EX | F_PX)) !== 0, 'getex');
    if (when < 0) return;
  }
  replyStringValue(c, v as StringValue);
  const server = c.server;
  if ((flags & (F_EXAT | F_PXAT)) !== 0 && when <= server.keyspace.now() && !server.loading && server.masterHost === null) {
    // An absolute time already in the past deletes the key.
    db.delete(key);
    c.propagateArgv = ['DEL', key];
    db.notify(NOTIFY.GENERIC, 'del', key);
    server.dirty++;
  } else if (expire !== null) {
    db.setExpire(key, when);
    c.propagateArgv = ['PEXPIREAT', key, expireText];
    db.notify(NOTIFY.GENERIC, 'expire', key);
    server.dirty++;
  } else if ((flags & F_PERSIST) !== 0) {
    if (db.persist(key)) {
      c.propagateArgv = ['PERSIST', key];
      db.notify(NOTIFY.GENERIC, 'persist', key);
      server.dirty++;
    }
  }
}

function getdelCommand(c: Client, argv: string[]): void {
  const key = argv[1];
  if (!getGeneric(c, key)) return;
  if (c.db.delete(key)) {
    c.propagateArgv = ['DEL', key];
    c.db.notify(NOTIFY.GENERIC, 'del', key);
    c.server.dirty++;
  }
}

function getsetCommand(c: Client, argv: string[]): void {
  const key = argv[1];
  if (!getGeneric(c, key)) return;
  c.db.set(key, new StringValue(argv[2]));
  c.db.notify(NOTIFY.STRING, 'set', key);
  c.server.dirty++;
  c.propagateArgv = ['SET', key, argv[2]];
}

function mgetCommand(c: Client, argv: string[]): void {
  const db = c.db;
  const n = argv.length;
  c.w.array(n - 1);
  for (let j = 1; j < n; j++) {
    const v = db.lookupRead(argv[j]);
    if (v === undefined || v.type !== ValueType.String) c.w.nil();
    else replyStringValue(c, v as StringValue);
  }
}

function msetGeneric(c: Client, argv: string[], nx: boolean): void {
  const n = argv.length;
  if (n % 2 === 0) {
    c.error(`ERR wrong number of arguments for '${nx ? 'msetnx' : 'mset'}' command`);
    return;
  }
  const db = c.db;
  if (nx) {
    for (let j = 1; j < n; j += 2) {
      if (db.has(argv[j])) {
        c.w.raw(':0\r\n');
        return;
      }
    }
  }
  for (let j = 1; j < n; j += 2) {
    setKey(db, argv[j], new StringValue(argv[j + 1]));
    db.notify(NOTIFY.STRING, 'set', argv[j]);
  }
  c.server.dirty += (n - 1) / 2;
  if (nx) c.w.raw(':1\r\n');
  else c.w.ok();
}

function appendCommand(c: Client, argv: string[]): void {
  const key = argv[1];
  const add = argv[2];
  const db = c.db;
  const v = db.lookupWrite(key);
  let total: number;
  if (v === undefined) {
    db.set(key, new StringValue(add));
    total = add.length;
  } else {
    if (v.type !== ValueType.String) {
      c.error(E.WRONGTYPE);
      return;
    }
    const sv = v as StringValue;
    if (!checkStringLength(c, sv.length, add.length)) return;
    total = sv.append(add); // even an empty append leaves the value "raw", as in Redis
    db.touched(key);
  }
  db.notify(NOTIFY.STRING, 'append', key);
  c.server.dirty++;
  c.w.int(total);
}

function strlenCommand(c: Client, argv: string[]): void {
  const v = c.db.lookupRead(argv[1]);
  if (v === undefined) c.w.raw(':0\r\n');
  else if (v.type !== ValueType.String) c.error(E.WRONGTYPE);
  else c.w.int((v as StringValue).length);
}

function getrangeCommand(c: Client, argv: string[]): void {
  let start = parseInt64(argv[2]);
  if (start === null) {
    c.error(E.NOT_INTEGER);
    return;
  }
  let end = parseInt64(argv[3]);
  if (end === null) {
    c.error(E.NOT_INTEGER);
    return;
  }
  const v = c.db.lookupRead(argv[1]);
  if (v === undefined) {
    c.w.bulk('');
    return;
  }
  if (v.type !== ValueType.String) {
    c.error(E.WRONGTYPE);
    return;
  }
  const sv = v as StringValue;
  const len = sv.length;
  if (start < 0 && end < 0 && start > end) {
    c.w.bulk('');
    return;
  }
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len === 0) {
    c.w.bulk('');
    return;
  }
  if (sv.isRaw) c.w.bulkBuffer(sv.bytes(), start, end + 1);
  else c.w.bulk(sv.toString().slice(start, end + 1));
}

function setrangeCommand(c: Client, argv: string[]): void {
  const key = argv[1];
  const value = argv[3];
  const offset = parseInt64(argv[2]);
  if (offset === null) {
    c.error(E.NOT_INTEGER);
    return;
  }
  if (offset < 0) {
    c.error('ERR offset is out of range');
    return;
  }
  const db = c.db;
  const v = db.lookupWrite(key);
  let sv: StringValue;
  if (v === undefined) {
    if (value.length === 0) {
      c.w.raw(':0\r\n');
      return;
    }
    if (!checkStringLength(c, offset, value.length)) return;
    sv = new StringValue('');
    sv.mutable(offset + value.length).latin1Write(value, offset, value.length);
    db.set(key, sv);
  } else {
    if (v.type !== ValueType.String) {
      c.error(E.WRONGTYPE);
      return;
    }
    sv = v as StringValue;
    if (value.length === 0) {
      c.w.int(sv.length);
      return;
    }
    if (!checkStringLength(c, offset, value.length)) return;
    const need = offset + value.length;
    sv.mutable(need > sv.length ? need : sv.length).latin1Write(value, offset, value.length);
    db.touched(key);
  }
  db.notify(NOTIFY.STRING, 'setrange', key);
  c.server.dirty++;
  c.w.int(sv.length);
}

// ---------------------------------------------------------------- counters

/**
 * Redis's incrDecrCommand. `incr` is a JS number when it is below 10^15 in magnitude (then
 * double arithmetic is exact), a bigint otherwise.
 */
function incrDecr(c: Client, key: string, incr: number | bigint): void {
  const db = c.db;
  const v = db.peek(key);
  let cur: number | bigint = 0;
  if (v !== undefined) {
    if (v.type !== ValueType.String) {
      c.error(E.WRONGTYPE);
      return;
    }
    const s = (v as StringValue).toString();
    const x = s.length < 16 ? parseInt64(s) : parseBigInt64(s);
    if (x === null) {
      c.error(E.NOT_INTEGER);
      return;
    }
    cur = x;
  }
  let text: string;
  if (typeof cur === 'number' && typeof incr === 'number') {
    text = String(cur + incr);
  } else {
    const a = BigInt(cur);
    const b = BigInt(incr);
    if ((b < 0n && a < 0n && b < INT64_MIN - a) || (b > 0n && a > 0n && b > INT64_MAX - a)) {
      c.error(E.OVERFLOW);
      return;
    }
    text = (a + b).toString();
  }
  const nv = new StringValue(text);
  if (v === undefined) db.set(key, nv);
  else db.set(key, nv, true);
  db.notify(NOTIFY.STRING, 'incrby', key);
  c.server.dirty++;
  c.w.raw(':' + text + '\r\n');
}

/** Parses an increment argument as number (exact) or bigint; null after replying an error. */
function incrArg(c: Client, s: string): number | bigint | null {
  const x = s.length < 16 ? parseInt64(s) : parseBigInt64(s);
  if (x === null) c.error(E.NOT_INTEGER);
  return x;
}

function incrCommand(c: Client, argv: string[]): void {
  incrDecr(c, argv[1], 1);
}

function decrCommand(c: Client, argv: string[]): void {
  incrDecr(c, argv[1], -1);
}

function incrbyCommand(c: Client, argv: string[]): void {
  const incr = incrArg(c, argv[2]);
  if (incr === null) return;
  incrDecr(c, argv[1], incr);
}

function decrbyCommand(c: Client, argv: string[]): void {
  const incr = incrArg(c, argv[2]);
  if (incr === null) return;
  if (incr === INT64_MIN) {
    c.error('ERR decrement would overflow');
    return;
  }
  incrDecr(c, argv[1], typeof incr === 'number' ? -incr : -incr);
}

const EXT_ZERO: Ext = { neg: false, m: 0n, e: 0 };

/**
 * INCRBYFLOAT stores its result as a plain string object (Redis does not try the integer
 * encoding there), so OBJECT ENCODING says "embstr" even for "3".
 */
class FloatResultValue extends StringValue {
  override encoding(): string {
    const e = super.encoding();
    return e === 'int' ? 'embstr' : e;
  }
}

function incrbyfloatCommand(c: Client, argv: string[]): void {
  const key = argv[1];
  const db = c.db;
  const v = db.peek(key);
  let cur: Ext | 'inf' | '-inf' | null = EXT_ZERO;
  if (v !== undefined) {
    if (v.type !== ValueType.String) {
      c.error(E.WRONGTYPE);
      return;
    }
    cur = parseExt((v as StringValue).toString());
  }
  const incr = cur === null ? null : parseExt(argv[2]);
  if (cur === null || incr === null) {
    c.error(E.NOT_FLOAT);
    return;
  }
  const sum = typeof cur === 'string' || typeof incr === 'string' ? 'inf' : addExt(cur, incr);
  if (typeof sum === 'string') {
    c.error('ERR increment would produce NaN or Infinity');
    return;
  }
  const text = formatExt(sum);
  const nv = new FloatResultValue(text);
  if (v === undefined) db.set(key, nv);
  else db.set(key, nv, true);
  db.notify(NOTIFY.STRING, 'incrbyfloat', key);
  c.server.dirty++;
  c.w.bulk(text);
  c.propagateArgv = ['SET', key, text, 'KEEPTTL'];
}

// ---------------------------------------------------------------- LCS

function lcsCommand(c: Client, argv: string[]): void {
  const db = c.db;
  const va = db.lookupRead(argv[1]);
  const vb = db.lookupRead(argv[2]);
  if ((va !== undefined && va.type !== ValueType.String) || (vb !== undefined && vb.type !== ValueType.String)) {
    c.error('ERR The specified keys must contain string values');
    return;
  }
  let getLen = false;
  let getIdx = false;
  let withMatchLen = false;
  let minMatchLen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j].toUpperCase();
    const more = argv.length - 1 - j;
    if (opt === 'IDX') getIdx = true;
    else if (opt === 'LEN') getLen = true;
    else if (opt === 'WITHMATCHLEN') withMatchLen = true;
    else if (opt === 'MINMATCHLEN' && more > 0) {
      const m = parseInt64(argv[j + 1]);
      if (m === null) {
        c.error(E.NOT_INTEGER);
        return;
      }
      minMatchLen = m < 0 ? 0 : m;
      j++;
    } else {
      c.error(E.SYNTAX);
      return;
    }
  }
  if (getLen && getIdx) {
    c.error('ERR If you want both the length and indexes, please just use IDX.');
    return;
  }
  const a = va === undefined ? Buffer.alloc(0) : readBytes(va as StringValue);
  const b = vb === undefined ? Buffer.alloc(0) : readBytes(vb as StringValue);
  const alen = a.length;
  const blen = b.length;
  if (alen >= 0xfffffffe || blen >= 0xfffffffe) {
    c.error('ERR String too long for LCS');
    return;
  }
  const cells = (alen + 1) * (blen + 1);
  if (cells * 4 > c.server.config.num('proto-max-bulk-len')) {
    c.error('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len');
    return;
  }
  let table: Uint32Array;
  try {
    table = new Uint32Array(cells);
  } catch {
    c.error('ERR Insufficient memory, failed allocating transient memory for LCS');
    return;
  }
  const w = blen + 1;
  for (let i = 1; i <= alen; i++) {
    const ai = a[i - 1];
    const row = i * w;
    const prev = row - w;
    for (let j = 1; j <= blen; j++) {
      if (ai === b[j - 1]) table[row + j] = table[prev + j - 1] + 1;
      else {
        const up = table[prev + j];
        const left = table[row + j - 1];
        table[row + j] = up > left ? up : left;
      }
    }
  }
  const total = table[alen * w + blen];
  if (getLen) {
    c.w.int(total);
    return;
  }
  // Walk back from the end, building the LCS and (for IDX) the matching ranges.
  const result = Buffer.allocUnsafe(total);
  let idx = total;
  const ranges: number[] = [];
  let aStart = alen; // alen means "no range open"
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  let i = alen;
  let j = blen;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a[i - 1] === b[j - 1]) {
      result[idx - 1] = a[i - 1];
      if (aStart === alen) {
        aStart = i - 1;
        aEnd = i - 1;
        bStart = j - 1;
        bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else {
        emit = true;
      }
      if (aStart === 0 || bStart === 0) emit = true;
      idx--;
      i--;
      j--;
    } else {
      const up = table[(i - 1) * w + j];
      const left = table[i * w + j - 1];
      if (up > left) i--;
      else j--;
      if (aStart !== alen) emit = true;
    }
    if (emit) {
      const matchLen = aEnd - aStart + 1;
      if (getIdx && (minMatchLen === 0 || matchLen >= minMatchLen)) ranges.push(aStart, aEnd, bStart, bEnd, matchLen);
      aStart = alen;
    }
  }
  if (!getIdx) {
    c.w.bulkBuffer(result);
    return;
  }
  c.w.map(2);
  c.w.bulk('matches');
  const count = ranges.length / 5;
  c.w.array(count);
  for (let k = 0; k < ranges.length; k += 5) {
    c.w.array(withMatchLen ? 3 : 2);
    c.w.array(2);
    c.w.int(ranges[k]);
    c.w.int(ranges[k + 1]);
    c.w.array(2);
    c.w.int(ranges[k + 2]);
    c.w.int(ranges[k + 3]);
    if (withMatchLen) c.w.int(ranges[k + 4]);
  }
  c.w.bulk('len');
  c.w.int(total);
}

// ---------------------------------------------------------------- table

export function stringCommands(): CommandSpec[] {
  const group = 'string';
  const one: [number, number, number] = [1, 1, 1];
  const getrangeDoc = {
    summary: 'Get a substring of the string stored at a key',
    complexity:
      'O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.',
  };
  return [
    { name: 'set', arity: -3, flags: ['write', 'denyoom'], keys: one, group, since: '1.0.0', summary: 'Set the string value of a key', complexity: 'O(1)', handler: setCommand },
    { name: 'get', arity: 2, flags: ['readonly', 'fast'], keys: one, group, since: '1.0.0', summary: 'Get the value of a key', complexity: 'O(1)', handler: getCommand },
    { name: 'getex', arity: -2, flags: ['write', 'fast'], keys: one, group, since: '6.2.0', summary: 'Get the value of a key and optionally set its expiration', complexity: 'O(1)', handler: getexCommand },
    { name: 'getdel', arity: 2, flags: ['write', 'fast'], keys: one, group, since: '6.2.0', summary: 'Get the value of a key and delete the key', complexity: 'O(1)', handler: getdelCommand },
    { name: 'getset', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: one, group, since: '1.0.0', summary: 'Set the string value of a key and return its old value', complexity: 'O(1)', handler: getsetCommand },
    { name: 'mget', arity: -2, flags: ['readonly', 'fast'], keys: [1, -1, 1], tips: ['request_policy:multi_shard'], group, since: '1.0.0', summary: 'Get the values of all the given keys', complexity: 'O(N) where N is the number of keys to retrieve.', handler: mgetCommand },
    { name: 'mset', arity: -3, flags: ['write', 'denyoom'], keys: [1, -1, 2], tips: ['request_policy:multi_shard', 'response_policy:all_succeeded'], group, since: '1.0.1', summary: 'Set multiple keys to multiple values', complexity: 'O(N) where N is the number of keys to set.', handler: (c, argv) => msetGeneric(c, argv, false) },
    { name: 'msetnx', arity: -3, flags: ['write', 'denyoom'], keys: [1, -1, 2], tips: ['request_policy:multi_shard', 'response_policy:agg_min'], group, since: '1.0.1', summary: 'Set multiple keys to multiple values, only if none of the keys exist', complexity: 'O(N) where N is the number of keys to set.', handler: (c, argv) => msetGeneric(c, argv, true) },
    { name: 'setnx', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: one, group, since: '1.0.0', summary: 'Set the value of a key, only if the key does not exist', complexity: 'O(1)', handler: setnxCommand },
    { name: 'setex', arity: 4, flags: ['write', 'denyoom'], keys: one, group, since: '2.0.0', summary: 'Set the value and expiration of a key', complexity: 'O(1)', handler: setexCommand },
    { name: 'psetex', arity: 4, flags: ['write', 'denyoom'], keys: one, group, since: '2.6.0', summary: 'Set the value and expiration in milliseconds of a key', complexity: 'O(1)', handler: psetexCommand },
    {
      name: 'append',
      arity: 3,
      flags: ['write', 'denyoom', 'fast'],
      keys: one,
      group,
      since: '2.0.0',
      summary: 'Append a value to a key',
      complexity:
        'O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation.',
      handler: appendCommand,
    },
    { name: 'strlen', arity: 2, flags: ['readonly', 'fast'], keys: one, group, since: '2.2.0', summary: 'Get the length of the value stored in a key', complexity: 'O(1)', handler: strlenCommand },
    { name: 'getrange', arity: 4, flags: ['readonly'], keys: one, group, since: '2.4.0', ...getrangeDoc, handler: getrangeCommand },
    { name: 'substr', arity: 4, flags: ['readonly'], keys: one, group, since: '1.0.0', ...getrangeDoc, handler: getrangeCommand },
    {
      name: 'setrange',
      arity: 4,
      flags: ['write', 'denyoom'],
      keys: one,
      group,
      since: '2.2.0',
      summary: 'Overwrite part of a string at key starting at the specified offset',
      complexity:
        'O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.',
      handler: setrangeCommand,
    },
    { name: 'incr', arity: 2, flags: ['write', 'denyoom', 'fast'], keys: one, group, since: '1.0.0', summary: 'Increment the integer value of a key by one', complexity: 'O(1)', handler: incrCommand },
    { name: 'decr', arity: 2, flags: ['write', 'denyoom', 'fast'], keys: one, group, since: '1.0.0', summary: 'Decrement the integer value of a key by one', complexity: 'O(1)', handler: decrCommand },
    { name: 'incrby', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: one, group, since: '1.0.0', summary: 'Increment the integer value of a key by the given amount', complexity: 'O(1)', handler: incrbyCommand },
    { name: 'decrby', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: one, group, since: '1.0.0', summary: 'Decrement the integer value of a key by the given number', complexity: 'O(1)', handler: decrbyCommand },
    { name: 'incrbyfloat', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: one, group, since: '2.6.0', summary: 'Increment the float value of a key by the given amount', complexity: 'O(1)', handler: incrbyfloatCommand },
    { name: 'lcs', arity: -3, flags: ['readonly'], keys: [1, 2, 1], group, since: '7.0.0', summary: 'Find longest common substring', complexity: 'O(N*M) where N and M are the lengths of s1 and s2, respectively', handler: lcsCommand },
  ];
}
