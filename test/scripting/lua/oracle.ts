/**
 * Shared by the Lua library tests: Redis's own Lua (lua-redis-wasm) as the reference, and helpers
 * to run a JS library function the way a Lua call site would and print what came back.
 */
import { LuaWasmEngine } from 'lua-redis-wasm';
import { numberToString } from '../../../src/scripting/lua/number.js';
import { LuaTable } from '../../../src/scripting/lua/table.js';
import { ArgError, LibError, LuaError, type LuaFunction, type LuaValue } from '../../../src/scripting/lua/types.js';

export type Oracle = Awaited<ReturnType<typeof LuaWasmEngine.create>>;

/** A fresh instance of Redis's own Lua (no fuel limit; redis.call answers +OK). */
export function createOracle(): Promise<Oracle> {
  return LuaWasmEngine.create({
    profile: 'redis-7.0',
    limits: { maxFuel: 0xffffffff },
    host: { redisCall: () => ({ ok: Buffer.from('OK') }), redisPcall: () => ({ ok: Buffer.from('OK') }), log() {} },
  } as Parameters<typeof LuaWasmEngine.create>[0]);
}

let shared: Promise<Oracle> | undefined;
/** One instance shared by the harnesses of a test process. */
export function sharedOracle(): Promise<Oracle> {
  shared ??= createOracle();
  return shared;
}

/** Runs a script whose result is a list of strings; error positions ("user_script:3: ") dropped. */
export function runOracle(oracle: Oracle, src: string): string[] {
  const r = oracle.evalWithArgs(src, [], []) as unknown;
  if (!Array.isArray(r)) throw new Error(`oracle: ${JSON.stringify(r)} for\n${src}`);
  return r.map((b) => stripPosition(Buffer.isBuffer(b) ? b.toString('latin1') : String(b)));
}

export function stripPosition(s: string): string {
  return s.replace(/^user_script:\d+: /, '');
}

/** A Lua literal for a value (tables and functions excepted). */
export function luaLiteral(k: LuaValue): string {
  switch (typeof k) {
    case 'string': {
      let s = '"';
      for (let i = 0; i < k.length; i++) s += '\\' + k.charCodeAt(i);
      return s + '"';
    }
    case 'number':
      if (k === Infinity) return '(1/0)';
      if (k === -Infinity) return '(-1/0)';
      if (k !== k) return '(0/0)';
      // A runtime -0: a -0.0 literal would share the function's constant slot with 0 (Lua 5.1 dedups
      // constants through a table, where 0 == -0).
      if (Object.is(k, -0)) return '(-tonumber("0"))';
      if (Number.isInteger(k)) return k < 0 ? `(${k})` : String(k);
      return `(${k.toPrecision(17)})`;
    case 'boolean':
      return String(k);
    case 'undefined':
      return 'nil';
    default:
      return k instanceof LuaTable ? '{}' : 'nil';
  }
}

/** tostring as the test scripts print values (no addresses). */
export function show(v: LuaValue): string {
  switch (typeof v) {
    case 'number':
      return numberToString(v);
    case 'string':
      return v;
    case 'boolean':
      return String(v);
    case 'undefined':
      return 'nil';
    default:
      return v instanceof LuaTable ? 'table' : typeof v === 'function' ? 'function' : 'userdata';
  }
}

/** The Lua helper printing values the same way. */
export const LUA_SHOW = `local function show(v) local t = type(v) if t == 'table' or t == 'function' or t == 'userdata' then return t end return tostring(v) end`;

/** Calls a library function as `name(...)` would, returning Lua-printable results or the error text. */
export function callAs(name: string, f: LuaFunction, args: LuaValue[]): string[] {
  try {
    const r = f(...args);
    return ['true', ...r.map(show)];
  } catch (e) {
    return ['false', errorText(name, e)];
  }
}

export function errorText(name: string, e: unknown): string {
  if (e instanceof ArgError) return `bad argument #${e.narg} to '${name}' (${e.extramsg})`;
  if (e instanceof LibError) return e.message;
  if (e instanceof LuaError) return stripPosition(show(e.value));
  throw e;
}
