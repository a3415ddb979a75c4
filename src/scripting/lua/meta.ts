/**
 * Metamethod-aware operations that libraries share with compiled code (lvm.c's gettable, call,
 * lessthan). Compiled code uses named variants of these (runtime.ts) so that errors can say
 * "attempt to index local 't' (a nil value)"; libraries call these unnamed ones.
 */
import { LuaTable } from './table.js';
import { LibError, LuaUserdata, typeName, type LuaFunction, type LuaValue } from './types.js';

/**
 * A LibError without Error's constructor (no stack capture: microseconds per throw). Same
 * prototype, so instanceof and .message work as for `new LibError(message)`.
 */
export function libError(message: string): LibError {
  const e = Object.create(LibError.prototype) as { message: string };
  e.message = message;
  return e as LibError;
}

/** Loop limit of __index/__newindex chains (MAXTAGLOOP). */
const MAX_TAG_LOOP = 100;

/** The metatable all strings share (its __index is the string library); set by the engine. */
export const shared: { stringMeta: LuaTable | undefined } = { stringMeta: undefined };

export function getMetatable(v: LuaValue): LuaTable | undefined {
  if (v instanceof LuaTable || v instanceof LuaUserdata) return v.metatable;
  if (typeof v === 'string') return shared.stringMeta;
  return undefined;
}

/** A metamethod of v, or undefined (luaT_gettmbyobj). */
export function metamethod(v: LuaValue, event: string): LuaValue {
  const mt = getMetatable(v);
  return mt === undefined ? undefined : mt.getStr(event);
}

/** t[k] with __index (luaV_gettable). `what` names the indexed value in the error, e.g. "local 't'". */
export function index(o: LuaValue, k: LuaValue, what?: string): LuaValue {
  for (let loop = 0; loop < MAX_TAG_LOOP; loop++) {
    let h: LuaValue;
    if (o instanceof LuaTable) {
      const v = o.get(k);
      if (v !== undefined) return v;
      const mt = o.metatable;
      if (mt === undefined) return undefined;
      h = mt.getStr('__index');
      if (h === undefined) return undefined;
    } else {
      h = metamethod(o, '__index');
      if (h === undefined) throw libError(`attempt to index ${describe(o, what)}`);
    }
    if (typeof h === 'function') return h(o, k)[0];
    o = h;
    what = undefined;
  }
  throw libError("loop in gettable");
}

/** f(...args) for any value: functions directly, others through __call (luaD_precall). */
export function call(f: LuaValue, args: LuaValue[], what?: string): LuaValue[] {
  if (typeof f === 'function') return f(...args);
  // tryfuncTM: only a function __call is taken (no chain); otherwise the value itself is blamed.
  const h = metamethod(f, '__call');
  if (typeof h !== 'function') throw libError(`attempt to call ${describe(f, what)}`);
  return h(f, ...args);
}

/** a < b (luaV_lessthan): numbers, strings byte-wise, otherwise __lt of the same handler. */
export function lessThan(a: LuaValue, b: LuaValue): boolean {
  const ta = typeof a;
  if (ta === typeof b) {
    if (ta === 'number') return (a as number) < (b as number);
    if (ta === 'string') return (a as string) < (b as string);
    const h = sameMetamethod(a, b, '__lt');
    if (h !== undefined) return truthy(call(h, [a, b])[0]);
  }
  throw compareError(a, b);
}

/** a <= b (luaV_lessequal): __le, else not (b < a) through __lt. */
export function lessEqual(a: LuaValue, b: LuaValue): boolean {
  const ta = typeof a;
  if (ta === typeof b) {
    if (ta === 'number') return (a as number) <= (b as number);
    if (ta === 'string') return (a as string) <= (b as string);
    let h = sameMetamethod(a, b, '__le');
    if (h !== undefined) return truthy(call(h, [a, b])[0]);
    h = sameMetamethod(b, a, '__lt');
    if (h !== undefined) return !truthy(call(h, [b, a])[0]);
  }
  throw compareError(a, b);
}

function sameMetamethod(a: LuaValue, b: LuaValue, event: string): LuaValue {
  const h1 = metamethod(a, event);
  if (h1 === undefined) return undefined;
  const h2 = metamethod(b, event);
  return h1 === h2 ? h1 : undefined;
}

function compareError(a: LuaValue, b: LuaValue): LibError {
  const t1 = typeName(a);
  const t2 = typeName(b);
  return libError(t1 === t2 ? `attempt to compare two ${t1} values` : `attempt to compare ${t1} with ${t2}`);
}

export function truthy(v: LuaValue): boolean {
  return v !== undefined && v !== false;
}

/** "a nil value", or "local 'x' (a nil value)" when the call site knows a name. */
export function describe(v: LuaValue, what?: string): string {
  return what ? `${what} (a ${typeName(v)} value)` : `a ${typeName(v)} value`;
}

export type { LuaFunction };
