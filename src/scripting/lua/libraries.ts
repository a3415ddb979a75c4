/**
 * The libraries Redis 7.0 opens besides the base library, in the order its scripting engine
 * loads them (luaLoadLibraries): table, string, math, debug (removed again), cjson, struct,
 * cmsgpack, bit. Each module lives on its own branch until merged; this list grows as they land.
 */
import type { LuaValue } from './types.js';

export function standardLibraries(): Array<[string, Array<[string, LuaValue]>]> {
  return [];
}
