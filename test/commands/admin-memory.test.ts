/**
 * The sysadmin's memory and test-data tools against redis-server 7.0.15: MEMORY USAGE does not
 * count a key's expiry, MEMORY STATS has Redis's fields, order and reply types in RESP2 and
 * RESP3 (the figures themselves are the allocator's and differ), and DEBUG POPULATE makes the
 * same keys and values with the same replies.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { hasRedisServer } from '../helpers/servers.js';
import { startPair, same, unordered, type Pair } from '../helpers/differential.js';
import { RespClient, type Reply } from '../helpers/resp.js';

const skip = hasRedisServer() ? false : 'redis-server is not installed';
let pair: Pair;

before(async () => {
  if (!skip) pair = await startPair(['--enable-debug-command', 'yes']);
});
after(async () => {
  await pair?.close();
});

test('MEMORY USAGE: an expiry does not change the figure (as 7.0), PERSIST neither', { skip }, async () => {
  await same(pair, [['FLUSHALL'], ['SET', 'k', 'some value'], ['HSET', 'h', 'f', 'v'], ['RPUSH', 'l', 'a', 'b']]);
  for (const key of ['k', 'h', 'l']) {
    for (const c of [pair.a, pair.b]) {
      const before = await c.call('MEMORY', 'USAGE', key);
      await c.call('EXPIRE', key, '1000');
      const withTtl = await c.call('MEMORY', 'USAGE', key);
      await c.call('PERSIST', key);
      const after = await c.call('MEMORY', 'USAGE', key);
      assert.equal(before.t, 'int');
      assert.deepEqual(withTtl, before, `MEMORY USAGE ${key} with an expiry`);
      assert.deepEqual(after, before);
    }
  }
  await same(pair, [['MEMORY', 'USAGE', 'nokey'], ['MEMORY', 'USAGE', 'k', 'SAMPLES', '0'], ['MEMORY', 'USAGE', 'k', 'SAMPLES'], ['MEMORY', 'USAGE', 'k', 'SAMPLES', '-1'], ['MEMORY', 'USAGE', 'k', 'SAMPLES', 'x']], (r) =>
    r.t === 'int' ? { t: 'int', v: 'N' } : r,
  );
});

/** MEMORY STATS with each value replaced by its reply type (maps keep their field names). */
function shape(r: Reply): unknown {
  if (r.t === 'map') return r.v.map(([k, v]) => [(k as { v: string }).v, shape(v)]);
  if (r.t === 'array') {
    const out: unknown[] = [];
    for (let i = 0; i < r.v.length; i += 2) out.push([(r.v[i] as { v: string }).v, shape(r.v[i + 1])]);
    return out;
  }
  // A RESP2 double is a bulk string: tell it from a name by the number inside.
  if (r.t === 'bulk') return /^-?[\d.]+(e[-+]\d+)?$/.test(r.v) ? 'bulk-number' : 'bulk';
  return r.t;
}

test('MEMORY STATS: same fields, order and reply types in RESP2 and RESP3, empty and with keys', { skip }, async () => {
  const a3 = await RespClient.connect(pair.redis.port);
  const b3 = await RespClient.connect(pair.reddish.port);
  try {
    await Promise.all([a3.call('HELLO', '3'), b3.call('HELLO', '3')]);
    for (const setup of [[['FLUSHALL']], [['SET', 'k', 'v'], ['EXPIRE', 'k', '100'], ['SELECT', '3'], ['SET', 'j', 'w'], ['SELECT', '0']]]) {
      await same(pair, setup);
      for (const [a, b] of [
        [pair.a, pair.b],
        [a3, b3],
      ]) {
        const [ra, rb] = await Promise.all([a.call('MEMORY', 'STATS'), b.call('MEMORY', 'STATS')]);
        assert.deepEqual(shape(rb), shape(ra));
      }
    }
    // The percentages are doubles (RESP2: bulk strings) even when they are whole numbers.
    const r2 = (await pair.b.call('MEMORY', 'STATS')) as { t: 'array'; v: Reply[] };
    const at = (name: string) => r2.v[r2.v.findIndex((x) => x.t === 'bulk' && x.v === name) + 1];
    for (const f of ['dataset.percentage', 'peak.percentage', 'allocator-rss.ratio', 'fragmentation']) assert.equal(at(f).t, 'bulk', f);
    const r3 = (await b3.call('MEMORY', 'STATS')) as { t: 'map'; v: [Reply, Reply][] };
    const db3 = r3.v.find(([k]) => k.t === 'bulk' && k.v === 'db.3');
    assert.ok(db3, 'db.3 map');
    assert.deepEqual(
      (db3[1] as { t: 'map'; v: [Reply, Reply][] }).v.map(([k]) => (k as { v: string }).v),
      ['overhead.hashtable.main', 'overhead.hashtable.expires', 'overhead.hashtable.slot-to-keys'],
    );
  } finally {
    a3.close();
    b3.close();
    await same(pair, [['FLUSHALL']]);
  }
});

test('MEMORY DOCTOR on an empty instance and an unknown subcommand: same text', { skip }, async () => {
  await same(pair, [['FLUSHALL'], ['MEMORY', 'DOCTOR'], ['MEMORY', 'NOSUCH']]);
});

test('DEBUG POPULATE: key names, padded and truncated values, existing keys kept, replies', { skip }, async () => {
  const steps: (string | number)[][] = [
    ['FLUSHALL'],
    ['DEBUG', 'POPULATE', '5'],
    ['DBSIZE'],
    ['MGET', 'key:0', 'key:1', 'key:4', 'key:5'],
    ['SET', 'key:7', 'mine'],
    ['DEBUG', 'POPULATE', '10'],
    ['DBSIZE'],
    ['GET', 'key:7'],
    ['GET', 'key:9'],
    ['DEBUG', 'POPULATE', '3', 'foo', '3'],
    ['MGET', 'foo:0', 'foo:1', 'foo:2'],
    ['DEBUG', 'POPULATE', '2', 'pad', '12'],
    ['GET', 'pad:0'],
    ['STRLEN', 'pad:1'],
    ['DEBUG', 'POPULATE', '2', '', '7'],
    ['GET', ':1'],
    ['DEBUG', 'POPULATE', '0'],
    ['DEBUG', 'POPULATE', '-1'],
    ['DEBUG', 'POPULATE', 'x'],
    ['DEBUG', 'POPULATE', '2', 'p', '-1'],
    ['DEBUG', 'POPULATE', '2', 'p', 'x'],
    ['DEBUG', 'POPULATE', '2', 'p', '0'],
    ['GET', 'p:0'],
    ['DEBUG', 'POPULATE'],
    ['DEBUG', 'POPULATE', '1', 'a', '1', 'extra'],
    ['TYPE', 'key:3'],
    ['OBJECT', 'ENCODING', 'key:3'],
    ['OBJECT', 'ENCODING', 'pad:0'],
    ['KEYS', 'foo:*'],
    ['SELECT', '2'],
    ['DEBUG', 'POPULATE', '3', 'db2'],
    ['DBSIZE'],
    ['SELECT', '0'],
    ['DBSIZE'],
  ];
  await same(pair, steps, unordered);
});
