/**
 * Lua 5.1's table library (ltablib.c) as Redis 7.0.15 has it, in its luaL_Reg order: concat
 * foreach foreachi getn maxn insert remove setn sort. Raw accesses throughout (rawgeti/rawseti, so
 * read-only tables refuse writes), `#` as luaH_getn, and sort as 5.1's quicksort step for step, so
 * the order of equal elements and "invalid order function for sorting" match Lua's.
 */
import { lessThan } from './meta.js';
import { numberToString, stringToNumber } from './number.js';
import { LuaTable } from './table.js';
import { LibError, LuaError, typeError, typeName, type LuaFunction, type LuaValue } from './types.js';

/**
 * Errors Lua raises inside these C functions through luaG_runerror (a read-only table written by
 * lua_rawseti, a failed comparison in sort, a lost key in foreach's lua_next) carry no position:
 * the running function is C. They leave as LuaError, final; luaL_error's (LibError) get the
 * caller's position from the runtime.
 */
function positionless(e: unknown): unknown {
  return e instanceof LibError ? new LuaError(e.message) : e;
}

/** lua_rawseti. */
function rawSet(t: LuaTable, i: number, v: LuaValue): void {
  if (t.readonly) throw new LuaError('Attempt to modify a readonly table');
  t.setInt(i, v);
}

/** lua_lessthan called from C. */
function lessThanC(a: LuaValue, b: LuaValue): boolean {
  try {
    return lessThan(a, b);
  } catch (e) {
    throw positionless(e);
  }
}

/** lua_next called from C. */
function nextC(t: LuaTable, k: LuaValue): [LuaValue, LuaValue] | undefined {
  try {
    return t.next(k);
  } catch (e) {
    throw positionless(e);
  }
}

function checkTable(v: LuaValue, narg: number, nargs: number): LuaTable {
  if (v instanceof LuaTable) return v;
  throw typeError(narg, 'table', v, narg <= nargs);
}

function checkFunction(v: LuaValue, narg: number, nargs: number): LuaFunction {
  if (typeof v === 'function') return v;
  throw typeError(narg, 'function', v, narg <= nargs);
}

/** luaL_checkint: a number (or numeric string), truncated as x86-64 C does, low 32 bits kept. */
function checkInt(v: LuaValue, narg: number, nargs: number): number {
  let d: number | undefined;
  if (typeof v === 'number') d = v;
  else if (typeof v === 'string') d = stringToNumber(v);
  if (d === undefined) throw typeError(narg, 'number', v, narg <= nargs);
  if (!(Math.abs(d) < 9223372036854775808)) return 0;
  return d | 0;
}

function optInt(v: LuaValue, narg: number, nargs: number, def: number): number {
  return v === undefined ? def : checkInt(v, narg, nargs);
}

/** table.concat's addfield: strings and numbers (as tostring prints them) only. */
function field(t: LuaTable, i: number): string {
  const v = t.getInt(i);
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return numberToString(v);
  throw new LibError(`invalid value (${typeName(v)}) at index ${i} in table for 'concat'`);
}

function concat(this: void, tv?: LuaValue, sepv?: LuaValue, iv?: LuaValue, jv?: LuaValue): LuaValue[] {
  const n = arguments.length;
  let sep: string;
  if (sepv === undefined) sep = '';
  else if (typeof sepv === 'string') sep = sepv;
  else if (typeof sepv === 'number') sep = numberToString(sepv);
  else throw typeError(2, 'string', sepv, true);
  const t = checkTable(tv, 1, n);
  let i = optInt(iv, 3, n, 1);
  const last = jv === undefined ? t.length() : checkInt(jv, 4, n);
  let s = '';
  for (; i < last; i++) {
    s += field(t, i);
    s += sep;
  }
  if (i === last) s += field(t, i);
  return [s];
}

function foreach(this: void, tv?: LuaValue, fv?: LuaValue): LuaValue[] {
  const n = arguments.length;
  const t = checkTable(tv, 1, n);
  const f = checkFunction(fv, 2, n);
  for (let e = nextC(t, undefined); e !== undefined; e = nextC(t, e[0])) {
    const r = f(e[0], e[1])[0];
    if (r !== undefined) return [r];
  }
  return [];
}

function foreachi(this: void, tv?: LuaValue, fv?: LuaValue): LuaValue[] {
  const n = arguments.length;
  const t = checkTable(tv, 1, n);
  const len = t.length();
  const f = checkFunction(fv, 2, n);
  for (let i = 1; i <= len; i++) {
    const r = f(i, t.getInt(i))[0];
    if (r !== undefined) return [r];
  }
  return [];
}

function getn(this: void, tv?: LuaValue): LuaValue[] {
  return [checkTable(tv, 1, arguments.length).length()];
}

function maxn(this: void, tv?: LuaValue): LuaValue[] {
  const t = checkTable(tv, 1, arguments.length);
  let max = 0;
  for (let s = t.nextSlot(-1); s >= 0; s = t.nextSlot(s)) {
    const k = t.slotKey(s);
    if (typeof k === 'number' && k > max) max = k;
  }
  return [max];
}

function insert(this: void, tv?: LuaValue, a?: LuaValue, b?: LuaValue): LuaValue[] {
  const n = arguments.length;
  const t = checkTable(tv, 1, n);
  let e = t.length() + 1;
  switch (n) {
    case 2:
      rawSet(t, e, a);
      return [];
    case 3: {
      const pos = checkInt(a, 2, n);
      if (pos > e) e = pos;
      for (let i = e; i > pos; i--) rawSet(t, i, t.getInt(i - 1));
      rawSet(t, pos, b);
      return [];
    }
    default:
      throw new LibError("wrong number of arguments to 'insert'");
  }
}

function remove(this: void, tv?: LuaValue, pv?: LuaValue): LuaValue[] {
  const n = arguments.length;
  const t = checkTable(tv, 1, n);
  const e = t.length();
  let pos = optInt(pv, 2, n, e);
  if (!(1 <= pos && pos <= e)) return [];
  const result = t.getInt(pos);
  for (; pos < e; pos++) rawSet(t, pos, t.getInt(pos + 1));
  rawSet(t, e, undefined);
  return [result];
}

function setn(this: void, tv?: LuaValue): LuaValue[] {
  checkTable(tv, 1, arguments.length);
  throw new LibError("'setn' is obsolete");
}

type Less = (a: LuaValue, b: LuaValue) => boolean;

/**
 * 5.1's auxsort: median of three, partition around a[u-1], recurse into the smaller half and
 * loop on the larger. Each read and write is a rawgeti/rawseti of the C code, in its order.
 */
function auxsort(t: LuaTable, l: number, u: number, lt: Less): void {
  while (l < u) {
    // Order a[l], a[(l+u)/2], a[u].
    let al = t.getInt(l);
    let au = t.getInt(u);
    if (lt(au, al)) {
      rawSet(t, l, au);
      rawSet(t, u, al);
    }
    if (u - l === 1) break;
    let i = Math.floor((l + u) / 2);
    let ai = t.getInt(i);
    al = t.getInt(l);
    if (lt(ai, al)) {
      rawSet(t, i, al);
      rawSet(t, l, ai);
    } else {
      au = t.getInt(u);
      if (lt(au, ai)) {
        rawSet(t, i, au);
        rawSet(t, u, ai);
      }
    }
    if (u - l === 2) break;
    const p = t.getInt(i);
    const au1 = t.getInt(u - 1);
    rawSet(t, i, au1);
    rawSet(t, u - 1, p);
    // a[l] <= P == a[u-1] <= a[u]: partition l+1 .. u-2.
    i = l;
    let j = u - 1;
    for (;;) {
      let x: LuaValue;
      let y: LuaValue;
      while ((x = t.getInt(++i)), lt(x, p)) {
        if (i > u) throw new LibError('invalid order function for sorting');
      }
      while ((y = t.getInt(--j)), lt(p, y)) {
        if (j < l) throw new LibError('invalid order function for sorting');
      }
      if (j < i) break;
      rawSet(t, i, y);
      rawSet(t, j, x);
    }
    const a1 = t.getInt(u - 1);
    const a2 = t.getInt(i);
    rawSet(t, u - 1, a2);
    rawSet(t, i, a1);
    // Recurse into the smaller side, loop on the larger.
    if (i - l < u - i) {
      j = l;
      i = i - 1;
      l = i + 2;
    } else {
      j = i + 1;
      i = u;
      u = j - 2;
    }
    auxsort(t, j, i, lt);
  }
}

function sort(this: void, tv?: LuaValue, fv?: LuaValue): LuaValue[] {
  const n = arguments.length;
  const t = checkTable(tv, 1, n);
  const len = t.length();
  let lt: Less = lessThanC;
  if (fv !== undefined) {
    const f = checkFunction(fv, 2, n);
    lt = (a, b) => {
      const r = f(a, b)[0];
      return r !== undefined && r !== false;
    };
  }
  auxsort(t, 1, len, lt);
  return [];
}

export function tableLibrary(): Array<[string, LuaValue]> {
  return [
    ['concat', concat as LuaFunction],
    ['foreach', foreach as LuaFunction],
    ['foreachi', foreachi as LuaFunction],
    ['getn', getn as LuaFunction],
    ['maxn', maxn as LuaFunction],
    ['insert', insert as LuaFunction],
    ['remove', remove as LuaFunction],
    ['setn', setn as LuaFunction],
    ['sort', sort as LuaFunction],
  ];
}
