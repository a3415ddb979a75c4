/**
 * struct against a real redis-server (x86-64: C long is 64-bit there, 32-bit in the wasm
 * oracle): pack, unpack and size over random formats (every letter, sizes, endianness,
 * alignment, invalid options) with random arguments and data, plus the bounds checks.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { structLibrary } from '../../../src/scripting/lua/lib-struct.js';
import { prng } from '../../helpers/prng.js';
import { hasRedisServer } from '../../helpers/servers.js';
import { compare, libMap, num, runJs, str, nil, tbl, RealRedis, runOracle, type Call, type Gen } from './lib-harness.js';

const lib = libMap(structLibrary());

interface Item {
  fmt: string;
  kind: 'int' | 'float' | 'str' | 'none';
  /** Fixed string length for 'cN' (undefined: any). */
  len?: number;
}

function randomItem(r: () => number): Item {
  const x = Math.floor(r() * 26);
  switch (x) {
    case 0:
    case 1:
      return { fmt: 'bBhHlLTiI'[Math.floor(r() * 9)], kind: 'int' };
    case 2:
    case 3: {
      const n = Math.floor(r() * 17);
      return { fmt: (r() < 0.5 ? 'i' : 'I') + n, kind: 'int' };
    }
    case 4:
      return { fmt: 'i' + [17, 24, 32, 33, 99, 2147483648][Math.floor(r() * 6)], kind: 'int' };
    case 5:
      return { fmt: 'f', kind: 'float' };
    case 6:
      return { fmt: 'd', kind: 'float' };
    case 7:
      return { fmt: 'x', kind: 'none' };
    case 8: {
      const n = Math.floor(r() * 6);
      return { fmt: 'c' + n, kind: 'str', len: n };
    }
    case 9:
      return { fmt: 'c', kind: 'str', len: 1 };
    case 10:
      return { fmt: 's', kind: 'str' };
    case 11:
      return { fmt: '<', kind: 'none' };
    case 12:
      return { fmt: '>', kind: 'none' };
    case 13:
      return { fmt: '!' + ['', '1', '2', '4', '8', '16', '3', '0'][Math.floor(r() * 8)], kind: 'none' };
    case 14:
      return { fmt: ' ', kind: 'none' };
    case 15:
      return r() < 0.3 ? { fmt: '=#z5\x80'[Math.floor(r() * 5)], kind: 'none' } : { fmt: 'b', kind: 'int' };
    default:
      return { fmt: 'bhiIlLdf'[Math.floor(r() * 8)], kind: r() < 0.5 ? 'int' : 'float' };
  }
}

function randomInt(r: () => number): number {
  switch (Math.floor(r() * 8)) {
    case 0:
      return Math.floor(r() * 256) - 128;
    case 1:
      return Math.floor(r() * 65536) - 32768;
    case 2:
      return Math.floor((r() - 0.5) * 2 ** 33);
    case 3:
      return Math.floor((r() - 0.5) * 2 ** 64);
    case 4:
      return [0, -1, 2 ** 63, -(2 ** 63), 2 ** 64, 1e30, -1e30, NaN, Infinity, -Infinity, 2 ** 53 + 2, 0.5, -0.5, 255.9][Math.floor(r() * 14)];
    case 5:
      return (r() - 0.5) * 1e6;
    default:
      return Math.floor(r() * 1000);
  }
}

function randomBytes(r: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(r() < 0.2 ? 0 : r() < 0.3 ? Math.floor(r() * 6) : Math.floor(r() * 256));
  return s;
}

function packCall(r: () => number): Call {
  const items: Item[] = [];
  const n = 1 + Math.floor(r() * 6);
  for (let i = 0; i < n; i++) items.push(randomItem(r));
  const args: Gen[] = [str(items.map((i) => i.fmt).join(''))];
  for (const it of items) {
    if (it.kind === 'none') continue;
    if (r() < 0.03) {
      args.push([nil, tbl([]), str('zz')][Math.floor(r() * 3)]);
      continue;
    }
    if (it.kind === 'int') args.push(r() < 0.05 ? str(String(Math.floor(r() * 100))) : num(randomInt(r)));
    else if (it.kind === 'float') args.push(num(r() < 0.3 ? randomInt(r) : (r() - 0.5) * 10 ** Math.floor(r() * 80 - 40)));
    else {
      const len = it.len === undefined ? Math.floor(r() * 6) : it.len + (r() < 0.1 ? -1 : Math.floor(r() * 3));
      args.push(str(randomBytes(r, Math.max(0, len))));
    }
  }
  return { lib: 'struct', fn: 'pack', args };
}

function unpackCall(r: () => number): Call {
  const items: Item[] = [];
  const n = 1 + Math.floor(r() * 6);
  for (let i = 0; i < n; i++) items.push(randomItem(r));
  let fmt = items.map((i) => i.fmt).join('');
  if (r() < 0.1) fmt = 'b c0' + fmt;
  const data = randomBytes(r, Math.floor(r() * 40));
  const args: Gen[] = [str(fmt), str(data)];
  const p = r();
  if (p < 0.2) args.push(num(Math.floor(r() * 12) - 2));
  else if (p < 0.25) args.push(nil);
  return { lib: 'struct', fn: 'unpack', args };
}

function sizeCall(r: () => number): Call {
  const items: Item[] = [];
  const n = 1 + Math.floor(r() * 6);
  for (let i = 0; i < n; i++) items.push(randomItem(r));
  return { lib: 'struct', fn: 'size', args: [str(items.map((i) => i.fmt).join(''))] };
}

const FIXED: Call[] = [
  { lib: 'struct', fn: 'pack', args: [str('<i16'), num(-1)] },
  { lib: 'struct', fn: 'pack', args: [str('>i16'), num(-2)] },
  { lib: 'struct', fn: 'pack', args: [str('<L'), num(NaN)] },
  { lib: 'struct', fn: 'pack', args: [str('<L'), num(2 ** 64)] },
  { lib: 'struct', fn: 'pack', args: [str('<l'), num(-1e30)] },
  { lib: 'struct', fn: 'pack', args: [str('!4 b i')].concat([num(1), num(2)]) },
  { lib: 'struct', fn: 'pack', args: [str('c5'), str('ab')] },
  { lib: 'struct', fn: 'pack', args: [str('i99'), num(1)] },
  { lib: 'struct', fn: 'pack', args: [str('i99999999999'), num(1)] },
  { lib: 'struct', fn: 'pack', args: [num(5)] },
  { lib: 'struct', fn: 'pack', args: [] },
  { lib: 'struct', fn: 'pack', args: [str('s\0i'), str('abc'), num(1)] },
  { lib: 'struct', fn: 'unpack', args: [str('<i16'), str('\xff'.repeat(8) + '\x00'.repeat(8))] },
  { lib: 'struct', fn: 'unpack', args: [str('>i9'), str('\x01\x80' + '\x00'.repeat(7))] },
  { lib: 'struct', fn: 'unpack', args: [str('i'), str('abcd'), num(0)] },
  { lib: 'struct', fn: 'unpack', args: [str('i'), str('abcd'), num(-3)] },
  { lib: 'struct', fn: 'unpack', args: [str(''), str('abcd'), num(-3)] },
  { lib: 'struct', fn: 'unpack', args: [str('c0'), str('abcd')] },
  { lib: 'struct', fn: 'unpack', args: [str('c1c0'), str('3abcd')] },
  { lib: 'struct', fn: 'unpack', args: [str('bc0'), str('\x09abcd')] },
  { lib: 'struct', fn: 'unpack', args: [str('s'), str('abc')] },
  { lib: 'struct', fn: 'unpack', args: [str('b'.repeat(8100)), str('\x01'.repeat(8100))] },
  { lib: 'struct', fn: 'unpack', args: [str('b'.repeat(7990)), str('\x01'.repeat(8100))] },
  { lib: 'struct', fn: 'size', args: [str('s')] },
  { lib: 'struct', fn: 'size', args: [str('c0')] },
  { lib: 'struct', fn: 'size', args: [str('z5#')] },
  { lib: 'struct', fn: 'size', args: [str('!8bd!2bi3')] },
];

describe('struct library', { skip: !hasRedisServer() }, () => {
  let redis: RealRedis;
  before(async () => {
    redis = await RealRedis.start();
  });
  after(async () => {
    await redis?.close();
  });

  async function check(calls: Call[]): Promise<void> {
    const bad: string[] = [];
    for (let i = 0; i < calls.length; i += 400) {
      const batch = calls.slice(i, i + 400);
      bad.push(...compare(batch, batch.map((c) => runJs(lib, c)), await redis.run(batch), true));
    }
    assert.deepEqual(bad.slice(0, 8), []);
  }

  it('fixed cases match redis-server', async () => {
    await check(FIXED);
  });

  it('pack matches redis-server over 4000 random formats', async () => {
    const r = prng(0x57c);
    const calls: Call[] = [];
    for (let i = 0; i < 4000; i++) calls.push(packCall(r));
    await check(calls);
  });

  it('unpack matches redis-server over 4000 random formats and data', async () => {
    const r = prng(0x57d);
    const calls: Call[] = [];
    for (let i = 0; i < 4000; i++) calls.push(unpackCall(r));
    await check(calls);
  });

  it('size matches redis-server over 2000 random formats', async () => {
    const r = prng(0x57e);
    const calls: Call[] = [];
    for (let i = 0; i < 2000; i++) calls.push(sizeCall(r));
    await check(calls);
  });

  it('formats without C long agree with the oracle too', async () => {
    const calls: Call[] = [
      { lib: 'struct', fn: 'pack', args: [str('>i2<I3!4bd'), num(-2), num(70000), num(5), num(1.5)] },
      { lib: 'struct', fn: 'unpack', args: [str('>i2 s c2'), str('\x80\x01ab\0cd')] },
      { lib: 'struct', fn: 'size', args: [str('!4 b i h d')] },
    ];
    assert.deepEqual(compare(calls, calls.map((c) => runJs(lib, c)), await runOracle(calls), true), []);
  });

  it('registers pack, unpack, size', () => {
    assert.deepEqual(
      structLibrary().map(([k]) => k),
      ['pack', 'unpack', 'size'],
    );
  });
});
