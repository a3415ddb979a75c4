/**
 * Bitmap commands on string values: SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO.
 * Bit 0 is the most significant bit of the first byte. Writers grow the string with zero bytes
 * and edit it in place (lookupWrite, then touched), so long runs of SETBIT stay linear.
 */
import type { Client } from '../net/client.js';
import { StringValue, ValueType } from '../store/values.js';
import type { CommandSpec } from './registry.js';
import { E, parseInt64, parseBigInt64 } from './util.js';
import { NOTIFY } from '../config/config.js';

const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1];

// ---------------------------------------------------------------- helpers

/**
 * Bytes [start, end) of a string value; index 0 of the result is byte `start`. In-place-edited
 * values are viewed without copying, plain ones copy just the range.
 */
function rangeBytes(v: StringValue, start: number, end: number): Buffer {
  if (v.isRaw) return v.bytes().subarray(start, end);
  return Buffer.from(v.toString().substring(start, end), 'latin1');
}

/** Byte `i` of a string value (0 beyond its end). */
function byteAt(v: StringValue, i: number): number {
  if (i >= v.length) return 0;
  return v.isRaw ? v.bytes()[i] : v.toString().charCodeAt(i);
}

function popcount(b: Buffer): number {
  let n = 0;
  const len = b.length;
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    let x = b.readUInt32LE(i);
    x = x - ((x >>> 1) & 0x55555555);
    x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
    n += (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
  }
  for (; i < len; i++) n += POPCOUNT[b[i]];
  return n;
}

/**
 * Position of the first bit equal to `bit` in b[from, from+count): for 1, -1 when there is none;
 * for 0, count*8 when every bit is set (the string is considered zero padded on the right).
 */
function firstBit(b: Buffer, from: number, count: number, bit: number): number {
  const skip = bit ? 0 : 0xff;
  const end = from + count;
  for (let i = from; i < end; i++) {
    const x = b[i];
    if (x !== skip) return (i - from) * 8 + firstBitInByte(x, bit);
  }
  return bit ? -1 : count * 8;
}

/** First bit equal to `bit` in one byte, MSB first: 0..7, else -1 (looking for 1) or 8 (for 0). */
function firstBitInByte(x: number, bit: number): number {
  if (!bit) x = ~x & 0xff;
  if (x === 0) return bit ? -1 : 8;
  return Math.clz32(x) - 24;
}

/**
 * Parses a bit offset (SETBIT, GETBIT, BITFIELD with `#n` meaning n×bits) and checks it against
 * proto-max-bulk-len. Returns -1 after replying the error.
 */
function bitOffset(c: Client, s: string, hash: boolean, bits: number): number {
  const usehash = hash && bits > 0 && s.charCodeAt(0) === 35;
  const t = usehash ? s.slice(1) : s;
  let off: number;
  if (t.length < 16) {
    const v = parseInt64(t);
    if (v === null) {
      c.error(E.BIT_OFFSET);
      return -1;
    }
    off = usehash ? v * bits : v;
  } else {
    const b = parseBigInt64(t);
    if (b === null) {
      c.error(E.BIT_OFFSET);
      return -1;
    }
    // C multiplies in 64 bits and may wrap.
    off = Number(usehash ? BigInt.asIntN(64, b * BigInt(bits)) : b);
  }
  if (off < 0 || (!c.isMaster && Math.floor(off / 8) >= c.server.config.num('proto-max-bulk-len'))) {
    c.error(E.BIT_OFFSET);
    return -1;
  }
  return off;
}

/** Set by stringForBits: the key was created or grew. */
let grew = false;

/**
 * Redis's lookupStringForBitCommand: the string at argv[1] made writable and at least long
 * enough to address bit `maxbit` (created if missing). Null after a WRONGTYPE reply.
 */
function stringForBits(c: Client, key: string, maxbit: number): StringValue | null {
  const need = Math.floor(maxbit / 8) + 1;
  const db = c.db;
  const v = db.lookupWrite(key);
  if (v === undefined) {
    const sv = new StringValue('');
    sv.mutable(need);
    db.set(key, sv);
    grew = true;
    return sv;
  }
  if (v.type !== ValueType.String) {
    c.error(E.WRONGTYPE);
    return null;
  }
  const sv = v as StringValue;
  const old = sv.length;
  sv.mutable(need > old ? need : old);
  grew = sv.length !== old;
  return sv;
}

/** Parses BYTE|BIT; null after a syntax error reply. */
function unitArg(c: Client, s: string): boolean | null {
  const u = s.toUpperCase();
  if (u === 'BIT') return true;
  if (u === 'BYTE') return false;
  c.error(E.SYNTAX);
  return null;
}

// ---------------------------------------------------------------- SETBIT GETBIT

function setbitCommand(c: Client, argv: string[]): void {
  const off = bitOffset(c, argv[2], false, 0);
  if (off < 0) return;
  const on = parseInt64(argv[3]);
  if (on === null || (on !== 0 && on !== 1)) {
    c.error(E.BIT_VALUE);
    return;
  }
  const key = argv[1];
  const sv = stringForBits(c, key, off);
  if (sv === null) return;
  const buf = sv.mutable(sv.length);
  const byte = Math.floor(off / 8);
  const mask = 1 << (7 - (off % 8));
  const old = buf[byte] & mask ? 1 : 0;
  if (grew || old !== on) {
    buf[byte] = on ? buf[byte] | mask : buf[byte] & ~mask;
    c.db.touched(key);
    c.db.notify(NOTIFY.STRING, 'setbit', key);
    c.server.dirty++;
  }
  c.w.raw(old ? ':1\r\n' : ':0\r\n');
}

function getbitCommand(c: Client, argv: string[]): void {
  const off = bitOffset(c, argv[2], false, 0);
  if (off < 0) return;
  const v = c.db.lookupRead(argv[1]);
  if (v === undefined) {
    c.w.raw(':0\r\n');
    return;
  }
  if (v.type !== ValueType.String) {
    c.error(E.WRONGTYPE);
    return;
  }
  const x = byteAt(v as StringValue, Math.floor(off / 8));
  c.w.raw(x & (1 << (7 - (off % 8))) ? ':1\r\n' : ':0\r\n');
}

// ---------------------------------------------------------------- BITCOUNT BITPOS

function bitcountCommand(c: Client, argv: string[]): void {
  const n = argv.length;
  const v = c.db.lookupRead(argv[1]);
  if (v === undefined) {
    c.w.raw(':0\r\n');
    return;
  }
  if (v.type !== ValueType.String) {
    c.error(E.WRONGTYPE);
    return;
  }
  const sv = v as StringValue;
  const len = sv.length;
  let start: number;
  let end: number;
  let firstMask = 0;
  let lastMask = 0;
  if (n === 4 || n === 5) {
    const s = parseInt64(argv[2]);
    if (s === null) {
      c.error(E.NOT_INTEGER);
      return;
    }
    const e = parseInt64(argv[3]);
    if (e === null) {
      c.error(E.NOT_INTEGER);
      return;
    }
    start = s;
    end = e;
    if (start < 0 && end < 0 && start > end) {
      c.w.raw(':0\r\n');
      return;
    }
    let isBit = false;
    if (n === 5) {
      const u = unitArg(c, argv[4]);
      if (u === null) return;
      isBit = u;
    }
    ({ start, end, firstMask, lastMask } = byteRange(start, end, len, isBit));
  } else if (n === 2) {
    start = 0;
    end = len - 1;
  } else {
    c.error(E.SYNTAX);
    return;
  }
  if (start > end) {
    c.w.raw(':0\r\n');
    return;
  }
  const b = rangeBytes(sv, start, end + 1);
  let count = popcount(b);
  // Bits of the edge bytes outside a BIT range were counted: take them out.
  if (firstMask !== 0) count -= POPCOUNT[b[0] & firstMask];
  if (lastMask !== 0) count -= POPCOUNT[b[b.length - 1] & lastMask];
  c.w.int(count);
}

/**
 * BITCOUNT / BITPOS ranges: negative indexes from the end, clamped to the value, in bytes or
 * bits. A BIT range becomes its bytes plus masks of the edge bits outside it.
 */
function byteRange(start: number, end: number, len: number, isBit: boolean): { start: number; end: number; firstMask: number; lastMask: number } {
  const total = isBit ? len * 8 : len;
  if (start < 0) start = total + start;
  if (end < 0) end = total + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  let firstMask = 0;
  let lastMask = 0;
  if (isBit && start <= end) {
    firstMask = ~((1 << (8 - (start % 8))) - 1) & 0xff;
    lastMask = (1 << (7 - (end % 8))) - 1;
    start = Math.floor(start / 8);
    end = Math.floor(end / 8);
  }
  return { start, end, firstMask, lastMask };
}

function bitposCommand(c: Client, argv: string[]): void {
  const n = argv.length;
  const bit = parseInt64(argv[2]);
  if (bit === null) {
    c.error(E.NOT_INTEGER);
    return;
  }
  if (bit !== 0 && bit !== 1) {
    c.error('ERR The bit argument must be 1 or 0.');
    return;
  }
  const v = c.db.lookupRead(argv[1]);
  if (v === undefined) {
    // A missing key is an endless run of zeros.
    c.w.int(bit ? -1 : 0);
    return;
  }
  if (v.type !== ValueType.String) {
    c.error(E.WRONGTYPE);
    return;
  }
  const sv = v as StringValue;
  const len = sv.length;
  let start: number;
  let end: number;
  let endGiven = false;
  let firstMask = 0;
  let lastMask = 0;
  if (n >= 4 && n <= 6) {
    const s = parseInt64(argv[3]);
    if (s === null) {
      c.error(E.NOT_INTEGER);
      return;
    }
    start = s;
    let isBit = false;
    if (n === 6) {
      const u = unitArg(c, argv[5]);
      if (u === null) return;
      isBit = u;
    }
    if (n >= 5) {
      const e = parseInt64(argv[4]);
      if (e === null) {
        c.error(E.NOT_INTEGER);
        return;
      }
      end = e;
      endGiven = true;
    } else {
      end = isBit ? len * 8 + 7 : len - 1;
    }
    ({ start, end, firstMask, lastMask } = byteRange(start, end, len, isBit));
  } else if (n === 3) {
    start = 0;
    end = len - 1;
  } else {
    c.error(E.SYNTAX);
    return;
  }
  if (start > end) {
    c.w.int(-1);
    return;
  }
  const base = start;
  const b = rangeBytes(sv, start, end + 1);
  // Work in offsets relative to `b`.
  let from = 0;
  let bytes = end - start + 1;
  const last = bytes - 1;
  let pos = -1;
  let done = false;
  if (firstMask) {
    // Bits before the range start count as "not what we look for".
    let x = bit ? b[0] & ~firstMask : b[0] | firstMask;
    if (lastMask && bytes === 1) x = bit ? x & ~lastMask : x | lastMask;
    pos = firstBitInByte(x & 0xff, bit);
    if (bytes === 1 || (pos !== -1 && pos !== 8)) done = true;
    else {
      from++;
      bytes--;
    }
  }
  if (!done) {
    const middle = bytes - (lastMask ? 1 : 0);
    if (middle > 0) {
      pos = firstBit(b, from, middle, bit);
      if (bytes === middle || (pos !== -1 && pos !== middle * 8)) done = true;
      else {
        from += middle;
        bytes -= middle;
      }
    }
  }
  if (!done) {
    const x = bit ? b[last] & ~lastMask : b[last] | lastMask;
    pos = firstBitInByte(x & 0xff, bit);
  }
  // With an explicit end, looking for 0 past the range means there is none in it.
  if (endGiven && bit === 0 && pos === bytes * 8) {
    c.w.int(-1);
    return;
  }
  if (pos !== -1) pos += (base + from) * 8;
  c.w.int(pos);
}

// ---------------------------------------------------------------- BITOP

function bitopCommand(c: Client, argv: string[]): void {
  const opname = argv[1].toUpperCase();
  const op = opname === 'AND' ? 0 : opname === 'OR' ? 1 : opname === 'XOR' ? 2 : opname === 'NOT' ? 3 : -1;
  if (op < 0) {
    c.error(E.SYNTAX);
    return;
  }
  if (op === 3 && argv.length !== 4) {
    c.error('ERR BITOP NOT must be called with a single source key.');
    return;
  }
  const db = c.db;
  const n = argv.length - 3;
  const srcs: (Buffer | null)[] = new Array(n);
  let maxlen = 0;
  for (let j = 0; j < n; j++) {
    const v = db.lookupRead(argv[j + 3]);
    if (v === undefined) {
      srcs[j] = null;
      continue;
    }
    if (v.type !== ValueType.String) {
      c.error(E.WRONGTYPE);
      return;
    }
    const sv = v as StringValue;
    const b = sv.isRaw ? sv.bytes() : Buffer.from(sv.toString(), 'latin1');
    srcs[j] = b;
    if (b.length > maxlen) maxlen = b.length;
  }
  const target = argv[2];
  if (maxlen === 0) {
    if (db.deleteUnchecked(target)) {
      db.notify(NOTIFY.GENERIC, 'del', target);
      c.server.dirty++;
    }
    c.w.raw(':0\r\n');
    return;
  }
  const res = Buffer.alloc(maxlen);
  const first = srcs[0];
  if (first !== null) first.copy(res, 0);
  if (op === 3) {
    for (let i = 0; i < maxlen; i++) res[i] = ~res[i] & 0xff;
  } else {
    for (let j = 1; j < n; j++) {
      const s = srcs[j];
      const l = s === null ? 0 : s.length;
      if (op === 0) {
        for (let i = 0; i < l; i++) res[i] &= s![i];
        res.fill(0, l);
      } else if (op === 1) {
        for (let i = 0; i < l; i++) res[i] |= s![i];
      } else {
        for (let i = 0; i < l; i++) res[i] ^= s![i];
      }
    }
  }
  db.expireIfNeeded(target);
  db.set(target, StringValue.fromBuffer(res));
  db.notify(NOTIFY.STRING, 'set', target);
  c.server.dirty++;
  c.w.int(maxlen);
}

// ---------------------------------------------------------------- BITFIELD

const OP_GET = 0;
const OP_SET = 1;
const OP_INCRBY = 2;
const OW_WRAP = 0;
const OW_SAT = 1;
const OW_FAIL = 2;

interface FieldOp {
  op: number;
  offset: number;
  value: bigint;
  ow: number;
  bits: number;
  signed: boolean;
}

const BAD_TYPE = 'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.';

/** Reads the 72-bit big-endian window of 9 bytes starting at byte `at` (zeros past `len`). */
function readWindow(get: (i: number) => number, len: number, at: number, tmp: Uint8Array): bigint {
  for (let i = 0; i < 9; i++) tmp[i] = at + i < len ? get(at + i) : 0;
  const hi = ((tmp[0] << 24) | (tmp[1] << 16) | (tmp[2] << 8) | tmp[3]) >>> 0;
  const lo = ((tmp[4] << 24) | (tmp[5] << 16) | (tmp[6] << 8) | tmp[7]) >>> 0;
  return (BigInt(hi) << 40n) | (BigInt(lo) << 8n) | BigInt(tmp[8]);
}

const WINDOW = new Uint8Array(9);

/** Unsigned value of the `bits`-wide field at bit `offset`. */
function getField(get: (i: number) => number, len: number, offset: number, bits: number): bigint {
  const at = Math.floor(offset / 8);
  const w = readWindow(get, len, at, WINDOW);
  const shift = BigInt(72 - (offset % 8) - bits);
  return (w >> shift) & ((1n << BigInt(bits)) - 1n);
}

/** Stores the low `bits` bits of `value` at bit `offset` of `buf` (which covers the field). */
function setField(buf: Buffer, len: number, offset: number, bits: number, value: bigint): void {
  const at = Math.floor(offset / 8);
  let w = readWindow((i) => buf[i], len, at, WINDOW);
  const shift = BigInt(72 - (offset % 8) - bits);
  const mask = ((1n << BigInt(bits)) - 1n) << shift;
  w = (w & ~mask) | ((value << shift) & mask);
  const lastByte = Math.floor((offset + bits - 1) / 8);
  for (let i = 0; at + i <= lastByte; i++) buf[at + i] = Number((w >> BigInt(8 * (8 - i))) & 0xffn);
}

function toSigned(u: bigint, bits: number): bigint {
  return BigInt.asIntN(bits, u);
}

// Overflow checks: 0 = fits, 1 = overflow, -1 = underflow; `limit` gets the value to store for
// WRAP and SAT. They follow Redis's int64/uint64 arithmetic, wrap-arounds included.
let limit = 0n;

function checkSigned(value: bigint, incr: bigint, bits: number, ow: number): number {
  const max = bits === 64 ? 9223372036854775807n : (1n << BigInt(bits - 1)) - 1n;
  const min = -max - 1n;
  const maxincr = BigInt.asIntN(64, max - value);
  const minincr = BigInt.asIntN(64, min - value);
  let r = 0;
  if (value > max || (bits !== 64 && incr > maxincr) || (value >= 0n && incr > 0n && incr > maxincr)) {
    r = 1;
    if (ow === OW_SAT) limit = max;
  } else if (value < min || (bits !== 64 && incr < minincr) || (value < 0n && incr < 0n && incr < minincr)) {
    r = -1;
    if (ow === OW_SAT) limit = min;
  }
  if (r !== 0 && ow === OW_WRAP) limit = BigInt.asIntN(bits, value + incr);
  return r;
}

function checkUnsigned(value: bigint, incr: bigint, bits: number, ow: number): number {
  const max = (1n << BigInt(bits)) - 1n;
  const maxincr = BigInt.asIntN(64, max - value);
  const minincr = BigInt.asIntN(64, -value);
  let r = 0;
  if (value > max || (incr > 0n && incr > maxincr)) {
    r = 1;
    if (ow === OW_SAT) limit = max;
  } else if (incr < 0n && incr < minincr) {
    r = -1;
    if (ow === OW_SAT) limit = 0n;
  }
  if (r !== 0 && ow === OW_WRAP) limit = BigInt.asUintN(bits, value + incr);
  return r;
}

function bitfieldGeneric(c: Client, argv: string[], readonlyCmd: boolean): void {
  const ops: FieldOp[] = [];
  let ow = OW_WRAP;
  let readonly = true;
  let highest = 0;
  const n = argv.length;
  for (let j = 2; j < n; j++) {
    const rem = n - j - 1;
    const sub = argv[j].toUpperCase();
    let op: number;
    if (sub === 'GET' && rem >= 2) op = OP_GET;
    else if (sub === 'SET' && rem >= 3) op = OP_SET;
    else if (sub === 'INCRBY' && rem >= 3) op = OP_INCRBY;
    else if (sub === 'OVERFLOW' && rem >= 1) {
      const t = argv[++j].toUpperCase();
      if (t === 'WRAP') ow = OW_WRAP;
      else if (t === 'SAT') ow = OW_SAT;
      else if (t === 'FAIL') ow = OW_FAIL;
      else {
        c.error('ERR Invalid OVERFLOW type specified');
        return;
      }
      continue;
    } else {
      c.error(E.SYNTAX);
      return;
    }
    const type = argv[j + 1];
    const sign = type.charCodeAt(0);
    const bits = sign === 105 || sign === 117 ? parseInt64(type.slice(1)) : null;
    if (bits === null || bits < 1 || (sign === 105 && bits > 64) || (sign === 117 && bits > 63)) {
      c.error(BAD_TYPE);
      return;
    }
    const offset = bitOffset(c, argv[j + 2], true, bits);
    if (offset < 0) return;
    let value = 0n;
    if (op !== OP_GET) {
      readonly = false;
      if (offset + bits - 1 > highest) highest = offset + bits - 1;
      const v = parseBigInt64(argv[j + 3]);
      if (v === null) {
        c.error(E.NOT_INTEGER);
        return;
      }
      value = v;
    }
    ops.push({ op, offset, value, ow, bits, signed: sign === 105 });
    j += op === OP_GET ? 2 : 3;
  }

  const key = argv[1];
  let sv: StringValue | null = null;
  let dirtyKey = false;
  if (readonly) {
    const v = c.db.lookupRead(key);
    if (v !== undefined) {
      if (v.type !== ValueType.String) {
        c.error(E.WRONGTYPE);
        return;
      }
      sv = v as StringValue;
    }
  } else {
    if (readonlyCmd) {
      c.error('ERR BITFIELD_RO only supports the GET subcommand');
      return;
    }
    sv = stringForBits(c, key, highest);
    if (sv === null) return;
    dirtyKey = grew;
  }

  c.w.array(ops.length);
  let changes = 0;
  for (const o of ops) {
    if (o.op === OP_GET) {
      let u = 0n;
      if (sv !== null) {
        const s = sv;
        const get = s.isRaw ? ((b: Buffer) => (i: number) => b[i])(s.bytes()) : ((t: string) => (i: number) => t.charCodeAt(i))(s.toString());
        u = getField(get, s.length, o.offset, o.bits);
      }
      c.w.int(o.signed ? toSigned(u, o.bits) : u);
      continue;
    }
    const len = sv!.length;
    const buf = sv!.mutable(len);
    const raw = getField((i) => buf[i], len, o.offset, o.bits);
    let oldval: bigint;
    let newval: bigint;
    let ret: bigint;
    let overflow: number;
    if (o.signed) {
      oldval = toSigned(raw, o.bits);
      if (o.op === OP_INCRBY) {
        overflow = checkSigned(oldval, o.value, o.bits, o.ow);
        newval = overflow ? limit : oldval + o.value;
        ret = newval;
      } else {
        newval = o.value;
        overflow = checkSigned(newval, 0n, o.bits, o.ow);
        if (overflow) newval = limit;
        ret = oldval;
      }
    } else {
      oldval = raw;
      if (o.op === OP_INCRBY) {
        newval = BigInt.asUintN(64, oldval + o.value);
        overflow = checkUnsigned(oldval, o.value, o.bits, o.ow);
        if (overflow) newval = limit;
        ret = newval;
      } else {
        newval = BigInt.asUintN(64, o.value);
        overflow = checkUnsigned(newval, 0n, o.bits, o.ow);
        if (overflow) newval = limit;
        ret = oldval;
      }
    }
    if (overflow && o.ow === OW_FAIL) {
      c.w.nil();
      continue;
    }
    c.w.int(ret);
    setField(buf, len, o.offset, o.bits, BigInt.asUintN(o.bits, newval));
    if (dirtyKey || oldval !== newval) changes++;
  }
  if (changes > 0) {
    c.db.touched(key);
    c.db.notify(NOTIFY.STRING, 'setbit', key);
    c.server.dirty += changes;
  }
}

// ---------------------------------------------------------------- table

export function bitmapCommands(): CommandSpec[] {
  const group = 'bitmap';
  const one: [number, number, number] = [1, 1, 1];
  return [
    { name: 'setbit', arity: 4, flags: ['write', 'denyoom'], keys: one, group, since: '2.2.0', summary: 'Sets or clears the bit at offset in the string value stored at key', complexity: 'O(1)', handler: setbitCommand },
    { name: 'getbit', arity: 3, flags: ['readonly', 'fast'], keys: one, group, since: '2.2.0', summary: 'Returns the bit value at offset in the string value stored at key', complexity: 'O(1)', handler: getbitCommand },
    { name: 'bitcount', arity: -2, flags: ['readonly'], keys: one, group, since: '2.6.0', summary: 'Count set bits in a string', complexity: 'O(N)', handler: bitcountCommand },
    { name: 'bitpos', arity: -3, flags: ['readonly'], keys: one, group, since: '2.8.7', summary: 'Find first bit set or clear in a string', complexity: 'O(N)', handler: bitposCommand },
    { name: 'bitop', arity: -4, flags: ['write', 'denyoom'], keys: [2, -1, 1], group, since: '2.6.0', summary: 'Perform bitwise operations between strings', complexity: 'O(N)', handler: bitopCommand },
    { name: 'bitfield', arity: -2, flags: ['write', 'denyoom'], keys: one, group, since: '3.2.0', summary: 'Perform arbitrary bitfield integer operations on strings', complexity: 'O(1) for each subcommand specified', handler: (c, argv) => bitfieldGeneric(c, argv, false) },
    { name: 'bitfield_ro', arity: -2, flags: ['readonly', 'fast'], keys: one, group, since: '6.0.0', summary: 'Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD', complexity: 'O(1) for each subcommand specified', handler: (c, argv) => bitfieldGeneric(c, argv, true) },
  ];
}
