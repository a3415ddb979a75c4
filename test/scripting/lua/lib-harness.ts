/**
 * Differential harness for the Lua libraries (cjson, cmsgpack, struct, bit): the same calls run
 * through our JS library functions and through a reference Lua — the lua-redis-wasm oracle (Redis's
 * own Lua and C libraries in wasm) or a real redis-server (when 64-bit C types matter) — and
 * both sides serialise the results the same way (tables in next() order, and sorted).
 *
 * Inputs are described once (Gen) and built on both sides by the same sequence of table sets,
 * so that once LuaTable emulates ltable.c the orders must agree too.
 */
import { LuaTable } from '../../../src/scripting/lua/table.js';
import { ArgError, LibError, LuaError, LuaUserdata, type LuaFunction, type LuaValue } from '../../../src/scripting/lua/types.js';
import { formatG } from '../../../src/scripting/lua/number.js';
import { CJSON_NULL } from '../../../src/scripting/lua/lib-cjson.js';
import { RespClient, type Reply } from '../../helpers/resp.js';
import { startServer, type SpawnedServer } from '../../helpers/servers.js';

export type Gen =
  | { k: 'nil' }
  | { k: 'bool'; v: boolean }
  | { k: 'num'; v: number }
  | { k: 'str'; v: string }
  | { k: 'null' }
  | { k: 'fn' }
  | { k: 'table'; ops: Array<[Gen, Gen]> }
  /** Anything else: Lua source and a JS builder that make the same value. */
  | { k: 'raw'; lua: string; js: () => LuaValue };

export const nil: Gen = { k: 'nil' };
export const num = (v: number): Gen => ({ k: 'num', v });
export const str = (v: string): Gen => ({ k: 'str', v });
export const bool = (v: boolean): Gen => ({ k: 'bool', v });
export const tbl = (ops: Array<[Gen, Gen]>): Gen => ({ k: 'table', ops });
/** An array-like table built with t[1], t[2], ... in order. */
export const arr = (items: Gen[]): Gen => tbl(items.map((g, i) => [num(i + 1), g]));

export function luaString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x20 || c === 0x5f) out += s[i];
    else out += '\\' + String(c).padStart(3, '0');
  }
  return out + '"';
}

export function luaNumber(v: number): string {
  if (v !== v) return '(0/0)';
  if (v === Infinity) return '(1/0)';
  if (v === -Infinity) return '(-1/0)';
  if (v === 0 && 1 / v < 0) return '(-1/(1/0))';
  const s = formatG(v, 17);
  return v < 0 ? `(${s})` : s;
}

/** Lua source building the value. */
export function toLua(g: Gen): string {
  switch (g.k) {
    case 'nil':
      return 'nil';
    case 'bool':
      return String(g.v);
    case 'num':
      return luaNumber(g.v);
    case 'str':
      return luaString(g.v);
    case 'null':
      return 'cjson.null';
    case 'fn':
      return 'tostring';
    case 'raw':
      return g.lua;
    case 'table':
      return `(function() local t = {} ${g.ops.map(([k, v]) => `t[${toLua(k)}] = ${toLua(v)}`).join(' ')} return t end)()`;
  }
}

const FN: LuaFunction = () => [];

/** The same value on the JS side. */
export function toJs(g: Gen): LuaValue {
  switch (g.k) {
    case 'nil':
      return undefined;
    case 'bool':
      return g.v;
    case 'num':
      return g.v;
    case 'str':
      return g.v;
    case 'null':
      return CJSON_NULL;
    case 'fn':
      return FN;
    case 'raw':
      return g.js();
    case 'table': {
      const t = new LuaTable();
      for (const [k, v] of g.ops) t.set(toJs(k), toJs(v));
      return t;
    }
  }
}

/** Lua prelude (one line, so every error says user_script:1:). */
const PRELUDE = [
  "local function pack(...) return {n = select('#', ...), ...} end",
  'local ser',
  'ser = function(v, d, sorted)',
  "  local t = type(v)",
  "  if t == 'string' then return 's' .. #v .. ':' .. v",
  "  elseif t == 'number' then if v ~= v then return 'nan' end return 'n' .. string.format('%.17g', v)",
  "  elseif t == 'boolean' then return tostring(v)",
  "  elseif t == 'nil' then return 'nil'",
  "  elseif t == 'table' then",
  "    if d > 40 then return '{...}' end",
  '    local parts = {}',
  '    local k, x = next(v)',
  '    while k ~= nil do parts[#parts + 1] = ser(k, d + 1, sorted) .. \'=\' .. ser(x, d + 1, sorted) k, x = next(v, k) end',
  '    if sorted then table.sort(parts) end',
  "    return '{' .. table.concat(parts, ',') .. '}'",
  "  elseif v == cjson.null then return 'NULL'",
  '  else return t end',
  'end',
  'local function R(f)',
  '  local ok, r = pcall(f)',
  '  if not ok then return {\'ERR \' .. (type(r) == \'string\' and r or ser(r, 0, false))} end',
  '  local a, b = {}, {}',
  '  for i = 1, r.n do a[i] = ser(r[i], 0, false) b[i] = ser(r[i], 0, true) end',
  "  return {'OK ' .. table.concat(a, '|'), 'OK ' .. table.concat(b, '|')}",
  'end',
].join(' ');

/** One call: `lib.fn(args...)` in Lua; `expr` may replace the argument list with any Lua. */
export interface Call {
  lib: string;
  fn: string;
  args: Gen[];
}

export function callLua(c: Call): string {
  return `R(function() return pack(${c.lib}.${c.fn}(${c.args.map(toLua).join(', ')})) end)`;
}

/** `prefix` runs first (e.g. resetting cjson's configuration, which outlives a script). */
export function script(calls: Call[], prefix = ''): string {
  return `${PRELUDE} ${prefix} return {${calls.map(callLua).join(', ')}}`;
}

/** [in next() order, sorted]: what the Lua side computes, from the JS side. */
export interface Outcome {
  ordered: string;
  sorted: string;
}

export function ser(v: LuaValue, d: number, sorted: boolean): string {
  switch (typeof v) {
    case 'string':
      return `s${v.length}:${v}`;
    case 'number':
      return v !== v ? 'nan' : 'n' + formatG(v, 17);
    case 'boolean':
      return String(v);
    case 'undefined':
      return 'nil';
    case 'function':
      return 'function';
    default:
      if (v instanceof LuaTable) {
        if (d > 40) return '{...}';
        const parts: string[] = [];
        for (let e = v.next(undefined); e !== undefined; e = v.next(e[0])) parts.push(ser(e[0], d + 1, sorted) + '=' + ser(e[1], d + 1, sorted));
        if (sorted) parts.sort();
        return '{' + parts.join(',') + '}';
      }
      return v === CJSON_NULL ? 'NULL' : v instanceof LuaUserdata ? 'userdata' : 'table';
  }
}

/** The error text a script sees, as the runtime will build it for a call at line 1. */
export function errorText(e: unknown, fname: string): string {
  if (e instanceof ArgError) return `user_script:1: bad argument #${e.narg} to '${fname}' (${e.extramsg})`;
  if (e instanceof LibError) return `user_script:1: ${e.message}`;
  if (e instanceof LuaError) return typeof e.value === 'string' ? e.value : ser(e.value, 0, false);
  throw e;
}

export function runJs(lib: Map<string, LuaValue>, c: Call): Outcome {
  const f = lib.get(c.fn) as LuaFunction;
  try {
    const r = f(...c.args.map(toJs));
    return { ordered: 'OK ' + r.map((v) => ser(v, 0, false)).join('|'), sorted: 'OK ' + r.map((v) => ser(v, 0, true)).join('|') };
  } catch (e) {
    const t = 'ERR ' + errorText(e, c.fn);
    return { ordered: t, sorted: t };
  }
}

function outcomeOf(x: unknown): Outcome {
  const a = x as Buffer[];
  const o = a[0].toString('latin1');
  return { ordered: o, sorted: a.length > 1 ? a[1].toString('latin1') : o };
}

import { sharedOracle as oracle } from './oracle.js';
export { oracle };

/** Runs the calls in the oracle (batched in one script). */
export async function runOracle(calls: Call[], prefix = ''): Promise<Outcome[]> {
  const o = await oracle();
  const r = o.evalWithArgs(script(calls, prefix), [], []) as unknown;
  if (!Array.isArray(r)) throw new Error(`oracle failed: ${JSON.stringify(r, (_k, v) => (v?.type === 'Buffer' ? Buffer.from(v.data).toString('latin1') : v))}`);
  return r.map(outcomeOf);
}

/** A real redis-server for what the 32-bit wasm oracle cannot show (C long, %d). */
export class RealRedis {
  private constructor(
    private readonly server: SpawnedServer,
    private readonly client: RespClient,
  ) {}

  static async start(): Promise<RealRedis> {
    const server = await startServer('redis');
    const client = await RespClient.connect(server.port);
    return new RealRedis(server, client);
  }

  async eval(src: string, ...args: string[]): Promise<Reply> {
    return this.client.call('EVAL', Buffer.from(src, 'latin1'), '0', ...args.map((a) => Buffer.from(a, 'latin1')));
  }

  async run(calls: Call[], prefix = ''): Promise<Outcome[]> {
    const r = await this.eval(script(calls, prefix));
    if (r.t !== 'array') throw new Error(`redis-server failed: ${JSON.stringify(r)}`);
    return r.v.map((x) => {
      const parts = (x as { v: Reply[] }).v.map((y) => (y as { v: string }).v);
      return { ordered: parts[0], sorted: parts[1] ?? parts[0] };
    });
  }

  async close(): Promise<void> {
    this.client.close();
    await this.server.stop();
  }
}

/**
 * Whether LuaTable already iterates in Lua 5.1's order: a table with a few string keys set in
 * order, compared with the oracle. Before the ltable.c emulation lands only sorted views agree.
 */
export async function tableOrderIsExact(): Promise<boolean> {
  const g = tbl(['alpha', 'beta', 'gamma', 'delta', 'x', 'y', '1', 'zz'].map((k, i) => [str(k), num(i)]));
  const [o] = await runOracle([{ lib: '_G', fn: 'unpack', args: [arr([g])] }]);
  const mine = ser(toJs(g), 0, false);
  return o.ordered === 'OK ' + mine;
}

export function libMap(entries: Array<[string, LuaValue]>): Map<string, LuaValue> {
  return new Map(entries);
}

/** Compares outcomes; returns descriptions of the mismatches (ordered only when `exact`). */
export function compare(calls: Call[], mine: Outcome[], ref: Outcome[], exact: boolean): string[] {
  const bad: string[] = [];
  for (let i = 0; i < calls.length; i++) {
    const same = exact ? mine[i].ordered === ref[i].ordered : mine[i].sorted === ref[i].sorted;
    if (!same) {
      bad.push(`${callLua(calls[i]).slice(0, 400)}\n   mine: ${JSON.stringify(exact ? mine[i].ordered : mine[i].sorted).slice(0, 400)}\n    ref: ${JSON.stringify(exact ? ref[i].ordered : ref[i].sorted).slice(0, 400)}`);
    }
  }
  return bad;
}

/** Numbers that exercise integer/float boundaries of the encoders. */
export function randomNumber(r: () => number): number {
  switch (Math.floor(r() * 12)) {
    case 0:
      return Math.floor(r() * 300) - 150;
    case 1:
      return Math.floor((r() - 0.5) * 2 ** 17);
    case 2:
      return Math.floor((r() - 0.5) * 2 ** 34);
    case 3:
      return Math.floor((r() - 0.5) * 2 ** 66);
    case 4:
      return [0, -1, 127, 128, 255, 256, 65535, 65536, -32, -33, -128, -129, -32768, -32769, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, 2 ** 32 - 1, 2 ** 32, 2 ** 53, 2 ** 63, -(2 ** 63), 2 ** 64, 1e15, 1e16, 1e300, -1e-300, 5e-324, Infinity, -Infinity, NaN, 0.1, 1 / 3, 2 ** 31 - 1][Math.floor(r() * 34)];
    case 5:
      return Math.fround((r() - 0.5) * 1000);
    case 6:
      return (r() - 0.5) * 10 ** Math.floor(r() * 40 - 20);
    case 7: {
      const b = new Uint32Array([Math.floor(r() * 2 ** 32), Math.floor(r() * 2 ** 32)]);
      return new Float64Array(b.buffer)[0];
    }
    case 8:
      return Math.floor(r() * 1e6) / 100;
    default:
      return Math.floor(r() * 100);
  }
}

export function randomBytes(r: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) {
    const x = r();
    s += String.fromCharCode(x < 0.6 ? 0x61 + Math.floor(r() * 26) : x < 0.8 ? Math.floor(r() * 0x80) : Math.floor(r() * 256));
  }
  return s;
}

export function randomString(r: () => number): string {
  const x = r();
  // Long strings cross the msgpack length boundaries; rare, since they make the scripts big.
  if (x < 0.003) return randomBytes(r, [31, 32, 255, 256, 65535, 65536][Math.floor(r() * 6)]);
  if (x < 0.02) return randomBytes(r, [31, 32, 33, 255, 256][Math.floor(r() * 5)]);
  return randomBytes(r, Math.floor(r() * (x < 0.8 ? 8 : 40)));
}

export interface GenOptions {
  /** Probability of string keys vs integer keys. */
  keyKinds?: Array<'str' | 'int' | 'num' | 'bool' | 'table'>;
  leaves?: Array<'num' | 'str' | 'bool' | 'nil' | 'null' | 'fn'>;
  maxDepth?: number;
  maxItems?: number;
}

/** A random value: leaves and tables shaped as arrays, sparse arrays, maps or mixes. */
export function randomGen(r: () => number, depth: number, o: GenOptions = {}): Gen {
  const maxDepth = o.maxDepth ?? 4;
  const leaves = o.leaves ?? ['num', 'str', 'bool'];
  if (depth >= maxDepth || r() < 0.45) {
    switch (leaves[Math.floor(r() * leaves.length)]) {
      case 'num':
        return num(randomNumber(r));
      case 'str':
        return str(randomString(r));
      case 'bool':
        return bool(r() < 0.5);
      case 'nil':
        return nil;
      case 'null':
        return { k: 'null' };
      case 'fn':
        return { k: 'fn' };
    }
  }
  const n = Math.floor(r() * (o.maxItems ?? 8));
  const shape = r();
  const ops: Array<[Gen, Gen]> = [];
  const keyKinds = o.keyKinds ?? ['str', 'int'];
  for (let i = 0; i < n; i++) {
    let k: Gen;
    if (shape < 0.4) k = num(i + 1);
    else if (shape < 0.55) k = num(1 + Math.floor(r() * n * 3));
    else {
      const kind = keyKinds[Math.floor(r() * keyKinds.length)];
      if (kind === 'str') k = str(r() < 0.5 ? randomBytes(r, 1 + Math.floor(r() * 6)) : ['a', 'b', 'id', 'name', 'data', 'x1', '1', ''][Math.floor(r() * 8)]);
      else if (kind === 'int') k = num(Math.floor(r() * 20) - 2);
      else if (kind === 'num') k = num(randomNumber(r));
      else if (kind === 'bool') k = bool(r() < 0.5);
      else k = tbl([]);
      if (k.k === 'num' && k.v !== k.v) k = num(0.5);
    }
    ops.push([k, randomGen(r, depth + 1, o)]);
  }
  // Occasionally punch holes (t[k] = nil) after filling.
  if (n > 2 && r() < 0.15) ops.push([ops[Math.floor(r() * n)][0], nil]);
  return tbl(ops);
}
