/**
 * The `bit` library as Redis 7.0 bundles it (LuaBitOp 1.0.2): 32-bit operations on Lua numbers.
 * An argument becomes 32 bits the way LuaBitOp does it: add 2^52+2^51 to the double and keep the
 * low word of its bits, which rounds fractions to even and wraps any value modulo 2^32 (with
 * whatever precision the double still has). Results are signed 32-bit numbers.
 */
import { isNumber, toNumber } from './lib-argcheck.js';
import { typeError, type LuaFunction, type LuaValue } from './types.js';

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LOW = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;

/** barg(): the 32 bits of argument i (0-based), as an unsigned or signed JS int (callers mask). */
function barg(args: LuaValue[], i: number): number {
  const v = args[i];
  let b: number;
  if (typeof v === 'number' && Number.isInteger(v) && v <= 2251799813685248 && v >= -2251799813685248) {
    // Exact integers below 2^51 land on the same low word as the 2^52+2^51 trick.
    return v | 0;
  }
  const n = toNumber(v);
  f64[0] = n + 6755399441055744.0;
  b = u32[LOW] | 0;
  if (b === 0 && !isNumber(v)) throw typeError(i + 1, 'number', v, i < args.length);
  return b;
}

const tobit: LuaFunction = (...a) => [barg(a, 0)];
const bnot: LuaFunction = (...a) => [~barg(a, 0)];
const band: LuaFunction = (...a) => {
  let b = barg(a, 0);
  // The C loop reads the arguments from the last down to the second.
  for (let i = a.length - 1; i >= 1; i--) b &= barg(a, i);
  return [b];
};
const bor: LuaFunction = (...a) => {
  let b = barg(a, 0);
  for (let i = a.length - 1; i >= 1; i--) b |= barg(a, i);
  return [b];
};
const bxor: LuaFunction = (...a) => {
  let b = barg(a, 0);
  for (let i = a.length - 1; i >= 1; i--) b ^= barg(a, i);
  return [b];
};
const lshift: LuaFunction = (...a) => {
  const b = barg(a, 0);
  return [b << (barg(a, 1) & 31)];
};
const rshift: LuaFunction = (...a) => {
  const b = barg(a, 0);
  return [(b >>> (barg(a, 1) & 31)) | 0];
};
const arshift: LuaFunction = (...a) => {
  const b = barg(a, 0);
  return [b >> (barg(a, 1) & 31)];
};
const rol: LuaFunction = (...a) => {
  const b = barg(a, 0);
  const n = barg(a, 1) & 31;
  return [(b << n) | (b >>> (32 - n))];
};
const ror: LuaFunction = (...a) => {
  const b = barg(a, 0);
  const n = barg(a, 1) & 31;
  return [(b << (32 - n)) | (b >>> n)];
};
const bswap: LuaFunction = (...a) => {
  const b = barg(a, 0);
  return [(b >>> 24) | ((b >> 8) & 0xff00) | ((b & 0xff00) << 8) | (b << 24)];
};

const LOWER = '0123456789abcdef';
const UPPER = '0123456789ABCDEF';
const tohex: LuaFunction = (...a) => {
  let b = barg(a, 0);
  let n = a.length < 2 ? 8 : barg(a, 1);
  let digits = LOWER;
  // INT32_MIN cannot be negated; the patched 7.0.15 (CVE-2024-31449) treats it as INT32_MIN+1.
  if (n === -2147483648) n = -2147483647;
  if (n < 0) {
    n = -n;
    digits = UPPER;
  }
  if (n > 8) n = 8;
  let s = '';
  for (let i = n; --i >= 0; ) {
    s = digits[b & 15] + s;
    b >>>= 4;
  }
  return [s];
};

/** Registration order of lua_bit.c's bit_funcs (luaL_register presizes the table to 12). */
export function bitLibrary(): Array<[string, LuaValue]> {
  return [
    ['tobit', tobit],
    ['bnot', bnot],
    ['band', band],
    ['bor', bor],
    ['bxor', bxor],
    ['lshift', lshift],
    ['rshift', rshift],
    ['arshift', arshift],
    ['rol', rol],
    ['ror', ror],
    ['bswap', bswap],
    ['tohex', tohex],
  ];
}
