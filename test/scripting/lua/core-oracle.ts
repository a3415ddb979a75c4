/**
 * The oracle for the Lua engine's tests: Redis's own Lua (lua-redis-wasm, profile redis-7.0),
 * and the conversion of our results into the reply shape it returns, so both compare directly.
 */
import { LuaWasmEngine } from 'lua-redis-wasm';
import { LuaEngine } from '../../../src/scripting/lua/engine.js';
import { LuaTable } from '../../../src/scripting/lua/table.js';
import { LuaError, type LuaValue } from '../../../src/scripting/lua/types.js';

export type Shape = null | number | string | Shape[] | { err: string } | { ok: string };

export { createOracle } from './oracle.js';

const CHECK = "local f, e = loadstring(ARGV[1], ARGV[2]) if f then return false end return e";

/** Lua's own compile verdict, for LuaEngine's syntaxCheck option. */
export function oracleSyntaxCheck(oracle: LuaWasmEngine): (source: string, chunkName: string) => string | null {
  return (source, chunkName) => {
    const r = oracle.evalWithArgs(CHECK, [], [Buffer.from(source, 'latin1'), Buffer.from(chunkName, 'latin1')]);
    return Buffer.isBuffer(r) ? r.toString('latin1') : null;
  };
}

export function fromOracleReply(v: unknown): Shape {
  return fromOracle(v);
}

function fromOracle(v: unknown): Shape {
  if (v === null || v === undefined) return null;
  if (Buffer.isBuffer(v)) return v.toString('latin1');
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(fromOracle);
  const o = v as { err?: Buffer | string; ok?: Buffer | string; meta?: { kind?: string; name?: string; line?: number } };
  if (o.err !== undefined) {
    const text = Buffer.isBuffer(o.err) ? o.err.toString('latin1') : String(o.err);
    if (o.meta?.kind === 'global-read') return { err: `user_script:${o.meta.line}: Script attempted to access nonexistent global variable '${o.meta.name}'` };
    return { err: text };
  }
  if (o.ok !== undefined) return { ok: Buffer.isBuffer(o.ok) ? o.ok.toString('latin1') : String(o.ok) };
  return JSON.stringify(v);
}

/** luaReplyToRedisReply (RESP2) over our values. */
export function toShape(v: LuaValue): Shape {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      return Math.trunc(v) || 0;
    case 'boolean':
      return v ? 1 : null;
    case 'undefined':
      return null;
  }
  if (v instanceof LuaTable) {
    const err = v.getStr('err');
    if (typeof err === 'string') return { err };
    const ok = v.getStr('ok');
    if (typeof ok === 'string') return { ok };
    const out: Shape[] = [];
    for (let i = 1; ; i++) {
      const x = v.getInt(i);
      if (x === undefined) break;
      out.push(toShape(x));
    }
    return out;
  }
  return null;
}

export function runOracle(oracle: LuaWasmEngine, src: string, keys: string[] = [], argv: string[] = []): Shape {
  try {
    return fromOracle(oracle.evalWithArgs(src, keys.map((k) => Buffer.from(k, 'latin1')), argv.map((a) => Buffer.from(a, 'latin1'))));
  } catch (e) {
    return { err: `THROW ${(e as Error).message}` };
  }
}

export function runOurs(engine: LuaEngine, src: string, keys: string[] = [], argv: string[] = []): Shape | { fallback: string } {
  const c = engine.compile(src);
  if (!c.ok) return 'error' in c ? { err: c.error } : { fallback: c.why };
  try {
    // The oracle replies with the last value a chunk returns (Redis uses the first): compare like it.
    const r = engine.run(c.chunk, keys, argv);
    return toShape(r[r.length - 1]);
  } catch (e) {
    if (e instanceof LuaError) {
      const v = e.value;
      if (v instanceof LuaTable) return toShape(v);
      return { err: typeof v === 'string' ? v : typeof v === 'number' ? String(v) : `(error object is a ${v === undefined ? 'nil' : typeof v} value)` };
    }
    throw e;
  }
}
