/**
 * LuaTable against Redis's own Lua (lua-redis-wasm, the oracle): random sequences of assignments
 * and deletions, constructors and `#`, compared on pairs() order and the borders `#` finds.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { LuaWasmEngine } from 'lua-redis-wasm';
import { LuaTable, constructorSizes, luaStringHash } from '../../../src/scripting/lua/table.js';
import { numberToString } from '../../../src/scripting/lua/number.js';
import { LibError, type LuaValue } from '../../../src/scripting/lua/types.js';
import { prng } from '../../helpers/prng.js';
import { argsTable } from '../../../src/scripting/lua/engine.js';

type Oracle = Awaited<ReturnType<typeof LuaWasmEngine.create>>;
let oracle: Oracle;

before(async () => {
  oracle = await LuaWasmEngine.create({
    profile: 'redis-7.0',
    limits: { maxFuel: 0xffffffff },
    host: { redisCall: () => ({ ok: Buffer.from('OK') }), redisPcall: () => ({ ok: Buffer.from('OK') }), log() {} },
  } as Parameters<typeof LuaWasmEngine.create>[0]);
});

/** Runs a script whose result is a list of strings. */
function runOracle(src: string): string[] {
  const r = oracle.evalWithArgs(src, [], []) as unknown;
  if (!Array.isArray(r)) throw new Error(`oracle: ${JSON.stringify(r)} for\n${src}`);
  return r.map((b) => (Buffer.isBuffer(b) ? b.toString('latin1') : String(b)));
}

function luaLiteral(k: LuaValue): string {
  switch (typeof k) {
    case 'string': {
      let s = '"';
      for (let i = 0; i < k.length; i++) s += '\\' + k.charCodeAt(i);
      return s + '"';
    }
    case 'number':
      if (k === Infinity) return '(1/0)';
      if (k === -Infinity) return '(-1/0)';
      if (Number.isInteger(k)) return k < 0 ? `(${k})` : String(k);
      return `(${k.toPrecision(17)})`;
    case 'boolean':
      return String(k);
    default:
      return 'nil';
  }
}

function show(k: LuaValue): string {
  if (typeof k === 'number') return 'n' + numberToString(k);
  if (typeof k === 'string') return 's' + k;
  return typeof k === 'boolean' ? 'b' + String(k) : '?';
}

/** Lua's dump of a table: its pairs() keys in order, then its `#`. */
const DUMP = `
local out = {}
for k in pairs(t) do out[#out + 1] = (type(k) == 'number' and 'n' or type(k) == 'string' and 's' or 'b') .. tostring(k) end
out[#out + 1] = '#' .. #t
`;

function dump(t: LuaTable, out: string[]): void {
  for (let e = t.next(undefined); e !== undefined; e = t.next(e[0])) out.push(show(e[0]));
  out.push('#' + t.length());
}

type KeyGen = (r: () => number) => LuaValue;

const pick = <T>(r: () => number, xs: T[]): T => xs[Math.floor(r() * xs.length)];

const keyGens: Record<string, KeyGen> = {
  smallInt: (r) => 1 + Math.floor(r() * 24),
  int: (r) => Math.floor(r() * 140) - 20,
  bigInt: (r) => pick(r, [2 ** 20, 2 ** 26, 2 ** 26 + 1, 2 ** 31 - 1, 2 ** 31, 2 ** 32 + 3, 2 ** 53, -(2 ** 31), 1e15 + 7]) + Math.floor(r() * 3),
  float: (r) => pick(r, [0.5, 1.5, -2.25, 1e-300, 3.141592653589793, 1e100, -1e-5, Infinity, -Infinity]) * (1 + Math.floor(r() * 4)),
  str: (r) => {
    const n = Math.floor(r() * 6);
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(pick(r, [97, 98, 99, 0, 255, 65]));
    return s;
  },
  longStr: (r) => {
    let s = 'key:';
    const n = 30 + Math.floor(r() * 40);
    for (let i = 0; i < n; i++) s += String.fromCharCode(48 + Math.floor(r() * 4));
    return s;
  },
  bool: (r) => r() < 0.5,
};

function mixedKey(r: () => number, kinds: string[]): LuaValue {
  return keyGens[pick(r, kinds)](r);
}

interface Case {
  lua: string;
  js: () => string[];
  data?: unknown;
}

function randomCase(r: () => number): Case {
  const kindSets = [
    ['smallInt'],
    ['int'],
    ['str'],
    ['smallInt', 'str'],
    ['int', 'float', 'str', 'bool'],
    ['bigInt', 'float'],
    ['smallInt', 'int', 'bigInt', 'float', 'str', 'longStr', 'bool'],
    ['longStr', 'str'],
  ];
  const kinds = pick(r, kindSets);
  const nops = 1 + Math.floor(r() * (r() < 0.1 ? 400 : 60));
  const delRate = pick(r, [0, 0.1, 0.3, 0.6]);
  const ops: Array<[LuaValue, LuaValue] | 'len' | 'append' | 'sweep'> = [];
  const keysSoFar: LuaValue[] = [];
  for (let i = 0; i < nops; i++) {
    const x = r();
    if (x < 0.05) ops.push('len');
    else if (x < 0.12) ops.push('append');
    else if (x < 0.13) ops.push('sweep');
    else {
      const k = keysSoFar.length > 0 && r() < 0.3 ? pick(r, keysSoFar) : mixedKey(r, kinds);
      keysSoFar.push(k);
      ops.push([k, r() < delRate ? undefined : Math.floor(r() * 1000)]);
    }
  }
  // Optionally a constructor to start from (presized parts).
  const ctor: Array<{ list: LuaValue } | { key: LuaValue; value: LuaValue }> = [];
  if (r() < 0.4) {
    const n = Math.floor(r() * (r() < 0.2 ? 130 : 20));
    for (let i = 0; i < n; i++) {
      if (r() < 0.5) ctor.push({ list: r() < 0.1 ? undefined : i });
      else {
        let k = mixedKey(r, kinds);
        if (ctor.some((c) => 'key' in c && c.key === k)) k = 'u' + i;
        ctor.push({ key: k, value: i });
      }
    }
  }
  // The collector stays off while the script runs: a collection turns the keys of nil-valued
  // nodes into dead keys, and setting such a key again then takes a new node; when that happens
  // depends on the heap's history (in Redis too), not on the script.
  let lua = 'collectgarbage("stop")\nlocal out = {}\nlocal t = {';
  lua += ctor.map((c) => ('list' in c ? luaLiteral(c.list) : `[${luaLiteral(c.key)}] = ${c.value}`)).join(', ');
  lua += '}\n';
  for (const op of ops) {
    if (op === 'len') lua += "out[#out + 1] = 'l' .. #t\n";
    else if (op === 'append') lua += 't[#t + 1] = 7\n';
    else if (op === 'sweep') lua += 'local i = 0\nfor k in pairs(t) do i = i + 1; if i % 2 == 0 then t[k] = nil end end\n';
    else lua += `t[${luaLiteral(op[0])}] = ${op[1] === undefined ? 'nil' : op[1]}\n`;
  }
  lua += DUMP.replace('local out = {}', '') + 'collectgarbage("restart")\nreturn out\n';

  const js = (): string[] => {
    const out: string[] = [];
    const na = ctor.filter((c) => 'list' in c).length;
    const t = new LuaTable(...constructorSizes(na, ctor.length - na));
    const pending: LuaValue[] = [];
    let stored = 0;
    const flush = () => {
      for (let i = pending.length - 1; i >= 0; i--) t.setInt(stored + i + 1, pending[i]);
      stored += pending.length;
      pending.length = 0;
    };
    for (const c of ctor) {
      // A full batch goes when the next item starts, whatever its kind (closelistfield).
      if (pending.length === 50) flush();
      if ('list' in c) pending.push(c.list);
      else t.set(c.key, c.value);
    }
    flush();
    for (const op of ops) {
      if (op === 'len') out.push('l' + t.length());
      else if (op === 'append') t.setInt(t.length() + 1, 7);
      else if (op === 'sweep') {
        let i = 0;
        for (let e = t.next(undefined); e !== undefined; e = t.next(e[0])) {
          i++;
          if (i % 2 === 0) t.set(e[0], undefined);
        }
      } else t.set(op[0], op[1]);
    }
    dump(t, out);
    return out;
  };
  return { lua, js, data: { ctor, ops } };
}

test('random assignment sequences give pairs() order and # as Lua 5.1', async () => {
  // LUA_FUZZ_SCALE=n runs n times as many cases (by hand; the suite keeps 1).
  const scale = Number(process.env.LUA_FUZZ_SCALE ?? 1);
  const r = prng(12345 + scale);
  const N = 3000 * scale;
  for (let i = 0; i < N; i++) {
    const c = randomCase(r);
    const want = runOracle(c.lua);
    const got = c.js();
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      if (process.env.LUA_FUZZ_DUMP) (await import('node:fs')).writeFileSync(process.env.LUA_FUZZ_DUMP, JSON.stringify({ got, want, lua: c.lua, data: c.data }, (_k, v) => (v === undefined ? '@nil' : typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)));
      assert.deepEqual(got, want, `case ${i}:\n${c.lua}`);
    }
  }
});

test('large tables: sequential, sparse, reverse, string-keyed, with deletions', () => {
  const scripts: Array<[string, (t: LuaTable) => void]> = [
    ['for i = 1, 5000 do t[i] = i end', (t) => { for (let i = 1; i <= 5000; i++) t.set(i, i); }],
    ['for i = 5000, 1, -1 do t[i] = i end', (t) => { for (let i = 5000; i >= 1; i--) t.set(i, i); }],
    ['for i = 1, 3000 do t[i * 3] = i end', (t) => { for (let i = 1; i <= 3000; i++) t.set(i * 3, i); }],
    ["for i = 1, 3000 do t['k' .. i] = i end for i = 1, 3000, 3 do t['k' .. i] = nil end", (t) => {
      for (let i = 1; i <= 3000; i++) t.set('k' + i, i);
      for (let i = 1; i <= 3000; i += 3) t.set('k' + i, undefined);
    }],
    ['for i = 1, 2000 do t[i] = i; t[-i] = i; t[i + 0.5] = i end for i = 1, 2000, 2 do t[i] = nil end', (t) => {
      for (let i = 1; i <= 2000; i++) { t.set(i, i); t.set(-i, i); t.set(i + 0.5, i); }
      for (let i = 1; i <= 2000; i += 2) t.set(i, undefined);
    }],
    ['for i = 1, 1000 do t[i] = i end for i = 1, 1000 do t[i] = nil end for i = 1, 10 do t["x" .. i] = i end', (t) => {
      for (let i = 1; i <= 1000; i++) t.set(i, i);
      for (let i = 1; i <= 1000; i++) t.set(i, undefined);
      for (let i = 1; i <= 10; i++) t.set('x' + i, i);
    }],
  ];
  for (const [body, build] of scripts) {
    const want = runOracle(`local t = {}\n${body}\n${DUMP}\nreturn out`);
    const t = new LuaTable();
    build(t);
    const got: string[] = [];
    dump(t, got);
    assert.deepEqual(got, want, body);
  }
});

test('# of tables with holes (luaH_getn and unbound_search)', () => {
  const r = prng(777);
  for (let n = 0; n < 500; n++) {
    const keys: number[] = [];
    const m = Math.floor(r() * 40);
    for (let i = 0; i < m; i++) keys.push(1 + Math.floor(r() * (r() < 0.5 ? 20 : 300)));
    const holes = keys.filter(() => r() < 0.3);
    const lua = `local t = {}\n${keys.map((k) => `t[${k}] = 1`).join('\n')}\n${holes.map((k) => `t[${k}] = nil`).join('\n')}\nreturn {tostring(#t)}`;
    const t = new LuaTable();
    for (const k of keys) t.set(k, 1);
    for (const k of holes) t.set(k, undefined);
    assert.deepEqual([String(t.length())], runOracle(lua), lua);
  }
});

test('next() resumes from a deleted key; errors as Lua', () => {
  const t = new LuaTable();
  for (let i = 0; i < 10; i++) t.set('k' + i, i);
  const seen: LuaValue[] = [];
  for (let e = t.next(undefined); e !== undefined; e = t.next(e[0])) {
    seen.push(e[0]);
    t.set(e[0], undefined);
  }
  assert.equal(seen.length, 10);
  assert.equal(t.next(undefined), undefined);
  assert.throws(() => t.next('nope'), (e: unknown) => e instanceof LibError && e.message === "invalid key to 'next'");
  assert.throws(() => t.set(undefined, 1), (e: unknown) => e instanceof LibError && e.message === 'table index is nil');
  assert.throws(() => t.set(NaN, 1), (e: unknown) => e instanceof LibError && e.message === 'table index is NaN');
  assert.throws(() => t.setInt(NaN, 1), (e: unknown) => e instanceof LibError && e.message === 'table index is NaN');
  t.readonly = true;
  assert.throws(() => t.setStr('a', 1), (e: unknown) => e instanceof LibError && e.message === 'Attempt to modify a readonly table');
  assert.throws(() => t.setInt(1, 1), (e: unknown) => e instanceof LibError && e.message === 'Attempt to modify a readonly table');
  assert.equal(t.get(NaN), undefined);
  assert.equal(t.getInt(NaN), undefined);
});

test('tables, functions and userdata as keys; booleans; -0 is 0', () => {
  const t = new LuaTable();
  const a = new LuaTable();
  const f = () => [];
  t.set(a, 1);
  t.set(f, 2);
  t.set(true, 3);
  t.set(false, 4);
  t.set(-0, 5);
  assert.equal(t.get(a), 1);
  assert.equal(t.get(f), 2);
  assert.equal(t.get(true), 3);
  assert.equal(t.get(false), 4);
  assert.equal(t.get(0), 5);
  assert.equal(t.getInt(0), 5);
  const keys: LuaValue[] = [];
  for (let e = t.next(undefined); e !== undefined; e = t.next(e[0])) keys.push(e[0]);
  assert.equal(keys.length, 5);
  for (let i = 0; i < 200; i++) t.set(new LuaTable(), i);
  assert.equal(t.get(a), 1);
  assert.equal(t.get(f), 2);
});

test('constructor sizes round as luaO_int2fb', () => {
  assert.deepEqual(constructorSizes(0, 0), [0, 0]);
  assert.deepEqual(constructorSizes(7, 8), [7, 8]);
  assert.deepEqual(constructorSizes(17, 100), [18, 104]);
  // The string hash is luaS_hash (length seed, every byte).
  assert.equal(luaStringHash(''), 0);
});

test('getStrH/setStrH agree with getStr/setStr', () => {
  const t = new LuaTable();
  for (let i = 0; i < 100; i++) t.setStrH('f' + i, luaStringHash('f' + i), i);
  for (let i = 0; i < 100; i++) assert.equal(t.getStr('f' + i), i);
  for (let i = 0; i < 100; i++) assert.equal(t.getStrH('f' + i, luaStringHash('f' + i)), i);
});

test('constructors ending in a multi-value call resize the array part as OP_SETLIST does', () => {
  const r = prng(31);
  for (let c = 0; c < 300; c++) {
    const nList = Math.floor(r() * (r() < 0.3 ? 70 : 6));
    const nRec = Math.floor(r() * 6);
    const nRet = Math.floor(r() * (r() < 0.3 ? 120 : 10));
    const recKeys = Array.from({ length: nRec }, (_, i) => (r() < 0.5 ? 'r' + i : 1 + Math.floor(r() * 40)));
    const uniq = [...new Set(recKeys)];
    const items: string[] = [];
    const order: Array<['l', number] | ['r', LuaValue]> = [];
    let li = 0;
    for (const k of uniq) {
      while (li < nList && r() < 0.5) { order.push(['l', li]); li++; }
      order.push(['r', k]);
    }
    while (li < nList) { order.push(['l', li]); li++; }
    for (const o of order) items.push(o[0] === 'l' ? String(100 + o[1]) : `[${luaLiteral(o[1])}] = 'rec'`);
    items.push('f()');
    const lua = `local function f() local t = {} for i = 1, ${nRet} do t[i] = 200 + i end return unpack(t, 1, ${nRet}) end\nlocal t = {${items.join(', ')}}\n${DUMP}\nreturn out`;
    const want = runOracle(lua);
    // The same construction as compiled code does it.
    const t = new LuaTable(...constructorSizes(nList, uniq.length));
    const pending: LuaValue[] = [];
    let stored = 0;
    const flush = () => {
      for (let i = pending.length - 1; i >= 0; i--) t.setInt(stored + i + 1, pending[i]);
      stored += pending.length;
      pending.length = 0;
    };
    for (const o of order) {
      if (pending.length === 50) flush();
      if (o[0] === 'l') pending.push(100 + o[1]);
      else t.set(o[1], 'rec');
    }
    if (pending.length === 50) flush();
    for (let i = 1; i <= nRet; i++) pending.push(200 + i);
    const last = stored + pending.length;
    if (last > t.arraySize) t.resizeArray(last);
    flush();
    const got: string[] = [];
    dump(t, got);
    assert.deepEqual(got, want, lua);
  }
});

test('KEYS/ARGV tables are laid out as luaCreateArray grows them (presized to the same array part)', () => {
  for (let n = 0; n <= 300; n++) {
    const items = Array.from({ length: n }, (_, i) => `s${i + 1}`);
    const grown = new LuaTable();
    for (let i = 1; i <= n; i++) grown.setInt(i, items[i - 1]);
    const made = argsTable(items);
    assert.equal(made.arraySize, grown.arraySize, `array part for ${n} items`);
    // Later stores (a script may add to KEYS) land and iterate the same way.
    const order = (t: LuaTable): string => {
      t.setStr('x', 1);
      t.setInt(n + 1, 'y');
      t.setInt(n + 3, 'z');
      t.setStr('w', 2);
      t.setInt(n + 2, 'q');
      const keys: LuaValue[] = [];
      for (let e = t.next(undefined); e !== undefined; e = t.next(e[0])) keys.push(e[0]);
      return `${keys.join(',')} #${t.length()} a${t.arraySize}`;
    };
    assert.equal(order(made), order(grown), `${n} items`);
  }
});
