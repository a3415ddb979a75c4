/**
 * The `struct` library as Redis 7.0 bundles it (Roberto Ierusalimschy's struct, Redis's copy with
 * its bounds checks), with x86-64's sizes: short 2, int 4, long and size_t 8, maximum alignment
 * 8, native order little-endian. Integers go through C's `long`: packing converts the double to a
 * 64-bit integer (negative values through a signed conversion, others through an unsigned one,
 * each saturating the way x86 does), and a size above 8 bytes only carries those 64 bits.
 */
import { checkNumber, checkString, isNumber, optInteger, toNumber } from './lib-argcheck.js';
import { ArgError, LibError, type LuaFunction, type LuaValue } from './types.js';

const MAXINTSIZE = 32;
const MAXALIGN = 8;
/** LUAI_MAXCSTACK: lua_checkstack refuses to grow a C function's frame past this many slots. */
const MAX_C_STACK = 8000;
const BIG = 0;
const LITTLE = 1;

const M64 = (1n << 64n) - 1n;
const f32 = new Float32Array(1);
const f32b = new Uint8Array(f32.buffer);
const f64 = new Float64Array(1);
const f64b = new Uint8Array(f64.buffer);

interface Cursor {
  fmt: string;
  i: number;
  endian: number;
  align: number;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** The format ends at its first NUL byte, as a C string does. */
function fmtAt(h: Cursor): number {
  return h.i < h.fmt.length ? h.fmt.charCodeAt(h.i) : 0;
}

function getnum(h: Cursor, df: number): number {
  if (!isDigit(fmtAt(h))) return df;
  let a = 0;
  do {
    const d = fmtAt(h) - 48;
    if (a > Math.floor(2147483647 / 10) || a * 10 > 2147483647 - d) throw new LibError('integral size overflow');
    a = a * 10 + d;
    h.i++;
  } while (isDigit(fmtAt(h)));
  return a;
}

function optsize(opt: number, h: Cursor): number {
  switch (opt) {
    case 0x42: // B
    case 0x62: // b
      return 1;
    case 0x48: // H
    case 0x68: // h
      return 2;
    case 0x4c: // L
    case 0x6c: // l
    case 0x54: // T
      return 8;
    case 0x66: // f
      return 4;
    case 0x64: // d
      return 8;
    case 0x78: // x
      return 1;
    case 0x63: // c
      return getnum(h, 1);
    case 0x69: // i
    case 0x49: {
      // I
      const sz = getnum(h, 4);
      if (sz > MAXINTSIZE) throw new LibError(`integral size ${sz} is larger than limit of ${MAXINTSIZE}`);
      return sz;
    }
    default:
      return 0;
  }
}

function gettoalign(len: number, h: Cursor, opt: number, size: number): number {
  if (size === 0 || opt === 0x63) return 0;
  if (size > h.align) size = h.align;
  // size - 1 may not be a mask (sizes like 3 are allowed); the C arithmetic is kept as is.
  return Number((BigInt(size) - (BigInt(len) & BigInt(size - 1))) & BigInt(size - 1));
}

function controloptions(opt: number, h: Cursor): void {
  switch (opt) {
    case 0x20:
      return;
    case 0x3e:
      h.endian = BIG;
      return;
    case 0x3c:
      h.endian = LITTLE;
      return;
    case 0x21: {
      const a = getnum(h, MAXALIGN);
      if (!(a > 0 && (a & (a - 1)) === 0)) throw new LibError(`alignment ${a} is not a power of 2`);
      h.align = a;
      return;
    }
    default:
      throw new ArgError(1, `invalid format option '${String.fromCharCode(opt)}'`);
  }
}

/** The 64 bits C's `long` conversion gives for n (putinteger). */
function integerBits(n: number): bigint {
  if (n < 0) {
    // (unsigned long)(long)n: below -2^63 the conversion gives INT64_MIN.
    if (n < -9223372036854775808) return 1n << 63n;
    return BigInt.asUintN(64, BigInt(Math.trunc(n)));
  }
  // (unsigned long)n on x86-64: below 2^63 a signed conversion, above it 2^63 is subtracted
  // first and the top bit flipped back; NaN and values of 2^64 or more end up as 2^63 or 0.
  if (n < 9223372036854775808) return BigInt(Math.trunc(n));
  if (n >= 9223372036854775808 && n < 18446744073709551616) return BigInt(n);
  if (Number.isNaN(n)) return 1n << 63n;
  return 0n;
}

/** (size_t)d on x86-64: 2^64 and above give 0, NaN and negative counts give huge sizes. */
function toSizeT(d: number): number {
  if (d >= 18446744073709551616) return 0;
  if (d > -1) return Math.trunc(d);
  return 2 ** 63;
}

function putinteger(out: string[], n: number, endian: number, size: number): void {
  // Small non-negative integers (the common case) skip BigInt.
  if (Number.isInteger(n) && n >= 0 && n <= 0xffffffff) {
    let v = n;
    const bytes: string[] = new Array(size);
    for (let i = 0; i < size; i++) {
      bytes[endian === LITTLE ? i : size - 1 - i] = String.fromCharCode(v & 0xff);
      v = i < 4 ? Math.floor(v / 256) : 0;
    }
    out.push(bytes.join(''));
    return;
  }
  let value = integerBits(n);
  const bytes: string[] = new Array(size);
  for (let i = 0; i < size; i++) {
    bytes[endian === LITTLE ? i : size - 1 - i] = String.fromCharCode(Number(value & 0xffn));
    value >>= 8n;
  }
  out.push(bytes.join(''));
}

function bytesOf(b: Uint8Array, endian: number): string {
  let s = '';
  if (endian === LITTLE) for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  else for (let i = b.length - 1; i >= 0; i--) s += String.fromCharCode(b[i]);
  return s;
}

const pack: LuaFunction = (...args) => {
  const h: Cursor = { fmt: checkString(args, 0), i: 0, endian: LITTLE, align: 1 };
  const out: string[] = [];
  let arg = 1;
  let totalsize = 0;
  while (h.i < h.fmt.length && fmtAt(h) !== 0) {
    const opt = h.fmt.charCodeAt(h.i++);
    let size = optsize(opt, h);
    let toalign = gettoalign(totalsize, h, opt, size);
    totalsize += toalign;
    if (toalign > 0) out.push('\0'.repeat(toalign));
    toalign = 0;
    switch (opt) {
      case 0x62:
      case 0x42:
      case 0x68:
      case 0x48:
      case 0x6c:
      case 0x4c:
      case 0x54:
      case 0x69:
      case 0x49:
        putinteger(out, checkNumber(args, arg++), h.endian, size);
        break;
      case 0x78:
        out.push('\0');
        break;
      case 0x66: {
        const n = checkNumber(args, arg++);
        f32[0] = n;
        // x86's default NaN (what 0/0 gives in Redis) has the sign bit set; JS keeps no NaN sign.
        if (n !== n) f32b[3] = 0xff;
        out.push(bytesOf(f32b, h.endian));
        break;
      }
      case 0x64: {
        const n = checkNumber(args, arg++);
        f64[0] = n;
        if (n !== n) f64b[7] = 0xff;
        out.push(bytesOf(f64b, h.endian));
        break;
      }
      case 0x63:
      case 0x73: {
        const s = checkString(args, arg++);
        const l = s.length;
        if (size === 0) size = l;
        // The check names the argument after the string (arg was already advanced in C).
        if (!(l >= size)) throw new ArgError(arg + 1, 'string too short');
        out.push(size === l ? s : s.slice(0, size));
        if (opt === 0x73) {
          out.push('\0');
          size++;
        }
        break;
      }
      default:
        controloptions(opt, h);
    }
    totalsize += size;
  }
  return [out.join('')];
};

function getinteger(data: string, pos: number, endian: number, signed: boolean, size: number): number {
  if (size <= 6) {
    // Up to 48 bits the value is exact in a double without BigInt.
    let l = 0;
    if (endian === BIG) for (let i = 0; i < size; i++) l = l * 256 + data.charCodeAt(pos + i);
    else for (let i = size - 1; i >= 0; i--) l = l * 256 + data.charCodeAt(pos + i);
    if (signed && size > 0 && l >= 2 ** (size * 8 - 1)) l -= 2 ** (size * 8);
    return l;
  }
  let l = 0n;
  if (endian === BIG) for (let i = 0; i < size; i++) l = ((l << 8n) | BigInt(data.charCodeAt(pos + i))) & M64;
  else for (let i = size - 1; i >= 0; i--) l = ((l << 8n) | BigInt(data.charCodeAt(pos + i))) & M64;
  if (!signed) return Number(l);
  // The shift count wraps at 64 as x86's shl does (sizes above 8 bytes).
  const mask = (M64 << BigInt((size * 8 - 1) & 63)) & M64;
  if (l & mask) l |= mask;
  return Number(BigInt.asIntN(64, l));
}

function readFloat(data: string, pos: number, bytes: Uint8Array, endian: number): void {
  const n = bytes.length;
  for (let i = 0; i < n; i++) bytes[endian === LITTLE ? i : n - 1 - i] = data.charCodeAt(pos + i);
}

const unpack: LuaFunction = (...args) => {
  const h: Cursor = { fmt: checkString(args, 0), i: 0, endian: LITTLE, align: 1 };
  const data = checkString(args, 1);
  const ld = data.length;
  let pos = optInteger(args, 2, 1);
  if (pos === 0) throw new ArgError(3, 'offset must be 1 or greater');
  // A negative offset is a huge size_t in C: the first format item then finds the data too short.
  const huge = pos < 0;
  pos--;
  const res: LuaValue[] = [];
  const base = args.length;
  while (h.i < h.fmt.length && fmtAt(h) !== 0) {
    const opt = h.fmt.charCodeAt(h.i++);
    let size = optsize(opt, h);
    if (huge) throw new ArgError(2, 'data string too short');
    pos += gettoalign(pos, h, opt, size);
    if (!(size <= ld && pos <= ld - size)) throw new ArgError(2, 'data string too short');
    if (base + res.length + 2 > MAX_C_STACK) throw new LibError('stack overflow (too many results)');
    switch (opt) {
      case 0x62:
      case 0x42:
      case 0x68:
      case 0x48:
      case 0x6c:
      case 0x4c:
      case 0x54:
      case 0x69:
      case 0x49:
        res.push(getinteger(data, pos, h.endian, opt >= 0x61, size));
        break;
      case 0x78:
        break;
      case 0x66:
        readFloat(data, pos, f32b, h.endian);
        res.push(f32[0]);
        break;
      case 0x64:
        readFloat(data, pos, f64b, h.endian);
        res.push(f64[0]);
        break;
      case 0x63: {
        if (size === 0) {
          const prev = res.length === 0 ? undefined : res[res.length - 1];
          if (res.length === 0 || !isNumber(prev)) throw new LibError("format 'c0' needs a previous size");
          const d = toNumber(prev);
          size = toSizeT(d);
          res.pop();
          if (!(size <= ld && pos <= ld - size)) throw new ArgError(2, 'data string too short');
        }
        res.push(data.slice(pos, pos + size));
        break;
      }
      case 0x73: {
        const e = data.indexOf('\0', pos);
        if (e < 0) throw new LibError('unfinished string in data');
        size = e - pos + 1;
        res.push(data.slice(pos, e));
        break;
      }
      default:
        controloptions(opt, h);
    }
    pos += size;
  }
  res.push(pos + 1);
  return res;
};

const size: LuaFunction = (...args) => {
  const h: Cursor = { fmt: checkString(args, 0), i: 0, endian: LITTLE, align: 1 };
  let pos = 0;
  while (h.i < h.fmt.length && fmtAt(h) !== 0) {
    const opt = h.fmt.charCodeAt(h.i++);
    const sz = optsize(opt, h);
    pos += gettoalign(pos, h, opt, sz);
    if (opt === 0x73) throw new ArgError(1, "option 's' has no fixed size");
    else if (opt === 0x63 && sz === 0) throw new ArgError(1, "option 'c0' has no fixed size");
    const alnum = (opt >= 0x30 && opt <= 0x39) || (opt >= 0x41 && opt <= 0x5a) || (opt >= 0x61 && opt <= 0x7a);
    if (!alnum) controloptions(opt, h);
    pos += sz;
  }
  return [pos];
};

/** Registration order of lua_struct.c's thislib (luaL_register presizes the table to 3). */
export function structLibrary(): Array<[string, LuaValue]> {
  return [
    ['pack', pack],
    ['unpack', unpack],
    ['size', size],
  ];
}

