/**
 * Argument readers shared by the cjson, cmsgpack, struct and bit libraries: what lauxlib's
 * luaL_checkX and luaL_optX and lua_to* do with a Lua value on x86-64 (lua_Integer is 64-bit and C's
 * double-to-integer conversion of an out-of-range value gives the "indefinite" INT64_MIN).
 */
import { numberToString, stringToNumber } from './number.js';
import { typeError, type LuaValue } from './types.js';

/** lua_tonumber: numbers and numeric strings; anything else reads as 0 (check with isNumber). */
export function toNumber(v: LuaValue): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const n = stringToNumber(v);
    return n === undefined ? 0 : n;
  }
  return 0;
}

/** lua_isnumber. */
export function isNumber(v: LuaValue): boolean {
  return typeof v === 'number' || (typeof v === 'string' && stringToNumber(v) !== undefined);
}

/** (int64_t)d as cvttsd2si does it: truncation, INT64_MIN for NaN and out-of-range values. */
export function toInt64(d: number): number {
  if (d >= -9223372036854775808 && d < 9223372036854775808) return Math.trunc(d) || 0;
  return -9223372036854775808;
}

/** luaL_checknumber. `args` is the whole argument list, `i` the 0-based index. */
export function checkNumber(args: LuaValue[], i: number): number {
  const v = args[i];
  if (typeof v === 'number') return v;
  const d = toNumber(v);
  if (d === 0 && !isNumber(v)) throw typeError(i + 1, 'number', v, i < args.length);
  return d;
}

/** luaL_checkinteger: lua_tointeger's 64-bit truncation. */
export function checkInteger(args: LuaValue[], i: number): number {
  const v = args[i];
  const d = toInt64(toNumber(v));
  if (d === 0 && !isNumber(v)) throw typeError(i + 1, 'number', v, i < args.length);
  return d;
}

/** luaL_optinteger. */
export function optInteger(args: LuaValue[], i: number, def: number): number {
  return args[i] === undefined ? def : checkInteger(args, i);
}

/** luaL_checklstring: strings, and numbers as tostring writes them. */
export function checkString(args: LuaValue[], i: number): string {
  const v = args[i];
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return numberToString(v);
  throw typeError(i + 1, 'string', v, i < args.length);
}
