/**
 * Hash commands, differential against redis-server: replies (type and content) must be
 * identical. Small hashes are listpacks in both servers, whose order is insertion order, so
 * their replies are compared as they are; hashtable replies are compared order-free. Random
 * commands are checked for shape and membership. Propagation is observed on an in-process
 * reddish.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPair, same, unordered, type Pair, type Step } from '../helpers/differential.js';
import { RespClient, plain, type Reply } from '../helpers/resp.js';
import { withPropagationLog } from '../helpers/propagation.js';

let pair: Pair;

before(async () => {
  pair = await startPair();
});

after(async () => {
  await pair?.close();
});

async function fresh(steps: Step[], normalize?: (r: Reply, s: Step) => Reply): Promise<Reply[]> {
  await same(pair, [['FLUSHALL'], ['CONFIG', 'SET', 'hash-max-listpack-entries', '512'], ['CONFIG', 'SET', 'hash-max-listpack-value', '64']]);
  return same(pair, steps, normalize);
}

/** Both replies of a command whose output is random. */
async function both(...cmd: (string | number)[]): Promise<[Reply, Reply]> {
  return Promise.all([pair.a.call(...cmd), pair.b.call(...cmd)]);
}

async function resp(v: 2 | 3): Promise<void> {
  await Promise.all([pair.a.call('HELLO', String(v)), pair.b.call('HELLO', String(v))]);
}

const WRONG: Step[] = [
  ['HSET', 'set', 'f', 'v'],
  ['HSETNX', 'set', 'f', 'v'],
  ['HMSET', 'set', 'f', 'v'],
  ['HGET', 'set', 'f'],
  ['HMGET', 'set', 'f'],
  ['HGETALL', 'set'],
  ['HKEYS', 'set'],
  ['HVALS', 'set'],
  ['HDEL', 'set', 'f'],
  ['HEXISTS', 'set', 'f'],
  ['HLEN', 'set'],
  ['HSTRLEN', 'set', 'f'],
  ['HINCRBY', 'set', 'f', '1'],
  ['HINCRBYFLOAT', 'set', 'f', '1'],
  ['HRANDFIELD', 'set'],
  ['HRANDFIELD', 'set', '2'],
  ['HRANDFIELD', 'set', '-2', 'WITHVALUES'],
  ['HSCAN', 'set', '0'],
];

test('HSET / HGET / HMGET / HGETALL / HKEYS / HVALS / HLEN / HEXISTS / HSTRLEN on small hashes', async () => {
  await fresh([
    ['HSET', 'h', 'a', '1'],
    ['HSET', 'h', 'b', '2', 'c', '3'],
    ['HSET', 'h', 'a', 'one', 'd', '4'],
    ['HGETALL', 'h'],
    ['HKEYS', 'h'],
    ['HVALS', 'h'],
    ['HLEN', 'h'],
    ['HGET', 'h', 'a'],
    ['HGET', 'h', 'zz'],
    ['HGET', 'nokey', 'a'],
    ['HMGET', 'h', 'a', 'zz', 'c', 'a'],
    ['HMGET', 'nokey', 'a', 'b'],
    ['HEXISTS', 'h', 'b'],
    ['HEXISTS', 'h', 'zz'],
    ['HEXISTS', 'nokey', 'b'],
    ['HSTRLEN', 'h', 'a'],
    ['HSTRLEN', 'h', 'zz'],
    ['HSTRLEN', 'nokey', 'a'],
    ['HGETALL', 'nokey'],
    ['HKEYS', 'nokey'],
    ['HVALS', 'nokey'],
    ['HLEN', 'nokey'],
    ['TYPE', 'h'],
    ['OBJECT', 'ENCODING', 'h'],
    // duplicates in one command: the count is of created fields, the last value wins
    ['HSET', 'dup', 'x', '1', 'y', '2', 'x', '3'],
    ['HGETALL', 'dup'],
    ['HMSET', 'dup', 'y', '5', 'z', '6', 'z', '7', 'w', ''],
    ['HGETALL', 'dup'],
    // empty and binary fields and values
    ['HSET', 'bin', '', '', 'a\x00b', '\r\n', '\xff\x80', 'x'],
    ['HGETALL', 'bin'],
    ['HGET', 'bin', ''],
    ['HSTRLEN', 'bin', 'a\x00b'],
    // integers as values round-trip verbatim
    ['HSET', 'ints', 'a', '007', 'b', '-0', 'c', '9223372036854775808', 'd', '12', 'e', '-9223372036854775808'],
    ['HGETALL', 'ints'],
    ['HSTRLEN', 'ints', 'c'],
  ]);
});

test('HSET / HMSET arity, HSETNX, HDEL deleting the key', async () => {
  await fresh([
    ['HSET', 'h', 'a'],
    ['HSET', 'h', 'a', 'b', 'c'],
    ['HMSET', 'h', 'a', 'b', 'c'],
    ['HSET', 'h'],
    ['HMSET', 'h', 'a'],
    ['EXISTS', 'h'],
    ['HMSET', 'h', 'a', '1', 'b', '2'],
    ['HSETNX', 'h', 'a', 'x'],
    ['HSETNX', 'h', 'c', 'x'],
    ['HSETNX', 'new', 'f', 'v'],
    ['HSETNX', 'h', 'c'],
    ['HGETALL', 'h'],
    ['HGETALL', 'new'],
    ['HDEL', 'h', 'zz'],
    ['HDEL', 'h', 'a', 'a', 'zz'],
    ['HGETALL', 'h'],
    ['HDEL', 'nokey', 'a'],
    ['HDEL', 'h'],
    ['HDEL', 'h', 'b', 'c', 'b'],
    ['EXISTS', 'h'],
    ['HSET', 'h', 'a', '1', 'b', '2', 'c', '3', 'd', '4'],
    ['HDEL', 'h', 'b'],
    ['HGETALL', 'h'],
    ['HDEL', 'h', 'a'],
    ['HGETALL', 'h'],
    ['HDEL', 'h', 'd'],
    ['HGETALL', 'h'],
    ['HSET', 'h', 'b', 'again'],
    ['HGETALL', 'h'],
  ]);
});

test('WRONGTYPE for every hash command', async () => {
  await fresh([['SADD', 'set', 'm'], ...WRONG, ['SMEMBERS', 'set']]);
});

test('encodings: listpack up to the entry and value limits, then hashtable for good', async () => {
  const long = 'x'.repeat(65);
  const unorderedAll = (r: Reply, s: Step) => (['HGETALL', 'HKEYS', 'HVALS'].includes(String(s[0])) ? unordered(r) : r);
  await fresh(
    [
      ['CONFIG', 'SET', 'hash-max-listpack-entries', '4'],
      ['HSET', 'h', 'a', '1', 'b', '2', 'c', '3', 'd', '4'],
      ['OBJECT', 'ENCODING', 'h'],
      ['HSET', 'h', 'e', '5'],
      ['OBJECT', 'ENCODING', 'h'],
      ['HDEL', 'h', 'a', 'b', 'c'],
      ['OBJECT', 'ENCODING', 'h'],
      ['HGETALL', 'h'],
      ['HSET', 'h2', 'a', '1', 'b', '2', 'c', '3', 'd', '4', 'e', '5'],
      ['OBJECT', 'ENCODING', 'h2'],
      ['HSET', 'h3', 'a', '1', 'b', '2', 'c', '3', 'd', '4', 'a', '5'],
      ['OBJECT', 'ENCODING', 'h3'],
      ['CONFIG', 'SET', 'hash-max-listpack-entries', '512'],
      // value length limit (64): a value or a field of 65 converts
      ['HSET', 'v', 'f', 'x'.repeat(64)],
      ['OBJECT', 'ENCODING', 'v'],
      ['HSET', 'v', 'g', long],
      ['OBJECT', 'ENCODING', 'v'],
      ['HGETALL', 'v'],
      ['HSET', 'f', long, 'v'],
      ['OBJECT', 'ENCODING', 'f'],
      ['HSETNX', 'n', 'a', long],
      ['OBJECT', 'ENCODING', 'n'],
      // a long argument converts even when it is a value that replaces another
      ['HSET', 'r', 'a', '1'],
      ['HSET', 'r', 'a', long],
      ['OBJECT', 'ENCODING', 'r'],
      ['HSET', 'r', 'a', '1'],
      ['OBJECT', 'ENCODING', 'r'],
      // HINCRBY/HINCRBYFLOAT results are checked too
      ['CONFIG', 'SET', 'hash-max-listpack-value', '3'],
      ['HSET', 'i', 'n', '999'],
      ['OBJECT', 'ENCODING', 'i'],
      ['HINCRBY', 'i', 'n', '1'],
      ['OBJECT', 'ENCODING', 'i'],
      ['HSET', 'fl', 'n', '1'],
      ['HINCRBYFLOAT', 'fl', 'n', '0.5'],
      ['OBJECT', 'ENCODING', 'fl'],
      ['HINCRBYFLOAT', 'fl', 'n', '0.25'],
      ['OBJECT', 'ENCODING', 'fl'],
      ['HGET', 'fl', 'n'],
      // with a zero entry limit every hash is a hashtable
      ['CONFIG', 'SET', 'hash-max-listpack-value', '64'],
      ['CONFIG', 'SET', 'hash-max-listpack-entries', '0'],
      ['HSET', 'z', 'a', '1'],
      ['OBJECT', 'ENCODING', 'z'],
      ['HINCRBY', 'z2', 'a', '1'],
      ['OBJECT', 'ENCODING', 'z2'],
      ['CONFIG', 'SET', 'hash-max-ziplist-entries', '512'],
      ['CONFIG', 'GET', 'hash-max-listpack-entries'],
    ],
    unorderedAll,
  );
});

test('hashtable-encoded hashes answer every read command like Redis', async () => {
  const steps: Step[] = [['CONFIG', 'SET', 'hash-max-listpack-entries', '16']];
  const args: string[] = [];
  for (let i = 0; i < 100; i++) args.push(`f${i}`, `v${i}`);
  steps.push(['HSET', 'big', ...args], ['OBJECT', 'ENCODING', 'big'], ['HLEN', 'big']);
  steps.push(['HDEL', 'big', 'f0', 'f50', 'f99', 'nope'], ['HLEN', 'big'], ['HGET', 'big', 'f1'], ['HGET', 'big', 'f50']);
  steps.push(['HMGET', 'big', 'f1', 'f0', 'f98'], ['HEXISTS', 'big', 'f2'], ['HSTRLEN', 'big', 'f10'], ['HSETNX', 'big', 'f1', 'x'], ['HSETNX', 'big', 'f0', 'x']);
  steps.push(['HGETALL', 'big'], ['HKEYS', 'big'], ['HVALS', 'big'], ['HINCRBY', 'big', 'cnt', '5'], ['HINCRBYFLOAT', 'big', 'cnt', '0.5']);
  const del: string[] = [];
  for (let i = 0; i < 100; i++) del.push(`f${i}`);
  steps.push(['HDEL', 'big', ...del, 'cnt'], ['EXISTS', 'big']);
  await fresh(steps, (r, s) => (['HGETALL', 'HKEYS', 'HVALS'].includes(String(s[0])) ? unordered(r) : r));
});

test('HINCRBY: creation, errors, 64-bit limits', async () => {
  await fresh([
    ['HINCRBY', 'h', 'n', '5'],
    ['HINCRBY', 'h', 'n', '-7'],
    ['HGET', 'h', 'n'],
    ['HINCRBY', 'h', 'n', 'x'],
    ['HINCRBY', 'h', 'n', '1.5'],
    ['HINCRBY', 'h', 'n', ' 1'],
    ['HINCRBY', 'h', 'n', '01'],
    ['HINCRBY', 'h', 'n', ''],
    ['HINCRBY', 'h', 'n', '9223372036854775808'],
    ['HSET', 'h', 's', 'abc', 'sp', ' 1', 'z', '007', 'f', '1.0', 'e', ''],
    ['HINCRBY', 'h', 's', '1'],
    ['HINCRBY', 'h', 'sp', '1'],
    ['HINCRBY', 'h', 'z', '1'],
    ['HINCRBY', 'h', 'f', '1'],
    ['HINCRBY', 'h', 'e', '1'],
    ['HSET', 'h', 'max', '9223372036854775807', 'min', '-9223372036854775808'],
    ['HINCRBY', 'h', 'max', '1'],
    ['HINCRBY', 'h', 'max', '0'],
    ['HINCRBY', 'h', 'max', '-9223372036854775808'],
    ['HINCRBY', 'h', 'min', '-1'],
    ['HINCRBY', 'h', 'min', '9223372036854775807'],
    ['HINCRBY', 'h', 'big', '9223372036854775807'],
    ['HINCRBY', 'h', 'big', '1'],
    ['HINCRBY', 'h', 'neg', '-9223372036854775808'],
    ['HINCRBY', 'h', 'neg', '-1'],
    ['HINCRBY', 'h', 'p', '4503599627370497'],
    ['HINCRBY', 'h', 'p', '4503599627370497'],
    ['HGETALL', 'h'],
    ['HINCRBY', 'h', 'n'],
    ['HINCRBY', 'nokey', 'n', 'x'],
    ['EXISTS', 'nokey'],
  ]);
});

test('HINCRBYFLOAT: long double arithmetic, formatting, NaN/Infinity errors', async () => {
  await fresh([
    ['HINCRBYFLOAT', 'h', 'f', '10.5'],
    ['HINCRBYFLOAT', 'h', 'f', '0.1'],
    ['HINCRBYFLOAT', 'h', 'f', '-5'],
    ['HINCRBYFLOAT', 'h', 'f', '1e10'],
    ['HINCRBYFLOAT', 'h', 'f', '-1e10'],
    ['HINCRBYFLOAT', 'h', 'g', '3.0e3'],
    ['HINCRBYFLOAT', 'h', 'g', '0x10'],
    ['HINCRBYFLOAT', 'h', 'g', '-3016'],
    ['HINCRBYFLOAT', 'h', 'g', '-0.0'],
    ['HINCRBYFLOAT', 'h', 'small', '1e-20'],
    ['HINCRBYFLOAT', 'h', 'huge', '1e300'],
    ['HINCRBYFLOAT', 'h', 'huge', '1.7e308'],
    ['HGET', 'h', 'huge'],
    ['HINCRBYFLOAT', 'h', 'f', 'nan'],
    ['HINCRBYFLOAT', 'h', 'f', 'inf'],
    ['HINCRBYFLOAT', 'h', 'f', '-inf'],
    ['HINCRBYFLOAT', 'h', 'f', 'abc'],
    ['HINCRBYFLOAT', 'h', 'f', ''],
    ['HINCRBYFLOAT', 'h', 'f', ' 1'],
    ['HINCRBYFLOAT', 'h', 'f', '1 '],
    ['HSET', 'h', 's', 'abc', 'i', 'inf', 'n', '12', 'sp', ' 2', 'e', ''],
    ['HINCRBYFLOAT', 'h', 's', '1'],
    ['HINCRBYFLOAT', 'h', 'i', '1'],
    ['HINCRBYFLOAT', 'h', 'n', '1.5'],
    ['HINCRBYFLOAT', 'h', 'sp', '1'],
    ['HINCRBYFLOAT', 'h', 'e', '1'],
    ['HSET', 'h', 'max', '1e4932'],
    ['HSET', 'h', 'm', '1.18e4932'],
    ['HINCRBYFLOAT', 'h', 'm', '1.18e4932'],
    ['HGETALL', 'h'],
    ['HINCRBYFLOAT', 'nokey', 'f', 'nan'],
    ['EXISTS', 'nokey'],
  ], (r, s) => (s[0] === 'HGETALL' ? unordered(r) : r));
});

test('HRANDFIELD: errors, empty answers and exact answers when the count covers the hash', async () => {
  await fresh([
    ['HRANDFIELD', 'nokey'],
    ['HRANDFIELD', 'nokey', '5'],
    ['HRANDFIELD', 'nokey', '-5', 'WITHVALUES'],
    ['HSET', 'h', 'a', '1', 'b', '2', 'c', '3'],
    ['HRANDFIELD', 'h', '0'],
    ['HRANDFIELD', 'h', '0', 'WITHVALUES'],
    ['HRANDFIELD', 'h', '3'],
    ['HRANDFIELD', 'h', '10', 'WITHVALUES'],
    ['HRANDFIELD', 'h', 'x'],
    ['HRANDFIELD', 'h', '1.5'],
    ['HRANDFIELD', 'h', '-9223372036854775808'],
    ['HRANDFIELD', 'h', '9223372036854775808'],
    ['HRANDFIELD', 'h', '1', 'WITHVALUE'],
    ['HRANDFIELD', 'h', '1', 'WITHVALUES', 'x'],
    ['HRANDFIELD', 'h', '4611686018427387904', 'WITHVALUES'],
    ['HRANDFIELD', 'h', '-4611686018427387904', 'WITHVALUES'],
    ['HRANDFIELD', 'nokey', '4611686018427387904', 'WITHVALUES'],
    ['HRANDFIELD', 'nokey', 'x', 'WITHVALUES'],
    ['HRANDFIELD', 'h', '1', 'withvalues', 'extra'],
  ]);
});

function pairsOf(r: Reply, withValues: boolean, resp3: boolean): [string, string | null][] {
  assert.equal(r.t, 'array');
  const items = (r as { v: Reply[] }).v;
  const out: [string, string | null][] = [];
  if (!withValues) {
    for (const x of items) out.push([plain(x) as string, null]);
  } else if (resp3) {
    for (const x of items) {
      assert.equal(x.t, 'array');
      const p = plain(x) as string[];
      assert.equal(p.length, 2);
      out.push([p[0], p[1]]);
    }
  } else {
    assert.equal(items.length % 2, 0);
    for (let i = 0; i < items.length; i += 2) out.push([plain(items[i]) as string, plain(items[i + 1]) as string]);
  }
  return out;
}

test('HRANDFIELD: shapes, uniqueness and membership (listpack and hashtable, RESP2 and RESP3)', async () => {
  await fresh([['CONFIG', 'SET', 'hash-max-listpack-entries', '20']]);
  const small: string[] = [];
  const bigArgs: string[] = [];
  for (let i = 0; i < 10; i++) small.push(`f${i}`, `v${i}`);
  for (let i = 0; i < 100; i++) bigArgs.push(`f${i}`, `v${i}`);
  await same(pair, [['HSET', 'small', ...small], ['HSET', 'big', ...bigArgs], ['OBJECT', 'ENCODING', 'small'], ['OBJECT', 'ENCODING', 'big']]);
  try {
    for (const proto of [2, 3] as const) {
      await resp(proto);
      for (const [key, size] of [['small', 10], ['big', 100]] as const) {
        for (const count of [1, 2, 5, 9, 40, 99, 100, 150, -1, -5, -300]) {
          for (const wv of [false, true]) {
            const cmd = ['HRANDFIELD', key, String(count), ...(wv ? ['WITHVALUES'] : [])];
            const [ra, rb] = await both(...cmd);
            const pa = pairsOf(ra, wv, proto === 3);
            const pb = pairsOf(rb, wv, proto === 3);
            const expectLen = count < 0 ? -count : Math.min(count, size);
            assert.equal(pa.length, expectLen, `redis ${cmd.join(' ')}`);
            assert.equal(pb.length, expectLen, `reddish ${cmd.join(' ')}`);
            for (const [f, v] of pb) {
              assert.match(f, /^f\d+$/);
              assert.ok(Number(f.slice(1)) < size);
              if (wv) assert.equal(v, 'v' + f.slice(1));
            }
            if (count > 0) assert.equal(new Set(pb.map((p) => p[0])).size, pb.length, `unique fields for ${cmd.join(' ')}`);
          }
        }
        const [a, b] = await both('HRANDFIELD', key);
        assert.equal(a.t, 'bulk');
        assert.equal(b.t, 'bulk');
      }
    }
  } finally {
    await resp(2);
  }
});

test('HRANDFIELD picks fairly', async () => {
  await fresh([['HSET', 'h', 'a', '1', 'b', '2', 'c', '3', 'd', '4']]);
  const r = plain(await pair.b.call('HRANDFIELD', 'h', '-4000')) as string[];
  const counts = new Map<string, number>();
  for (const f of r) counts.set(f, (counts.get(f) ?? 0) + 1);
  for (const f of ['a', 'b', 'c', 'd']) assert.ok((counts.get(f) ?? 0) > 850, `field ${f} picked ${counts.get(f)} times of 4000`);
});

test('HSCAN: listpack in one call, MATCH, option errors, missing keys', async () => {
  await fresh([
    ['HSET', 'h', 'a1', '1', 'b1', '2', 'a2', '3', 'c', '4'],
    ['HSCAN', 'h', '0'],
    ['HSCAN', 'h', '0', 'COUNT', '1'],
    ['HSCAN', 'h', '0', 'MATCH', 'a*'],
    ['HSCAN', 'h', '0', 'match', '*', 'count', '100'],
    ['HSCAN', 'h', '0', 'MATCH', 'zz*'],
    ['HSCAN', 'h', '0', 'MATCH', '[ab]1'],
    ['HSCAN', 'h', '0', 'COUNT', '0'],
    ['HSCAN', 'h', '0', 'COUNT', '-1'],
    ['HSCAN', 'h', '0', 'COUNT', 'x'],
    ['HSCAN', 'h', '0', 'COUNT'],
    ['HSCAN', 'h', '0', 'TYPE', 'hash'],
    ['HSCAN', 'h', '0', 'FOO', 'bar'],
    ['HSCAN', 'h', 'x'],
    ['HSCAN', 'h', '-1'],
    ['HSCAN', 'h', '18446744073709551616'],
    ['HSCAN', 'nokey', '0'],
    ['HSCAN', 'nokey', '0', 'COUNT', '0'],
    ['HSCAN', 'nokey', 'x'],
    ['HSCAN', 'h'],
  ]);
});

/** Full HSCAN iteration on one server: every pair, as field → value. */
async function scanAll(c: RespClient, key: string, extra: string[] = []): Promise<{ pairs: Map<string, string>; calls: number }> {
  const pairs = new Map<string, string>();
  let cursor = '0';
  let calls = 0;
  do {
    const r = plain(await c.call('HSCAN', key, cursor, ...extra)) as [string, string[]];
    cursor = r[0];
    for (let i = 0; i < r[1].length; i += 2) pairs.set(r[1][i], r[1][i + 1]);
    calls++;
    assert.ok(calls < 10000);
  } while (cursor !== '0');
  return { pairs, calls };
}

test('HSCAN over a hashtable: a full iteration returns every pair, MATCH filters', async () => {
  const args: string[] = [];
  for (let i = 0; i < 1000; i++) args.push(`field:${i}`, `value:${i}`);
  await fresh([['HSET', 'big', ...args], ['OBJECT', 'ENCODING', 'big']]);
  for (const c of [pair.a, pair.b]) {
    const { pairs, calls } = await scanAll(c, 'big', ['COUNT', '50']);
    assert.equal(pairs.size, 1000);
    for (const [f, v] of pairs) assert.equal(v, 'value:' + f.slice(6));
    assert.ok(calls > 5, `iteration should take several calls, took ${calls}`);
    const m = await scanAll(c, 'big', ['MATCH', 'field:1?', 'COUNT', '100']);
    assert.deepEqual([...m.pairs.keys()].sort(), ['field:10', 'field:11', 'field:12', 'field:13', 'field:14', 'field:15', 'field:16', 'field:17', 'field:18', 'field:19']);
  }
  // Modifications during the iteration: elements present throughout are all returned.
  const seen = new Set<string>();
  let cursor = '0';
  let round = 0;
  do {
    const r = plain(await pair.b.call('HSCAN', 'big', cursor, 'COUNT', '30')) as [string, string[]];
    cursor = r[0];
    for (let i = 0; i < r[1].length; i += 2) seen.add(r[1][i]);
    await pair.b.call('HDEL', 'big', `field:${999 - round}`);
    await pair.b.call('HSET', 'big', `added:${round}`, 'x');
    round++;
  } while (cursor !== '0');
  for (let i = 0; i < 1000 - round; i++) assert.ok(seen.has(`field:${i}`), `field:${i} missing`);
});

test('RESP3: HGETALL is a map, HRANDFIELD WITHVALUES pairs are arrays', async () => {
  await fresh([['HSET', 'h', 'a', '1', 'b', '2']]);
  await resp(3);
  try {
    await same(pair, [
      ['HGETALL', 'h'],
      ['HGETALL', 'nokey'],
      ['HKEYS', 'h'],
      ['HVALS', 'nokey'],
      ['HGET', 'nokey', 'a'],
      ['HMGET', 'h', 'a', 'zz'],
      ['HRANDFIELD', 'nokey'],
      ['HRANDFIELD', 'nokey', '3'],
      ['HRANDFIELD', 'h', '2', 'WITHVALUES'],
      ['HRANDFIELD', 'h', '0', 'WITHVALUES'],
      ['HINCRBYFLOAT', 'h', 'a', '1.5'],
      ['HSCAN', 'h', '0'],
      ['HSCAN', 'nokey', '0'],
    ]);
    const [a, b] = await both('HRANDFIELD', 'h', '-3', 'WITHVALUES');
    assert.equal((a as { v: Reply[] }).v[0].t, 'array');
    assert.equal((b as { v: Reply[] }).v[0].t, 'array');
  } finally {
    await resp(2);
  }
});

test('keyspace commands on hashes: COPY (deep, same encoding), RENAME, TYPE, DEL, EXPIRE', async () => {
  const args: string[] = [];
  for (let i = 0; i < 600; i++) args.push(`f${i}`, `v${i}`);
  await fresh(
    [
      ['HSET', 'small', 'a', '1', 'b', '2'],
      ['HSET', 'big', ...args],
      ['COPY', 'small', 'small2'],
      ['COPY', 'big', 'big2'],
      ['OBJECT', 'ENCODING', 'small2'],
      ['OBJECT', 'ENCODING', 'big2'],
      ['HSET', 'small2', 'a', 'changed'],
      ['HDEL', 'big2', 'f1', 'f2'],
      ['HGETALL', 'small'],
      ['HGETALL', 'small2'],
      ['HLEN', 'big'],
      ['HLEN', 'big2'],
      ['HGET', 'big', 'f1'],
      ['RENAME', 'small2', 'renamed'],
      ['HGETALL', 'renamed'],
      ['TYPE', 'renamed'],
      ['EXPIRE', 'renamed', '100'],
      ['HSET', 'renamed', 'c', '3'],
      ['TTL', 'renamed'],
      ['DEL', 'renamed', 'big2'],
      ['EXISTS', 'renamed', 'big2'],
    ],
    (r, st) => (st[0] === 'HGETALL' ? unordered(r) : r),
  );
});

test('MULTI/EXEC and command metadata', async () => {
  await fresh([
    ['MULTI'],
    ['HSET', 'h', 'a', '1'],
    ['HINCRBY', 'h', 'a', '2'],
    ['HGETALL', 'h'],
    ['EXEC'],
    ['COMMAND', 'GETKEYS', 'HSET', 'k', 'f', 'v'],
  ]);
  const names = ['hset', 'hmset', 'hsetnx', 'hget', 'hmget', 'hgetall', 'hkeys', 'hvals', 'hdel', 'hexists', 'hlen', 'hstrlen', 'hincrby', 'hincrbyfloat', 'hrandfield', 'hscan'];
  // Name, arity, flags, key positions, ACL categories and tips: what the command table declares
  // (key specs and the reply type of tips are the COMMAND module's business).
  await same(pair, [['COMMAND', 'INFO', ...names]], (r) => plainInfo(r));
});

/** COMMAND INFO reduced to the fields a command family declares, as plain values. */
function plainInfo(r: Reply): Reply {
  const rows = plain(r) as unknown[][];
  return { t: 'bulk', v: JSON.stringify(rows.map((x) => x.slice(0, 8))) };
}

// ---------------------------------------------------------------- propagation and dirty

test('propagation: HINCRBYFLOAT as HSET of the result, others as they are; dirty counts fields', () =>
  withPropagationLog(async (run) => {
    assert.deepEqual(await run('HSET', 'h', 'a', '1', 'b', '2', 'a', '3'), { reply: 2, prop: [['0', 'HSET', 'h', 'a', '1', 'b', '2', 'a', '3']], dirty: 3 });
    assert.deepEqual(await run('HINCRBYFLOAT', 'h', 'f', '1.5'), { reply: '1.5', prop: [['0', 'HSET', 'h', 'f', '1.5']], dirty: 1 });
    assert.deepEqual(await run('HINCRBYFLOAT', 'h', 'f', 'x'), { reply: { error: 'ERR value is not a valid float' }, prop: [], dirty: 0 });
    assert.deepEqual(await run('HINCRBY', 'h', 'n', '2'), { reply: 2, prop: [['0', 'HINCRBY', 'h', 'n', '2']], dirty: 1 });
    assert.deepEqual(await run('HSETNX', 'h', 'n', '2'), { reply: 0, prop: [], dirty: 0 });
    assert.deepEqual(await run('HDEL', 'h', 'a', 'b', 'zz'), { reply: 2, prop: [['0', 'HDEL', 'h', 'a', 'b', 'zz']], dirty: 2 });
    assert.deepEqual(await run('HDEL', 'h', 'zz'), { reply: 0, prop: [], dirty: 0 });
    assert.deepEqual(await run('HGETALL', 'h'), { reply: ['f', '1.5', 'n', '2'], prop: [], dirty: 0 });
  }));
