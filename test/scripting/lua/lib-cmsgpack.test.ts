/**
 * cmsgpack against redis-server (the wasm oracle when it is not installed): pack over random nested values (array/map detection, integer
 * and float widths, string lengths, nesting past 16, several arguments), unpack/unpack_one/
 * unpack_limit over valid, truncated and malformed input, and what msgpackr (BullMQ's packer)
 * writes. Map order follows the table's next() order; until LuaTable emulates ltable.c, packed
 * maps are compared with their entries sorted.
 */
import { describe, it, before, after } from 'node:test';
import { hasRedisServer } from '../../helpers/servers.js';
import assert from 'node:assert/strict';
import { Packr } from 'msgpackr';
import { cmsgpackLibrary, cmsgpackTable } from '../../../src/scripting/lua/lib-cmsgpack.js';
import type { LuaValue } from '../../../src/scripting/lua/types.js';
import { LuaTable } from '../../../src/scripting/lua/table.js';
import { prng } from '../../helpers/prng.js';
import {
  arr,
  compare,
  libMap,
  nil,
  num,
  randomGen,
  randomNumber,
  randomString,
  runJs,
  runOracle,
  str,
  tableOrderIsExact,
  tbl,
  type Call,
  type Gen,
  type Outcome,
  RealRedis,
} from './lib-harness.js';

const lib = libMap(cmsgpackLibrary());

/** A canonical text of msgpack bytes, with map entries sorted (order-insensitive compare). */
function canon(s: string): string {
  let p = 0;
  const u8 = () => s.charCodeAt(p++);
  const be = (n: number) => {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + u8();
    return v;
  };
  const raw = (n: number) => {
    const v = s.slice(p, p + n);
    p += n;
    return v;
  };
  const one = (): string => {
    if (p >= s.length) return '<eof>';
    const b = u8();
    if (b <= 0x7f || b >= 0xe0) return 'i' + b;
    if ((b & 0xe0) === 0xa0) return 's' + JSON.stringify(raw(b & 0x1f));
    if ((b & 0xf0) === 0x90) return arrayOf(b & 0xf);
    if ((b & 0xf0) === 0x80) return mapOf(b & 0xf);
    switch (b) {
      case 0xdc:
        return arrayOf(be(2));
      case 0xdd:
        return arrayOf(be(4));
      case 0xde:
        return mapOf(be(2));
      case 0xdf:
        return mapOf(be(4));
      case 0xd9:
        return 's' + JSON.stringify(raw(be(1)));
      case 0xda:
        return 's' + JSON.stringify(raw(be(2)));
      case 0xdb:
        return 's' + JSON.stringify(raw(be(4)));
      default: {
        const sizes: Record<number, number> = { 0xcc: 1, 0xcd: 2, 0xce: 4, 0xcf: 8, 0xd0: 1, 0xd1: 2, 0xd2: 4, 0xd3: 8, 0xca: 4, 0xcb: 8 };
        return 'x' + b.toString(16) + JSON.stringify(raw(sizes[b] ?? 0));
      }
    }
  };
  const arrayOf = (n: number) => {
    const a: string[] = [];
    for (let i = 0; i < n; i++) a.push(one());
    return '[' + a.join(',') + ']';
  };
  const mapOf = (n: number) => {
    const a: string[] = [];
    for (let i = 0; i < n; i++) a.push(one() + ':' + one());
    return '{' + a.sort().join(',') + '}';
  };
  const out: string[] = [];
  while (p < s.length) out.push(one());
  return out.join(' ');
}

function canonOutcome(o: Outcome): string {
  const m = /^OK s(\d+):/.exec(o.ordered);
  if (!m) return o.ordered;
  return 'OK ' + canon(o.ordered.slice(m[0].length));
}

let exact = false;
let redis: RealRedis | undefined;
before(async () => {
  exact = await tableOrderIsExact();
  if (hasRedisServer()) redis = await RealRedis.start();
});
after(async () => {
  await redis?.close();
});

/**
 * The reference: redis-server when installed. The wasm oracle is a 32-bit clang build: it packs
 * doubles beyond the int64 range as integers and reads uint64 values above 2^63 unsigned, where
 * x86-64 Redis packs them as floats and wraps them negative.
 */
function reference(calls: Call[]): Promise<Outcome[]> {
  return redis ? redis.run(calls) : runOracle(calls);
}

/** `sortedOnly`: compare maps with sorted entries even when next() order is exact. */
async function checkPack(calls: Call[], sortedOnly = false): Promise<void> {
  const exact0 = exact;
  const bad: string[] = [];
  for (let i = 0; i < calls.length; i += 300) {
    const batch = calls.slice(i, i + 300);
    const mine = batch.map((c) => runJs(lib, c));
    const ref = await reference(batch);
    for (let j = 0; j < batch.length; j++) {
      const ex = exact0 && !sortedOnly;
      const a = ex ? mine[j].ordered : canonOutcome(mine[j]);
      const b = ex ? ref[j].ordered : canonOutcome(ref[j]);
      if (a !== b) bad.push(`${JSON.stringify(batch[j].args).slice(0, 300)}\n  mine ${JSON.stringify(a).slice(0, 300)}\n  ref  ${JSON.stringify(b).slice(0, 300)}`);
    }
  }
  assert.deepEqual(bad.slice(0, 6), []);
}

async function checkCalls(calls: Call[]): Promise<void> {
  const bad: string[] = [];
  for (let i = 0; i < calls.length; i += 300) {
    const batch = calls.slice(i, i + 300);
    bad.push(...compare(batch, batch.map((c) => runJs(lib, c)), await reference(batch), exact));
  }
  assert.deepEqual(bad.slice(0, 6), []);
}

/** A nest of single-element arrays `depth` deep around a leaf. */
function nest(depth: number, leaf: Gen): Gen {
  let g = leaf;
  for (let i = 0; i < depth; i++) g = arr([g]);
  return g;
}

describe('cmsgpack.pack', () => {
  it('matches redis-server over 3000 random values (1-3 arguments)', async () => {
    const r = prng(0x3a9);
    const calls: Call[] = [];
    for (let i = 0; i < 3000; i++) {
      const n = r() < 0.8 ? 1 : 2 + Math.floor(r() * 2);
      const args: Gen[] = [];
      for (let j = 0; j < n; j++) args.push(randomGen(r, 0, { keyKinds: ['str', 'int', 'num', 'bool'], leaves: ['num', 'str', 'bool', 'nil', 'fn', 'null'] }));
      calls.push({ lib: 'cmsgpack', fn: 'pack', args });
    }
    await checkPack(calls);
  });

  it('matches redis-server over 500 values with table keys (maps compared sorted: such keys hash by address)', async () => {
    const r = prng(0x3a8);
    const calls: Call[] = [];
    for (let i = 0; i < 500; i++) calls.push({ lib: 'cmsgpack', fn: 'pack', args: [randomGen(r, 0, { keyKinds: ['str', 'int', 'table'] })] });
    await checkPack(calls, true);
  });

  it('numbers, strings, nesting and argument errors', async () => {
    const calls: Call[] = [];
    const r = prng(7);
    for (let i = 0; i < 500; i++) calls.push({ lib: 'cmsgpack', fn: 'pack', args: [num(randomNumber(r))] });
    for (const n of [0, 1, 31, 32, 255, 256, 65535, 65536, 70000]) calls.push({ lib: 'cmsgpack', fn: 'pack', args: [str('q'.repeat(n))] });
    for (const n of [15, 16, 17, 20]) calls.push({ lib: 'cmsgpack', fn: 'pack', args: [nest(n, num(1))] });
    for (const n of [15, 16, 17, 65535, 65536]) calls.push({ lib: 'cmsgpack', fn: 'pack', args: [arr(Array.from({ length: n }, (_, i) => num(i % 200)))] });
    calls.push({ lib: 'cmsgpack', fn: 'pack', args: [tbl(Array.from({ length: 20 }, (_, i) => [str('k' + i), num(i)]))] });
    calls.push({ lib: 'cmsgpack', fn: 'pack', args: [] });
    calls.push({ lib: 'cmsgpack', fn: 'pack', args: [nil] });
    calls.push({ lib: 'cmsgpack', fn: 'pack', args: [nil, nil, num(1)] });
    calls.push({ lib: 'cmsgpack', fn: 'pack', args: [tbl([[num(1), num(1)], [num(2), num(2)], [num(4), num(4)]])] });
    calls.push({ lib: 'cmsgpack', fn: 'pack', args: [tbl([[num(2 ** 31), num(1)]])] });
    calls.push({ lib: 'cmsgpack', fn: 'pack', args: [tbl([[num(1.5), num(1)]])] });
    await checkPack(calls);
  });
});

/** Random msgpack bytes: our own pack of random values, sometimes cut or corrupted. */
function randomPacked(r: () => number): string {
  const v = randomGen(r, 0, { keyKinds: ['str', 'int', 'num'], leaves: ['num', 'str', 'bool', 'nil'] });
  const [s] = (lib.get('pack') as (...a: unknown[]) => string[])(...[v].map((g) => toJsValue(g)));
  let out = s;
  const x = r();
  if (x < 0.1) out = out.slice(0, Math.floor(r() * out.length));
  else if (x < 0.18) {
    const i = Math.floor(r() * out.length);
    out = out.slice(0, i) + String.fromCharCode([0xc1, 0xc4, 0xc7, 0xd4, 0xd8, 0xc0, 0xcb, 0x81, 0xdf][Math.floor(r() * 9)]) + out.slice(i + 1);
  } else if (x < 0.25) out = out + out;
  return out;
}

import { toJs as toJsValue } from './lib-harness.js';

describe('cmsgpack.unpack', () => {
  it('matches redis-server over 3000 random inputs (unpack, unpack_one, unpack_limit)', async () => {
    const r = prng(0x3aa);
    const calls: Call[] = [];
    for (let i = 0; i < 3000; i++) {
      const s = randomPacked(r);
      const which = r();
      if (which < 0.6) calls.push({ lib: 'cmsgpack', fn: 'unpack', args: [str(s)] });
      else if (which < 0.8) calls.push({ lib: 'cmsgpack', fn: 'unpack_one', args: r() < 0.5 ? [str(s)] : [str(s), num(Math.floor(r() * (s.length + 3)) - 1)] });
      else {
        const args: Gen[] = [str(s), num(Math.floor(r() * 4) - (r() < 0.1 ? 1 : 0))];
        if (r() < 0.5) args.push(num(Math.floor(r() * (s.length + 2))));
        calls.push({ lib: 'cmsgpack', fn: 'unpack_limit', args });
      }
    }
    await checkCalls(calls);
  });

  it('malformed input, limits and argument errors', async () => {
    const bytes = (...b: number[]) => str(String.fromCharCode(...b));
    const calls: Call[] = [];
    const u = (...args: Gen[]): Call => ({ lib: 'cmsgpack', fn: 'unpack', args });
    calls.push(u(bytes(0x81, 0xc0, 0x01)), u(bytes(0x81, 0xc0)), u(bytes(0x81, 0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0, 1)));
    calls.push(u(bytes(0xc1)), u(bytes(0x91)), u(bytes(0x92, 0x01)), u(bytes(0xdb, 0, 0, 0, 5, 0x61)), u(bytes(0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)));
    calls.push(u(bytes(0xcf, 0x80, 0, 0, 0, 0, 0, 0, 1)), u(bytes(0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0)), u(bytes(0xca, 0x7f, 0xc0, 0, 0)), u(bytes(0xc4, 0x01, 0x61)));
    calls.push(u(str('')), u(), u(num(5)), u(tbl([])), u(str('\x01\x02'), str('extra'), num(3)));
    calls.push(u(str('\x01'.repeat(7998))), u(str('\x01'.repeat(7999))), u(str('\x01'.repeat(8100))));
    calls.push(u(str('\x91'.repeat(3998) + '\x01')), u(str('\x91'.repeat(4005) + '\x01')), u(str('\x81\x01'.repeat(3000) + '\x01')));
    const one = (...args: Gen[]): Call => ({ lib: 'cmsgpack', fn: 'unpack_one', args });
    const lim = (...args: Gen[]): Call => ({ lib: 'cmsgpack', fn: 'unpack_limit', args });
    const s = str('\x01\x02\x03');
    calls.push(one(s), one(s, num(1)), one(s, num(3)), one(s, num(4)), one(s, num(-1)), one(s, num(2.7)), one(s, str('1')), one(s, str('x')), one(s, nil), one(str('')));
    calls.push(lim(s, num(0)), lim(s, num(0), num(0)), lim(s, num(0), num(1)), lim(s, num(2)), lim(s, num(-1)), lim(s, num(1), num(5)), lim(s), lim(s, num(2 ** 40)), lim(s, num(1), num(-(2 ** 40))));
    calls.push(lim(str('\x01'.repeat(8100)), num(0)), lim(str('\x01'.repeat(8100)), num(7998)), lim(str('\x01'.repeat(8100)), num(7999)));
    await checkCalls(calls);
  });

  it('reads what msgpackr writes (BullMQ job data) as redis-server does', async () => {
    const r = prng(0x3ab);
    const packrs = [new Packr({ useRecords: false, encodeUndefinedAsNil: true }), new Packr({ useRecords: false }), new Packr({ useRecords: false, useFloat32: 1 } as never)];
    const randomJs = (d: number): unknown => {
      const x = r();
      if (d > 3 || x < 0.5) {
        const y = r();
        if (y < 0.3) return randomNumber(r);
        if (y < 0.6) return randomString(r).replace(/[\x80-\xff]/g, 'é');
        if (y < 0.7) return r() < 0.5;
        if (y < 0.8) return null;
        if (y < 0.85) return undefined;
        if (y < 0.9) return Math.floor(r() * 2 ** 52);
        return 'ünïcødé ✓ ' + Math.floor(r() * 100);
      }
      if (x < 0.75) return Array.from({ length: Math.floor(r() * 6) }, () => randomJs(d + 1));
      const o: Record<string, unknown> = {};
      for (let i = Math.floor(r() * 6); i > 0; i--) o[['id', 'name', 'attempts', 'delay', 'opts', 'data', 'k' + i, 'jobId', 'parent'][Math.floor(r() * 9)]] = randomJs(d + 1);
      return o;
    };
    const calls: Call[] = [];
    for (let i = 0; i < 1500; i++) {
      const p = packrs[i % packrs.length];
      const bytes = p.pack(randomJs(0)).toString('latin1');
      calls.push({ lib: 'cmsgpack', fn: r() < 0.8 ? 'unpack' : 'unpack_one', args: [str(bytes)] });
    }
    // BullMQ's own shapes.
    const bull = new Packr({ useRecords: false, encodeUndefinedAsNil: true });
    for (const v of [
      { attempts: 3, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: true, jobId: undefined, delay: 0, timestamp: 1733530000123 },
      { priority: 0, lifo: false, repeat: { every: 5000, count: 1 }, parent: { id: 'p1', queue: 'bull:q' } },
      [1, 'x', null, 2.5, -7, 2 ** 40],
    ]) {
      calls.push({ lib: 'cmsgpack', fn: 'unpack', args: [str(bull.pack(v).toString('latin1'))] });
    }
    await checkCalls(calls);
  });
});

describe('cmsgpack.pack argument count limits', () => {
  // Expected values were read from redis-server 7.0.15 (cmsgpack.pack(unpack(t)) with t built in Lua).
  const pack = new Map(cmsgpackLibrary()).get('pack') as (...a: LuaValue[]) => LuaValue[];
  const run = (n: number, last: () => LuaValue): string | number => {
    const a: LuaValue[] = [];
    for (let i = 1; i <= n; i++) a.push(i);
    a[n - 1] = last();
    try {
      return (pack(...a)[0] as string).length;
    } catch (e) {
      return (e as { extramsg?: string }).extramsg ?? (e as Error).message;
    }
  };
  const nested = () => {
    const t = new LuaTable();
    t.set(1, new LuaTable());
    return t;
  };
  it('refuses more than 4000 arguments and checks the C stack for tables', () => {
    assert.equal(run(4001, () => 4001), 'Too many arguments for MessagePack pack.');
    assert.equal(run(4000, () => 4000), 11618);
    assert.equal(run(4000, () => new LuaTable()), 'stack overflow (in function table_is_an_array)');
    assert.equal(run(3999, () => new LuaTable()), 11613);
    assert.equal(run(3998, nested), 11611);
  });
});

describe('cmsgpack library table', () => {
  it("pairs() over cmsgpackTable() visits Redis's order (grown from empty)", (t) => {
    if (!exact) {
      t.skip('LuaTable does not emulate ltable.c yet');
      return;
    }
    const tb = cmsgpackTable();
    const o: LuaValue[] = [];
    for (let e = tb.next(undefined); e !== undefined; e = tb.next(e[0])) o.push(e[0]);
    assert.deepEqual(o, '_DESCRIPTION pack _NAME unpack _COPYRIGHT _VERSION unpack_one unpack_limit'.split(' '));
  });

  it('has the fields of luaopen_create in order', () => {
    assert.deepEqual(
      cmsgpackLibrary().map(([k]) => k),
      ['pack', 'unpack', 'unpack_one', 'unpack_limit', '_NAME', '_VERSION', '_COPYRIGHT', '_DESCRIPTION'],
    );
  });
});


