/** DUMP/RESTORE: payloads cross between redis-server and reddish both ways; errors match. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPair, same, type Pair } from '../helpers/differential.js';
import { plain, type Reply } from '../helpers/resp.js';

let pair: Pair;
before(async () => {
  pair = await startPair(['--enable-debug-command', 'yes']);
});
after(async () => {
  await pair.close();
});

const setup: (string | number)[][] = [
  ['FLUSHALL'],
  ['SET', 's', 'hello world'],
  ['SET', 'n', '42'],
  ['SET', 'long', 'abc'.repeat(100)],
  ['RPUSH', 'l', 'a', 'b', '3'],
  ['SADD', 'is', '1', '2', '3'],
  ['SADD', 'ss', 'x', 'y'],
  ['HSET', 'h', 'f', 'v', 'g', 'w'],
  ['ZADD', 'z', '1.5', 'a', '-2', 'b'],
];
const keys = ['s', 'n', 'long', 'l', 'is', 'ss', 'h', 'z'];

test('payloads from each server restore on the other with the same value digest', async () => {
  await same(pair, setup);
  for (const [from, to] of [
    [pair.a, pair.b],
    [pair.b, pair.a],
  ]) {
    for (const k of keys) {
      const payload = (await from.call('DUMP', k)) as Reply & { v: string };
      assert.equal(payload.t, 'bulk');
      assert.equal(plain(await to.call('RESTORE', `copy:${k}`, '0', Buffer.from(payload.v, 'latin1'), 'REPLACE')), 'OK');
      const [d1, d2] = [plain(await from.call('DEBUG', 'DIGEST-VALUE', k)), plain(await to.call('DEBUG', 'DIGEST-VALUE', `copy:${k}`))];
      assert.deepEqual(d2, d1, k);
    }
  }
});

test('RESTORE errors and options match Redis', async () => {
  await same(pair, setup);
  const payload = ((await pair.a.call('DUMP', 's')) as { v: string }).v;
  const corrupt = payload.slice(0, -1) + String.fromCharCode(payload.charCodeAt(payload.length - 1) ^ 1);
  await same(pair, [
    ['DUMP', 'missing'],
    ['RESTORE', 's', '0', payload],
    ['RESTORE', 'new', '-1', payload],
    ['RESTORE', 'new', 'abc', payload],
    ['RESTORE', 'new', '0', corrupt],
    ['RESTORE', 'new', '0', 'garbage'],
    ['RESTORE', 'new', '0', payload, 'FOO'],
    ['RESTORE', 'new', '0', payload, 'IDLETIME', '-1'],
    ['RESTORE', 'new', '0', payload, 'FREQ', '256'],
    ['RESTORE', 'new', '0', payload, 'IDLETIME', '10', 'FREQ', '5'],
    ['RESTORE', 'new', '0', payload, 'IDLETIME', '100'],
    ['GET', 'new'],
    ['RESTORE', 'ttl', '100000', payload],
    ['RESTORE', 'gone', '1', payload, 'ABSTTL'],
    ['EXISTS', 'gone'],
    ['RESTORE', 's', '1', payload, 'REPLACE', 'ABSTTL'],
    ['EXISTS', 's'],
  ]);
  const ttl = [plain(await pair.a.call('PTTL', 'ttl')), plain(await pair.b.call('PTTL', 'ttl'))] as number[];
  for (const t of ttl) assert.ok(t > 90000 && t <= 100000);
});
