/**
 * Differential harness for the Lua string library: a case is a library call with its
 * arguments; the same cases run in the real Lua (the wasm oracle, or redis-server through EVAL)
 * and in our library, and their results or error texts are compared. Cases travel as
 * length-prefixed fields in ARGV, results come back as arrays of tagged strings.
 */
import { stringLibrary } from '../../../src/scripting/lua/lib-string.js';
import { LuaTable } from '../../../src/scripting/lua/table.js';
import { ArgError, LibError, LuaError, type LuaFunction, type LuaValue } from '../../../src/scripting/lua/types.js';
import { numberToString, stringToNumber } from '../../../src/scripting/lua/number.js';
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { RespClient, type Reply } from '../../helpers/resp.js';
import { startServer, hasRedisServer, type SpawnedServer } from '../../helpers/servers.js';
import { prng } from '../../helpers/prng.js';

export type Arg =
  | { t: 's'; v: string }
  | { t: 'n'; v: number }
  | { t: 'z' }
  | { t: 'b'; v: boolean }
  | { t: 'f'; v: string }
  | { t: 'T'; v: string };

export interface Case {
  fn: string;
  args: Arg[];
}

export const S = (v: string): Arg => ({ t: 's', v });
export const N = (v: number): Arg => ({ t: 'n', v });
export const NIL: Arg = { t: 'z' };
export const B = (v: boolean): Arg => ({ t: 'b', v });
export const FN = (v: string): Arg => ({ t: 'f', v });
export const TBL = (v: string): Arg => ({ t: 'T', v });

/** The Lua side: decodes each case, runs it under pcall, encodes the results. */
export const HARNESS = `
local function pack(...) return {n = select('#', ...), ...} end
local funcs = {
  cat = function(...) local t = pack(...) local o = {} for i = 1, t.n do o[i] = tostring(t[i]) end return table.concat(o, ',') end,
  none = function() return nil end,
  no = function() return false end,
  len = function(a) return #tostring(a) end,
  tbl = function() return {} end,
  second = function(a, b) return b end,
}
local tables = {
  t1 = {a = 'X', b = 1, abc = false, [1] = 'one', [''] = 'E', hello = 2.5},
  t2 = {x = {}},
}
local fns = {}
for k, v in pairs(string) do fns[k] = v end
fns.gmatch = function(s, p)
  local res = {}
  local it = string.gmatch(s, p)
  for i = 1, 40 do
    local t = pack(it())
    if t.n == 0 then break end
    res[#res + 1] = t.n
    for j = 1, t.n do res[#res + 1] = t[j] end
  end
  return unpack(res)
end
fns.tostring = tostring
fns.tonumber = function(s) return tonumber(s) end
local function enc(v)
  local t = type(v)
  if t == 'string' then return 's' .. v end
  if t == 'number' then
    if v ~= v then return 'nnan' end
    return 'n' .. string.format('%.17g', v)
  end
  if t == 'nil' then return 'z' end
  if t == 'boolean' then return v and 'b1' or 'b0' end
  return 'x' .. t
end
local out = {}
for c = 1, #ARGV do
  local s = ARGV[c]
  local args, n, i, fname = {}, 0, 1, nil
  while i <= #s do
    local tag = string.sub(s, i, i)
    local colon = string.find(s, ':', i, true)
    local len = tonumber(string.sub(s, i + 1, colon - 1))
    local payload = string.sub(s, colon + 1, colon + len)
    i = colon + len + 1
    if tag == 'F' then fname = payload
    else
      n = n + 1
      if tag == 's' then args[n] = payload
      elseif tag == 'n' then args[n] = tonumber(payload)
      elseif tag == 'b' then args[n] = payload == '1'
      elseif tag == 'f' then args[n] = funcs[payload]
      elseif tag == 'T' then args[n] = tables[payload]
      end
    end
  end
  local r = pack(pcall(fns[fname], unpack(args, 1, n)))
  local o = {r[1] and 'ok' or 'err'}
  if r[1] then for j = 2, r.n do o[j] = enc(r[j]) end else o[2] = 'e' .. tostring(r[2]) end
  out[c] = o
end
return out
`;

function field(tag: string, payload: string): string {
  return `${tag}${payload.length}:${payload}`;
}

function numText(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (Object.is(v, -0)) return '-0';
  return String(v);
}

export function encodeCase(c: Case): Buffer {
  let s = field('F', c.fn);
  for (const a of c.args) {
    if (a.t === 's') s += field('s', a.v);
    else if (a.t === 'n') s += field('n', numText(a.v));
    else if (a.t === 'z') s += field('z', '');
    else if (a.t === 'b') s += field('b', a.v ? '1' : '0');
    else s += field(a.t, a.v);
  }
  return Buffer.from(s, 'latin1');
}

/** A result as comparable text: "ok|<tagged values>" or "err|<message>". */
function canonicalValue(tagged: string): string {
  // An error raised in the iterator gmatch returns carries the position of the Lua code that
  // called it (our engine's runtime adds that, not the library).
  if (tagged[0] === 'e') return tagged.replace(/^euser_script:\d+: /, 'e');
  if (tagged[0] !== 'n') return tagged;
  const t = tagged.slice(1);
  const v = t === 'nan' || t === '-nan' ? NaN : t === 'inf' ? Infinity : t === '-inf' ? -Infinity : Number(t);
  return 'n' + numText(v);
}

function fromOracleRow(row: unknown): string[] {
  const r = row as Buffer[];
  return r.map((b, i) => (i === 0 ? b.toString('latin1') : canonicalValue(b.toString('latin1'))));
}

// ── the JS side ─────────────────────────────────────────────────────────────────────────────

const lib = Object.fromEntries(stringLibrary()) as Record<string, LuaFunction>;

function tostr(v: LuaValue): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return numberToString(v);
  if (v === undefined) return 'nil';
  if (typeof v === 'boolean') return String(v);
  return 'table';
}

const jsFuncs: Record<string, LuaFunction> = {
  cat: (...a) => [a.map(tostr).join(',')],
  none: () => [undefined],
  no: () => [false],
  len: (a) => [tostr(a).length],
  tbl: () => [new LuaTable()],
  second: (_a, b) => [b],
};

function jsTable(name: string): LuaTable {
  const t = new LuaTable();
  if (name === 't1') {
    t.set('a', 'X');
    t.set('b', 1);
    t.set('abc', false);
    t.set(1, 'one');
    t.set('', 'E');
    t.set('hello', 2.5);
  } else t.set('x', new LuaTable());
  return t;
}

const jsFns: Record<string, LuaFunction> = {
  ...lib,
  tostring: (v) => [tostr(v)],
  tonumber: (v) => [typeof v === 'number' ? v : typeof v === 'string' ? stringToNumber(v) : undefined],
  gmatch: (s, p) => {
    const it = lib.gmatch(s, p)[0] as LuaFunction;
    const res: LuaValue[] = [];
    for (let i = 0; i < 40; i++) {
      const t = it();
      if (t.length === 0) break;
      res.push(t.length, ...t);
    }
    return res;
  },
};

function encValue(v: LuaValue): string {
  if (typeof v === 'string') return 's' + v;
  if (typeof v === 'number') return 'n' + numText(v);
  if (v === undefined) return 'z';
  if (typeof v === 'boolean') return v ? 'b1' : 'b0';
  return 'x' + (typeof v === 'function' ? 'function' : 'table');
}

export function runJs(c: Case): string[] {
  const args: LuaValue[] = c.args.map((a) => {
    switch (a.t) {
      case 's':
        return a.v;
      case 'n':
        return a.v;
      case 'z':
        return undefined;
      case 'b':
        return a.v;
      case 'f':
        return jsFuncs[a.v];
      default:
        return jsTable(a.v);
    }
  });
  try {
    const r = jsFns[c.fn](...args);
    return ['ok', ...r.map(encValue)];
  } catch (e) {
    if (e instanceof ArgError) return ['err', `ebad argument #${e.narg} to '?' (${e.extramsg})`];
    if (e instanceof LibError) return ['err', 'e' + e.message];
    if (e instanceof LuaError) return ['err', 'e' + String(e.value)];
    throw e;
  }
}

// ── oracles ─────────────────────────────────────────────────────────────────────────────────

import { sharedOracle as oracle } from './oracle.js';
export { oracle };

/** Runs the cases in the wasm oracle, in batches. */
export async function runOracle(cases: Case[]): Promise<string[][]> {
  const o = await oracle();
  const out: string[][] = [];
  for (let i = 0; i < cases.length; i += 500) {
    const batch = cases.slice(i, i + 500);
    const r = o.evalWithArgs(HARNESS, [], batch.map(encodeCase)) as unknown;
    if (!Array.isArray(r)) throw new Error(`oracle failed: ${JSON.stringify(r)}`);
    for (const row of r) out.push(fromOracleRow(row));
  }
  return out;
}

/** Runs the cases in a real redis-server through EVAL, in batches. */
export async function runRedis(client: RespClient, cases: Case[]): Promise<string[][]> {
  const out: string[][] = [];
  for (let i = 0; i < cases.length; i += 500) {
    const batch = cases.slice(i, i + 500);
    const r: Reply = await client.call('EVAL', HARNESS, '0', ...batch.map(encodeCase));
    if (r.t !== 'array') throw new Error(`redis failed: ${JSON.stringify(r)}`);
    for (const row of r.v) {
      if (row.t !== 'array') throw new Error('bad row');
      out.push(row.v.map((x, k) => (x.t === 'bulk' ? (k === 0 ? x.v : canonicalValue(x.v)) : `?${x.t}`)));
    }
  }
  return out;
}

/** Compares our results with the expected ones; returns readable mismatches (at most `max`). */
export function mismatches(cases: Case[], expected: string[][], max = 20): string[] {
  const bad: string[] = [];
  for (let i = 0; i < cases.length; i++) {
    const got = runJs(cases[i]);
    const exp = expected[i];
    if (JSON.stringify(got) !== JSON.stringify(exp)) {
      bad.push(`${describe(cases[i])}\n    expected ${JSON.stringify(exp)}\n    got      ${JSON.stringify(got)}`);
      if (bad.length >= max) break;
    }
  }
  return bad;
}

export function describe(c: Case): string {
  const a = c.args.map((x) => (x.t === 's' ? JSON.stringify(x.v) : x.t === 'n' ? numText(x.v) : x.t === 'z' ? 'nil' : x.t === 'b' ? String(x.v) : `${x.t}:${x.v}`));
  return `string.${c.fn}(${a.join(', ')})`;
}

// ── shared by the fuzz test files ───────────────────────────────────────────────────────────

/** LUA_FUZZ_SCALE multiplies the case counts and LUA_FUZZ_SEED shifts the seeds (long runs by hand). */
export const FUZZ_SCALE = Number(process.env.LUA_FUZZ_SCALE ?? 1);
export const FUZZ_SEED = Number(process.env.LUA_FUZZ_SEED ?? 0);

/** `n` cases (times LUA_FUZZ_SCALE) made by `f` from a PRNG seeded with `seed`. */
export function fuzzCases(seed: number, n: number, f: (r: () => number) => Case): Case[] {
  n = Math.round(n * FUZZ_SCALE);
  const r = prng(seed + FUZZ_SEED * 1000);
  return Array.from({ length: n }, () => f(r));
}

/**
 * A redis-server for the calling test file when one is installed, started before its tests and
 * stopped after them; the returned function gives its client.
 */
export function redisForFile(): () => RespClient {
  let redis: SpawnedServer | undefined;
  let client: RespClient | undefined;
  before(async () => {
    if (!hasRedisServer()) return;
    redis = await startServer('redis');
    client = await RespClient.connect(redis.port);
  });
  after(async () => {
    client?.close();
    await redis?.stop();
  });
  return () => client!;
}

/** Our results for the cases equal the wasm oracle's (`'oracle'`) or a redis-server's. */
export async function assertAgree(name: string, cases: Case[], against: 'oracle' | RespClient): Promise<void> {
  const expected = against === 'oracle' ? await runOracle(cases) : await runRedis(against, cases);
  const bad = mismatches(cases, expected);
  assert.equal(bad.length, 0, `${name}: ${bad.length}+ mismatches of ${cases.length}\n${bad.join('\n')}`);
}
