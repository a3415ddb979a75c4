/**
 * Lua tables. FIRST VERSION: a Map keeps the entries, so iteration order and the border that `#`
 * finds are not yet Lua 5.1's. It will be replaced by an emulation of ltable.c (array part, hash
 * part with main positions and collision chains, rehash sizing) keeping exactly this API.
 */
import { LibError, type LuaValue } from './types.js';

export class LuaTable {
  metatable: LuaTable | undefined = undefined;
  /** Redis's read-only tables (globals and libraries): set() refuses. */
  readonly = false;
  private readonly map = new Map<LuaValue, LuaValue>();

  /** narr/nrec as lua_createtable(L, narr, nrec) presizes (they shape iteration order). */
  constructor(narr = 0, nrec = 0) {
    void narr;
    void nrec;
  }

  /** Raw get (no metamethods). */
  get(key: LuaValue): LuaValue {
    return this.map.get(typeof key === 'number' && key === 0 ? 0 : key);
  }

  /** Raw set (no metamethods). Assigning nil removes the entry. */
  set(key: LuaValue, value: LuaValue): void {
    if (this.readonly) throw new LibError('Attempt to modify a readonly table');
    if (key === undefined) throw new LibError('table index is nil');
    if (typeof key === 'number') {
      if (Number.isNaN(key)) throw new LibError('table index is NaN');
      if (key === 0) key = 0;
    }
    if (value === undefined) this.map.delete(key);
    else this.map.set(key, value);
  }

  getInt(i: number): LuaValue {
    return this.map.get(i);
  }

  setInt(i: number, value: LuaValue): void {
    this.set(i, value);
  }

  getStr(s: string): LuaValue {
    return this.map.get(s);
  }

  setStr(s: string, value: LuaValue): void {
    this.set(s, value);
  }

  /** lua_next: the entry after `key` (undefined key: the first), or undefined at the end. */
  next(key: LuaValue): [LuaValue, LuaValue] | undefined {
    const it = this.map.entries();
    if (key !== undefined) {
      if (!this.map.has(key)) throw new LibError("invalid key to 'next'");
      for (let e = it.next(); !e.done; e = it.next()) if (e.value[0] === key) break;
    }
    const e = it.next();
    return e.done ? undefined : e.value;
  }

  /** The border `#t` returns (luaH_getn). */
  length(): number {
    let n = 0;
    while (this.map.get(n + 1) !== undefined) n++;
    return n;
  }
}
