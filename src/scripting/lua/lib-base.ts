/**
 * Lua 5.1's base library (lbaselib.c) as Redis 7.0.15 leaves it reachable: print, dofile,
 * loadfile, getfenv, setfenv and newproxy are gone there. coroutine is not here: scripts naming
 * it run on the wasm fallback (engine.ts).
 */
import { LuaTable } from './table.js';
import { ArgError, LibError, LuaError, LuaUserdata, typeError, typeName, type LuaFunction, type LuaValue } from './types.js';
import * as meta from './meta.js';
import { numberToString, stringToNumber } from './number.js';
import { R, ScriptAbort, LevelError, errorValue, luaError } from './runtime.js';

/** The stack room Lua checks before unpack pushes results (LUAI_MAXCSTACK). */
const MAX_UNPACK = 8000;

export interface BaseHost {
  /** Compiles a chunk for loadstring/load: the function, or Lua's error message. */
  load(source: string, chunkName: string): LuaFunction | string;
}

const ids = new WeakMap<object, number>();
let nextId = 0;

/** What %p prints for an object: a stable, address-like number per object. */
export function addressOf(o: object): string {
  let id = ids.get(o);
  if (id === undefined) {
    id = ++nextId;
    ids.set(o, id);
  }
  return `0x${(0x55d0c0a00000 + id * 0x40).toString(16)}`;
}

export function checkAny(args: LuaValue[], i: number): void {
  if (args.length <= i) throw new ArgError(i + 1, 'value expected');
}

export function checkTable(args: LuaValue[], i: number): LuaTable {
  const v = args[i];
  if (v instanceof LuaTable) return v;
  throw typeError(i + 1, 'table', v, i < args.length);
}

export function checkNumber(args: LuaValue[], i: number): number {
  const v = args[i];
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const n = stringToNumber(v);
    if (n !== undefined) return n;
  }
  throw typeError(i + 1, 'number', v, i < args.length);
}

/** luaL_checkint: the number truncated toward zero (lua_Number to int on x86-64). */
export function checkInt(args: LuaValue[], i: number): number {
  return toCInt(checkNumber(args, i));
}

export function optInt(args: LuaValue[], i: number, def: number): number {
  return args[i] === undefined ? def : checkInt(args, i);
}

function toCInt(n: number): number {
  if (!Number.isFinite(n) || Math.abs(n) >= 2 ** 63) return 0;
  // (lua_Integer) conversion then (int): the low 32 bits of the truncated value.
  const t = Math.trunc(n);
  return Number(BigInt.asIntN(32, BigInt(t)));
}

export function checkString(args: LuaValue[], i: number): string {
  const v = args[i];
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return numberToString(v);
  throw typeError(i + 1, 'string', v, i < args.length);
}

export function tostring(v: LuaValue): string {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      return numberToString(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'undefined':
      return 'nil';
  }
  const h = meta.metamethod(v, '__tostring');
  if (h !== undefined) {
    const r = meta.call(h, [v])[0];
    if (typeof r === 'string') return r;
    if (typeof r === 'number') return numberToString(r);
    throw new LibError("'__tostring' must return a string");
  }
  return `${typeName(v)}: ${addressOf(v as object)}`;
}

/** strtoul's reading as tonumber(s, base) uses it: the whole string, spaces around allowed. */
function parseBase(s: string, base: number): number | undefined {
  const m = /^[\t\n\v\f\r ]*([+-]?)(.*?)[\t\n\v\f\r ]*$/s.exec(s);
  if (!m) return undefined;
  let digits = m[2];
  if (base === 16 && /^0[xX]/.test(digits)) digits = digits.slice(2);
  if (digits.length === 0) return undefined;
  let n = 0n;
  const b = BigInt(base);
  for (const ch of digits.toLowerCase()) {
    const c = ch.charCodeAt(0);
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 122 ? c - 87 : 99;
    if (d >= base) return undefined;
    n = n * b + BigInt(d);
  }
  const max = (1n << 64n) - 1n;
  if (n > max) n = max;
  else if (m[1] === '-') n = (-n) & max;
  return Number(n);
}

const GC_OPTIONS = ['stop', 'restart', 'collect', 'count', 'step', 'setpause', 'setstepmul'];

export function baseLibrary(host: BaseHost): Array<[string, LuaValue]> {
  let gcPause = 200;
  let gcStepmul = 200;
  const pcallValue = (e: unknown): LuaValue => {
    if (e instanceof ScriptAbort) throw e;
    return errorValue(e);
  };
  const entries: Array<[string, LuaValue]> = [
    [
      'assert',
      (...args) => {
        checkAny(args, 0);
        if (meta.truthy(args[0])) return args;
        throw new LibError(args.length > 1 ? checkString(args, 1) : 'assertion failed!');
      },
    ],
    [
      'collectgarbage',
      (...args) => {
        const opt = args[0] === undefined ? 'collect' : checkString(args, 0);
        const idx = GC_OPTIONS.indexOf(opt);
        if (idx < 0) throw new ArgError(1, `invalid option '${opt}'`);
        const ex = optInt(args, 1, 0);
        switch (opt) {
          case 'count':
            return [heapKb()];
          case 'step':
            return [true];
          case 'setpause': {
            const old = gcPause;
            gcPause = ex;
            return [old];
          }
          case 'setstepmul': {
            const old = gcStepmul;
            gcStepmul = ex;
            return [old];
          }
          default:
            return [0];
        }
      },
    ],
    [
      'error',
      (...args) => {
        const level = optInt(args, 1, 1);
        const v = args[0];
        if ((typeof v === 'string' || typeof v === 'number') && level > 0) throw new LevelError(v, level);
        throw luaError(v);
      },
    ],
    ['gcinfo', () => [Math.floor(heapKb())]],
    [
      'getmetatable',
      (...args) => {
        checkAny(args, 0);
        const mt = meta.getMetatable(args[0]);
        if (mt === undefined) return [undefined];
        const protectedMt = mt.getStr('__metatable');
        return [protectedMt !== undefined ? protectedMt : mt];
      },
    ],
    [
      'load',
      (...args) => {
        const f = args[0];
        if (typeof f !== 'function') throw typeError(1, 'function', f, args.length > 0);
        const name = args[1] === undefined ? '=(load)' : checkString(args, 1);
        let src = '';
        for (;;) {
          const piece = f()[0];
          if (piece === undefined || piece === '') break;
          if (typeof piece !== 'string') return [undefined, 'reader function must return a string'];
          src += piece;
        }
        const r = host.load(src, name);
        return typeof r === 'string' ? [undefined, r] : [r];
      },
    ],
    [
      'loadstring',
      (...args) => {
        const src = checkString(args, 0);
        const name = args[1] === undefined ? src : checkString(args, 1);
        const r = host.load(src, name);
        return typeof r === 'string' ? [undefined, r] : [r];
      },
    ],
    ['next', R.next],
    [
      'pcall',
      (...args) => {
        checkAny(args, 0);
        const f = args[0];
        try {
          const r = typeof f === 'function' ? f(...args.slice(1)) : meta.call(f, args.slice(1));
          return [true, ...r];
        } catch (e) {
          return [false, pcallValue(e)];
        }
      },
    ],
    [
      'rawequal',
      (...args) => {
        checkAny(args, 0);
        checkAny(args, 1);
        return [args[0] === args[1]];
      },
    ],
    [
      'rawget',
      (...args) => {
        const t = checkTable(args, 0);
        checkAny(args, 1);
        return [t.get(args[1])];
      },
    ],
    [
      'rawset',
      (...args) => {
        const t = checkTable(args, 0);
        checkAny(args, 1);
        checkAny(args, 2);
        // Raised inside rawset itself (a C function in Lua): no position.
        if (t.readonly) throw luaError('Attempt to modify a readonly table');
        try {
          t.set(args[1], args[2]);
        } catch (e) {
          if (e instanceof LibError) throw luaError(e.message);
          throw e;
        }
        return [t];
      },
    ],
    [
      'select',
      (...args) => {
        const n = args.length;
        const first = args[0];
        if (typeof first === 'string' && first.charCodeAt(0) === 35) return [n - 1];
        let i = checkInt(args, 0);
        if (i < 0) i = n + i;
        else if (i > n) i = n;
        if (i < 1) throw new ArgError(1, 'index out of range');
        return args.slice(i);
      },
    ],
    [
      'setmetatable',
      (...args) => {
        const t = checkTable(args, 0);
        const mt = args[1];
        if (!(mt === undefined || mt instanceof LuaTable)) throw new ArgError(2, 'nil or table expected');
        if (args.length < 2) throw new ArgError(2, 'nil or table expected');
        if (t.metatable !== undefined && t.metatable.getStr('__metatable') !== undefined) throw new LibError('cannot change a protected metatable');
        if (t.readonly) throw luaError('Attempt to modify a readonly table');
        t.metatable = mt;
        return [t];
      },
    ],
    [
      'tonumber',
      (...args) => {
        const v = args[0];
        if (args[1] === undefined) {
          checkAny(args, 0);
          if (typeof v === 'number') return [v];
          if (typeof v === 'string') return [stringToNumber(v)];
          return [undefined];
        }
        const base = checkInt(args, 1);
        if (base === 10) {
          if (typeof v === 'number') return [v];
          checkAny(args, 0);
          return [typeof v === 'string' ? stringToNumber(v) : undefined];
        }
        const s = checkString(args, 0);
        if (base < 2 || base > 36) throw new ArgError(2, 'base out of range');
        return [parseBase(s, base)];
      },
    ],
    [
      'tostring',
      (...args) => {
        checkAny(args, 0);
        return [tostring(args[0])];
      },
    ],
    [
      'type',
      (...args) => {
        checkAny(args, 0);
        return [typeName(args[0])];
      },
    ],
    [
      'unpack',
      (...args) => {
        const t = checkTable(args, 0);
        const i = optInt(args, 1, 1);
        const e = args[2] === undefined ? t.length() : checkInt(args, 2);
        if (i > e) return [];
        const n = e - i + 1;
        if (n <= 0 || n >= MAX_UNPACK) throw new LibError('too many results to unpack');
        const out = new Array<LuaValue>(n);
        for (let k = 0; k < n; k++) out[k] = t.getInt(i + k);
        return out;
      },
    ],
    [
      'xpcall',
      (...args) => {
        checkAny(args, 1);
        const f = args[0];
        const handler = args[1];
        try {
          const r = typeof f === 'function' ? f() : meta.call(f, []);
          return [true, ...r];
        } catch (e) {
          const v = pcallValue(e);
          try {
            return [false, meta.call(handler, [v])[0]];
          } catch (e2) {
            if (e2 instanceof ScriptAbort) throw e2;
            return [false, 'error in error handling'];
          }
        }
      },
    ],
  ];
  return entries;
}

/** ipairs and pairs, which luaopen_base registers after _VERSION. */
export function pairsFunctions(): Array<[string, LuaValue]> {
  return [
    [
      'ipairs',
      (...args) => {
        return [R.ipairsStep, checkTable(args, 0), 0];
      },
    ],
    ['pairs', (...args) => [R.next, checkTable(args, 0), undefined]],
  ];
}

function heapKb(): number {
  // Lua's own heap is not measured here: a plausible, stable estimate of a fresh Redis VM.
  return 24.5;
}

export { ScriptAbort };
export type { LuaUserdata };
