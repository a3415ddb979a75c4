/**
 * The generic keyspace family, mostly differential against redis-server: every reply (type and
 * content) must be identical. Replies that depend on the millisecond clock are checked by range
 * instead, and SCAN — whose cursors are implementation-specific — by the sets of keys a full
 * iteration returns and by its guarantees under concurrent writes.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPair, same, unordered, type Pair } from '../helpers/differential.js';
import { RespClient, encodeCommand, plain, type Reply } from '../helpers/resp.js';
import { startServer as startInProcess, type RunningServer } from '../../src/index.js';

let pair: Pair;
before(async () => {
  pair = await startPair(['--enable-debug-command', 'yes']);
});
after(async () => {
  await pair.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends one command to both servers and returns [redis, reddish] replies. */
async function both(...cmd: (string | number)[]): Promise<[Reply, Reply]> {
  return Promise.all([pair.a.call(...cmd), pair.b.call(...cmd)]);
}

async function reset(): Promise<void> {
  await same(pair, [['SELECT', '0'], ['FLUSHALL'], ['DEBUG', 'SET-ACTIVE-EXPIRE', '1'], ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction'], ['CONFIG', 'SET', 'maxmemory', '0']]);
}

/** Pipelines many commands and waits for all replies. */
async function pipeline(client: RespClient, cmds: (string | number)[][]): Promise<Reply[]> {
  const buf = Buffer.concat(cmds.map((c) => encodeCommand(c.map(String))));
  return client.sendMany(buf, cmds.length);
}

async function fill(prefix: string, n: number, from = 0): Promise<string[]> {
  const names: string[] = [];
  for (let i = from; i < from + n; i++) names.push(`${prefix}${i}`);
  const cmds = names.map((k) => ['SET', k, 'v']);
  await Promise.all([pipeline(pair.a, cmds), pipeline(pair.b, cmds)]);
  return names;
}

function num(r: Reply): number {
  assert.equal(r.t, 'int', `expected an integer reply, got ${JSON.stringify(r)}`);
  return Number((r as { v: string }).v);
}

/** One SCAN call: [next cursor, keys]. */
async function scanStep(client: RespClient, cursor: string, extra: (string | number)[] = []): Promise<[string, string[]]> {
  const r = plain(await client.call('SCAN', cursor, ...extra)) as [string, string[]];
  assert.ok(Array.isArray(r) && r.length === 2, `bad SCAN reply ${JSON.stringify(r)}`);
  return r;
}

/** A full SCAN iteration: every key returned (with repeats) and the number of calls. */
async function scanAll(client: RespClient, extra: (string | number)[] = []): Promise<{ keys: string[]; calls: number }> {
  let cursor = '0';
  const keys: string[] = [];
  let calls = 0;
  do {
    const [next, batch] = await scanStep(client, cursor, extra);
    keys.push(...batch);
    cursor = next;
    calls++;
    assert.ok(calls < 100000, 'SCAN did not terminate');
  } while (cursor !== '0');
  return { keys, calls };
}

const sorted = (a: Iterable<string>) => [...a].sort();

// ---------------------------------------------------------------- DEL EXISTS TYPE TOUCH

test('DEL, UNLINK, EXISTS, TYPE, TOUCH', async () => {
  await reset();
  await same(pair, [
    ['SET', 'a', '1'],
    ['SET', 'b', '2'],
    ['SET', 'c', '3'],
    ['EXISTS', 'a'],
    ['EXISTS', 'a', 'b', 'nokey', 'a', 'a'],
    ['EXISTS', 'nokey'],
    ['TYPE', 'a'],
    ['TYPE', 'nokey'],
    ['TOUCH', 'a', 'nokey', 'b', 'a'],
    ['TOUCH', 'nokey'],
    ['DEL', 'a', 'nokey', 'a'],
    ['EXISTS', 'a'],
    ['UNLINK', 'b', 'c', 'b'],
    ['DBSIZE'],
    ['DEL', 'nokey'],
    ['UNLINK', 'nokey'],
    ['DEL'],
    ['UNLINK'],
    ['EXISTS'],
    ['TYPE'],
    ['TYPE', 'a', 'b'],
    ['TOUCH'],
    ['SET', '', 'empty key'],
    ['EXISTS', ''],
    ['TYPE', ''],
    ['DEL', ''],
    ['SET', 'bin\x00\xff\r\n', 'x'],
    ['EXISTS', 'bin\x00\xff\r\n'],
    ['DEL', 'bin\x00\xff\r\n'],
    ['del', 'x'],
    ['ExIsTs', 'x'],
  ]);
});

// ---------------------------------------------------------------- EXPIRE family

test('TTL / PTTL / EXPIRETIME / PEXPIRETIME: -2 for missing keys, -1 without a TTL', async () => {
  await reset();
  await same(pair, [
    ['TTL', 'nokey'],
    ['PTTL', 'nokey'],
    ['EXPIRETIME', 'nokey'],
    ['PEXPIRETIME', 'nokey'],
    ['SET', 'k', 'v'],
    ['TTL', 'k'],
    ['PTTL', 'k'],
    ['EXPIRETIME', 'k'],
    ['PEXPIRETIME', 'k'],
    ['TTL'],
    ['PTTL', 'a', 'b'],
    ['EXPIRE', 'k', '100'],
    ['TTL', 'k'],
    ['EXPIREAT', 'k', '4102444800'],
    ['EXPIRETIME', 'k'],
    ['PEXPIRETIME', 'k'],
    ['PEXPIREAT', 'k', '4102444800123'],
    ['PEXPIRETIME', 'k'],
    ['EXPIRETIME', 'k'],
    ['PEXPIREAT', 'k', '4102444800499'],
    ['EXPIRETIME', 'k'],
    ['PEXPIREAT', 'k', '4102444800500'],
    ['EXPIRETIME', 'k'],
    ['PERSIST', 'k'],
    ['TTL', 'k'],
    ['PERSIST', 'k'],
    ['PERSIST', 'nokey'],
  ]);
  // Millisecond values depend on each server's clock: check them by range.
  const [, b] = await both('PEXPIRE', 'k', '100000');
  assert.deepEqual(plain(b), 1);
  const pttl = num(await pair.b.call('PTTL', 'k'));
  assert.ok(pttl > 99000 && pttl <= 100000, `PTTL ${pttl}`);
  const pexp = num(await pair.b.call('PEXPIRETIME', 'k'));
  assert.ok(Math.abs(pexp - (Date.now() + 100000)) < 1000, `PEXPIRETIME ${pexp}`);
  const exp = num(await pair.b.call('EXPIRETIME', 'k'));
  assert.ok(Math.abs(exp - Math.round(pexp / 1000)) <= 1, `EXPIRETIME ${exp}`);
  await same(pair, [['TTL', 'k']]);
});

test('EXPIRE family: NX / XX / GT / LT in every combination', async () => {
  await reset();
  const cmds = ['EXPIRE', 'PEXPIRE', 'EXPIREAT', 'PEXPIREAT'];
  const flagSets = [[], ['NX'], ['XX'], ['GT'], ['LT'], ['XX', 'GT'], ['XX', 'LT'], ['GT', 'XX'], ['nx'], ['xx', 'xx'], ['Gt'], ['lt', 'LT']];
  // Times well in the future (relative: 1000/2000 s; absolute: year 2100 and later).
  const times: Record<string, [string, string]> = {
    EXPIRE: ['1000', '2000'],
    PEXPIRE: ['1000000', '2000000'],
    EXPIREAT: ['4102444800', '4102444900'],
    PEXPIREAT: ['4102444800000', '4102444900000'],
  };
  for (const cmd of cmds) {
    const [lo, hi] = times[cmd];
    for (const flags of flagSets) {
      await same(pair, [
        // no TTL yet
        ['SET', 'k', 'v'],
        [cmd, 'k', lo, ...flags],
        ['TTL', 'k'],
        // an existing TTL, then a larger, equal and smaller one
        [cmd, 'k', hi, ...flags],
        ['TTL', 'k'],
        [cmd, 'k', hi, ...flags],
        [cmd, 'k', lo, ...flags],
        ['TTL', 'k'],
        // missing key
        [cmd, 'nokey', lo, ...flags],
        ['EXISTS', 'nokey'],
      ]);
    }
  }
});

test('EXPIRE family: option errors, integer errors and overflow', async () => {
  await reset();
  await same(pair, [
    ['SET', 'k', 'v'],
    ['EXPIRE', 'k', '10', 'NX', 'XX'],
    ['EXPIRE', 'k', '10', 'NX', 'GT'],
    ['EXPIRE', 'k', '10', 'NX', 'LT'],
    ['EXPIRE', 'k', '10', 'xx', 'nx'],
    ['EXPIRE', 'k', '10', 'GT', 'LT'],
    ['EXPIRE', 'k', '10', 'lt', 'gt', 'xx'],
    ['EXPIRE', 'k', '10', 'NX', 'XX', 'GT', 'LT'],
    ['EXPIRE', 'k', '10', 'FOO'],
    ['EXPIRE', 'k', '10', 'NX', 'FOO'],
    ['PEXPIRE', 'k', '10', 'bar baz'],
    ['EXPIRE', 'k', 'abc'],
    ['EXPIRE', 'k', 'abc', 'NX', 'XX'],
    ['EXPIRE', 'k', 'abc', 'FOO'],
    ['EXPIRE', 'k', '1.5'],
    ['EXPIRE', 'k', ' 10'],
    ['EXPIRE', 'k', '10 '],
    ['EXPIRE', 'k', '+10'],
    ['EXPIRE', 'k', '010'],
    ['EXPIRE', 'k', ''],
    ['EXPIRE', 'k'],
    ['PEXPIREAT', 'k'],
    ['EXPIRE', 'nokey', 'abc'],
    ['EXPIRE', 'nokey', '9223372036854775'],
    // seconds → ms overflow
    ['EXPIRE', 'k', '9223372036854775'],
    ['EXPIRE', 'k', '9223372036854776'],
    ['EXPIRE', 'k', '-9223372036854776'],
    ['EXPIREAT', 'k', '9223372036854775807'],
    ['EXPIREAT', 'k', '-9223372036854775808'],
    ['EXPIREAT', 'k', '9223372036854776'],
    // + now overflow
    ['PEXPIRE', 'k', '9223372036854775807'],
    ['PEXPIRE', 'k', '9223372036854000000'],
    ['EXPIRE', 'k', '9223372036854774'],
    ['EXISTS', 'k'],
    // not a 64-bit integer at all
    ['EXPIRE', 'k', '9223372036854775808'],
    ['PEXPIRE', 'k', '-9223372036854775809'],
    ['TTL', 'k'],
    // the largest absolute time works
    ['PEXPIREAT', 'k', '9223372036854775807'],
    ['PEXPIRETIME', 'k'],
    ['PEXPIREAT', 'k', '9007199254740993'],
    ['PERSIST', 'k'],
    ['TTL', 'k'],
  ]);
});

test('EXPIRE family: a time in the past deletes the key', async () => {
  await reset();
  await same(pair, [
    ['SET', 'k', 'v'],
    ['EXPIRE', 'k', '-1'],
    ['EXISTS', 'k'],
    ['TTL', 'k'],
    ['SET', 'k', 'v'],
    ['PEXPIRE', 'k', '0'],
    ['EXISTS', 'k'],
    ['SET', 'k', 'v'],
    ['EXPIREAT', 'k', '1'],
    ['EXISTS', 'k'],
    ['SET', 'k', 'v'],
    ['PEXPIREAT', 'k', '0'],
    ['EXISTS', 'k'],
    ['SET', 'k', 'v'],
    ['EXPIRE', 'k', '-9223372036854775'],
    ['EXISTS', 'k'],
    ['SET', 'k', 'v'],
    ['PEXPIREAT', 'k', '-9223372036854775808'],
    ['EXISTS', 'k'],
    ['SET', 'k', 'v'],
    ['EXPIREAT', 'k', '-9223372036854775'],
    ['EXISTS', 'k'],
    // options still apply to a past time
    ['SET', 'k', 'v'],
    ['EXPIRE', 'k', '-1', 'XX'],
    ['EXISTS', 'k'],
    ['EXPIRE', 'k', '-1', 'GT'],
    ['EXISTS', 'k'],
    ['EXPIRE', 'k', '-1', 'NX'],
    ['EXISTS', 'k'],
    ['SET', 'k', 'v'],
    ['EXPIRE', 'k', '100'],
    ['EXPIRE', 'k', '-1', 'GT'],
    ['EXISTS', 'k'],
    ['EXPIRE', 'k', '-1', 'LT'],
    ['EXISTS', 'k'],
    ['SET', 'k', 'v'],
    ['EXPIRE', 'k', '-1', 'LT'],
    ['EXISTS', 'k'],
    ['DBSIZE'],
  ]);
});

test('SET drops a TTL, RENAME carries it', async () => {
  await reset();
  await same(pair, [
    ['SET', 'k', 'v'],
    ['EXPIRE', 'k', '100'],
    ['SET', 'k', 'w'],
    ['TTL', 'k'],
    ['EXPIRE', 'k', '100'],
    ['RENAME', 'k', 'k2'],
    ['TTL', 'k2'],
    ['TTL', 'k'],
  ]);
});

test('lazy expiry: an expired key is gone when touched, KEYS hides it without deleting it', async () => {
  await reset();
  await same(pair, [
    ['DEBUG', 'SET-ACTIVE-EXPIRE', '0'],
    ['SET', 'k', 'v'],
    ['SET', 'k2', 'v'],
    ['SET', 'k3', 'v'],
    ['SET', 'keep', 'v'],
    ['PEXPIRE', 'k', '1'],
    ['PEXPIRE', 'k2', '1'],
    ['PEXPIRE', 'k3', '1'],
  ]);
  await sleep(30);
  await same(pair, [
    ['DBSIZE'],
    ['KEYS', '*'],
    ['KEYS', 'k'],
    ['KEYS', 'k*'],
    ['DBSIZE'],
    ['TTL', 'k'],
    ['PTTL', 'k'],
    ['DBSIZE'],
    ['EXISTS', 'k2'],
    ['TYPE', 'k3'],
    ['DBSIZE'],
    ['GET', 'k'],
    ['KEYS', '*'],
  ]);
  // All keys expired: RANDOMKEY deletes them while looking and finds nothing.
  await same(pair, [['SET', 'a', 'v'], ['SET', 'b', 'v'], ['DEL', 'keep'], ['PEXPIRE', 'a', '1'], ['PEXPIRE', 'b', '1']]);
  await sleep(30);
  await same(pair, [['DBSIZE'], ['RANDOMKEY'], ['DBSIZE']]);
  // DEL of an expired key deletes it but does not count it.
  await same(pair, [['SET', 'a', 'v'], ['PEXPIRE', 'a', '1']]);
  await sleep(30);
  await same(pair, [['DBSIZE'], ['DEL', 'a'], ['DBSIZE'], ['DEBUG', 'SET-ACTIVE-EXPIRE', '1']]);
});

test('active expiry removes keys with a short TTL without them being touched', async () => {
  await reset();
  const names: string[] = [];
  for (let i = 0; i < 300; i++) names.push(`vol:${i}`);
  const cmds = names.flatMap((k) => [
    ['SET', k, 'v'],
    ['PEXPIRE', k, '10'],
  ]);
  await Promise.all([pipeline(pair.a, cmds), pipeline(pair.b, cmds)]);
  await same(pair, [['SET', 'persistent', 'v']]);
  const start = Date.now();
  let sizes: [number, number] = [-1, -1];
  while (Date.now() - start < 1500) {
    const [a, b] = await both('DBSIZE');
    sizes = [num(a), num(b)];
    if (sizes[0] === 1 && sizes[1] === 1) break;
    await sleep(25);
  }
  assert.deepEqual(sizes, [1, 1], `DBSIZE after ${Date.now() - start} ms (redis, reddish)`);
});

// ---------------------------------------------------------------- RENAME MOVE COPY

test('RENAME / RENAMENX', async () => {
  await reset();
  await same(pair, [
    ['RENAME', 'nokey', 'x'],
    ['RENAME', 'nokey', 'nokey'],
    ['RENAMENX', 'nokey', 'x'],
    ['RENAMENX', 'nokey', 'nokey'],
    ['SET', 'a', '1'],
    ['RENAME', 'a', 'a'],
    ['RENAMENX', 'a', 'a'],
    ['GET', 'a'],
    ['RENAME', 'a', 'b'],
    ['EXISTS', 'a'],
    ['GET', 'b'],
    ['SET', 'c', '3'],
    ['EXPIRE', 'c', '50'],
    ['RENAME', 'b', 'c'],
    ['GET', 'c'],
    ['TTL', 'c'],
    ['SET', 'd', '4'],
    ['EXPIRE', 'd', '100'],
    ['RENAME', 'd', 'c'],
    ['TTL', 'c'],
    ['SET', 'e', '5'],
    ['RENAMENX', 'e', 'c'],
    ['GET', 'c'],
    ['GET', 'e'],
    ['RENAMENX', 'e', 'f'],
    ['GET', 'f'],
    ['EXISTS', 'e'],
    ['RENAME', 'f'],
    ['RENAME', 'f', 'g', 'h'],
    ['RENAMENX', 'f'],
    ['KEYS', '*'],
  ], unordered);
});

test('MOVE: same database, out of range, existing destination, TTL', async () => {
  await reset();
  await same(pair, [
    ['SET', 'k', 'v'],
    ['MOVE', 'k', '0'],
    ['MOVE', 'k', '16'],
    ['MOVE', 'k', '-1'],
    ['MOVE', 'k', 'abc'],
    ['MOVE', 'k', '1.0'],
    ['MOVE', 'k', '2147483648'],
    ['MOVE', 'k', '-2147483649'],
    ['MOVE', 'k', '99999999999999999999'],
    ['MOVE', 'nokey', '1'],
    ['MOVE', 'nokey', '0'],
    ['EXPIRE', 'k', '100'],
    ['MOVE', 'k', '1'],
    ['EXISTS', 'k'],
    ['SELECT', '1'],
    ['GET', 'k'],
    ['TTL', 'k'],
    ['SET', 'other', 'db1'],
    ['SELECT', '0'],
    ['SET', 'other', 'db0'],
    ['MOVE', 'other', '1'],
    ['GET', 'other'],
    ['SELECT', '1'],
    ['GET', 'other'],
    ['MOVE', 'k', '15'],
    ['SELECT', '15'],
    ['TTL', 'k'],
    ['MOVE', 'k'],
    ['SELECT', '0'],
  ]);
});

test('COPY: REPLACE, DB, errors, TTL and encodings of the copy', async () => {
  await reset();
  await same(pair, [
    ['SET', 'src', 'hello'],
    ['COPY', 'src', 'src'],
    ['COPY', 'src', 'src', 'DB', '0'],
    ['COPY', 'src', 'src', 'DB', '1'],
    ['SELECT', '1'],
    ['GET', 'src'],
    ['SELECT', '0'],
    ['COPY', 'nokey', 'dst'],
    ['COPY', 'src', 'dst'],
    ['GET', 'dst'],
    ['SET', 'dst', 'other'],
    ['COPY', 'src', 'dst'],
    ['GET', 'dst'],
    ['EXPIRE', 'dst', '100'],
    ['COPY', 'src', 'dst', 'REPLACE'],
    ['GET', 'dst'],
    ['TTL', 'dst'],
    ['EXPIRE', 'src', '200'],
    ['COPY', 'src', 'dst', 'replace'],
    ['TTL', 'dst'],
    ['COPY', 'src', 'd2', 'DB', '2', 'REPLACE', 'REPLACE'],
    ['COPY', 'src', 'd2', 'db', '2'],
    ['COPY', 'src', 'd2', 'REPLACE', 'DB', '2'],
    ['COPY', 'src', 'd2', 'DB', '16'],
    ['COPY', 'src', 'd2', 'DB', '-1'],
    ['COPY', 'src', 'd2', 'DB', 'x'],
    ['COPY', 'src', 'd2', 'DB', '4294967296'],
    ['COPY', 'src', 'd2', 'DB'],
    ['COPY', 'src', 'd2', 'FOO'],
    ['COPY', 'src', 'd2', 'FOO', 'DB', '99'],
    ['COPY', 'src', 'd2', 'DB', '99', 'FOO'],
    ['COPY', 'src', 'd2', 'DB', '1', 'DB', '3'],
    ['COPY', 'src'],
    ['SELECT', '3'],
    ['GET', 'd2'],
    ['TTL', 'd2'],
    ['SELECT', '2'],
    ['GET', 'd2'],
    ['SELECT', '0'],
    ['GET', 'src'],
    // encodings survive the copy; a copied small integer is no longer the shared object
    ['SET', 'int', '123'],
    ['COPY', 'int', 'int2'],
    ['OBJECT', 'ENCODING', 'int2'],
    ['OBJECT', 'REFCOUNT', 'int'],
    ['OBJECT', 'REFCOUNT', 'int2'],
    ['RENAME', 'int2', 'int3'],
    ['OBJECT', 'REFCOUNT', 'int3'],
    ['SET', 'emb', 'short string'],
    ['COPY', 'emb', 'emb2'],
    ['OBJECT', 'ENCODING', 'emb2'],
    ['SET', 'raw', 'x'.repeat(45)],
    ['COPY', 'raw', 'raw2'],
    ['OBJECT', 'ENCODING', 'raw2'],
    ['SET', 'app', 'ab'],
    ['APPEND', 'app', 'cd'],
    ['OBJECT', 'ENCODING', 'app'],
    ['COPY', 'app', 'app2'],
    ['OBJECT', 'ENCODING', 'app2'],
    ['APPEND', 'app2', 'ef'],
    ['GET', 'app'],
    ['GET', 'app2'],
  ]);
});

test('other value types: TYPE, OBJECT ENCODING, COPY (deep), RENAME, MOVE, SCAN TYPE on hashes and sets', async () => {
  await reset();
  const fields: string[] = [];
  for (let i = 0; i < 200; i++) fields.push(`f${i}`, `v${i}`);
  const members: string[] = [];
  for (let i = 0; i < 600; i++) members.push(String(i));
  await same(
    pair,
    [
      ['HSET', 'h', 'f', 'v'],
      ['HSET', 'bigh', ...fields],
      ['SADD', 'ints', '1', '2', '3'],
      ['SADD', 'strs', 'a', 'b'],
      ['SADD', 'bigs', ...members],
      ['SET', 'str', 'x'],
      ['TYPE', 'h'],
      ['TYPE', 'ints'],
      ['OBJECT', 'ENCODING', 'h'],
      ['OBJECT', 'ENCODING', 'bigh'],
      ['OBJECT', 'ENCODING', 'ints'],
      ['OBJECT', 'ENCODING', 'strs'],
      ['OBJECT', 'ENCODING', 'bigs'],
      ['OBJECT', 'REFCOUNT', 'h'],
      ['COPY', 'h', 'h2'],
      ['COPY', 'bigh', 'bigh2'],
      ['COPY', 'ints', 'ints2'],
      ['COPY', 'strs', 'strs2'],
      ['COPY', 'bigs', 'bigs2', 'DB', '1'],
      ['OBJECT', 'ENCODING', 'h2'],
      ['OBJECT', 'ENCODING', 'bigh2'],
      ['OBJECT', 'ENCODING', 'ints2'],
      ['OBJECT', 'ENCODING', 'strs2'],
      ['HGETALL', 'h2'],
      ['SMEMBERS', 'ints2'],
      ['SMEMBERS', 'strs2'],
      // the copies are independent of their sources
      ['HSET', 'h2', 'g', 'w'],
      ['HDEL', 'bigh2', 'f1', 'f2'],
      ['SADD', 'ints2', '4'],
      ['SREM', 'strs', 'a'],
      ['HLEN', 'h'],
      ['HLEN', 'h2'],
      ['HLEN', 'bigh'],
      ['HLEN', 'bigh2'],
      ['SCARD', 'ints'],
      ['SCARD', 'ints2'],
      ['SMEMBERS', 'strs2'],
      ['COPY', 'str', 'h', 'REPLACE'],
      ['TYPE', 'h'],
      ['COPY', 'ints', 'str', 'REPLACE'],
      ['TYPE', 'str'],
      ['RENAME', 'h2', 'h3'],
      ['TYPE', 'h3'],
      ['HGETALL', 'h3'],
      ['MOVE', 'h3', '2'],
      ['SELECT', '2'],
      ['TYPE', 'h3'],
      ['SELECT', '1'],
      ['SCARD', 'bigs2'],
      ['OBJECT', 'ENCODING', 'bigs2'],
      ['SELECT', '0'],
      ['EXPIRE', 'bigh', '100'],
      ['TTL', 'bigh'],
      ['DEL', 'bigh', 'bigs', 'nokey'],
      ['EXISTS', 'bigh', 'bigs', 'ints', 'strs'],
    ],
    unordered,
  );
  for (const t of ['hash', 'set', 'string', 'HASH']) {
    const [ra, rb] = await Promise.all([scanAll(pair.a, ['TYPE', t]), scanAll(pair.b, ['TYPE', t])]);
    assert.deepEqual(sorted(new Set(rb.keys)), sorted(new Set(ra.keys)), `SCAN TYPE ${t}`);
  }
});

// ---------------------------------------------------------------- KEYS

const KEY_NAMES = [
  'hello',
  'hallo',
  'hxllo',
  'hllo',
  'heeeello',
  'Hello',
  'h*llo',
  'h?llo',
  'h[llo',
  'a]b',
  'x\\y',
  '[abc',
  'abc]',
  '\xe9t\xe9',
  '\xff',
  '\x7f',
  'foo:1',
  'foo:2',
  'foo:10',
  'foo:bar',
  'key\x00nul',
  '',
  '-',
  '^x',
  'a'.repeat(60) + 'b',
  'a'.repeat(60),
];

const PATTERNS = [
  '*',
  '**',
  '',
  'hello',
  'nomatch',
  'h?llo',
  'h*llo',
  'h*',
  '*o',
  '*l*',
  'h[ae]llo',
  'h[^e]llo',
  'h[!e]llo',
  'h[a-b]llo',
  'h[b-a]llo',
  'h[a-]llo',
  'h[-a]llo',
  'h[]llo',
  'h[]]llo',
  'h[\\]]llo',
  'h[\\',
  'h[',
  'h[a-',
  'h[^',
  '[',
  '[[]*',
  '\\[abc',
  '[abc',
  '*]',
  'a]b',
  'a\\]b',
  'x\\\\y',
  'x\\y',
  'x\\',
  '\\',
  '*\\',
  'h\\*llo',
  'h\\?llo',
  'h\\[llo',
  '\\h\\e\\l\\l\\o',
  'foo:?',
  'foo:[0-9]',
  'foo:[0-9]*',
  'foo:[^0-9]*',
  'foo:*[0-9]',
  '?',
  '??',
  '?*',
  '*?',
  'key?nul',
  'key*',
  '*\x00*',
  '[\x80-\xff]*',
  '[a-\xff]*',
  '[\xff-a]*',
  '[\x00-\x7f]',
  '[\xe9]t?',
  '[^a-z]*',
  '-',
  '[-]',
  '^x',
  '[\\^]x',
  'HELLO',
  'h[A-Z]llo',
  '*a*a*a*a*b',
  '*a*a*a*a*a*a*a*a*a*a*a*a*a*a*c',
  'a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b',
];

test('KEYS: literal and glob patterns (classes, ranges, negation, escapes, unterminated)', async () => {
  await reset();
  await same(
    pair,
    KEY_NAMES.map((k) => ['SET', k, 'v']),
  );
  await same(
    pair,
    PATTERNS.map((p) => ['KEYS', p]),
    unordered,
  );
  await same(pair, [['KEYS'], ['KEYS', 'a', 'b'], ['SELECT', '5'], ['KEYS', '*'], ['SELECT', '0']]);
});

test("KEYS: pathological patterns return (no exponential backtracking) with Redis's matches", { timeout: 60_000 }, async () => {
  await reset();
  const long = 'a'.repeat(3000);
  await same(pair, [
    ['SET', long, 'v'],
    ['SET', long + 'b', 'v'],
    ['SET', 'ab'.repeat(1500), 'v'],
  ]);
  const patterns = ['*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b*c', '*a*a*a*a*b', '*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*x', '*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?x'];
  // A matcher that backtracks exponentially would not return here (the test's timeout catches it).
  for (const p of patterns) {
    const r = await pair.b.call('KEYS', p);
    assert.deepEqual(unordered(r), unordered(await pair.a.call('KEYS', p)));
  }
});

test('KEYS on many keys matches Redis', async () => {
  await reset();
  await fill('user:', 2000);
  await fill('item:', 500);
  await same(
    pair,
    [['KEYS', '*'], ['KEYS', 'user:1*'], ['KEYS', 'item:[0-4]?'], ['KEYS', '*:*9'], ['KEYS', 'user:1999'], ['KEYS', 'user:2000'], ['DBSIZE']],
    unordered,
  );
});

// ---------------------------------------------------------------- SCAN

test('SCAN: argument errors', async () => {
  await reset();
  await same(pair, [
    ['SET', 'k', 'v'],
    ['SCAN', 'abc'],
    ['SCAN', ' 1'],
    ['SCAN', '1 '],
    ['SCAN', '1.5'],
    ['SCAN', '0x10'],
    ['SCAN', '-'],
    ['SCAN', '+'],
    ['SCAN', '18446744073709551616'],
    ['SCAN', '99999999999999999999999'],
    ['SCAN', '0', 'COUNT', '0'],
    ['SCAN', '0', 'COUNT', '-1'],
    ['SCAN', '0', 'COUNT', 'x'],
    ['SCAN', '0', 'COUNT', '9223372036854775808'],
    ['SCAN', '0', 'COUNT'],
    ['SCAN', '0', 'MATCH'],
    ['SCAN', '0', 'TYPE'],
    ['SCAN', '0', 'FOO', 'bar'],
    ['SCAN', '0', 'MATCH', '*', 'COUNT'],
    ['SCAN', '0', 'COUNT', '0', 'FOO'],
    ['SCAN', 'abc', 'FOO'],
    ['SCAN'],
    // valid on a one-key database: the whole keyspace in one call, cursor 0
    ['SCAN', '0'],
    ['SCAN', '0', 'count', '5', 'match', 'k', 'type', 'STRING'],
    ['SCAN', '0', 'TYPE', 'list'],
    ['SCAN', '0', 'TYPE', 'nosuchtype'],
    ['SCAN', '0', 'MATCH', 'x*'],
    ['SCAN', '0', 'MATCH', 'x*', 'MATCH', 'k'],
    ['SCAN', '0', 'COUNT', '9223372036854775807'],
  ]);
});

test('SCAN: a full iteration returns every key, with MATCH / COUNT / TYPE like Redis', async () => {
  await reset();
  const names = [...(await fill('key:', 1500)), ...(await fill('other:', 300))];
  for (const extra of [[], ['COUNT', 1], ['COUNT', 7], ['COUNT', 100], ['COUNT', 100000], ['MATCH', 'key:1*'], ['MATCH', '*:2?', 'COUNT', 50], ['TYPE', 'string'], ['TYPE', 'String', 'MATCH', 'other:*'], ['TYPE', 'hash'], ['MATCH', 'nothing*']] as (string | number)[][]) {
    const [ra, rb] = await Promise.all([scanAll(pair.a, extra), scanAll(pair.b, extra)]);
    const sa = new Set(ra.keys);
    const sb = new Set(rb.keys);
    assert.deepEqual(sorted(sb), sorted(sa), `SCAN ${extra.join(' ')}: key sets differ`);
    // reddish returns each key of a stable keyspace exactly once
    assert.equal(rb.keys.length, sb.size, `SCAN ${extra.join(' ')}: duplicates`);
  }
  const all = await scanAll(pair.b);
  assert.deepEqual(sorted(all.keys), sorted(names));
  // COUNT is respected per call (before filtering)
  const [cur, batch] = await scanStep(pair.b, '0', ['COUNT', 25]);
  assert.notEqual(cur, '0');
  assert.equal(batch.length, 25);
});

test('SCAN: expired keys are not returned, and are deleted', async () => {
  await reset();
  await same(pair, [['DEBUG', 'SET-ACTIVE-EXPIRE', '0']]);
  await fill('live:', 50);
  const dead = await fill('dead:', 50);
  const cmds = dead.map((k) => ['PEXPIRE', k, '1']);
  await Promise.all([pipeline(pair.a, cmds), pipeline(pair.b, cmds)]);
  await sleep(30);
  await same(pair, [['DBSIZE']]);
  const [ra, rb] = await Promise.all([scanAll(pair.a), scanAll(pair.b)]);
  assert.deepEqual(sorted(new Set(rb.keys)), sorted(new Set(ra.keys)));
  assert.equal(new Set(rb.keys).size, 50);
  await same(pair, [['DBSIZE'], ['DEBUG', 'SET-ACTIVE-EXPIRE', '1']]);
});

test('SCAN: keys present for the whole iteration are returned despite concurrent inserts and deletes', async () => {
  await reset();
  const stable = await fill('s:', 400);
  const transient = await fill('t:', 300);
  for (const client of [pair.a, pair.b]) {
    const seen: string[] = [];
    let cursor = '0';
    let calls = 0;
    let added = 0;
    do {
      const [next, batch] = await scanStep(client, cursor, ['COUNT', 10]);
      seen.push(...batch);
      cursor = next;
      calls++;
      // Between calls: delete transient keys, add new ones, overwrite stable ones.
      const cmds: string[][] = [];
      for (let i = 0; i < 5 && added < 300; i++, added++) {
        cmds.push(['DEL', transient[(added * 7) % transient.length]]);
        cmds.push(['SET', `n:${added}`, 'v']);
      }
      cmds.push(['SET', stable[(calls * 13) % stable.length], `w${calls}`]);
      await pipeline(client, cmds);
      assert.ok(calls < 10000);
    } while (cursor !== '0');
    const got = new Set(seen);
    const missing = stable.filter((k) => !got.has(k));
    assert.deepEqual(missing, [], `${client === pair.a ? 'redis' : 'reddish'} missed stable keys`);
    if (client === pair.b) {
      // reddish: never more calls than the keys present at the start need
      assert.ok(calls <= Math.ceil(700 / 10) + 1, `reddish needed ${calls} calls`);
      for (const k of stable) assert.equal(seen.filter((x) => x === k).length, 1, `${k} returned more than once`);
    }
  }
});

test('SCAN: terminates under a rolling write load, restarts on unknown cursors and after FLUSHDB/SELECT', async () => {
  await reset();
  // Rolling dataset: every call adds 30 keys and deletes the 30 oldest.
  let next = 0;
  const live: string[] = [];
  const add = async (n: number) => {
    const cmds: string[][] = [];
    for (let i = 0; i < n; i++) {
      const k = `r:${next++}`;
      live.push(k);
      cmds.push(['SET', k, 'v']);
    }
    await pipeline(pair.b, cmds);
  };
  await add(100);
  let cursor = '0';
  let calls = 0;
  do {
    [cursor] = await scanStep(pair.b, cursor, ['COUNT', 10]);
    calls++;
    await add(30);
    const old = live.splice(0, 30);
    await pipeline(pair.b, [['DEL', ...old]]);
    assert.ok(calls <= 11, `no termination after ${calls} calls`);
  } while (cursor !== '0');

  // A cursor reddish does not know (stale, from elsewhere, made up) starts over: nothing is missed.
  await pair.b.call('FLUSHALL');
  const keys: string[] = [];
  for (let i = 0; i < 30; i++) keys.push(`u:${i}`);
  await pipeline(pair.b, keys.map((k) => ['SET', k, 'v']));
  const fromBogus: string[] = [];
  cursor = '123456789';
  do {
    const [nextCursor, batch] = await scanStep(pair.b, cursor, ['COUNT', 7]);
    fromBogus.push(...batch);
    cursor = nextCursor;
  } while (cursor !== '0');
  assert.deepEqual(sorted(new Set(fromBogus)), sorted(keys));
  // A used cursor replayed starts over too.
  const [c1] = await scanStep(pair.b, '0', ['COUNT', 5]);
  await scanStep(pair.b, c1, ['COUNT', 5]);
  const replay: string[] = [];
  cursor = c1;
  do {
    const [nextCursor, batch] = await scanStep(pair.b, cursor, ['COUNT', 5]);
    replay.push(...batch);
    cursor = nextCursor;
  } while (cursor !== '0');
  assert.deepEqual(sorted(new Set(replay)), sorted(keys));
  // FLUSHDB in the middle: the cursor continues over the new content.
  const [c2] = await scanStep(pair.b, '0', ['COUNT', 5]);
  await pair.b.call('FLUSHDB');
  await pipeline(pair.b, [['SET', 'after', 'v']]);
  const [c3, batch3] = await scanStep(pair.b, c2, ['COUNT', 5]);
  assert.deepEqual([c3, batch3], ['0', ['after']]);
  // Switching database in the middle: the cursor iterates the selected database.
  const [c4] = await scanStep(pair.b, '0', ['COUNT', 1]);
  await pair.b.call('SELECT', '7');
  await pair.b.call('SET', 'in7', 'v');
  assert.deepEqual(await scanStep(pair.b, c4, ['COUNT', 10]), ['0', ['in7']]);
  await pair.b.call('SELECT', '0');
});

// ---------------------------------------------------------------- RANDOMKEY

test('RANDOMKEY', async () => {
  await reset();
  await same(pair, [['RANDOMKEY'], ['SET', 'only', 'v'], ['RANDOMKEY'], ['RANDOMKEY', 'x'], ['SELECT', '3'], ['RANDOMKEY'], ['SELECT', '0']]);
  await fill('rk:', 100);
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const r = plain(await pair.b.call('RANDOMKEY')) as string;
    assert.ok(r === 'only' || r.startsWith('rk:'));
    seen.add(r);
  }
  assert.ok(seen.size > 20, `RANDOMKEY is not random: ${seen.size} distinct keys`);
});

// ---------------------------------------------------------------- OBJECT

test('OBJECT: ENCODING, REFCOUNT, IDLETIME, HELP and errors', async () => {
  await reset();
  await same(pair, [
    ['SET', 'int', '12345'],
    ['SET', 'small', '42'],
    ['SET', 'neg', '-5'],
    ['SET', 'big', '10000'],
    ['SET', 'i64', '9223372036854775807'],
    ['SET', 'over', '9223372036854775808'],
    ['SET', 'lead0', '0123'],
    ['SET', 'emb', 'x'.repeat(44)],
    ['SET', 'raw', 'x'.repeat(45)],
    ['OBJECT', 'ENCODING', 'int'],
    ['OBJECT', 'ENCODING', 'small'],
    ['OBJECT', 'ENCODING', 'neg'],
    ['OBJECT', 'ENCODING', 'i64'],
    ['OBJECT', 'ENCODING', 'over'],
    ['OBJECT', 'ENCODING', 'lead0'],
    ['OBJECT', 'ENCODING', 'emb'],
    ['OBJECT', 'ENCODING', 'raw'],
    ['object', 'encoding', 'raw'],
    ['OBJECT', 'ENCODING', 'nokey'],
    ['OBJECT', 'REFCOUNT', 'nokey'],
    ['OBJECT', 'IDLETIME', 'nokey'],
    ['OBJECT', 'FREQ', 'nokey'],
    ['OBJECT', 'REFCOUNT', 'int'],
    ['OBJECT', 'REFCOUNT', 'small'],
    ['OBJECT', 'REFCOUNT', 'neg'],
    ['OBJECT', 'REFCOUNT', 'big'],
    ['OBJECT', 'REFCOUNT', 'emb'],
    ['OBJECT', 'FREQ', 'int'],
    ['OBJECT', 'HELP'],
    ['object', 'help'],
    ['OBJECT', 'HELP', 'x'],
    ['OBJECT'],
    ['OBJECT', 'FOO'],
    ['OBJECT', 'FOO', 'k'],
    ['OBJECT', 'ENCODING'],
    ['OBJECT', 'ENCODING', 'a', 'b'],
    ['OBJECT', 'REFCOUNT'],
    ['OBJECT', 'IDLETIME'],
    ['OBJECT', 'FREQ'],
    // no shared integers under an LRU/LFU maxmemory policy
    ['CONFIG', 'SET', 'maxmemory', '1gb'],
    ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru'],
    ['SET', 'small2', '42'],
    ['OBJECT', 'REFCOUNT', 'small2'],
    ['CONFIG', 'SET', 'maxmemory-policy', 'volatile-ttl'],
    ['SET', 'small3', '42'],
    ['OBJECT', 'REFCOUNT', 'small3'],
    ['CONFIG', 'SET', 'maxmemory', '0'],
    ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction'],
  ]);
  // Idle time has a one-second resolution: a second boundary may pass since the SET.
  for (const client of [pair.a, pair.b]) assert.ok(num(await client.call('OBJECT', 'IDLETIME', 'int')) <= 1);
  // RESP3 null for a missing key
  await both('HELLO', '3');
  await same(pair, [['OBJECT', 'ENCODING', 'nokey'], ['OBJECT', 'IDLETIME', 'nokey']]);
  await both('HELLO', '2');
});

test('OBJECT FREQ and IDLETIME follow the maxmemory policy (LFU counter starts at 5)', async () => {
  await reset();
  await same(pair, [
    ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu'],
    ['SET', 's', 'hello'],
    ['OBJECT', 'FREQ', 's'],
    ['OBJECT', 'IDLETIME', 's'],
    ['OBJECT', 'FREQ', 'nokey'],
    ['GET', 's'],
    ['OBJECT', 'FREQ', 's'],
    ['COPY', 's', 's2'],
    ['OBJECT', 'FREQ', 's2'],
    ['CONFIG', 'SET', 'maxmemory-policy', 'volatile-lfu'],
    ['OBJECT', 'IDLETIME', 's'],
    ['CONFIG', 'SET', 'maxmemory-policy', 'volatile-lru'],
    ['OBJECT', 'FREQ', 's'],
    ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction'],
    ['SET', 't', 'v'],
    ['OBJECT', 'FREQ', 't'],
  ]);
  for (const client of [pair.a, pair.b]) assert.ok(num(await client.call('OBJECT', 'IDLETIME', 't')) <= 1);
});

test('OBJECT IDLETIME grows while a key is not accessed; TOUCH, GET reset it, TTL/TYPE/EXISTS do not', async () => {
  await reset();
  await same(pair, [['SET', 'idle', 'v'], ['SET', 'touched', 'v'], ['SET', 'read', 'v'], ['SET', 'peeked', 'v']]);
  await sleep(2100);
  await same(pair, [['TOUCH', 'touched'], ['GET', 'read'], ['TTL', 'peeked'], ['TYPE', 'peeked'], ['EXISTS', 'peeked'], ['OBJECT', 'ENCODING', 'peeked']]);
  for (const client of [pair.a, pair.b]) {
    const idle = num(await client.call('OBJECT', 'IDLETIME', 'idle'));
    assert.ok(idle >= 2 && idle <= 3, `idle ${idle}`);
    const peeked = num(await client.call('OBJECT', 'IDLETIME', 'peeked'));
    assert.ok(peeked >= 2 && peeked <= 3, `peeked ${peeked}`);
    assert.ok(num(await client.call('OBJECT', 'IDLETIME', 'touched')) <= 1);
    assert.ok(num(await client.call('OBJECT', 'IDLETIME', 'read')) <= 1);
  }
});

// ---------------------------------------------------------------- statistics

test('keyspace hits and misses are counted like Redis', async () => {
  await reset();
  await both('CONFIG', 'RESETSTAT');
  await same(pair, [
    ['SET', 'k', 'v'],
    ['EXISTS', 'k', 'nokey'],
    ['TYPE', 'k'],
    ['TTL', 'nokey'],
    ['TOUCH', 'k', 'nokey'],
    ['OBJECT', 'ENCODING', 'k'],
    ['EXPIRE', 'k', '100'],
    ['EXPIRE', 'nokey', '100'],
    ['PERSIST', 'k'],
    ['RENAME', 'k', 'k2'],
    ['COPY', 'k2', 'k3'],
    ['COPY', 'nokey', 'k4'],
    ['MOVE', 'k3', '1'],
    ['DEL', 'k2', 'nokey'],
    ['SCAN', '0', 'TYPE', 'string'],
  ]);
  const stats = async (c: RespClient) => {
    const info = plain(await c.call('INFO', 'stats')) as string;
    return info.split('\r\n').filter((l) => /^keyspace_(hits|misses):/.test(l));
  };
  assert.deepEqual(await stats(pair.b), await stats(pair.a));
});

// ---------------------------------------------------------------- propagation

test('propagation: EXPIRE family as PEXPIREAT with an absolute time, past times as DEL', async () => {
  const srv: RunningServer = await startInProcess({ config: { save: '', 'enable-debug-command': 'yes' } });
  const log: string[][] = [];
  srv.server.propagator = { propagate: (db, argv) => log.push([String(db), ...argv]) };
  const c = await RespClient.connect(srv.port, srv.host);
  try {
    const run = async (...cmd: string[]) => {
      log.length = 0;
      const r = await c.call(...cmd);
      return { reply: plain(r), prop: log.slice() };
    };
    await run('SET', 'k', 'v');
    const t0 = Date.now();
    let r = await run('EXPIRE', 'k', '100');
    assert.equal(r.reply, 1);
    assert.equal(r.prop.length, 1);
    assert.deepEqual(r.prop[0].slice(0, 3), ['0', 'PEXPIREAT', 'k']);
    const at = Number(r.prop[0][3]);
    assert.ok(at >= t0 + 100000 && at <= Date.now() + 100000, `PEXPIREAT ${at}`);
    assert.equal(r.prop[0].length, 4);

    r = await run('PEXPIRE', 'k', '5000', 'XX');
    assert.deepEqual(r.prop[0].slice(0, 3), ['0', 'PEXPIREAT', 'k']);
    assert.equal(r.prop[0][4], 'XX');

    r = await run('expireat', 'k', '4102444800', 'gt');
    assert.deepEqual(r.prop, [['0', 'PEXPIREAT', 'k', '4102444800000', 'gt']]);

    r = await run('pexpireat', 'k', '4102444800001');
    assert.deepEqual(r.prop, [['0', 'pexpireat', 'k', '4102444800001']]);

    // a refused condition changes nothing and propagates nothing
    r = await run('EXPIRE', 'k', '100', 'NX');
    assert.deepEqual(r, { reply: 0, prop: [] });
    r = await run('EXPIRE', 'nokey', '100');
    assert.deepEqual(r, { reply: 0, prop: [] });

    r = await run('EXPIRE', 'k', '-1');
    assert.deepEqual(r, { reply: 1, prop: [['0', 'DEL', 'k']] });

    await run('SELECT', '2');
    await run('SET', 'a', 'v');
    r = await run('DEL', 'a', 'nokey');
    assert.deepEqual(r, { reply: 1, prop: [['2', 'DEL', 'a', 'nokey']] });
    r = await run('DEL', 'nokey');
    assert.deepEqual(r, { reply: 0, prop: [] });

    await run('SET', 'a', 'v');
    r = await run('PERSIST', 'a');
    assert.deepEqual(r, { reply: 0, prop: [] });
    await run('EXPIRE', 'a', '100');
    r = await run('PERSIST', 'a');
    assert.deepEqual(r, { reply: 1, prop: [['2', 'PERSIST', 'a']] });

    r = await run('COPY', 'a', 'b', 'DB', '3');
    assert.deepEqual(r, { reply: 1, prop: [['2', 'COPY', 'a', 'b', 'DB', '3']] });
    r = await run('MOVE', 'a', '4');
    assert.deepEqual(r, { reply: 1, prop: [['2', 'MOVE', 'a', '4']] });

    // a lazily expired key is propagated as a DEL of its own (active expiry off, so that it
    // cannot take the key first, outside any command)
    assert.equal((await run('DEBUG', 'SET-ACTIVE-EXPIRE', '0')).reply, 'OK');
    await run('SET', 'e', 'v');
    await run('PEXPIRE', 'e', '1');
    await sleep(10);
    r = await run('EXISTS', 'e');
    assert.deepEqual(r, { reply: 0, prop: [['2', 'DEL', 'e']] });
  } finally {
    c.close();
    await srv.close();
  }
});
