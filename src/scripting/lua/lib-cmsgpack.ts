/**
 * The `cmsgpack` library as Redis 7.0 bundles it (lua-cmsgpack 0.4.0). Packing: a table whose
 * keys are exactly 1..n is an array, any other table a map (in next() order); integral numbers
 * in the int64 range take the smallest integer encoding, other numbers float32 when that loses
 * nothing, else float64; functions, nil and userdata pack as nil; tables nested 16 deep pack as
 * nil. Unpacking knows the types of that version only (no bin, ext or fixext: "Bad data format").
 * Lua 5.1 numbers are doubles, so 64-bit integers round to the nearest double on the way in.
 */
import { checkInteger, checkString, optInteger } from './lib-argcheck.js';
import { LuaTable } from './table.js';
import { ArgError, LibError, LuaError, type LuaFunction, type LuaValue } from './types.js';

const MAX_NESTING = 16;
/** LUAI_MAXCSTACK: a C function's frame may not pass this many slots (lua_checkstack). */
const MAX_C_STACK = 8000;

const fromCharCode = String.fromCharCode;
const f32 = new Float32Array(1);
const f32b = new Uint8Array(f32.buffer);
const f64 = new Float64Array(1);
const f64b = new Uint8Array(f64.buffer);
const LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function checkStack(top: number, extra: number, what: string): void {
  if (top + extra > MAX_C_STACK) throw new LibError(`stack overflow (${what})`);
}

// ---------------------------------------------------------------- encoding

function encodeBytes(s: string): string {
  const len = s.length;
  if (len < 32) return fromCharCode(0xa0 | len) + s;
  if (len <= 0xff) return fromCharCode(0xd9, len) + s;
  if (len <= 0xffff) return fromCharCode(0xda, len >>> 8, len & 0xff) + s;
  return fromCharCode(0xdb, (len >>> 24) & 0xff, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff) + s;
}

function be32(n: number): string {
  return fromCharCode((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

function be64(n: number): string {
  const v = BigInt.asUintN(64, BigInt(n));
  return be32(Number(v >> 32n)) + be32(Number(v & 0xffffffffn));
}

/** mp_encode_int for an integral double in [-2^63, 2^63). */
function encodeInt(n: number): string {
  if (n >= 0) {
    if (n <= 127) return fromCharCode(n);
    if (n <= 0xff) return fromCharCode(0xcc, n);
    if (n <= 0xffff) return fromCharCode(0xcd, n >>> 8, n & 0xff);
    if (n <= 0xffffffff) return '\xce' + be32(n);
    return '\xcf' + be64(n);
  }
  if (n >= -32) return fromCharCode(n & 0xff);
  if (n >= -128) return fromCharCode(0xd0, n & 0xff);
  if (n >= -32768) return fromCharCode(0xd1, (n >> 8) & 0xff, n & 0xff);
  if (n >= -2147483648) return '\xd2' + be32(n);
  return '\xd3' + be64(n);
}

function bytesBE(b: Uint8Array): string {
  let s = '';
  if (LE) for (let i = b.length - 1; i >= 0; i--) s += fromCharCode(b[i]);
  else for (let i = 0; i < b.length; i++) s += fromCharCode(b[i]);
  return s;
}

function encodeNumber(n: number): string {
  // IS_INT64_EQUIVALENT: finite and unchanged by a conversion to int64_t.
  if (Number.isInteger(n) && n >= -9223372036854775808 && n < 9223372036854775808) return encodeInt(n === 0 ? 0 : n);
  if (n !== n) {
    // x86's default NaN (what 0/0 gives in Redis) has the sign bit set; JS cannot tell NaNs apart.
    return '\xcb\xff\xf8\x00\x00\x00\x00\x00\x00';
  }
  f32[0] = n;
  if (f32[0] === n) return '\xca' + bytesBE(f32b);
  f64[0] = n;
  return '\xcb' + bytesBE(f64b);
}

function encodeArrayHeader(n: number): string {
  if (n <= 15) return fromCharCode(0x90 | n);
  if (n <= 65535) return fromCharCode(0xdc, n >>> 8, n & 0xff);
  return '\xdd' + be32(n);
}

function encodeMapHeader(n: number): string {
  if (n <= 15) return fromCharCode(0x80 | n);
  if (n <= 65535) return fromCharCode(0xde, n >>> 8, n & 0xff);
  return '\xdf' + be32(n);
}

/** table_is_an_array: every key a positive integral number and the largest equal to the count. */
function isArray(t: LuaTable): boolean {
  let count = 0;
  let max = 0;
  for (let e = t.next(undefined); e !== undefined; e = t.next(e[0])) {
    const k = e[0];
    // IS_INT_EQUIVALENT: the key survives a conversion to a C int.
    if (typeof k !== 'number' || !(k > 0) || !Number.isInteger(k) || k > 2147483647) return false;
    if (k > max) max = k;
    count++;
  }
  return max === count;
}

/** `top` counts the C frame's stack slots in use, as lua_checkstack sees them. */
function encodeValue(v: LuaValue, level: number, top: number): string {
  switch (typeof v) {
    case 'string':
      return encodeBytes(v);
    case 'number':
      return encodeNumber(v);
    case 'boolean':
      return v ? '\xc3' : '\xc2';
    default:
      if (v instanceof LuaTable && level !== MAX_NESTING) return encodeTable(v, level, top);
      return '\xc0';
  }
}

function encodeTable(t: LuaTable, level: number, top: number): string {
  checkStack(top, 2, 'in function table_is_an_array');
  if (isArray(t)) {
    const len = t.length();
    let out = encodeArrayHeader(len);
    checkStack(top, 1, 'in function mp_encode_lua_table_as_array');
    for (let j = 1; j <= len; j++) out += encodeValue(t.getInt(j), level + 1, top + 1);
    return out;
  }
  checkStack(top, 3, 'in function mp_encode_lua_table_as_map');
  let len = 0;
  for (let e = t.next(undefined); e !== undefined; e = t.next(e[0])) len++;
  let out = encodeMapHeader(len);
  for (let e = t.next(undefined); e !== undefined; e = t.next(e[0])) {
    out += encodeValue(e[0], level + 1, top + 3);
    out += encodeValue(e[1], level + 1, top + 2);
  }
  return out;
}

const pack: LuaFunction = (...args) => {
  const nargs = args.length;
  if (nargs === 0) throw new ArgError(0, 'MessagePack pack needs input.');
  if (nargs + nargs > MAX_C_STACK) throw new ArgError(0, 'Too many arguments for MessagePack pack.');
  if (nargs === 1) {
    checkStack(nargs, 1, 'in function mp_check');
    return [encodeValue(args[0], 0, nargs + 1)];
  }
  let out = '';
  for (let i = 0; i < nargs; i++) {
    // The frame holds the arguments, the i strings packed so far and the value being packed.
    checkStack(nargs + i, 1, 'in function mp_check');
    out += encodeValue(args[i], 0, nargs + i + 1);
  }
  return [out];
};

// ---------------------------------------------------------------- decoding

const ERR_NONE = 0;
const ERR_EOF = 1;
const ERR_BADFMT = 2;

/** The decoding cursor (mp_cur) plus the values decoded at the top level. */
class Cursor {
  p: number;
  err = ERR_NONE;
  constructor(
    readonly s: string,
    p: number,
    readonly end: number,
  ) {
    this.p = p;
  }
}

function u8(c: Cursor, i: number): number {
  return c.s.charCodeAt(c.p + i);
}

function u32at(c: Cursor, i: number): number {
  return ((u8(c, i) << 24) | (u8(c, i + 1) << 16) | (u8(c, i + 2) << 8) | u8(c, i + 3)) >>> 0;
}

function u64at(c: Cursor, i: number): bigint {
  return (BigInt(u32at(c, i)) << 32n) | BigInt(u32at(c, i + 4));
}

/**
 * mp_decode_to_lua_type: one value, or undefined with c.err set. `top` is the frame's slot count
 * before the value is pushed.
 */
function decodeValue(c: Cursor, top: number): LuaValue {
  const left = c.end - c.p;
  if (left < 1) {
    c.err = ERR_EOF;
    return undefined;
  }
  checkStack(top, 1, 'too many return values at once; use unpack_one or unpack_limit instead.');
  const b = u8(c, 0);
  let v: LuaValue;
  let l: number;
  switch (b) {
    case 0xcc:
      if (left < 2) break;
      c.p += 2;
      return c.s.charCodeAt(c.p - 1);
    case 0xd0:
      if (left < 2) break;
      v = (u8(c, 1) << 24) >> 24;
      c.p += 2;
      return v;
    case 0xcd:
      if (left < 3) break;
      v = (u8(c, 1) << 8) | u8(c, 2);
      c.p += 3;
      return v;
    case 0xd1:
      if (left < 3) break;
      v = (((u8(c, 1) << 8) | u8(c, 2)) << 16) >> 16;
      c.p += 3;
      return v;
    case 0xce:
      if (left < 5) break;
      v = u32at(c, 1);
      c.p += 5;
      return v;
    case 0xd2:
      if (left < 5) break;
      v = u32at(c, 1) | 0;
      c.p += 5;
      return v;
    case 0xcf:
      if (left < 9) break;
      // lua_pushinteger takes a signed 64-bit integer: values from 2^63 up wrap negative.
      v = Number(BigInt.asIntN(64, u64at(c, 1)));
      c.p += 9;
      return v;
    case 0xd3:
      if (left < 9) break;
      v = Number(BigInt.asIntN(64, u64at(c, 1)));
      c.p += 9;
      return v;
    case 0xc0:
      c.p += 1;
      return undefined;
    case 0xc3:
      c.p += 1;
      return true;
    case 0xc2:
      c.p += 1;
      return false;
    case 0xca:
      if (left < 5) break;
      for (let i = 0; i < 4; i++) f32b[LE ? 3 - i : i] = u8(c, 1 + i);
      c.p += 5;
      return f32[0];
    case 0xcb:
      if (left < 9) break;
      for (let i = 0; i < 8; i++) f64b[LE ? 7 - i : i] = u8(c, 1 + i);
      c.p += 9;
      return f64[0];
    case 0xd9:
      if (left < 2) break;
      l = u8(c, 1);
      if (left < 2 + l) break;
      c.p += 2 + l;
      return c.s.slice(c.p - l, c.p);
    case 0xda:
      if (left < 3) break;
      l = (u8(c, 1) << 8) | u8(c, 2);
      if (left < 3 + l) break;
      c.p += 3 + l;
      return c.s.slice(c.p - l, c.p);
    case 0xdb:
      if (left < 5) break;
      l = u32at(c, 1);
      c.p += 5;
      if (c.end - c.p < l) break;
      c.p += l;
      return c.s.slice(c.p - l, c.p);
    case 0xdc:
      if (left < 3) break;
      l = (u8(c, 1) << 8) | u8(c, 2);
      c.p += 3;
      return decodeArray(c, l, top);
    case 0xdd:
      if (left < 5) break;
      l = u32at(c, 1);
      c.p += 5;
      return decodeArray(c, l, top);
    case 0xde:
      if (left < 3) break;
      l = (u8(c, 1) << 8) | u8(c, 2);
      c.p += 3;
      return decodeMap(c, l, top);
    case 0xdf:
      if (left < 5) break;
      l = u32at(c, 1);
      c.p += 5;
      return decodeMap(c, l, top);
    default:
      if ((b & 0x80) === 0) {
        c.p += 1;
        return b;
      }
      if ((b & 0xe0) === 0xe0) {
        c.p += 1;
        return b - 256;
      }
      if ((b & 0xe0) === 0xa0) {
        l = b & 0x1f;
        if (left < 1 + l) break;
        c.p += 1 + l;
        return c.s.slice(c.p - l, c.p);
      }
      if ((b & 0xf0) === 0x90) {
        c.p += 1;
        return decodeArray(c, b & 0xf, top);
      }
      if ((b & 0xf0) === 0x80) {
        c.p += 1;
        return decodeMap(c, b & 0xf, top);
      }
      c.err = ERR_BADFMT;
      return undefined;
  }
  c.err = ERR_EOF;
  return undefined;
}

function decodeArray(c: Cursor, len: number, top: number): LuaValue {
  const t = new LuaTable();
  checkStack(top + 1, 1, 'in function mp_decode_to_lua_array');
  for (let i = 1; i <= len; i++) {
    const v = decodeValue(c, top + 2);
    if (c.err !== ERR_NONE) return undefined;
    t.set(i, v);
  }
  return t;
}

function decodeMap(c: Cursor, len: number, top: number): LuaValue {
  const t = new LuaTable();
  while (len-- > 0) {
    const k = decodeValue(c, top + 1);
    if (c.err !== ERR_NONE) return undefined;
    const v = decodeValue(c, top + 2);
    if (c.err !== ERR_NONE) return undefined;
    // lua_settable raises from inside the C function: no position is added to these.
    if (k === undefined) throw new LuaError('table index is nil');
    if (k !== k) throw new LuaError('table index is NaN');
    t.set(k, v);
  }
  return t;
}

/** int of a lua_Integer, as lua_pushfstring's %d prints it. */
function cInt(n: number): number {
  return n | 0;
}

function unpackFull(s: string, limit: number, offset: number, top: number): LuaValue[] {
  const len = s.length;
  const decodeAll = limit === 0 && offset === 0;
  if (offset < 0 || limit < 0) {
    throw new LibError(`Invalid request to unpack with offset of ${cInt(offset)} and limit of ${cInt(len)}.`);
  } else if (offset > len) {
    throw new LibError(`Start offset ${cInt(offset)} greater than input length ${cInt(len)}.`);
  }
  if (decodeAll) limit = 2147483647;
  const c = new Cursor(s, offset, len);
  const out: LuaValue[] = [];
  for (let cnt = 0; c.p < len && cnt < limit; cnt++) {
    const v = decodeValue(c, top + cnt);
    if (c.err === ERR_EOF) throw new LibError('Missing bytes in input.');
    if (c.err === ERR_BADFMT) throw new LibError('Bad data format in input.');
    out.push(v);
  }
  if (!decodeAll) {
    checkStack(top + out.length, 1, 'in function mp_unpack_full');
    out.unshift(c.p === len ? -1 : c.p);
  }
  return out;
}

const unpack: LuaFunction = (...args) => unpackFull(checkString(args, 0), 0, 0, args.length);

const unpackOne: LuaFunction = (...args) => {
  const offset = optInteger(args, 1, 0);
  return unpackFull(checkString(args, 0), 1, offset, 1);
};

const unpackLimit: LuaFunction = (...args) => {
  const limit = checkInteger(args, 1);
  const offset = optInteger(args, 2, 0);
  return unpackFull(checkString(args, 0), limit, offset, 1);
};

/** The fields luaopen_create sets, in that order, on a table made by lua_newtable (not presized). */
export function cmsgpackLibrary(): Array<[string, LuaValue]> {
  return [
    ['pack', pack],
    ['unpack', unpack],
    ['unpack_one', unpackOne],
    ['unpack_limit', unpackLimit],
    ['_NAME', 'cmsgpack'],
    ['_VERSION', 'lua-cmsgpack 0.4.0'],
    ['_COPYRIGHT', 'Copyright (C) 2012, Salvatore Sanfilippo'],
    ['_DESCRIPTION', 'MessagePack C implementation for Lua'],
  ];
}

/** The library table exactly as Redis builds it (grown from empty, field by field). */
export function cmsgpackTable(): LuaTable {
  const t = new LuaTable();
  for (const [k, v] of cmsgpackLibrary()) t.setStr(k, v);
  return t;
}
