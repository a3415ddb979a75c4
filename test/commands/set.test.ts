/**
 * Set commands, differential against redis-server: replies (type and content) must be
 * identical. Intsets iterate in sorted order in both servers, so their replies are compared as
 * they are; hashtable replies are compared order-free. Random commands are checked for shape
 * and membership; propagation (SPOP → SREM / DEL) is observed on an in-process reddish.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPair, same, unordered, type Pair, type Step } from '../helpers/differential.js';
import { plain, type Reply } from '../helpers/resp.js';
import { withPropagationLog } from '../helpers/propagation.js';

let pair: Pair;

before(async () => {
  pair = await startPair();
});

after(async () => {
  await pair?.close();
});

const ORDER_FREE = new Set(['SMEMBERS', 'SINTER', 'SUNION', 'SDIFF', 'SPOP', 'SRANDMEMBER', 'SSCAN']);

/** Order-free comparison for commands whose order depends on the hashtable. */
function loose(r: Reply, s: Step): Reply {
  if (!ORDER_FREE.has(String(s[0]).toUpperCase())) return r;
  if (s[0] === 'SSCAN' && r.t === 'array' && r.v.length === 2) return { t: 'array', v: [r.v[0], unordered(r.v[1])] };
  return unordered(r);
}

async function fresh(steps: Step[], normalize?: (r: Reply, s: Step) => Reply): Promise<Reply[]> {
  await same(pair, [['FLUSHALL'], ['CONFIG', 'SET', 'set-max-intset-entries', '512']]);
  return same(pair, steps, normalize);
}

async function both(...cmd: (string | number)[]): Promise<[Reply, Reply]> {
  return Promise.all([pair.a.call(...cmd), pair.b.call(...cmd)]);
}

async function resp(v: 2 | 3): Promise<void> {
  await Promise.all([pair.a.call('HELLO', String(v)), pair.b.call('HELLO', String(v))]);
}

function range(from: number, to: number, prefix = ''): string[] {
  const out: string[] = [];
  for (let i = from; i < to; i++) out.push(prefix + i);
  return out;
}

test('SADD / SREM / SCARD / SISMEMBER / SMISMEMBER / SMEMBERS', async () => {
  await fresh(
    [
      ['SADD', 's', '3', '1', '2', '1'],
      ['SADD', 's', '2', '10', '-7'],
      ['SMEMBERS', 's'],
      ['SCARD', 's'],
      ['SISMEMBER', 's', '10'],
      ['SISMEMBER', 's', '11'],
      ['SISMEMBER', 's', 'x'],
      ['SISMEMBER', 's', '010'],
      ['SMISMEMBER', 's', '1', 'x', '10', '1'],
      ['SMISMEMBER', 'nokey', '1', '2'],
      ['SISMEMBER', 'nokey', '1'],
      ['SCARD', 'nokey'],
      ['SMEMBERS', 'nokey'],
      ['SREM', 's', '1', '1', '99', 'x'],
      ['SREM', 'nokey', '1'],
      ['SMEMBERS', 's'],
      ['SREM', 's', '2', '3', '10', '-7'],
      ['EXISTS', 's'],
      ['SADD', 'w', 'b', 'a', 'c', ''],
      ['SMEMBERS', 'w'],
      ['SISMEMBER', 'w', ''],
      ['SREM', 'w', 'a', 'b', 'c', '', 'd'],
      ['EXISTS', 'w'],
      ['SADD', 'bin', 'a\x00b', '\xff', '\r\n'],
      ['SMEMBERS', 'bin'],
      ['SADD', 's'],
      ['SREM', 's'],
      ['SMISMEMBER', 's'],
      ['SMEMBERS', 's', 'x'],
      ['TYPE', 'bin'],
    ],
    loose,
  );
});

test('WRONGTYPE for every set command (and no side effects)', async () => {
  await fresh([
    ['HSET', 'h', 'f', 'v'],
    ['SADD', 's', 'a'],
    ['SADD', 'h', 'a'],
    ['SREM', 'h', 'a'],
    ['SMEMBERS', 'h'],
    ['SISMEMBER', 'h', 'a'],
    ['SMISMEMBER', 'h', 'a'],
    ['SCARD', 'h'],
    ['SPOP', 'h'],
    ['SPOP', 'h', '2'],
    ['SRANDMEMBER', 'h'],
    ['SRANDMEMBER', 'h', '-2'],
    ['SMOVE', 'h', 's', 'a'],
    ['SMOVE', 's', 'h', 'a'],
    ['SMOVE', 'nokey', 'h', 'a'],
    ['SINTER', 's', 'h'],
    ['SINTER', 'nokey', 'h'],
    ['SINTER', 'h', 'nokey'],
    ['SINTERCARD', '2', 's', 'h'],
    ['SUNION', 's', 'h'],
    ['SUNION', 'nokey', 'h'],
    ['SDIFF', 's', 'h'],
    ['SDIFF', 'nokey', 'h'],
    ['SINTERSTORE', 'd', 's', 'h'],
    ['SUNIONSTORE', 'd', 's', 'h'],
    ['SDIFFSTORE', 'd', 's', 'h'],
    ['SSCAN', 'h', '0'],
    ['EXISTS', 'd'],
    ['SMEMBERS', 's'],
    ['HGETALL', 'h'],
  ]);
});

test('encodings: intset for canonical int64 members up to set-max-intset-entries, then hashtable', async () => {
  await fresh(
    [
      ['SADD', 'i', '9223372036854775807', '-9223372036854775808', '0', '-1', '4503599627370497', '-4503599627370497', '9007199254740993'],
      ['OBJECT', 'ENCODING', 'i'],
      ['SMEMBERS', 'i'],
      ['SISMEMBER', 'i', '9007199254740993'],
      ['SISMEMBER', 'i', '9007199254740992'],
      ['SREM', 'i', '9007199254740993', '9007199254740992'],
      ['SMEMBERS', 'i'],
      ['SADD', 'i', '9223372036854775808'],
      ['OBJECT', 'ENCODING', 'i'],
      ['SMEMBERS', 'i'],
      ['SADD', 'a', '01'],
      ['OBJECT', 'ENCODING', 'a'],
      ['SADD', 'b', '-0'],
      ['OBJECT', 'ENCODING', 'b'],
      ['SADD', 'c', '+1'],
      ['OBJECT', 'ENCODING', 'c'],
      ['SADD', 'd', ' 1'],
      ['OBJECT', 'ENCODING', 'd'],
      ['SADD', 'e', '1', 'x'],
      ['OBJECT', 'ENCODING', 'e'],
      ['SREM', 'e', 'x'],
      ['OBJECT', 'ENCODING', 'e'],
      ['SADD', 'f', 'x', '1'],
      ['OBJECT', 'ENCODING', 'f'],
      ['SISMEMBER', 'f', '1'],
      ['SMISMEMBER', 'i', '-0', '00', '0', '1.0'],
      ['CONFIG', 'SET', 'set-max-intset-entries', '5'],
      ['SADD', 'g', '1', '2', '3', '4', '5'],
      ['OBJECT', 'ENCODING', 'g'],
      ['SADD', 'g', '6'],
      ['OBJECT', 'ENCODING', 'g'],
      ['SREM', 'g', '1', '2', '3', '4'],
      ['OBJECT', 'ENCODING', 'g'],
      ['SMEMBERS', 'g'],
      ['CONFIG', 'SET', 'set-max-intset-entries', '0'],
      ['SADD', 'z', '1'],
      ['OBJECT', 'ENCODING', 'z'],
    ],
    loose,
  );
});

test('SMOVE', async () => {
  await fresh(
    [
      ['SADD', 'a', '1', '2', 'x'],
      ['SADD', 'b', '3'],
      ['SMOVE', 'a', 'b', '1'],
      ['SMOVE', 'a', 'b', '1'],
      ['SMOVE', 'a', 'b', 'nope'],
      ['SMOVE', 'nokey', 'b', '1'],
      ['SMOVE', 'a', 'a', '2'],
      ['SMOVE', 'a', 'a', 'nope'],
      ['SMOVE', 'a', 'c', 'x'],
      ['OBJECT', 'ENCODING', 'c'],
      ['SMOVE', 'a', 'd', '2'],
      ['OBJECT', 'ENCODING', 'd'],
      ['EXISTS', 'a'],
      ['SADD', 'b', '2'],
      ['SMOVE', 'd', 'b', '2'],
      ['EXISTS', 'd'],
      ['SMEMBERS', 'b'],
      ['SMEMBERS', 'c'],
      ['SMOVE', 'b', 'c', 'y'],
      ['SMOVE', 'b', 'c'],
    ],
    loose,
  );
});

test('SINTER / SUNION / SDIFF and their STORE forms', async () => {
  await fresh(
    [
      ['SADD', 'a', '1', '2', '3', '4', '5'],
      ['SADD', 'b', '2', '3', 'x'],
      ['SADD', 'c', '3', '4', 'x', 'y'],
      ['SADD', 'd', '100'],
      ['SINTER', 'a'],
      ['SINTER', 'a', 'b'],
      ['SINTER', 'a', 'b', 'c'],
      ['SINTER', 'b', 'c'],
      ['SINTER', 'a', 'a'],
      ['SINTER', 'a', 'nokey'],
      ['SINTER', 'nokey'],
      ['SUNION', 'a', 'b'],
      ['SUNION', 'a', 'd'],
      ['SUNION', 'nokey', 'a'],
      ['SUNION', 'nokey'],
      ['SDIFF', 'a', 'b'],
      ['SDIFF', 'a', 'b', 'c'],
      ['SDIFF', 'a', 'nokey'],
      ['SDIFF', 'nokey', 'a'],
      ['SDIFF', 'a', 'a'],
      ['SDIFF', 'a', 'b', 'a'],
      ['SDIFF', 'b', 'a'],
      ['SDIFF', 'c', 'a', 'b'],
      ['SINTERSTORE', 'dst', 'a', 'b'],
      ['SMEMBERS', 'dst'],
      ['OBJECT', 'ENCODING', 'dst'],
      ['SINTERSTORE', 'dst', 'b', 'c'],
      ['SMEMBERS', 'dst'],
      ['OBJECT', 'ENCODING', 'dst'],
      ['SINTERSTORE', 'dst', 'a', 'nokey'],
      ['EXISTS', 'dst'],
      ['SINTERSTORE', 'dst', 'a', 'nokey'],
      ['SUNIONSTORE', 'dst', 'a', 'd'],
      ['SMEMBERS', 'dst'],
      ['OBJECT', 'ENCODING', 'dst'],
      ['SUNIONSTORE', 'dst', 'a', 'b', 'c'],
      ['OBJECT', 'ENCODING', 'dst'],
      ['SCARD', 'dst'],
      ['SUNIONSTORE', 'dst', 'nokey'],
      ['EXISTS', 'dst'],
      ['SDIFFSTORE', 'dst', 'a', 'b'],
      ['SMEMBERS', 'dst'],
      ['SDIFFSTORE', 'dst', 'b', 'b'],
      ['EXISTS', 'dst'],
      ['SDIFFSTORE', 'dst', 'c', 'a'],
      ['SMEMBERS', 'dst'],
      ['OBJECT', 'ENCODING', 'dst'],
      // the destination may be a source, and is overwritten whatever its type
      ['SUNIONSTORE', 'a', 'a', 'd'],
      ['SMEMBERS', 'a'],
      ['HSET', 'h', 'f', 'v'],
      ['SINTERSTORE', 'h', 'a', 'b'],
      ['TYPE', 'h'],
      ['SINTERSTORE', 'h', 'a', 'd'],
      ['TYPE', 'h'],
      ['SINTER'],
      ['SINTERSTORE', 'x'],
      ['SDIFFSTORE', 'x'],
    ],
    loose,
  );
});

test('SDIFFSTORE picks the same strategy as Redis (visible in the result encoding)', async () => {
  // A big hashtable of integers minus most of it: removing from a copy keeps the hashtable,
  // filtering builds an intset.
  await fresh(
    [
      ['SADD', 'big', ...range(0, 600)],
      ['OBJECT', 'ENCODING', 'big'],
      ['SADD', 'most', ...range(0, 590)],
      ['SADD', 'few', '1', '2'],
      ['SDIFFSTORE', 'r1', 'big', 'most'],
      ['OBJECT', 'ENCODING', 'r1'],
      ['SMEMBERS', 'r1'],
      ['SDIFFSTORE', 'r2', 'big', 'few'],
      ['OBJECT', 'ENCODING', 'r2'],
      ['SCARD', 'r2'],
      ['SDIFFSTORE', 'r3', 'big', 'few', 'few', 'few', 'few'],
      ['OBJECT', 'ENCODING', 'r3'],
      ['SINTERSTORE', 'r4', 'big', 'most'],
      ['OBJECT', 'ENCODING', 'r4'],
      ['SUNIONSTORE', 'r5', 'few', 'few'],
      ['OBJECT', 'ENCODING', 'r5'],
      // many small sets: Redis copies the first and removes (hashtable result of 500 ints)
      ['SADD', 'p1', ...range(0, 20)],
      ['SADD', 'p2', ...range(20, 40)],
      ['SADD', 'p3', ...range(40, 60)],
      ['SADD', 'p4', ...range(60, 80)],
      ['SADD', 'p5', ...range(80, 100)],
      ['SDIFFSTORE', 'r6', 'big', 'p1', 'p2', 'p3', 'p4', 'p5'],
      ['SCARD', 'r6'],
      ['OBJECT', 'ENCODING', 'r6'],
      ['SDIFFSTORE', 'r7', 'big', 'most', 'p1'],
      ['OBJECT', 'ENCODING', 'r7'],
    ],
    loose,
  );
});

test('SINTERCARD: LIMIT and argument errors', async () => {
  await fresh([
    ['SADD', 'a', '1', '2', '3', '4', '5'],
    ['SADD', 'b', '2', '3', '4', '5', 'x'],
    ['SINTERCARD', '2', 'a', 'b'],
    ['SINTERCARD', '1', 'a'],
    ['SINTERCARD', '2', 'a', 'b', 'LIMIT', '2'],
    ['SINTERCARD', '2', 'a', 'b', 'limit', '0'],
    ['SINTERCARD', '2', 'a', 'b', 'LIMIT', '100'],
    ['SINTERCARD', '2', 'a', 'nokey'],
    ['SINTERCARD', '2', 'a', 'a'],
    ['SINTERCARD', '0', 'a'],
    ['SINTERCARD', '-1', 'a'],
    ['SINTERCARD', 'x', 'a'],
    ['SINTERCARD', '3', 'a', 'b'],
    ['SINTERCARD', '2', 'a', 'b', 'LIMIT', '-1'],
    ['SINTERCARD', '2', 'a', 'b', 'LIMIT', 'x'],
    ['SINTERCARD', '2', 'a', 'b', 'LIMIT'],
    ['SINTERCARD', '2', 'a', 'b', 'FOO', '1'],
    ['SINTERCARD', '1', 'a', 'b'],
    ['SINTERCARD', '1'],
    ['COMMAND', 'GETKEYS', 'SINTERCARD', '2', 'a', 'b', 'LIMIT', '1'],
  ]);
});

test('SPOP: errors, counts, deletion of the emptied key', async () => {
  await fresh([
    ['SPOP', 'nokey'],
    ['SPOP', 'nokey', '3'],
    ['SPOP', 'nokey', '-1'],
    ['SADD', 's', '1', '2', '3'],
    ['SPOP', 's', '0'],
    ['SPOP', 's', '-1'],
    ['SPOP', 's', 'x'],
    ['SPOP', 's', '1.5'],
    ['SPOP', 's', '9223372036854775808'],
    ['SPOP', 's', '1', '2'],
    ['SCARD', 's'],
    ['SPOP', 's', '3'],
    ['EXISTS', 's'],
    ['SADD', 's', '1', '2', '3'],
    ['SPOP', 's', '9223372036854775807'],
    ['EXISTS', 's'],
    ['SADD', 'one', 'x'],
    ['SPOP', 'one'],
    ['EXISTS', 'one'],
  ]);
});

test('SPOP: shapes, membership and the rebuilt set (listing what is left like Redis)', async () => {
  for (const [members, count] of [
    [range(0, 20), 3],
    [range(0, 20), 18],
    [range(0, 20, 'm'), 4],
    [range(0, 20, 'm'), 19],
    [range(0, 600), 550],
    [range(0, 600), 10],
  ] as [string[], number][]) {
    await fresh([['SADD', 's', ...members]]);
    const [ra, rb] = await both('SPOP', 's', count);
    for (const r of [ra, rb]) {
      const got = plain(r) as string[];
      assert.equal(got.length, count);
      assert.equal(new Set(got).size, count);
      for (const m of got) assert.ok(members.includes(m));
    }
    const left = plain(await pair.b.call('SMEMBERS', 's')) as string[];
    const popped = plain(rb) as string[];
    assert.deepEqual([...left, ...popped].sort(), [...members].sort());
    // The survivors may have been moved to a new set whose encoding follows its own content.
    await same(pair, [['SCARD', 's'], ['OBJECT', 'ENCODING', 's']]);
  }
});

test('SRANDMEMBER: errors, shapes, uniqueness, membership and fairness', async () => {
  await fresh([
    ['SRANDMEMBER', 'nokey'],
    ['SRANDMEMBER', 'nokey', '5'],
    ['SRANDMEMBER', 'nokey', '-5'],
    ['SADD', 's', '1', '2', '3'],
    ['SRANDMEMBER', 's', '0'],
    ['SRANDMEMBER', 's', '3'],
    ['SRANDMEMBER', 's', '10'],
    ['SRANDMEMBER', 's', 'x'],
    ['SRANDMEMBER', 's', '-9223372036854775808'],
    ['SRANDMEMBER', 'nokey', 'x'],
    ['SRANDMEMBER', 's', '1', '2'],
  ]);
  await same(pair, [['SADD', 'small', ...range(0, 10, 'm')], ['SADD', 'ints', ...range(0, 10)], ['SADD', 'big', ...range(0, 100, 'm')]]);
  for (const [key, size] of [['small', 10], ['ints', 10], ['big', 100]] as const) {
    for (const count of [1, 2, 4, 9, 40, 99, 150, -1, -7, -300]) {
      const [ra, rb] = await both('SRANDMEMBER', key, count);
      for (const r of [ra, rb]) {
        assert.equal(r.t, 'array');
        const got = plain(r) as string[];
        assert.equal(got.length, count < 0 ? -count : Math.min(count, size));
        for (const m of got) assert.match(m, key === 'ints' ? /^\d$/ : /^m\d+$/);
        if (count > 0) assert.equal(new Set(got).size, got.length);
      }
    }
    const [a, b] = await both('SRANDMEMBER', key);
    assert.equal(a.t, 'bulk');
    assert.equal(b.t, 'bulk');
  }
  const picks = plain(await pair.b.call('SRANDMEMBER', 'ints', '-10000')) as string[];
  const counts = new Map<string, number>();
  for (const m of picks) counts.set(m, (counts.get(m) ?? 0) + 1);
  for (let i = 0; i < 10; i++) assert.ok((counts.get(String(i)) ?? 0) > 800, `member ${i} picked ${counts.get(String(i))} times of 10000`);
});

test('SSCAN: intset and small sets in one call, MATCH, option errors', async () => {
  await fresh([
    ['SADD', 'i', '5', '3', '10', '1'],
    ['SSCAN', 'i', '0'],
    ['SSCAN', 'i', '0', 'MATCH', '1*'],
    ['SSCAN', 'i', '0', 'COUNT', '1'],
    ['SSCAN', 'i', '0', 'COUNT', '0'],
    ['SSCAN', 'i', '0', 'COUNT', 'x'],
    ['SSCAN', 'i', '0', 'TYPE', 'set'],
    ['SSCAN', 'i', '0', 'MATCH'],
    ['SSCAN', 'i', 'abc'],
    ['SSCAN', 'nokey', '0'],
    ['SSCAN', 'nokey', '0', 'BAD'],
    ['SADD', 'h', 'a', 'b', 'c'],
    ['SSCAN', 'h', '0', 'COUNT', '100'],
  ], loose);
});

test('SSCAN over a hashtable: a full iteration returns every member', async () => {
  await fresh([['SADD', 'big', ...range(0, 1000, 'm:')]]);
  for (const c of [pair.a, pair.b]) {
    const seen = new Set<string>();
    let cursor = '0';
    let calls = 0;
    do {
      const r = plain(await c.call('SSCAN', 'big', cursor, 'COUNT', '40', 'MATCH', 'm:*')) as [string, string[]];
      cursor = r[0];
      for (const m of r[1]) seen.add(m);
      calls++;
    } while (cursor !== '0' && calls < 10000);
    assert.equal(seen.size, 1000);
    assert.ok(calls > 5);
  }
});

test('RESP3: set replies for SMEMBERS, SINTER, SUNION, SDIFF, SPOP with count; arrays for SRANDMEMBER', async () => {
  await fresh([['SADD', 'a', '1', '2', '3'], ['SADD', 'b', '2', '3', '4']]);
  await resp(3);
  try {
    await same(
      pair,
      [
        ['SMEMBERS', 'a'],
        ['SMEMBERS', 'nokey'],
        ['SINTER', 'a', 'b'],
        ['SINTER', 'a', 'nokey'],
        ['SUNION', 'a', 'b'],
        ['SDIFF', 'a', 'b'],
        ['SDIFF', 'nokey', 'b'],
        ['SMISMEMBER', 'a', '1', '9'],
        ['SRANDMEMBER', 'a', '5'],
        ['SRANDMEMBER', 'nokey', '5'],
        ['SRANDMEMBER', 'nokey'],
        ['SPOP', 'nokey'],
        ['SPOP', 'nokey', '2'],
        ['SPOP', 'a', '0'],
        ['SPOP', 'a', '10'],
        ['SSCAN', 'b', '0'],
      ],
      loose,
    );
    await same(pair, [['SADD', 'c', ...range(0, 10)]]);
    const [x, y] = await both('SPOP', 'c', '3');
    assert.equal(x.t, 'set');
    assert.equal(y.t, 'set');
  } finally {
    await resp(2);
  }
});

test('keyspace commands on sets: COPY (deep, same encoding), RENAME, TYPE, DEL', async () => {
  await fresh(
    [
      ['SADD', 'i', '3', '1', '2'],
      ['SADD', 'h', 'a', 'b', 'c'],
      ['COPY', 'i', 'i2'],
      ['COPY', 'h', 'h2'],
      ['OBJECT', 'ENCODING', 'i2'],
      ['OBJECT', 'ENCODING', 'h2'],
      ['SADD', 'i2', '4'],
      ['SREM', 'h2', 'a'],
      ['SMEMBERS', 'i'],
      ['SMEMBERS', 'i2'],
      ['SMEMBERS', 'h'],
      ['SMEMBERS', 'h2'],
      ['RENAME', 'i2', 'r'],
      ['TYPE', 'r'],
      ['SMEMBERS', 'r'],
      ['DEL', 'r', 'h2'],
      ['EXISTS', 'r', 'h2'],
    ],
    loose,
  );
});

test('command metadata', async () => {
  const names = ['sadd', 'srem', 'smembers', 'sismember', 'smismember', 'scard', 'spop', 'srandmember', 'smove', 'sinter', 'sintercard', 'sinterstore', 'sunion', 'sunionstore', 'sdiff', 'sdiffstore', 'sscan'];
  await same(pair, [['COMMAND', 'INFO', ...names]], (r) => ({ t: 'bulk', v: JSON.stringify((plain(r) as unknown[][]).map((x) => x.slice(0, 8))) }));
  await same(pair, [
    ['COMMAND', 'GETKEYS', 'SMOVE', 'a', 'b', 'm'],
    ['COMMAND', 'GETKEYS', 'SINTERSTORE', 'd', 'a', 'b'],
    ['COMMAND', 'GETKEYS', 'SUNION', 'a', 'b', 'c'],
  ]);
});

// ---------------------------------------------------------------- propagation and dirty

test('propagation: SPOP as SREM (one per member) or DEL, SMOVE as is; dirty counts members', () =>
  withPropagationLog(async (run) => {
    assert.deepEqual(await run('SADD', 's', 'a', 'b', 'a'), { reply: 2, prop: [['0', 'SADD', 's', 'a', 'b', 'a']], dirty: 2 });
    assert.deepEqual(await run('SADD', 's', 'a'), { reply: 0, prop: [], dirty: 0 });
    let r = await run('SPOP', 's');
    assert.equal(r.dirty, 1);
    assert.deepEqual(r.prop, [['0', 'SREM', 's', r.reply as string]]);
    assert.deepEqual(await run('SPOP', 's', '0'), { reply: [], prop: [], dirty: 0 });
    r = await run('SPOP', 's', '5');
    assert.equal(r.dirty, 1);
    assert.deepEqual(r.prop, [['0', 'DEL', 's']]);

    await run('SADD', 's', ...range(0, 20));
    r = await run('SPOP', 's', '3');
    const popped = r.reply as string[];
    assert.equal(r.dirty, 3);
    assert.deepEqual(r.prop, [['0', 'MULTI'], ...popped.map((m) => ['0', 'SREM', 's', m]), ['0', 'EXEC']]);
    r = await run('SPOP', 's', '15');
    assert.equal(r.dirty, 15);
    assert.deepEqual(
      r.prop.slice(1, -1).map((p) => p[3]).sort(),
      (r.reply as string[]).slice().sort(),
    );
    assert.deepEqual(await run('SCARD', 's'), { reply: 2, prop: [], dirty: 0 });

    await run('SADD', 'x', '1', '2');
    assert.deepEqual(await run('SMOVE', 'x', 'y', '1'), { reply: 1, prop: [['0', 'SMOVE', 'x', 'y', '1']], dirty: 2 });
    assert.deepEqual(await run('SMOVE', 'x', 'y', '9'), { reply: 0, prop: [], dirty: 0 });
    assert.deepEqual(await run('SINTERSTORE', 'z', 'nokey'), { reply: 0, prop: [], dirty: 0 });
    assert.deepEqual(await run('SUNIONSTORE', 'z', 'x', 'y'), { reply: 2, prop: [['0', 'SUNIONSTORE', 'z', 'x', 'y']], dirty: 1 });
    assert.deepEqual(await run('SINTERSTORE', 'z', 'nokey'), { reply: 0, prop: [['0', 'SINTERSTORE', 'z', 'nokey']], dirty: 1 });
  }));
