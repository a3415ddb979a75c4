/**
 * String commands, differential against redis-server: every reply (type and content) must be
 * identical. Tests that need what reddish cannot do from the outside yet (a non-string key for
 * WRONGTYPE, reading a TTL, observing what is propagated to replicas) run against an embedded
 * reddish, whose keyspace and propagation hook are reachable, next to a spawned redis-server.
 */
import { ListValue } from '../../src/store/list.js';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startPair, same, type Pair, type Step } from '../helpers/differential.js';
import { RespClient, parseReply, plain, type Reply } from '../helpers/resp.js';
import { startServer, type SpawnedServer } from '../helpers/servers.js';
import { startServer as startEmbedded, type RunningServer } from '../../src/index.js';
import { ValueType, type RedisValue } from '../../src/store/values.js';

let pair: Pair;
let mixed: Mixed;

before(async () => {
  [pair, mixed] = await Promise.all([startPair(), startMixed()]);
});

after(async () => {
  await Promise.all([pair?.close(), mixed?.close()]);
});

/** Runs the steps on both servers after emptying them. */
async function fresh(steps: Step[], p: Pair = pair): Promise<Reply[]> {
  await same(p, [['FLUSHALL']]);
  return same(p, steps);
}

// ---------------------------------------------------------------- embedded reddish + redis

interface Mixed {
  pair: Pair;
  srv: RunningServer;
  redis: SpawnedServer;
  /** What the embedded reddish propagated (argv per command), since the last reset. */
  propagated: string[][];
  close(): Promise<void>;
}

async function startMixed(): Promise<Mixed> {
  const [redis, srv] = await Promise.all([startServer('redis'), startEmbedded({ port: 0, config: { save: '' } })]);
  const [a, b] = await Promise.all([RespClient.connect(redis.port), RespClient.connect(srv.port)]);
  const propagated: string[][] = [];
  srv.server.propagator = { propagate: (_db, argv) => void propagated.push([...argv]) };
  const close = async () => {
    a.close();
    b.close();
    await Promise.all([redis.stop(), srv.close()]);
  };
  const p = { redis, reddish: redis, a, b, close } as Pair;
  return { pair: p, srv, redis, propagated, close };
}

/** A list at `key` on both servers (LPUSH on redis; reddish gets a non-string value directly). */
async function makeList(m: Mixed, key: string): Promise<void> {
  assert.deepEqual(plain(await m.pair.a.call('RPUSH', key, 'x')), 1);
  const fake: RedisValue = ListValue.from(['x']);
  m.srv.server.keyspace.dbs[0].set(key, fake);
}

/** Remaining TTL in ms on both servers: [redis, reddish] (-1 no TTL, -2 no key). */
async function pttl(m: Mixed, key: string): Promise<[number, number]> {
  const r = Number(plain(await m.pair.a.call('PTTL', key)));
  const db = m.srv.server.keyspace.dbs[0];
  let mine: number;
  if (!db.dict.has(key)) mine = -2;
  else {
    const when = db.getExpire(key);
    mine = when === undefined ? -1 : when - Date.now();
  }
  return [r, mine];
}

function assertTtlNear([r, mine]: [number, number], expected: number, slack = 3000): void {
  assert.ok(Math.abs(r - expected) <= slack, `redis PTTL ${r}, expected about ${expected}`);
  assert.ok(Math.abs(mine - expected) <= slack, `reddish PTTL ${mine}, expected about ${expected}`);
}

// ---------------------------------------------------------------- basics

test('SET / GET basics, overwrite, empty and binary-safe values', async () => {
  const all = Buffer.alloc(256);
  for (let i = 0; i < 256; i++) all[i] = i;
  const bin = all.toString('latin1');
  await fresh([
    ['GET', 'nope'],
    ['SET', 'k', 'v'],
    ['GET', 'k'],
    ['SET', 'k', 'other'],
    ['GET', 'k'],
    ['SET', 'empty', ''],
    ['GET', 'empty'],
    ['STRLEN', 'empty'],
    ['SET', 'bin', bin],
    ['GET', 'bin'],
    ['STRLEN', 'bin'],
    ['SET', bin, 'binary key'],
    ['GET', bin],
    ['SET', 'crlf', 'a\r\nb\r\n'],
    ['GET', 'crlf'],
    ['SET', 'big', 'x'.repeat(300000)],
    ['STRLEN', 'big'],
    ['GET', 'big'],
    ['SET', 'num', '12345'],
    ['GET', 'num'],
    ['get', 'k'],
    ['GeT', 'k'],
    ['GET'],
    ['GET', 'a', 'b'],
    ['SET', 'k'],
    ['STRLEN'],
    ['STRLEN', 'nope'],
  ]);
});

test('SET options: NX XX GET KEEPTTL and their combinations', async () => {
  await fresh([
    ['SET', 'k', '1', 'NX'],
    ['SET', 'k', '2', 'NX'],
    ['GET', 'k'],
    ['SET', 'k', '3', 'XX'],
    ['GET', 'k'],
    ['SET', 'missing', '3', 'XX'],
    ['GET', 'missing'],
    ['SET', 'k', '4', 'GET'],
    ['SET', 'new', '1', 'GET'],
    ['GET', 'new'],
    ['SET', 'k', '5', 'NX', 'GET'],
    ['GET', 'k'],
    ['SET', 'nx', '5', 'NX', 'GET'],
    ['GET', 'nx'],
    ['SET', 'k', '6', 'XX', 'GET'],
    ['SET', 'absent', '6', 'XX', 'GET'],
    ['GET', 'absent'],
    ['SET', 'k', '7', 'GET', 'GET', 'get'],
    ['SET', 'k', '8', 'nx', 'nx'],
    ['SET', 'k', '8', 'xx', 'xx'],
    ['SET', 'k', '9', 'KEEPTTL'],
    ['SET', 'k', '9', 'keepttl', 'KEEPTTL', 'xx', 'get'],
    ['GET', 'k'],
  ]);
});

test('SET option conflicts and expire argument errors', async () => {
  await fresh([
    ['SET', 'k', 'v', 'NX', 'XX'],
    ['SET', 'k', 'v', 'XX', 'NX'],
    ['SET', 'k', 'v', 'EX', '10', 'PX', '100'],
    ['SET', 'k', 'v', 'PX', '100', 'EX', '10'],
    ['SET', 'k', 'v', 'EX', '10', 'EXAT', '100'],
    ['SET', 'k', 'v', 'PXAT', '100', 'EXAT', '100'],
    ['SET', 'k', 'v', 'EX', '10', 'KEEPTTL'],
    ['SET', 'k', 'v', 'KEEPTTL', 'EX', '10'],
    ['SET', 'k', 'v', 'KEEPTTL', 'PXAT', '10'],
    ['SET', 'k', 'v', 'PERSIST'],
    ['SET', 'k', 'v', 'EX'],
    ['SET', 'k', 'v', 'PX'],
    ['SET', 'k', 'v', 'EXAT'],
    ['SET', 'k', 'v', 'NX', 'EX'],
    ['SET', 'k', 'v', 'FOO'],
    ['SET', 'k', 'v', 'EX', 'ten'],
    ['SET', 'k', 'v', 'EX', '10.5'],
    ['SET', 'k', 'v', 'EX', '0'],
    ['SET', 'k', 'v', 'EX', '-1'],
    ['SET', 'k', 'v', 'PX', '0'],
    ['SET', 'k', 'v', 'PX', '-100'],
    ['SET', 'k', 'v', 'EXAT', '0'],
    ['SET', 'k', 'v', 'PXAT', '-1'],
    ['SET', 'k', 'v', 'EX', '9223372036854775807'],
    ['SET', 'k', 'v', 'EX', '9223372036854776'],
    ['SET', 'k', 'v', 'EX', '9223372036854775'],
    ['SET', 'k', 'v', 'EXAT', '9223372036854776'],
    ['SET', 'k', 'v', 'PX', '9223372036854775807'],
    ['SET', 'k', 'v', 'PX', '9223372036854775808'],
    ['SET', 'k', 'v', 'EX', '01'],
    ['SET', 'k', 'v', 'EX', ' 1'],
    ['GET', 'k'],
    ['SET', 'k', 'v', 'EX', '100', 'EX', '200'],
    ['SET', 'k', 'v', 'ex', '100', 'nx'],
    ['SET', 'k2', 'v', 'px', '100000', 'xx'],
    ['GET', 'k2'],
    ['SET', 'k', 'v2', 'EXAT', '9223372036854775', 'GET'],
    ['SET', 'k', 'v3', 'PXAT', '9223372036854775807'],
    ['GET', 'k'],
  ]);
});

test('SET with an absolute time in the past stores a key that is already expired', async () => {
  await fresh([
    ['SET', 'k', 'v', 'EXAT', '1'],
    ['GET', 'k'],
    ['GET', 'k'],
    ['SET', 'k', 'v', 'PXAT', '1000', 'GET'],
    ['GET', 'k'],
  ]);
});

test('SET EX/PX/EXAT/PXAT/KEEPTTL set or keep the TTL', async () => {
  const p = mixed.pair;
  await fresh([['SET', 'ex', 'v', 'EX', '100']], p);
  assertTtlNear(await pttl(mixed, 'ex'), 100000);
  await same(p, [['SET', 'px', 'v', 'PX', '50000']]);
  assertTtlNear(await pttl(mixed, 'px'), 50000);
  const at = Math.floor(Date.now() / 1000) + 200;
  await same(p, [['SET', 'exat', 'v', 'EXAT', String(at)]]);
  assertTtlNear(await pttl(mixed, 'exat'), at * 1000 - Date.now());
  const pat = Date.now() + 300000;
  await same(p, [['SET', 'pxat', 'v', 'PXAT', String(pat)]]);
  assertTtlNear(await pttl(mixed, 'pxat'), 300000);
  // KEEPTTL keeps it, a plain SET drops it, GETSET drops it.
  await same(p, [['SET', 'ex', 'w', 'KEEPTTL'], ['GET', 'ex']]);
  assertTtlNear(await pttl(mixed, 'ex'), 100000);
  await same(p, [['SET', 'ex', 'w']]);
  assert.deepEqual(await pttl(mixed, 'ex'), [-1, -1]);
  await same(p, [['SETEX', 'sx', '100', 'v'], ['GETSET', 'sx', 'new']]);
  assert.deepEqual(await pttl(mixed, 'sx'), [-1, -1]);
  // SET NX failing does not touch the TTL; SET XX GET replaces it.
  await same(p, [['SET', 'px', 'z', 'NX', 'EX', '5'], ['GET', 'px']]);
  assertTtlNear(await pttl(mixed, 'px'), 50000);
  await same(p, [['SET', 'px', 'z', 'XX', 'GET', 'EX', '5'], ['GET', 'px']]);
  assertTtlNear(await pttl(mixed, 'px'), 5000);
  // Short expiries really expire.
  await same(p, [['SET', 'short', 'v', 'PX', '30'], ['PSETEX', 'short2', '30', 'v']]);
  await new Promise((r) => setTimeout(r, 80));
  await same(p, [['GET', 'short'], ['GET', 'short2'], ['STRLEN', 'short2']]);
});

test('SETNX SETEX PSETEX', async () => {
  await fresh([
    ['SETNX', 'k', '1'],
    ['SETNX', 'k', '2'],
    ['GET', 'k'],
    ['SETNX', 'k'],
    ['SETEX', 'e', '100', 'v'],
    ['GET', 'e'],
    ['SETEX', 'e', '0', 'v'],
    ['SETEX', 'e', '-5', 'v'],
    ['SETEX', 'e', 'x', 'v'],
    ['SETEX', 'e', '9223372036854775807', 'v'],
    ['SETEX', 'e', '100'],
    ['PSETEX', 'p', '100000', 'v'],
    ['GET', 'p'],
    ['PSETEX', 'p', '0', 'v'],
    ['PSETEX', 'p', '-1', 'v'],
    ['PSETEX', 'p', 'abc', 'v'],
    ['PSETEX', 'p', '9223372036854775807', 'v'],
  ]);
  assertTtlNear(await pttl(mixed, 'nothing'), -2, 0);
  await fresh([['SETEX', 'e', '100', 'v'], ['PSETEX', 'p', '20000', 'v']], mixed.pair);
  assertTtlNear(await pttl(mixed, 'e'), 100000);
  assertTtlNear(await pttl(mixed, 'p'), 20000);
});

test('GETEX options, conflicts and errors', async () => {
  await fresh([
    ['GETEX', 'missing'],
    ['GETEX', 'missing', 'EX', '0'],
    ['GETEX', 'missing', 'EX', 'abc'],
    ['GETEX', 'missing', 'FOO'],
    ['SET', 'k', 'v'],
    ['GETEX', 'k'],
    ['GETEX', 'k', 'EX', '100'],
    ['GETEX', 'k', 'PX', '100000'],
    ['GETEX', 'k', 'EXAT', '99999999999'],
    ['GETEX', 'k', 'PXAT', '99999999999000'],
    ['GETEX', 'k', 'PERSIST'],
    ['GETEX', 'k', 'persist', 'PERSIST'],
    ['GETEX', 'k', 'EX', '0'],
    ['GETEX', 'k', 'EX', '-1'],
    ['GETEX', 'k', 'EX', 'x'],
    ['GETEX', 'k', 'PX', '9223372036854775807'],
    ['GETEX', 'k', 'EX', '9223372036854775807'],
    ['GETEX', 'k', 'EX'],
    ['GETEX', 'k', 'NX'],
    ['GETEX', 'k', 'XX'],
    ['GETEX', 'k', 'GET'],
    ['GETEX', 'k', 'KEEPTTL'],
    ['GETEX', 'k', 'EX', '10', 'PX', '10'],
    ['GETEX', 'k', 'PERSIST', 'EX', '10'],
    ['GETEX', 'k', 'EX', '10', 'PERSIST'],
    ['GETEX', 'k', 'EXAT', '10', 'PXAT', '10'],
    ['GETEX', 'k', 'EX', '10', 'EX', '20'],
    ['GETEX'],
    ['GET', 'k'],
    ['GETEX', 'k', 'PXAT', '1'],
    ['GET', 'k'],
    ['SET', 'k', 'v'],
    ['GETEX', 'k', 'EXAT', '1'],
    ['GET', 'k'],
  ]);
});

test('GETEX sets, replaces and removes the TTL', async () => {
  const p = mixed.pair;
  await fresh([['SET', 'k', 'v'], ['GETEX', 'k', 'EX', '100']], p);
  assertTtlNear(await pttl(mixed, 'k'), 100000);
  await same(p, [['GETEX', 'k', 'PX', '20000']]);
  assertTtlNear(await pttl(mixed, 'k'), 20000);
  await same(p, [['GETEX', 'k']]);
  assertTtlNear(await pttl(mixed, 'k'), 20000);
  await same(p, [['GETEX', 'k', 'PXAT', String(Date.now() + 60000)]]);
  assertTtlNear(await pttl(mixed, 'k'), 60000);
  await same(p, [['GETEX', 'k', 'PERSIST']]);
  assert.deepEqual(await pttl(mixed, 'k'), [-1, -1]);
  await same(p, [['GETEX', 'k', 'PERSIST']]);
  assert.deepEqual(await pttl(mixed, 'k'), [-1, -1]);
});

test('GETDEL GETSET MGET', async () => {
  await fresh([
    ['GETDEL', 'missing'],
    ['SET', 'k', 'v'],
    ['GETDEL', 'k'],
    ['GETDEL', 'k'],
    ['GET', 'k'],
    ['GETSET', 'g', 'one'],
    ['GETSET', 'g', 'two'],
    ['GET', 'g'],
    ['GETSET', 'g'],
    ['MSET', 'a', '1', 'b', '2'],
    ['MGET', 'a', 'b', 'c', 'a'],
    ['MGET', 'nope'],
    ['MGET'],
  ]);
});

test('WRONGTYPE and non-string keys', async () => {
  const p = mixed.pair;
  await same(p, [['FLUSHALL']]);
  await makeList(mixed, 'list');
  await same(p, [
    ['GET', 'list'],
    ['SET', 'list', 'v', 'GET'],
    ['SET', 'list', 'v', 'NX', 'GET'],
    ['SET', 'list', 'v', 'GET', 'EX', '0'],
    ['SET', 'list', 'v', 'GET', 'EX', 'abc'],
    ['GETEX', 'list'],
    ['GETEX', 'list', 'EX', '0'],
    ['GETEX', 'list', 'FOO'],
    ['GETDEL', 'list'],
    ['GETSET', 'list', 'v'],
    ['MGET', 'list', 'nope', 'list'],
    ['APPEND', 'list', 'x'],
    ['STRLEN', 'list'],
    ['GETRANGE', 'list', '0', '-1'],
    ['GETRANGE', 'list', 'a', '-1'],
    ['SUBSTR', 'list', '0', '-1'],
    ['SETRANGE', 'list', '0', 'x'],
    ['SETRANGE', 'list', '0', ''],
    ['SETRANGE', 'list', '-1', 'x'],
    ['INCR', 'list'],
    ['DECR', 'list'],
    ['INCRBY', 'list', '5'],
    ['INCRBY', 'list', 'x'],
    ['DECRBY', 'list', '5'],
    ['DECRBY', 'list', '-9223372036854775808'],
    ['INCRBYFLOAT', 'list', '1.5'],
    ['INCRBYFLOAT', 'list', 'abc'],
    ['SET', 's', 'abc'],
    ['LCS', 'list', 's'],
    ['LCS', 's', 'list'],
    ['LCS', 'list', 'missing', 'FOO'],
    ['MSETNX', 'list', 'v', 'fresh', 'v'],
    ['GET', 'fresh'],
    ['SETNX', 'list', 'v'],
    ['SET', 'list', 'v', 'XX'],
    ['GET', 'list'],
  ]);
  // MSET, SET, SETEX overwrite a key of another type.
  await makeList(mixed, 'l2');
  await same(p, [['MSET', 'l2', 'str'], ['GET', 'l2']]);
  await makeList(mixed, 'l3');
  await same(p, [['SETEX', 'l3', '100', 'str'], ['GET', 'l3']]);
});

test('MSET MSETNX', async () => {
  await fresh([
    ['MSET', 'a', '1'],
    ['MSET', 'a', '1', 'b', '2', 'c', '3'],
    ['MGET', 'a', 'b', 'c'],
    ['MSET', 'a'],
    ['MSET', 'a', '1', 'b'],
    ['MSET', 'dup', '1', 'dup', '2'],
    ['GET', 'dup'],
    ['MSETNX', 'a', 'x', 'z', 'y'],
    ['GET', 'z'],
    ['MSETNX', 'x', '1', 'y', '2'],
    ['MGET', 'x', 'y'],
    ['MSETNX', 'n1', '1', 'n1', '2'],
    ['GET', 'n1'],
    ['MSETNX', 'q'],
    ['MSETNX', 'q', '1', 'r'],
    ['GET', 'q'],
  ]);
});

test('APPEND and STRLEN, including in-place growth', async () => {
  const steps: Step[] = [
    ['APPEND', 'k', 'hello'],
    ['APPEND', 'k', ' world'],
    ['GET', 'k'],
    ['APPEND', 'k', ''],
    ['STRLEN', 'k'],
    ['APPEND', 'e', ''],
    ['GET', 'e'],
    ['GET', 'e'],
    ['SET', 'n', '10'],
    ['APPEND', 'n', '5'],
    ['INCR', 'n'],
    ['APPEND', 'n', '\x00\xff'],
    ['GET', 'n'],
    ['INCR', 'n'],
    ['APPEND', 'k'],
  ];
  for (let i = 0; i < 200; i++) steps.push(['APPEND', 'grow', String.fromCharCode(i) + 'x'.repeat(i)]);
  steps.push(['STRLEN', 'grow'], ['GET', 'grow'], ['GETRANGE', 'grow', '1000', '1100'], ['SETRANGE', 'grow', '5', 'ZZZ'], ['GET', 'grow']);
  await fresh(steps);
});

test('string size limit (proto-max-bulk-len) for APPEND and SETRANGE', async () => {
  const mb = 1024 * 1024;
  await fresh([
    ['CONFIG', 'SET', 'proto-max-bulk-len', String(mb)],
    ['SET', 'k', 'x'.repeat(mb - 2)],
    ['APPEND', 'k', 'ab'],
    ['APPEND', 'k', 'c'],
    ['STRLEN', 'k'],
    ['SETRANGE', 'k', String(mb - 1), 'xy'],
    ['SETRANGE', 'k', String(mb - 1), 'x'],
    ['SETRANGE', 'new', String(mb), 'x'],
    ['SETRANGE', 'new', String(mb - 1), 'x'],
    ['STRLEN', 'new'],
    ['SETRANGE', 'other', String(mb * 10), ''],
    ['CONFIG', 'SET', 'proto-max-bulk-len', '536870912'],
    ['SETRANGE', 'big', '536870912', 'x'],
    ['SETRANGE', 'big', '536870911', 'xy'],
    ['SETRANGE', 'big', '9223372036854775807', 'x'],
    ['SETRANGE', 'big', '536870912', ''],
    ['GET', 'big'],
    ['SET', 'small', 'abc'],
    ['SETRANGE', 'small', '9223372036854775807', ''],
    ['SETRANGE', 'small', '9223372036854775807', 'x'],
    ['SETRANGE', 'small', '9223372036854775808', 'x'],
    ['GET', 'small'],
  ]);
});

test('GETRANGE / SUBSTR index handling', async () => {
  const steps: Step[] = [
    ['GETRANGE', 'missing', '0', '-1'],
    ['GETRANGE', 'missing', 'a', '-1'],
    ['SET', 'k', 'Hello World'],
    ['SET', 'empty', ''],
    ['SET', 'int', '1234567'],
    ['GETRANGE', 'k', 'x', '1'],
    ['GETRANGE', 'k', '0', '1.5'],
    ['GETRANGE', 'k', '0'],
    ['GETRANGE', 'k', '9223372036854775807', '9223372036854775807'],
    ['GETRANGE', 'k', '-9223372036854775808', '9223372036854775807'],
    ['GETRANGE', 'k', '0', '9223372036854775808'],
  ];
  const idx = ['0', '1', '3', '5', '10', '11', '12', '100', '-1', '-2', '-5', '-11', '-12', '-100'];
  for (const key of ['k', 'empty', 'int']) {
    for (const s of idx) for (const e of idx) steps.push(['GETRANGE', key, s, e]);
  }
  steps.push(['SUBSTR', 'k', '0', '4'], ['SUBSTR', 'k', '-5', '-1'], ['SUBSTR', 'missing', '0', '4'], ['SUBSTR', 'k', '0']);
  await fresh(steps);
});

test('SETRANGE', async () => {
  await fresh([
    ['SETRANGE', 'k', '0', 'abc'],
    ['GET', 'k'],
    ['SETRANGE', 'k', '1', 'X'],
    ['GET', 'k'],
    ['SETRANGE', 'k', '10', 'tail'],
    ['GET', 'k'],
    ['STRLEN', 'k'],
    ['SETRANGE', 'k', '2', ''],
    ['SETRANGE', 'pad', '5', 'x'],
    ['GET', 'pad'],
    ['SETRANGE', 'e', '5', ''],
    ['GET', 'e'],
    ['SETRANGE', 'k', '-1', 'x'],
    ['SETRANGE', 'k', 'x', 'x'],
    ['SETRANGE', 'k', '1.0', 'x'],
    ['SETRANGE', 'k', '0'],
    ['SET', 'n', '12345'],
    ['SETRANGE', 'n', '2', '\x00\xff'],
    ['GET', 'n'],
    ['SETRANGE', 'n', '0', '9'],
    ['INCR', 'n'],
    ['SET', 'm', '100'],
    ['SETRANGE', 'm', '0', '2'],
    ['INCR', 'm'],
    ['GET', 'm'],
  ]);
});

// ---------------------------------------------------------------- counters

test('INCR DECR INCRBY DECRBY', async () => {
  await fresh([
    ['INCR', 'c'],
    ['INCR', 'c'],
    ['DECR', 'c'],
    ['DECR', 'd'],
    ['INCRBY', 'c', '100'],
    ['INCRBY', 'c', '-1000'],
    ['DECRBY', 'c', '-7'],
    ['DECRBY', 'c', '0'],
    ['INCRBY', 'c', '0'],
    ['GET', 'c'],
    ['INCRBY', 'c', 'x'],
    ['INCRBY', 'c', '1.5'],
    ['INCRBY', 'c', ' 1'],
    ['INCRBY', 'c', '+1'],
    ['INCRBY', 'c', '01'],
    ['INCRBY', 'c', '-0'],
    ['INCRBY', 'c', ''],
    ['INCRBY', 'c', '9223372036854775808'],
    ['DECRBY', 'c', '-9223372036854775809'],
    ['DECRBY', 'c', '-9223372036854775808'],
    ['DECRBY', 'nokey', '-9223372036854775808'],
    ['INCRBY', 'c'],
    ['INCR'],
    ['SET', 's', 'abc'],
    ['INCR', 's'],
    ['SET', 's', '1.5'],
    ['INCR', 's'],
    ['SET', 's', ' 1'],
    ['INCR', 's'],
    ['SET', 's', '1 '],
    ['INCR', 's'],
    ['SET', 's', '+1'],
    ['INCR', 's'],
    ['SET', 's', '007'],
    ['INCR', 's'],
    ['SET', 's', '-0'],
    ['INCR', 's'],
    ['SET', 's', ''],
    ['INCR', 's'],
    ['SET', 's', '123456789012345678901'],
    ['INCR', 's'],
    ['SET', 's', '-'],
    ['INCR', 's'],
    ['SET', 's', '0'],
    ['DECR', 's'],
    ['INCR', 's'],
    ['GET', 's'],
  ]);
});

test('INCR family at the 64-bit limits and beyond 2^53', async () => {
  await fresh([
    ['SET', 'max', '9223372036854775806'],
    ['INCR', 'max'],
    ['INCR', 'max'],
    ['GET', 'max'],
    ['INCRBY', 'max', '-1'],
    ['INCRBY', 'max', '2'],
    ['SET', 'min', '-9223372036854775807'],
    ['DECR', 'min'],
    ['DECR', 'min'],
    ['DECRBY', 'min', '1'],
    ['INCRBY', 'min', '-1'],
    ['INCRBY', 'min', '9223372036854775807'],
    ['GET', 'min'],
    ['INCRBY', 'z', '-9223372036854775808'],
    ['DECR', 'z'],
    ['INCRBY', 'z', '9223372036854775807'],
    ['INCRBY', 'z', '9223372036854775807'],
    ['INCRBY', 'z', '1'],
    ['SET', 'p', '9007199254740993'],
    ['INCR', 'p'],
    ['INCRBY', 'p', '9007199254740993'],
    ['DECRBY', 'p', '18014398509481987'],
    ['INCRBY', 'q', '999999999999999'],
    ['INCRBY', 'q', '999999999999999'],
    ['INCRBY', 'q', '1000000000000000'],
    ['DECRBY', 'q', '99999999999999999'],
    ['SET', 'big', '9223372036854775807'],
    ['INCRBY', 'big', '-9223372036854775808'],
    ['INCRBY', 'big', '0'],
    ['SET', 'big', '9223372036854775808'],
    ['INCR', 'big'],
    ['SET', 'big', '-9223372036854775808'],
    ['DECR', 'big'],
    ['INCR', 'big'],
    ['INCRBY', 'big', '-1'],
  ]);
});

test('INCR family and INCRBYFLOAT keep the TTL', async () => {
  const p = mixed.pair;
  await fresh([['SET', 'c', '1', 'EX', '100'], ['INCR', 'c'], ['INCRBY', 'c', '5'], ['DECR', 'c'], ['DECRBY', 'c', '2'], ['GET', 'c']], p);
  assertTtlNear(await pttl(mixed, 'c'), 100000);
  await same(p, [['SET', 'f', '1.5', 'PX', '70000'], ['INCRBYFLOAT', 'f', '2.25'], ['GET', 'f']]);
  assertTtlNear(await pttl(mixed, 'f'), 70000);
  await same(p, [['APPEND', 'f', '5'], ['SETRANGE', 'f', '0', '4'], ['GET', 'f']]);
  assertTtlNear(await pttl(mixed, 'f'), 70000);
});

test('INCRBYFLOAT formatting (long double precision) and errors', async () => {
  await fresh([
    ['SET', 'f', '10.5'],
    ['INCRBYFLOAT', 'f', '0.1'],
    ['INCRBYFLOAT', 'f', '-5'],
    ['INCRBYFLOAT', 'f', '2.0e2'],
    ['INCRBYFLOAT', 'f', '5.0e3'],
    ['SET', 'g', '12345.6789'],
    ['INCRBYFLOAT', 'g', '1.1'],
    ['INCRBYFLOAT', 'n', '-0.1'],
    ['INCRBYFLOAT', 'n', '0.1'],
    ['GET', 'n'],
    ['INCRBYFLOAT', 'z', '0'],
    ['INCRBYFLOAT', 'z', '-0'],
    ['INCRBYFLOAT', 'z', '-0.0'],
    ['INCRBYFLOAT', 't', '0.000003814697265625'],
    ['INCRBYFLOAT', 't2', '0.000003814697265624'],
    ['INCRBYFLOAT', 't3', '0.0000038146972656255'],
    ['INCRBYFLOAT', 'tiny', '1e-20'],
    ['INCRBYFLOAT', 'tiny2', '-1e-20'],
    ['INCRBYFLOAT', 'sub', '1e-4940'],
    ['INCRBYFLOAT', 'h', '0x10'],
    ['INCRBYFLOAT', 'h', '0x1.8p1'],
    ['INCRBYFLOAT', 'h', '0X.8'],
    ['INCRBYFLOAT', 'h', '-0xAp-2'],
    ['INCRBYFLOAT', 'e', '1e300'],
    ['INCRBYFLOAT', 'e', '1e300'],
    ['INCRBYFLOAT', 'e2', '1.7976931348623157e308'],
    ['INCRBYFLOAT', 'e3', '1e4932'],
    ['INCRBYFLOAT', 'e3', '1e4932'],
    ['INCRBYFLOAT', 'e4', '1.2e4932'],
    ['INCRBYFLOAT', 'e5', '1e-5000'],
    ['INCRBYFLOAT', 'e6', '1e5000'],
    ['INCRBYFLOAT', 'p', '+1.5'],
    ['INCRBYFLOAT', 'p', '.5'],
    ['INCRBYFLOAT', 'p', '5.'],
    ['INCRBYFLOAT', 'p', '1E2'],
    ['INCRBYFLOAT', 'p', '1e+2'],
    ['INCRBYFLOAT', 'p', '1e-2'],
    ['INCRBYFLOAT', 'p', '00012'],
    ['INCRBYFLOAT', 'p', '1e0000000000000000000000002'],
    ['INCRBYFLOAT', 'p', '0e99999999999999'],
    ['INCRBYFLOAT', 'p', '123456789012345678901234567890'],
    ['INCRBYFLOAT', 'p', '-123456789012345678901234567890'],
    ['INCRBYFLOAT', 'p', 'inf'],
    ['INCRBYFLOAT', 'p', '-inf'],
    ['INCRBYFLOAT', 'p', 'Infinity'],
    ['INCRBYFLOAT', 'p', 'nan'],
    ['INCRBYFLOAT', 'p', '-nan'],
    ['INCRBYFLOAT', 'p', 'abc'],
    ['INCRBYFLOAT', 'p', ''],
    ['INCRBYFLOAT', 'p', ' 1'],
    ['INCRBYFLOAT', 'p', '1 '],
    ['INCRBYFLOAT', 'p', '1e'],
    ['INCRBYFLOAT', 'p', '1e+'],
    ['INCRBYFLOAT', 'p', '.'],
    ['INCRBYFLOAT', 'p', '-'],
    ['INCRBYFLOAT', 'p', '0x'],
    ['INCRBYFLOAT', 'p', '0x1p'],
    ['INCRBYFLOAT', 'p', 'infinit'],
    ['INCRBYFLOAT', 'p', '1\x002'],
    ['INCRBYFLOAT', 'p', '1,5'],
    ['INCRBYFLOAT', 'p', '1_000'],
    ['GET', 'p'],
    ['SET', 'bad', 'abc'],
    ['INCRBYFLOAT', 'bad', '1'],
    ['INCRBYFLOAT', 'bad', 'abc'],
    ['SET', 'inf', 'inf'],
    ['INCRBYFLOAT', 'inf', '1'],
    ['INCRBYFLOAT', 'inf', 'abc'],
    ['SET', 'sci', '1.5e3'],
    ['INCRBYFLOAT', 'sci', '1'],
    ['SET', 'sp', ' 1.5'],
    ['INCRBYFLOAT', 'sp', '1'],
    ['SET', 'i', '9223372036854775807'],
    ['INCRBYFLOAT', 'i', '1'],
    ['INCRBYFLOAT', 'i', '0.5'],
    ['INCRBYFLOAT', 'big', '1e4931'],
    ['INCRBYFLOAT', 'big', '-1e4931'],
    ['INCRBYFLOAT', 'neg', '-1.18973149535723176502e+4932'],
    ['INCRBYFLOAT', 'neg', '-1e4932'],
    ['INCRBYFLOAT', 'x'],
  ]);
});

test('INCRBYFLOAT repeated steps and random operands match redis digit for digit', async () => {
  const steps: Step[] = [];
  for (let i = 0; i < 30; i++) steps.push(['INCRBYFLOAT', 'acc', '0.1']);
  for (let i = 0; i < 30; i++) steps.push(['INCRBYFLOAT', 'acc3', '3.3333333333333333']);
  for (let i = 0; i < 20; i++) steps.push(['INCRBYFLOAT', 'mul', String(10 ** i + 0.37)]);
  let seed = 12345;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const randomNumber = (): string => {
    const kind = Math.floor(rnd() * 6);
    const sign = rnd() < 0.3 ? '-' : '';
    switch (kind) {
      case 0:
        return sign + (rnd() * 1000).toFixed(Math.floor(rnd() * 12));
      case 1:
        return sign + rnd().toExponential(Math.floor(rnd() * 18)).replace('e+0', '') + 'e' + (Math.floor(rnd() * 60) - 30);
      case 2:
        return sign + String(Math.floor(rnd() * 1e9)) + '.' + String(Math.floor(rnd() * 1e9)).padStart(9, '0');
      case 3:
        return sign + String(rnd() * 10 ** Math.floor(rnd() * 25));
      case 4:
        return sign + '0.' + '0'.repeat(Math.floor(rnd() * 20)) + String(Math.floor(rnd() * 1e6));
      default:
        return sign + (rnd() * 100).toPrecision(1 + Math.floor(rnd() * 21));
    }
  };
  for (let k = 0; k < 10; k++) {
    for (let i = 0; i < 25; i++) steps.push(['INCRBYFLOAT', `r${k}`, randomNumber()]);
  }
  for (let i = 0; i < 150; i++) steps.push(['INCRBYFLOAT', `one${i}`, randomNumber()]);
  await fresh(steps);
});

// ---------------------------------------------------------------- LCS

test('LCS: string, LEN, IDX, MINMATCHLEN, WITHMATCHLEN and errors', async () => {
  await fresh([
    ['MSET', 'key1', 'ohmytext', 'key2', 'mynewtext'],
    ['LCS', 'key1', 'key2'],
    ['LCS', 'key1', 'key2', 'LEN'],
    ['LCS', 'key1', 'key2', 'IDX'],
    ['LCS', 'key1', 'key2', 'IDX', 'MINMATCHLEN', '4'],
    ['LCS', 'key1', 'key2', 'IDX', 'MINMATCHLEN', '4', 'WITHMATCHLEN'],
    ['LCS', 'key1', 'key2', 'idx', 'withmatchlen'],
    ['LCS', 'key1', 'key2', 'IDX', 'MINMATCHLEN', '-5'],
    ['LCS', 'key1', 'key2', 'IDX', 'MINMATCHLEN', '100'],
    ['LCS', 'key1', 'key2', 'WITHMATCHLEN'],
    ['LCS', 'key1', 'key2', 'MINMATCHLEN', '2'],
    ['LCS', 'key1', 'key2', 'LEN', 'IDX'],
    ['LCS', 'key1', 'key2', 'IDX', 'LEN'],
    ['LCS', 'key1', 'key2', 'MINMATCHLEN'],
    ['LCS', 'key1', 'key2', 'MINMATCHLEN', 'x'],
    ['LCS', 'key1', 'key2', 'FOO'],
    ['LCS', 'key1', 'key2', 'LEN', 'LEN'],
    ['LCS', 'key1', 'missing'],
    ['LCS', 'missing', 'key2', 'IDX'],
    ['LCS', 'missing', 'other', 'LEN'],
    ['LCS', 'key1', 'key1', 'IDX', 'WITHMATCHLEN'],
    ['LCS', 'key1'],
    ['MSET', 'a', 'ABCBDAB', 'b', 'BDCABA'],
    ['LCS', 'a', 'b'],
    ['LCS', 'a', 'b', 'IDX', 'WITHMATCHLEN'],
    ['LCS', 'b', 'a', 'IDX', 'WITHMATCHLEN'],
    ['MSET', 'x', '\x00\xff\x00\xfe\x01', 'y', '\xff\x00\x01\xfe'],
    ['LCS', 'x', 'y'],
    ['LCS', 'x', 'y', 'IDX'],
    ['MSET', 'n1', '1234567', 'n2', '34567'],
    ['LCS', 'n1', 'n2', 'IDX', 'WITHMATCHLEN'],
  ]);
});

test('LCS on random strings, and the transient memory limit', async () => {
  let seed = 99;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const word = (len: number, alpha: string) => {
    let s = '';
    for (let i = 0; i < len; i++) s += alpha[rnd(alpha.length)];
    return s;
  };
  const steps: Step[] = [];
  for (let i = 0; i < 40; i++) {
    const alpha = i % 2 ? 'ab' : 'abcdefgh';
    steps.push(['MSET', 'p', word(rnd(60), alpha), 'q', word(rnd(60), alpha)]);
    steps.push(['LCS', 'p', 'q'], ['LCS', 'p', 'q', 'LEN'], ['LCS', 'p', 'q', 'IDX', 'WITHMATCHLEN'], ['LCS', 'p', 'q', 'IDX', 'MINMATCHLEN', String(rnd(4))]);
  }
  steps.push(['MSET', 'big1', 'a'.repeat(12000), 'big2', 'a'.repeat(12000)], ['LCS', 'big1', 'big2', 'LEN']);
  steps.push(['CONFIG', 'SET', 'proto-max-bulk-len', '1048576'], ['MSET', 'm1', 'x'.repeat(600), 'm2', 'y'.repeat(600)], ['LCS', 'm1', 'm2']);
  steps.push(['MSET', 'm1', 'x'.repeat(400), 'm2', 'x'.repeat(400)], ['LCS', 'm1', 'm2', 'LEN']);
  steps.push(['CONFIG', 'SET', 'proto-max-bulk-len', '536870912']);
  await fresh(steps);
});

// ---------------------------------------------------------------- protocol variants

test('RESP3 replies (null, LCS IDX map)', async () => {
  const norm = (r: Reply): Reply => {
    if (r.t === 'map' && r.v.some(([k]) => k.t === 'bulk' && k.v === 'server')) return { t: 'simple', v: 'hello' };
    if (r.t === 'array' && r.v[0]?.t === 'bulk' && r.v[0].v === 'server') return { t: 'simple', v: 'hello' };
    return r;
  };
  await same(pair, [['HELLO', '3']], norm);
  try {
    await fresh([
      ['GET', 'missing'],
      ['MGET', 'missing', 'x'],
      ['SET', 'k', 'v', 'NX', 'GET'],
      ['SET', 'k', 'w', 'NX'],
      ['GETEX', 'missing'],
      ['GETDEL', 'missing'],
      ['SET', 'x', 'v', 'XX'],
      ['MSET', 'a', 'hello', 'b', 'yellow'],
      ['LCS', 'a', 'b', 'IDX', 'WITHMATCHLEN'],
      ['LCS', 'a', 'b', 'LEN'],
      ['INCRBYFLOAT', 'f', '1.5'],
    ]);
  } finally {
    await same(pair, [['HELLO', '2']], norm);
  }
});

// ---------------------------------------------------------------- bookkeeping

async function infoFields(c: RespClient, fields: string[]): Promise<number[]> {
  const text = String(plain(await c.call('INFO', 'all')));
  return fields.map((f) => {
    const m = new RegExp(`^${f}:(\\d+)`, 'm').exec(text);
    assert.ok(m, `INFO has no ${f}`);
    return Number(m[1]);
  });
}

test('dirty counter and keyspace hits/misses move like redis for every command', async () => {
  const fields = ['rdb_changes_since_last_save', 'keyspace_hits', 'keyspace_misses'];
  await same(pair, [['FLUSHALL'], ['CONFIG', 'RESETSTAT']]);
  const steps: Step[] = [
    ['SET', 'a', '1'],
    ['SET', 'a', '1', 'NX'],
    ['SET', 'a', '2', 'XX', 'GET'],
    ['SET', 'b', '2', 'GET'],
    ['SET', 'a', '3', 'EX', '100'],
    ['SETNX', 'a', '1'],
    ['SETNX', 'c', '1'],
    ['SETEX', 'd', '100', 'v'],
    ['PSETEX', 'd', '100000', 'v'],
    ['GET', 'a'],
    ['GET', 'missing'],
    ['MGET', 'a', 'missing', 'b'],
    ['GETEX', 'a'],
    ['GETEX', 'a', 'PERSIST'],
    ['GETEX', 'a', 'PERSIST'],
    ['GETEX', 'a', 'EX', '100'],
    ['GETEX', 'missing', 'EX', '100'],
    ['GETDEL', 'c'],
    ['GETDEL', 'c'],
    ['GETSET', 'c', 'x'],
    ['MSET', 'm1', '1', 'm2', '2', 'm3', '3'],
    ['MSETNX', 'm1', '1', 'm9', '2'],
    ['MSETNX', 'm8', '1', 'm9', '2'],
    ['APPEND', 'm1', 'x'],
    ['APPEND', 'new', ''],
    ['STRLEN', 'm1'],
    ['STRLEN', 'missing'],
    ['GETRANGE', 'm1', '0', '-1'],
    ['GETRANGE', 'missing', '0', '-1'],
    ['SETRANGE', 'm1', '0', ''],
    ['SETRANGE', 'm1', '0', 'y'],
    ['SETRANGE', 'nope', '0', ''],
    ['INCR', 'n'],
    ['INCRBY', 'n', '5'],
    ['INCRBY', 'a', '5'],
    ['DECRBY', 'n', '2'],
    ['INCRBYFLOAT', 'n', '1.5'],
    ['LCS', 'm1', 'm2'],
    ['LCS', 'm1', 'missing'],
    ['SETBIT', 'bits', '7', '1'],
    ['SETBIT', 'bits', '7', '1'],
    ['SETBIT', 'bits', '6', '0'],
    ['SETBIT', 'bits', '30', '0'],
    ['GETBIT', 'bits', '7'],
    ['GETBIT', 'missing', '7'],
    ['BITCOUNT', 'bits'],
    ['BITCOUNT', 'missing'],
    ['BITPOS', 'bits', '1'],
    ['BITPOS', 'missing', '1'],
    ['BITOP', 'OR', 'dst', 'bits', 'missing'],
    ['BITOP', 'OR', 'dst', 'missing'],
    ['BITOP', 'OR', 'dst', 'missing'],
    ['BITFIELD', 'bf', 'SET', 'u8', '0', '1', 'SET', 'u8', '8', '0', 'INCRBY', 'u4', '0', '0'],
    ['BITFIELD', 'bf', 'SET', 'u8', '0', '1', 'SET', 'u8', '8', '0', 'INCRBY', 'u4', '0', '0'],
    ['BITFIELD', 'bf', 'SET', 'u8', '40', '0'],
    ['BITFIELD', 'bf', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '1000'],
    ['BITFIELD', 'bf2', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '1000'],
    ['BITFIELD', 'bf', 'GET', 'u8', '0'],
    ['BITFIELD', 'missing', 'GET', 'u8', '0'],
    ['BITFIELD_RO', 'bf', 'GET', 'u8', '0'],
  ];
  const [ra0, rb0] = await Promise.all([infoFields(pair.a, fields), infoFields(pair.b, fields)]);
  for (const step of steps) {
    await same(pair, [step]);
    const [ra, rb] = await Promise.all([infoFields(pair.a, fields), infoFields(pair.b, fields)]);
    assert.deepStrictEqual(
      rb.map((v, i) => v - rb0[i]),
      ra.map((v, i) => v - ra0[i]),
      `after ${JSON.stringify(step)}: ${fields.join(', ')} (actual = reddish, expected = redis)`,
    );
  }
});

test('OBJECT ENCODING of values written by each command', async () => {
  const p = mixed.pair;
  await fresh(
    [
      ['SET', 'int', '12345'],
      ['SET', 'notint', '12345678901234567890'],
      ['SET', 'emb', 'hello'],
      ['SET', 'raw', 'x'.repeat(45)],
      ['SET', 'app', 'abc'],
      ['APPEND', 'app', ''],
      ['APPEND', 'appnew', '42'],
      ['SETRANGE', 'sr', '0', '12'],
      ['SET', 'sr2', '12'],
      ['SETRANGE', 'sr2', '0', ''],
      ['SETBIT', 'sb', '3', '1'],
      ['SET', 'sb2', 'abc'],
      ['SETBIT', 'sb2', '1', '1'],
      ['INCRBYFLOAT', 'fl', '3'],
      ['INCRBYFLOAT', 'fl2', '3.5'],
      ['INCR', 'in'],
      ['SET', 'in2', 'abc'],
      ['GETSET', 'in2', '77'],
      ['MSET', 'ms1', '5', 'ms2', 'five'],
      ['SET', 'bo', 'ab'],
      ['BITOP', 'NOT', 'bor', 'bo'],
      ['BITFIELD', 'bfn', 'SET', 'u8', '0', '49'],
      ['SETEX', 'se', '100', '9'],
    ],
    p,
  );
  const db = mixed.srv.server.keyspace.dbs[0];
  for (const key of ['int', 'notint', 'emb', 'raw', 'app', 'appnew', 'sr', 'sr2', 'sb', 'sb2', 'fl', 'fl2', 'in', 'in2', 'ms1', 'ms2', 'bor', 'bfn', 'se']) {
    const expected = plain(await p.a.call('OBJECT', 'ENCODING', key));
    assert.equal(db.dict.get(key)?.encoding(), expected, `encoding of ${key}`);
  }
});

// ---------------------------------------------------------------- propagation

/**
 * Reads what redis-server sends to a replica: connects with the old SYNC, skips the RDB payload
 * and collects the command stream (without PING and SELECT).
 */
class ReplicaStream {
  private buf = Buffer.alloc(0);
  private rdbSkipped = false;
  readonly commands: string[][] = [];
  private waiters: (() => void)[] = [];

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (d) => this.onData(d));
    socket.on('error', () => undefined);
  }

  static open(port: number): Promise<ReplicaStream> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => {
        const r = new ReplicaStream(s);
        s.write('SYNC\r\n');
        resolve(r);
      });
      s.once('error', reject);
    });
  }

  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    if (!this.rdbSkipped) {
      let p = 0;
      while (p < this.buf.length && this.buf[p] === 10) p++;
      const nl = this.buf.indexOf('\r\n', p);
      if (nl < 0 || this.buf[p] !== 0x24) return;
      const len = Number(this.buf.latin1Slice(p + 1, nl));
      if (this.buf.length < nl + 2 + len) return;
      this.buf = this.buf.subarray(nl + 2 + len);
      this.rdbSkipped = true;
    }
    let pos = 0;
    for (;;) {
      let r: Reply;
      try {
        [r, pos] = parseReply(this.buf, pos);
      } catch {
        break;
      }
      const argv = (plain(r) as string[]).map(String);
      const name = argv[0].toUpperCase();
      if (name !== 'PING' && name !== 'SELECT') this.commands.push(argv);
    }
    this.buf = this.buf.subarray(pos);
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves when a command with this exact argv has arrived. */
  async waitFor(argv: string[], timeoutMs = 10000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.commands.some((c) => JSON.stringify(c) === JSON.stringify(argv))) {
      if (Date.now() > deadline) throw new Error(`replica stream never got ${JSON.stringify(argv)}: ${JSON.stringify(this.commands)}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

test('what is propagated to replicas matches redis (rewrites, skipped no-ops)', async () => {
  const p = mixed.pair;
  await same(p, [['FLUSHALL']]);
  const stream = await ReplicaStream.open(mixed.redis.port);
  try {
    // Let the full sync start so later writes are streamed.
    await new Promise((r) => setTimeout(r, 300));
    await same(p, [['SET', 'sync-start', '1']]);
    await stream.waitFor(['SET', 'sync-start', '1']);
    stream.commands.length = 0;
    mixed.propagated.length = 0;
    const now = Date.now();
    await same(p, [
      ['SET', 'a', '1'],
      ['SET', 'a', '2', 'NX'],
      ['SET', 'b', '1', 'XX'],
      ['SET', 'a', '3', 'GET'],
      ['SET', 'a', '4', 'get', 'XX', 'GET'],
      ['SET', 'a', '5', 'EX', '100'],
      ['SET', 'a', '6', 'PX', '100000', 'GET'],
      ['SET', 'a', '7', 'EXAT', String(Math.floor(now / 1000) + 100)],
      ['SET', 'a', '8', 'PXAT', String(now + 100000)],
      ['SET', 'a', '9', 'KEEPTTL'],
      ['SETNX', 'a', '1'],
      ['SETNX', 'n', '1'],
      ['SETEX', 'se', '100', 'v'],
      ['PSETEX', 'pse', '100000', 'v'],
      ['GETEX', 'a'],
      ['GETEX', 'a', 'EX', '100'],
      ['GETEX', 'a', 'PERSIST'],
      ['GETEX', 'a', 'PERSIST'],
      ['GETEX', 'a', 'PXAT', String(now + 50000)],
      ['GETEX', 'missing', 'EX', '10'],
      ['GETEX', 'se', 'PXAT', '1'],
      ['GETDEL', 'pse'],
      ['GETDEL', 'pse'],
      ['GETSET', 'g', 'v'],
      ['MSET', 'm1', '1', 'm2', '2'],
      ['MSETNX', 'm1', '1', 'm3', '3'],
      ['MSETNX', 'm4', '1', 'm5', '3'],
      ['APPEND', 'ap', 'x'],
      ['APPEND', 'ap', ''],
      ['SETRANGE', 'ap', '0', ''],
      ['SETRANGE', 'sr', '3', ''],
      ['SETRANGE', 'ap', '3', 'y'],
      ['INCR', 'c'],
      ['INCRBY', 'c', '10'],
      ['DECR', 'c'],
      ['DECRBY', 'c', '3'],
      ['INCR', 'ap'],
      ['INCRBYFLOAT', 'f', '1.5'],
      ['INCRBYFLOAT', 'f', '0.1'],
      ['INCRBYFLOAT', 'f', 'x'],
      ['SETBIT', 'bits', '7', '1'],
      ['SETBIT', 'bits', '7', '1'],
      ['SETBIT', 'bits', '3', '0'],
      ['SETBIT', 'bits', '100', '0'],
      ['BITOP', 'AND', 'dest', 'bits', 'bits'],
      ['BITOP', 'OR', 'dest', 'nothing'],
      ['BITOP', 'OR', 'dest2', 'nothing'],
      ['BITFIELD', 'bf', 'SET', 'u8', '0', '255'],
      ['BITFIELD', 'bf', 'SET', 'u8', '0', '255'],
      ['BITFIELD', 'bf', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '1'],
      ['BITFIELD', 'bf2', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '256'],
      ['BITFIELD', 'bf', 'GET', 'u8', '0'],
      ['GET', 'a'],
      ['SET', 'sync-end', '1'],
    ]);
    await stream.waitFor(['SET', 'sync-end', '1']);
    // Absolute times differ by the few ms between the two servers: compare them loosely.
    const normalize = (cmds: string[][]): string[][] =>
      cmds.map((argv) =>
        argv.map((a, i) => {
          const prev = (argv[i - 1] ?? '').toUpperCase();
          if ((prev === 'PXAT' || argv[0].toUpperCase() === 'PEXPIREAT') && /^\d{13}$/.test(a) && i === argv.length - 1) {
            return 'T' + Math.round(Number(a) / 10000);
          }
          return a;
        }),
      );
    assert.ok(stream.commands.length > 30, JSON.stringify(stream.commands));
    assert.deepStrictEqual(normalize(mixed.propagated), normalize(stream.commands));
    // Spot checks on the absolute times themselves.
    const pxat = mixed.propagated.find((a) => a[1] === 'se');
    assert.ok(pxat && Math.abs(Number(pxat[4]) - (now + 100000)) < 3000, JSON.stringify(pxat));
  } finally {
    stream.close();
  }
});
