/**
 * reddish's Lua engine: scripts compiled to JavaScript once (compiler.ts) and run on the calling
 * thread with Redis 7.0's environment: a read-only globals table whose missing names raise,
 * read-only library tables, KEYS and ARGV per run.
 *
 * compile() answers one of three ways: a chunk; Lua's own syntax error (from `syntaxCheck`, the
 * wasm Lua when the server gives one); or "fallback" for scripts this engine does not run
 * (coroutines, getfenv/setfenv, string.dump; or text luaparse rejects while Lua accepts it).
 */
import { LuaTable } from './table.js';
import { LibError, LuaError, type LuaFunction, type LuaValue } from './types.js';
import * as meta from './meta.js';
import { CompileRefused, compileChunk } from './compiler.js';
import { R, ScriptAbort, LevelError, errorValue, luaError } from './runtime.js';
import { baseLibrary, pairsFunctions, tostring } from './lib-base.js';
import { standardLibraries } from './libraries.js';

export { ScriptAbort };

export type CompileResult = { ok: true; chunk: LuaFunction } | { ok: false; error: string } | { ok: false; fallback: true; why: string };

export interface LuaEngineOptions {
  /** Extra globals ('redis', ...), set before the globals table is locked. */
  globals?: Array<[string, LuaValue]>;
  /**
   * Lua's own verdict on a text (as `loadstring(src, chunkName)` gives it): the error message,
   * or null when it compiles. Without it, texts luaparse rejects go to the fallback (whose Lua
   * reports the exact message).
   */
  syntaxCheck?: (source: string, chunkName: string) => string | null;
}

/** luaO_chunkid: how a chunk name appears in messages (LUA_IDSIZE 60). */
export function chunkId(name: string): string {
  const size = 60;
  if (name.startsWith('=')) return name.slice(1, size);
  if (name.startsWith('@')) {
    const s = name.slice(1);
    const room = size - ' \'...\' '.length - 1;
    return s.length > room ? `...${s.slice(s.length - room)}` : s;
  }
  const room = size - ' [string "..."] '.length - 1;
  let len = name.search(/[\n\r]/);
  if (len < 0) len = name.length;
  if (len > room) len = room;
  return len < name.length ? `[string "${name.slice(0, len)}..."]` : `[string "${name}"]`;
}

/** lbaselib.c's base_funcs order. */
const BASE_ORDER = ['assert', 'collectgarbage', 'dofile', 'error', 'gcinfo', 'getfenv', 'getmetatable', 'loadfile', 'load', 'loadstring', 'next', 'pcall', 'print', 'rawequal', 'rawget', 'rawset', 'select', 'setfenv', 'setmetatable', 'tonumber', 'tostring', 'type', 'unpack', 'xpcall'];
const DROPPED = ['dofile', 'getfenv', 'loadfile', 'print', 'setfenv', 'newproxy'];

/** lcorolib's co_funcs, each refusing: compiled code cannot suspend a running function. */
function coroutineRefusals(): LuaTable {
  const names = ['create', 'resume', 'running', 'status', 'wrap', 'yield'];
  const t = new LuaTable(0, names.length);
  for (const name of names) {
    t.setStr(name, () => {
      throw new LibError(`coroutine.${name} is not available to this script: scripts that name 'coroutine' in their text run on the Lua VM that has it`);
    });
  }
  return t;
}

export class LuaEngine {
  readonly globals: LuaTable;
  private hook: (() => void) | undefined = undefined;
  private readonly syntaxCheck: LuaEngineOptions['syntaxCheck'];
  private readonly dynamic = new Set(['KEYS', 'ARGV']);

  constructor(options: LuaEngineOptions = {}) {
    this.syntaxCheck = options.syntaxCheck;
    // The globals are filled in Redis's order (lua_newstate's table of 2, base_open, the
    // libraries, luaRegisterRedisAPI, eval.c's error handler), since that order is what pairs(_G)
    // shows. Names Redis 7.0.15 drops (print, dofile, loadfile, getfenv, setfenv, newproxy) are
    // set and removed again as there (their nodes stay). coroutine is listed as in Redis, but a
    // script that names it runs on the fallback engine, so only code reaching it indirectly
    // (through _G) gets here, and is refused with the reason.
    const g = new LuaTable(0, 2);
    g.setStr('_G', g);
    const base = new Map(baseLibrary({ load: (src, name) => this.load(src, name) }));
    for (const name of BASE_ORDER) g.setStr(name, base.get(name) ?? false);
    g.setStr('_VERSION', 'Lua 5.1');
    for (const [k, v] of pairsFunctions()) g.setStr(k, v);
    g.setStr('newproxy', false);
    g.setStr('coroutine', coroutineRefusals());
    for (const [name, lib] of standardLibraries()) {
      lib.readonly = true;
      g.setStr(name, lib);
      if (name === 'string') {
        const sm = new LuaTable(0, 1);
        sm.setStr('__index', lib);
        meta.shared.stringMeta = sm;
      }
      // debug is opened after math and removed again by eval.c (its node stays).
      if (name === 'math') g.setStr('debug', false);
    }
    const extra = options.globals ?? [];
    // luaRegisterRedisAPI replaces pcall, then sets redis (then eval.c removes debug).
    for (const [k, v] of extra) if (k === 'pcall') g.setStr(k, v);
    for (const [k, v] of extra) if (k !== 'pcall') g.setStr(k, v);
    g.setStr('debug', undefined);
    // Redis's error handler (eval.c): turns any error into a table with err = 'ERR ...'.
    if (g.getStr('__redis__err__handler') === undefined) {
      g.setStr('__redis__err__handler', (err?: LuaValue) => {
        if (err instanceof LuaTable) return [err];
        const t = new LuaTable(0, 1);
        t.setStr('err', `ERR ${tostring(err)}`);
        return [t];
      });
    }
    for (const name of DROPPED) g.setStr(name, undefined);
    g.setStr('KEYS', new LuaTable());
    g.setStr('ARGV', new LuaTable());
    const mt = new LuaTable(0, 1);
    mt.setStr('__index', (_t?: LuaValue, k?: LuaValue) => {
      throw new LibError(`Script attempted to access nonexistent global variable '${tostring(k)}'`);
    });
    g.metatable = mt;
    // luaSetTableProtectionRecursively: every table reachable from the globals (and their
    // metatables) becomes read-only; the string metatable too. KEYS/ARGV are made per run.
    protect(g);
    if (meta.shared.stringMeta) protect(meta.shared.stringMeta);
    for (const name of ['KEYS', 'ARGV']) {
      const t = g.getStr(name);
      if (t instanceof LuaTable) t.readonly = false;
    }
    this.globals = g;
  }

  /**
   * Compiles a script. chunkName as Lua takes it ('@user_script' → "user_script:1:" in
   * messages). `env` replaces the globals (FUNCTION libraries run in their own environment).
   * `debug` (the Lua debugger's runtime) compiles the script for a debugging session.
   */
  compile(source: string, chunkName = '@user_script', env?: LuaTable, debug?: unknown): CompileResult {
    if (this.syntaxCheck) {
      const error = this.syntaxCheck(source, chunkName);
      if (error !== null) return { ok: false, error };
    }
    try {
      const c = compileChunk(source, { chunkName: chunkId(chunkName), globals: env ?? this.globals, dynamicGlobals: env ? undefined : this.dynamic, debug });
      const main = c.factory(...c.deps);
      return { ok: true, chunk: main };
    } catch (e) {
      if (e instanceof CompileRefused) return { ok: false, fallback: true, why: e.message };
      if (e instanceof SyntaxError && typeof (e as { line?: number }).line === 'number' && typeof (e as { index?: number }).index === 'number') {
        // luaparse refused a text Lua accepted (or no Lua was asked): the fallback decides.
        return { ok: false, fallback: true, why: `parser: ${(e as Error).message}` };
      }
      throw e;
    }
  }

  /** loadstring/load: a chunk over the same globals, or Lua's message. */
  private load(source: string, chunkName: string): LuaFunction | string {
    const r = this.compile(source, chunkName);
    if (r.ok) return r.chunk;
    if ('error' in r) return r.error;
    return `cannot load this chunk here (${r.why})`;
  }

  /**
   * Runs a compiled chunk with KEYS and ARGV set. Throws LuaError (its value is the message
   * with position, or whatever error() raised) or ScriptAbort (from the hook).
   */
  run(chunk: LuaFunction, keys: string[], argv: string[]): LuaValue[] {
    const g = this.globals;
    g.readonly = false;
    const k = argsTable(keys);
    const a = argsTable(argv);
    g.setStr('KEYS', k);
    g.setStr('ARGV', a);
    g.readonly = true;
    R.KEYS = k;
    R.ARGV = a;
    return this.call(chunk, []);
  }

  /** Calls any Lua function under this engine's hook, with top-level error conversion. */
  call(f: LuaFunction, args: LuaValue[]): LuaValue[] {
    const savedHook = R.hook;
    R.hook = this.hook ?? noop;
    R.budget = 1000;
    // Lua errors are values, not diagnostics: no JS stack trace is captured for them (a
    // capture costs microseconds per throw, and scripts may throw on purpose, e.g. in pcall).
    const savedLimit = Error.stackTraceLimit;
    // The script itself is called from C (lua_pcall): one C level.
    const savedCcalls = meta.shared.ccalls;
    if (savedCcalls === 0) meta.shared.ccalls = 1;
    Error.stackTraceLimit = 0;
    try {
      return f(...args);
    } catch (e) {
      if (e instanceof ScriptAbort || e instanceof LuaError) throw e;
      // Raised with no Lua frame left to give it a position (error('x', 2) at top level, a
      // library function called directly): the value as it is, with the innermost position seen.
      const out = luaError(e instanceof LevelError ? e.value : errorValue(e)) as LuaError & { position?: unknown };
      out.position = (e as { position?: unknown }).position;
      throw out;
    } finally {
      Error.stackTraceLimit = savedLimit;
      meta.shared.ccalls = savedCcalls;
      R.hook = savedHook;
    }
  }

  setHook(hook: (() => void) | undefined): void {
    this.hook = hook;
  }
}

function noop(): void {}

function protect(t: LuaTable): void {
  if (t.readonly) return;
  t.readonly = true;
  for (let e = t.next(undefined); e !== undefined; e = t.next(e[0])) if (e[1] instanceof LuaTable) protect(e[1]);
  if (t.metatable) protect(t.metatable);
}

/**
 * KEYS/ARGV as luaCreateArray builds them: lua_newtable, then rawseti 1..n. Each of those
 * inserts that finds no room rehashes, which leaves an array part of the next power of two
 * ≥ n and no hash part: the table is made at that size at once, with the same layout.
 */
export function argsTable(items: string[]): LuaTable {
  const n = items.length;
  const t = n === 0 ? new LuaTable() : new LuaTable(n <= 1 ? 1 : 2 ** (32 - Math.clz32(n - 1)), 0);
  for (let i = 0; i < n; i++) t.setInt(i + 1, items[i]);
  return t;
}

