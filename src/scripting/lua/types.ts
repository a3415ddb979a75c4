/**
 * The values of reddish's Lua 5.1 engine and how its pieces pass them around. Lua source is
 * compiled to JavaScript once per script; these are the shapes that compiled code, the runtime
 * and the libraries (string, table, math, cjson, cmsgpack, struct, bit) agree on.
 *
 *   Lua      │ here
 *   ─────────┼──────────────────────────────────────────────────────────────────────────
 *   nil      │ undefined
 *   boolean  │ boolean
 *   number   │ number (a double, as Lua 5.1's lua_Number)
 *   string   │ string whose char codes are the bytes 0..255 ("latin1"): Buffer.toString('latin1')
 *            │ and Buffer.from(s, 'latin1') convert without loss; never a UTF-16 text string
 *   table    │ LuaTable (table.ts: ltable.c's array and hash parts, so next() and # agree with Redis)
 *   function │ LuaFunction: JS arguments in, an array of results out (empty array: no result)
 *   userdata │ LuaUserdata (cjson.null, newproxy)
 */
import type { LuaTable } from './table.js';

export type LuaValue = undefined | boolean | number | string | LuaTable | LuaFunction | LuaUserdata;

/** Every function, compiled or built in: `f(a, b)` returns all its results. */
export type LuaFunction = (...args: LuaValue[]) => LuaValue[];

/** A full or light userdata: identity only, plus an optional metatable (newproxy(true)). */
export class LuaUserdata {
  metatable: LuaTable | undefined = undefined;
  constructor(readonly label: string) {}
}

/**
 * An error travelling through Lua code: what `error(v)` raised, after any position prefix was
 * added. pcall returns `value`; a script that fails reports it.
 */
export class LuaError extends Error {
  constructor(readonly value: LuaValue) {
    super(typeof value === 'string' ? value : 'lua error');
  }
}

/**
 * A library function rejecting an argument, as luaL_argerror does. The runtime turns it into
 * "bad argument #<n> to '<name>' (<extramsg>)" with the name the call site used (global, local,
 * field or method: a method call shifts n and may say "calling 'x' on bad self"), then adds the
 * position as luaL_error would.
 */
export class ArgError extends Error {
  constructor(
    readonly narg: number,
    readonly extramsg: string,
  ) {
    super(extramsg);
  }
}

/**
 * An error raised without its position yet: by a library as luaL_error does, or by an operation
 * as luaG_runerror does. The runtime prefixes the position of the Lua function running
 * ("user_script:7: ") and turns it into a LuaError, so pcall sees the prefixed text.
 */
export class LibError extends Error {}

/** Lua's type() names. */
export function typeName(v: LuaValue): string {
  switch (typeof v) {
    case 'undefined':
      return 'nil';
    case 'boolean':
      return 'boolean';
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    case 'function':
      return 'function';
    default:
      return v instanceof LuaUserdata ? 'userdata' : 'table';
  }
}

/** luaL_typerror's message: "string expected, got nil" (a missing argument is "got no value"). */
export function typeError(narg: number, expected: string, got: LuaValue, present = true): ArgError {
  return new ArgError(narg, `${expected} expected, got ${present ? typeName(got) : 'no value'}`);
}
