/**
 * What compiled Lua code calls besides its own inline fast paths (compiler.ts): the slow paths
 * of arithmetic, concatenation, indexing and calls (coercions, metamethods, Lua's error texts),
 * the error positions of a frame, and the hook counter.
 */
import { LuaTable } from './table.js';
import { ArgError, LibError, LuaError, LuaUserdata, typeName, type LuaFunction, type LuaValue } from './types.js';
import * as meta from './meta.js';
import { numberToString, stringToNumber } from './number.js';

/** Where a frame is: its chunk's id ("user_script"), the line, and for call sites the callee's name. */
export interface Position {
  chunk: string;
  line: number;
  name: string | undefined;
  method: boolean;
}

/** Thrown by the hook (SCRIPT KILL, time limits): passes through pcall untouched. */
export class ScriptAbort extends Error {}

/**
 * error(v, level>=1) before its position is known: each Lua frame it leaves counts one level, the
 * frame at level 1 prefixes its position. Crossing a library function (pcall) leaves it as is.
 */
export class LevelError {
  constructor(
    readonly value: LuaValue,
    public level: number,
  ) {}
}

/**
 * A LuaError made without running Error's constructor: same prototype (instanceof, .value,
 * .message) but no stack capture, which costs microseconds per error and says nothing about Lua.
 */
export function luaError(value: LuaValue): LuaError {
  const e = Object.create(LuaError.prototype) as { value: LuaValue; message: string };
  e.value = value;
  e.message = typeof value === 'string' ? value : 'lua error';
  return e as unknown as LuaError;
}

const HOOK_PERIOD = 1000;

function noHook(): void {}

/** ltable.c's luaO_int2fb / luaO_fb2int: constructor sizes go through this 8-bit float. */
function int2fb(x: number): number {
  let e = 0;
  while (x >= 16) {
    x = (x + 1) >> 1;
    e++;
  }
  return x < 8 ? x : ((e + 1) << 3) | (x - 8);
}

function fb2int(x: number): number {
  const e = (x >> 3) & 31;
  return e === 0 ? x : ((x & 7) + 8) * 2 ** (e - 1);
}

function where(pos: Position | undefined): string {
  return pos === undefined ? '' : `${pos.chunk}:${pos.line}: `;
}

/** "bad argument #n to 'name' (msg)" as luaL_argerror words it for the calling site. */
export function argErrorMessage(e: ArgError, pos: Position | undefined): string {
  let narg = e.narg;
  const name = pos?.name ?? '?';
  if (pos?.method) {
    narg--;
    if (narg === 0) return `calling '${name}' on bad self (${e.extramsg})`;
  }
  return `bad argument #${narg} to '${name}' (${e.extramsg})`;
}

function isStackOverflow(e: unknown): boolean {
  return e instanceof RangeError && e.message.includes('call stack');
}

/**
 * The value an error has once it reaches a library boundary (pcall, or the script's caller):
 * no Lua frame is left to give a position.
 */
export function errorValue(e: unknown): LuaValue {
  if (e instanceof LuaError) return e.value;
  if (e instanceof LevelError) return e.value;
  if (e instanceof LibError) return e.message;
  if (e instanceof ArgError) return argErrorMessage(e, undefined);
  if (isStackOverflow(e)) return 'stack overflow';
  throw e;
}

function toNumber(v: LuaValue): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return stringToNumber(v);
  return undefined;
}

const EVENTS: Record<string, string> = { add: '__add', sub: '__sub', mul: '__mul', div: '__div', mod: '__mod', pow: '__pow' };

function arithOp(op: string, a: number, b: number): number {
  switch (op) {
    case 'add':
      return a + b;
    case 'sub':
      return a - b;
    case 'mul':
      return a * b;
    case 'div':
      return a / b;
    case 'mod':
      return a - Math.floor(a / b) * b;
    default:
      return Math.pow(a, b);
  }
}

/** A binary metamethod: the first operand's, else the second's (luaT_gettmbyobj twice). */
function binMeta(a: LuaValue, b: LuaValue, event: string): LuaValue {
  const h = meta.metamethod(a, event);
  return h !== undefined ? h : meta.metamethod(b, event);
}

export const R = {
  /** Steps left before the hook runs (loop iterations and function entries). */
  budget: HOOK_PERIOD,
  hook: noHook as () => void,
  /** KEYS and ARGV of the running script (dynamic globals of the EVAL environment). */
  KEYS: undefined as LuaValue,
  ARGV: undefined as LuaValue,
  tick(): void {
    R.budget = HOOK_PERIOD;
    R.hook();
  },

  /**
   * A frame's catch: positions an error raised under it (only LuaError and ScriptAbort pass as
   * they are). The innermost Lua frame an error leaves is also stamped on it as `position`
   * (Redis's error handler reports that line: "on @user_script:<line>.").
   */
  frameError(e: unknown, pos: Position | undefined): unknown {
    if (e instanceof LuaError) {
      const s = e as LuaError & { position?: Position };
      if (s.position === undefined) s.position = pos;
      return e;
    }
    if (e instanceof ScriptAbort) return e;
    const out = R.positioned(e, pos);
    if (out instanceof LuaError || out instanceof LevelError) {
      const s = out as LuaError & { position?: Position };
      if (s.position === undefined) s.position = (e as { position?: Position }).position ?? pos;
    }
    return out;
  },

  positioned(e: unknown, pos: Position | undefined): unknown {
    if (e instanceof LevelError) {
      if (e.level > 1) {
        e.level--;
        return e;
      }
      const v = e.value;
      return luaError(typeof v === 'string' ? where(pos) + v : typeof v === 'number' ? where(pos) + numberToString(v) : v);
    }
    if (e instanceof LibError) {
      // luaH_next raises from inside next(), a C function: no position.
      if (e.message === "invalid key to 'next'") return luaError(e.message);
      return luaError(where(pos) + e.message);
    }
    if (e instanceof ArgError) return luaError(where(pos) + argErrorMessage(e, pos));
    if (isStackOverflow(e)) return luaError(where(pos) + 'stack overflow');
    return e;
  },

  getGlobal(g: LuaTable, name: string): LuaValue {
    const v = g.getStr(name);
    return v !== undefined || g.metatable === undefined ? v : meta.index(g, name);
  },

  setGlobal(g: LuaTable, name: string, v: LuaValue): void {
    R.setIndex(g, name, v, undefined);
  },

  index(o: LuaValue, k: LuaValue, what: string | undefined): LuaValue {
    return meta.index(o, k, what);
  },

  /** o:name — strings find their methods in the string library without a lookup chain. */
  method(o: LuaValue, name: string, what: string | undefined): LuaValue {
    if (o instanceof LuaTable) {
      const v = o.getStr(name);
      if (v !== undefined || o.metatable === undefined) return v;
    } else if (typeof o === 'string') {
      const mt = meta.shared.stringMeta;
      const lib = mt === undefined ? undefined : mt.getStr('__index');
      if (lib instanceof LuaTable) {
        const v = lib.getStr(name);
        if (v !== undefined || lib.metatable === undefined) return v;
      }
    }
    return meta.index(o, name, what);
  },

  /** t[k] = v (luaV_settable): raw when the key exists or no __newindex, else the handler. */
  setIndex(o: LuaValue, k: LuaValue, v: LuaValue, what: string | undefined): void {
    for (let loop = 0; loop < 100; loop++) {
      let h: LuaValue;
      if (o instanceof LuaTable) {
        const mt = o.metatable;
        if (mt === undefined || o.get(k) !== undefined || (h = mt.getStr('__newindex')) === undefined) {
          o.set(k, v);
          return;
        }
        // luaV_settable has already made the key's node (luaH_set) when it finds the handler.
        if (!o.readonly) o.set(k, undefined);
      } else {
        h = meta.metamethod(o, '__newindex');
        if (h === undefined) throw meta.libError(`attempt to index ${meta.describe(o, what)}`);
      }
      if (typeof h === 'function') {
        h(o, k, v);
        return;
      }
      o = h;
      what = undefined;
    }
    throw meta.libError('loop in settable');
  },

  call(f: LuaValue, args: LuaValue[], what: string | undefined): LuaValue[] {
    return meta.call(f, args, what);
  },

  arith(op: string, a: LuaValue, b: LuaValue, na: string | undefined, nb: string | undefined): LuaValue {
    const x = toNumber(a);
    const y = toNumber(b);
    if (x !== undefined && y !== undefined) return arithOp(op, x, y);
    const h = binMeta(a, b, EVENTS[op]);
    if (h !== undefined) return meta.call(h, [a, b])[0];
    // The operand that does not convert is the one named (luaG_aritherror).
    const badFirst = x === undefined;
    throw meta.libError(`attempt to perform arithmetic on ${meta.describe(badFirst ? a : b, badFirst ? na : nb)}`);
  },

  unm(a: LuaValue, name: string | undefined): LuaValue {
    const x = toNumber(a);
    if (x !== undefined) return -x;
    const h = meta.metamethod(a, '__unm');
    if (h !== undefined) return meta.call(h, [a, a])[0];
    throw meta.libError(`attempt to perform arithmetic on ${meta.describe(a, name)}`);
  },

  len(a: LuaValue, name: string | undefined): LuaValue {
    if (a instanceof LuaTable) return a.length();
    if (typeof a === 'string') return a.length;
    const h = meta.metamethod(a, '__len');
    if (h !== undefined) return meta.call(h, [a, undefined])[0];
    throw meta.libError(`attempt to get length of ${meta.describe(a, name)}`);
  },

  concat(a: LuaValue, b: LuaValue, na: string | undefined, nb: string | undefined): LuaValue {
    const ta = typeof a;
    const tb = typeof b;
    if ((ta === 'string' || ta === 'number') && (tb === 'string' || tb === 'number')) {
      return (ta === 'number' ? numberToString(a as number) : (a as string)) + (tb === 'number' ? numberToString(b as number) : (b as string));
    }
    const h = binMeta(a, b, '__concat');
    if (h !== undefined) return meta.call(h, [a, b])[0];
    const badFirst = !(ta === 'string' || ta === 'number');
    throw meta.libError(`attempt to concatenate ${meta.describe(badFirst ? a : b, badFirst ? na : nb)}`);
  },

  lt(a: LuaValue, b: LuaValue): boolean {
    return meta.lessThan(a, b);
  },

  le(a: LuaValue, b: LuaValue): boolean {
    return meta.lessEqual(a, b);
  },

  /** == of two distinct objects: __eq when both are tables (or both userdata) with the same handler. */
  eqMeta(a: LuaValue, b: LuaValue): boolean {
    if (a instanceof LuaTable ? !(b instanceof LuaTable) : !(a instanceof LuaUserdata && b instanceof LuaUserdata)) return false;
    const mt1 = (a as LuaTable).metatable;
    if (mt1 === undefined) return false;
    const h1 = mt1.getStr('__eq');
    if (h1 === undefined) return false;
    const mt2 = (b as LuaTable).metatable;
    if (mt2 !== mt1) {
      if (mt2 === undefined) return false;
      const h2 = mt2.getStr('__eq');
      if (h2 !== h1) return false;
    }
    return meta.truthy(meta.call(h1, [a, b])[0]);
  },

  forNumber(v: LuaValue, what: string): number {
    const n = typeof v === 'string' ? stringToNumber(v) : undefined;
    if (n === undefined) throw meta.libError(`'for' ${what} must be a number`);
    return n;
  },

  rawsetKey(t: LuaTable, k: LuaValue, v: LuaValue): void {
    t.set(k, v);
  },

  setItem(t: LuaTable, i: number, v: LuaValue): void {
    if (v !== undefined) t.setInt(i, v);
  },

  setList(t: LuaTable, start: number, values: LuaValue[]): void {
    // OP_SETLIST grows the array part to the last index first (luaH_resizearray).
    const last = start + values.length - 1;
    if (last > t.arraySize) t.resizeArray(last);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v !== undefined) t.setInt(start + i, v);
    }
  },

  /** The 'arg' table of a vararg function (adjust_varargs): the extra arguments and n. */
  argTable(va: LuaValue[]): LuaTable {
    const t = new LuaTable(va.length, 1);
    for (let i = 0; i < va.length; i++) t.setInt(i + 1, va[i]);
    t.setStr('n', va.length);
    return t;
  },

  constructorSizes(narr: number, nrec: number): [number, number] {
    return [fb2int(int2fb(narr)), fb2int(int2fb(nrec))];
  },

  /** The base library's next and ipairs' iterator: compiled for-in loops recognise them. */
  next: undefined as unknown as LuaFunction,
  ipairsStep: undefined as unknown as LuaFunction,
};

/** next(t [, k]) (luaB_next). */
R.next = function next(t?: LuaValue, k?: LuaValue): LuaValue[] {
  if (!(t instanceof LuaTable)) throw new ArgError(1, `table expected, got ${arguments.length === 0 ? 'no value' : typeName(t)}`);
  const e = t.next(k);
  return e === undefined ? [undefined] : [e[0], e[1]];
};

/** ipairs' iterator (ipairsaux). */
R.ipairsStep = function ipairsStep(t?: LuaValue, i?: LuaValue): LuaValue[] {
  if (!(t instanceof LuaTable)) throw new ArgError(1, `table expected, got ${arguments.length === 0 ? 'no value' : typeName(t)}`);
  const n = (typeof i === 'number' ? Math.trunc(i) : 0) + 1;
  const v = t.getInt(n);
  return v === undefined ? [] : [n, v];
};

export type Runtime = typeof R;
