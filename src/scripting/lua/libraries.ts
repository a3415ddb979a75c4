/**
 * The libraries Redis 7.0 opens besides the base library, in luaLoadLibraries' order: table,
 * string, math, debug (removed again), cjson, struct, cmsgpack, bit. A library is a table built as
 * Redis builds it (luaL_register presizes to its function count; cjson and cmsgpack grow from an
 * empty table), since that shapes pairs() over it.
 */
import { LuaTable } from './table.js';
import type { LuaValue } from './types.js';
import { stringLibrary } from './lib-string.js';
import { tableLibrary } from './lib-table.js';
import { mathLibrary, Lrand48 } from './lib-math.js';
import { cjsonTable } from './lib-cjson.js';
import { structLibrary } from './lib-struct.js';
import { cmsgpackTable } from './lib-cmsgpack.js';
import { bitLibrary } from './lib-bit.js';

/** luaL_register's table: presized to the luaL_Reg entries, then the extra fields. */
export function registered(entries: Array<[string, LuaValue]>, extra: Array<[string, LuaValue]> = []): LuaTable {
  const t = new LuaTable(0, entries.length);
  for (const [k, v] of entries) t.setStr(k, v);
  for (const [k, v] of extra) t.setStr(k, v);
  return t;
}

export function standardLibraries(): Array<[string, LuaTable]> {
  const math = mathLibrary(new Lrand48());
  // pi, huge and mod are set after luaL_register (mod under LUA_COMPAT_MOD): not in its count.
  const extras = math.filter(([k]) => k === 'pi' || k === 'huge' || k === 'mod');
  return [
    ['table', registered(tableLibrary())],
    ['string', registered(stringLibrary())],
    ['math', registered(math.filter((e) => !extras.includes(e)), extras)],
    ['cjson', cjsonTable()],
    ['struct', registered(structLibrary())],
    ['cmsgpack', cmsgpackTable()],
    ['bit', registered(bitLibrary())],
  ];
}
