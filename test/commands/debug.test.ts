/**
 * DEBUG subcommands against redis-server: exact replies (RESP2 through the test client, RESP3
 * byte for byte), DEBUG OBJECT with its pointer and clock fields normalised, and the dataset
 * effects of POPULATE and RELOAD.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startPair, same, type Pair } from '../helpers/differential.js';
import { RespClient, encodeCommand, plain, type Reply } from '../helpers/resp.js';

let pair: Pair;
before(async () => {
  pair = await startPair(['--enable-debug-command', 'yes']);
});
after(async () => {
  await same(pair, [['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '0']]);
  await pair.close();
});

/** Sends commands on a fresh connection and returns every byte received until the final PING's reply. */
async function rawExchange(port: number, cmds: string[][]): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    let got = '';
    s.on('data', (d) => {
      got += d.toString('latin1');
      if (got.endsWith('+PONG\r\n')) {
        s.destroy();
        resolve(got);
      }
    });
    s.on('error', reject);
    s.write(Buffer.concat([...cmds.map((c) => encodeCommand(c)), encodeCommand(['PING'])]));
  });
}

const TYPES = ['string', 'integer', 'double', 'bignum', 'null', 'array', 'set', 'map', 'attrib', 'push', 'verbatim', 'true', 'false'];

test('DEBUG PROTOCOL: every type, byte for byte, in RESP2 and RESP3', async () => {
  for (const proto of ['2', '3']) {
    const cmds = [['HELLO', proto], ...TYPES.map((t) => ['DEBUG', 'PROTOCOL', t]), ['DEBUG', 'PROTOCOL', 'nope'], ['DEBUG', 'PROTOCOL', 'STRING']];
    const [a, b] = await Promise.all([rawExchange(pair.redis.port, cmds), rawExchange(pair.reddish.port, cmds)]);
    // HELLO's map carries the server id: compare from the first DEBUG reply on.
    const cut = (s: string) => {
      const at = s.indexOf('$11\r\nHello World');
      assert.ok(at > 0, s);
      return s.slice(at);
    };
    assert.equal(cut(b), cut(a), `RESP${proto}`);
    if (proto === '3') assert.ok(cut(b).includes('|1\r\n$14\r\nkey-popularity\r\n') && cut(b).includes('(1234567999999999999999999999999999999\r\n'));
  }
});

test('DEBUG POPULATE: names, values, sizes (zero padding), existing keys kept, errors', async () => {
  await same(pair, [
    ['FLUSHALL'],
    ['SET', 'key:1', 'mine'],
    ['DEBUG', 'POPULATE', '3'],
    ['MGET', 'key:0', 'key:1', 'key:2', 'key:3'],
    ['DEBUG', 'POPULATE', '2', 'p', '12'],
    ['GET', 'p:0'],
    ['STRLEN', 'p:1'],
    ['DEBUG', 'POPULATE', '2', 'q', '3'],
    ['MGET', 'q:0', 'q:1'],
    ['DEBUG', 'POPULATE', '1', 'z', '0'],
    ['GET', 'z:0'],
    ['DEBUG', 'POPULATE', '0'],
    ['DEBUG', 'POPULATE', '-1'],
    ['DEBUG', 'POPULATE', '1', 'y', '-1'],
    ['DEBUG', 'POPULATE', 'abc'],
    ['DEBUG', 'POPULATE', '1', 'y', 'abc'],
    ['DEBUG', 'POPULATE'],
    ['DEBUG', 'POPULATE', '1', '2', '3', '4'],
    ['DBSIZE'],
    ['OBJECT', 'ENCODING', 'key:0'],
    ['OBJECT', 'ENCODING', 'p:0'],
    ['DEBUG', 'DIGEST'],
  ]);
});

test('DEBUG OBJECT: every type and encoding as Redis (address and clock normalised)', async () => {
  const norm = (r: Reply): Reply =>
    r.t === 'simple' ? { t: 'simple', v: r.v.replace(/^Value at:0x[0-9a-f]+ /, 'Value at:P ').replace(/ lru:\d+ lru_seconds_idle:\d+/, ' lru:L lru_seconds_idle:I') } : r;
  const many = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));
  // Text that LZF cannot shrink, so the serialized lengths do not depend on the compressor.
  const noisy = (n: number) => many(n, (i) => String.fromCharCode(33 + ((i * 7919) % 89))).join('');
  const steps: (string | number)[][] = [
    ['FLUSHALL'],
    ['SET', 'int', '123'],
    ['SET', 'bigint', '1234567890123'],
    ['SET', 'neg', '-5'],
    ['SET', 'emb', 'hello'],
    ['SET', 'raw', noisy(60)],
    ['SET', 'app', 'x'],
    ['APPEND', 'app', 'y'],
    ['RPUSH', 'list', 'a', 'b', 'c', '1', '22'],
    ['RPUSH', 'biglist', ...many(2000, (i) => `element-${i}`)],
    ['RPUSH', 'intlist', ...many(3000, (i) => String(i))],
    ['HSET', 'hash', 'f', 'v', 'n', '1'],
    ['HSET', 'bighash', ...many(600, (i) => `f${i}`)],
    ['SADD', 'iset', '1', '2', '3'],
    ['SADD', 'hset', 'a', 'b'],
    ['ZADD', 'zlp', '1', 'a', '2.5', 'b'],
    ['ZADD', 'zsl', ...many(300, (i) => (i % 2 === 0 ? String(i) : `m${i}`))],
  ];
  await same(pair, steps);
  const keys = ['int', 'bigint', 'neg', 'emb', 'raw', 'app', 'list', 'biglist', 'intlist', 'hash', 'bighash', 'iset', 'hset', 'zlp', 'zsl', 'nokey'];
  // The serialized length of a compressible value depends on the LZF compressor's choices, which
  // are not this test's subject: all keys without compression, the small or noisy ones with it.
  await same(pair, [['CONFIG', 'SET', 'rdbcompression', 'no'], ...keys.map((k) => ['DEBUG', 'OBJECT', k])], norm);
  await same(pair, [['CONFIG', 'SET', 'rdbcompression', 'yes'], ...['int', 'bigint', 'neg', 'emb', 'raw', 'app', 'list', 'hash', 'iset', 'hset', 'zlp'].map((k) => ['DEBUG', 'OBJECT', k])], norm);
  await same(pair, [['CONFIG', 'SET', 'rdbcompression', 'no']]);
  // A packed threshold that puts big elements in nodes of their own.
  await same(
    pair,
    [
      ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '100'],
      ['RPUSH', 'plain', 'a', noisy(150), 'b', 'c', noisy(300)],
      ['DEBUG', 'OBJECT', 'plain'],
      ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '0'],
      ['CONFIG', 'SET', 'rdbcompression', 'yes'],
      ['DEBUG', 'OBJECT'],
      ['DEBUG', 'OBJECT', 'a', 'b'],
    ],
    norm,
  );
  // The shared integer's refcount under an LRU policy with maxmemory set.
  await same(pair, [['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru'], ['CONFIG', 'SET', 'maxmemory', '1gb'], ['SET', 'int2', '7'], ['DEBUG', 'OBJECT', 'int2']], norm);
  await same(pair, [['CONFIG', 'SET', 'maxmemory', '0'], ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction']]);
  // Clock fields: lru is the LRU clock (seconds, 24 bits) and idle is small for a fresh key.
  const r = plain(await pair.b.call('DEBUG', 'OBJECT', 'emb')) as string;
  const m = /lru:(\d+) lru_seconds_idle:(\d+)/.exec(r)!;
  assert.ok(Math.abs(Number(m[1]) - (Math.floor(Date.now() / 1000) & 0xffffff)) < 30);
  assert.ok(Number(m[2]) < 30);
});

test('OBJECT FREQ: the error without an LFU policy, a counter with one', async () => {
  await same(pair, [
    ['FLUSHALL'],
    ['SET', 'k', 'v'],
    ['OBJECT', 'FREQ', 'k'],
    ['OBJECT', 'FREQ', 'nokey'],
    ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu'],
    ['SET', 'k2', 'v'],
    ['OBJECT', 'FREQ', 'k2'],
    ['OBJECT', 'FREQ', 'nokey'],
    ['OBJECT', 'IDLETIME', 'k2'],
    ['CONFIG', 'SET', 'maxmemory-policy', 'volatile-lfu'],
    ['OBJECT', 'FREQ', 'k2'],
    ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction'],
    ['OBJECT', 'FREQ', 'k2'],
  ]);
});

test('DEBUG LISTPACK / QUICKLIST / QUICKLIST-PACKED-THRESHOLD / ERROR / LOG / SLEEP / SET-ACTIVE-EXPIRE / STRINGMATCH-TEST and errors', async () => {
  await same(pair, [
    ['FLUSHALL'],
    ['HSET', 'h', 'f', 'v'],
    ['RPUSH', 'l', 'a'],
    ['SET', 's', 'x'],
    ['DEBUG', 'LISTPACK', 'h'],
    ['DEBUG', 'LISTPACK', 'l'],
    ['DEBUG', 'LISTPACK', 'nokey'],
    ['DEBUG', 'QUICKLIST', 'l'],
    ['DEBUG', 'QUICKLIST', 'l', '1'],
    ['DEBUG', 'QUICKLIST', 'h'],
    ['DEBUG', 'QUICKLIST', 'nokey'],
    ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '0'],
    ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '1K'],
    ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '5g'],
    ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '4gb'],
    ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', 'abc'],
    ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '0'],
    ['DEBUG', 'ERROR', 'SOMECODE this is\nthe message'],
    ['DEBUG', 'ERROR', ''],
    ['DEBUG', 'LOG', 'hello from the test'],
    ['DEBUG', 'SLEEP', '0'],
    ['DEBUG', 'SLEEP', 'abc'],
    ['DEBUG', 'SLEEP', '-1'],
    ['DEBUG', 'SLEEP'],
    ['DEBUG', 'SET-ACTIVE-EXPIRE', 'abc'],
    ['DEBUG', 'SET-ACTIVE-EXPIRE', '1'],
    ['DEBUG', 'SET-ACTIVE-EXPIRE'],
    ['DEBUG', 'STRINGMATCH-TEST'],
    ['DEBUG', 'NOSUCH'],
    ['DEBUG', 'NoSuch', 'x', 'y'],
    ['DEBUG', 'LOG'],
    ['DEBUG', 'DIGEST', 'x'],
    ['DEBUG', 'DIGEST-VALUE'],
    ['DEBUG', 'CHANGE-REPL-ID', 'x'],
    ['DEBUG'],
  ]);
  await pair.reddish.waitForLog(/^\d+:M .* # DEBUG LOG: hello from the test$/);
  await pair.redis.waitForLog(/^\d+:M .* # DEBUG LOG: hello from the test$/);
});

test('DEBUG SET-ACTIVE-EXPIRE 0 keeps expired keys in memory until they are touched', async () => {
  await same(pair, [['FLUSHALL'], ['DEBUG', 'SET-ACTIVE-EXPIRE', '0'], ['SET', 'e', 'v', 'PX', '1'], ['SET', 'keep', 'v']]);
  await new Promise((r) => setTimeout(r, 300));
  // DBSIZE counts the expired key still held; GET deletes it.
  await same(pair, [['DBSIZE'], ['GET', 'e'], ['DBSIZE'], ['DEBUG', 'SET-ACTIVE-EXPIRE', '1']]);
});

test('DEBUG SLEEP blocks the whole server: a second client is answered after the sleeper', async () => {
  const other = await RespClient.connect(pair.reddish.port);
  try {
    const order: string[] = [];
    const sleeper = pair.b.call('DEBUG', 'SLEEP', '0.3').then(() => order.push('sleep'));
    await new Promise((r) => setTimeout(r, 50));
    const ping = other.call('PING').then(() => order.push('ping'));
    await Promise.all([sleeper, ping]);
    assert.deepEqual(order, ['sleep', 'ping']);
  } finally {
    other.close();
  }
});

test('DEBUG RELOAD and its MERGE / NOFLUSH / NOSAVE options', async () => {
  await same(pair, [
    ['FLUSHALL'],
    ['DEBUG', 'RELOAD', 'NOSAVE'],
    ['DEBUG', 'RELOAD', 'BAD'],
    ['MSET', 'a', '1', 'b', '2'],
    ['RPUSH', 'l', 'x', 'y'],
    ['SET', 't', 'v', 'EX', '1000'],
    ['DEBUG', 'DIGEST'],
    ['DEBUG', 'RELOAD'],
    ['DEBUG', 'DIGEST'],
    ['TTL', 't'],
    // Changes after the save, then the file again: NOSAVE replaces them.
    ['SET', 'a', 'changed'],
    ['SET', 'c', 'new'],
    ['DEBUG', 'RELOAD', 'NOSAVE'],
    ['MGET', 'a', 'b', 'c'],
    // NOFLUSH MERGE: the file's values win, keys only in memory stay.
    ['SET', 'a', 'changed'],
    ['SET', 'c', 'new'],
    ['DEBUG', 'RELOAD', 'NOSAVE', 'NOFLUSH', 'MERGE'],
    ['MGET', 'a', 'b', 'c'],
    ['DBSIZE'],
    ['DEBUG', 'DIGEST'],
  ]);
  await pair.reddish.waitForLog(/^\d+:M .* # DB reloaded by DEBUG RELOAD$/);
});

test('DEBUG PAUSE-CRON and REPLYBUFFER: replies as Redis; the cron stops, reply buffers stop resizing', async () => {
  await same(pair, [
    ['DEBUG', 'PAUSE-CRON', '0'],
    ['DEBUG', 'PAUSE-CRON'],
    ['DEBUG', 'REPLYBUFFER', 'PEAK-RESET-TIME', 'never'],
    ['DEBUG', 'REPLYBUFFER', 'PEAK-RESET-TIME', 'abc'],
    ['DEBUG', 'REPLYBUFFER', 'PEAK-RESET-TIME', '100'],
    ['DEBUG', 'REPLYBUFFER', 'PEAK-RESET-TIME', 'RESET'],
    ['DEBUG', 'REPLYBUFFER', 'RESIZING', '1'],
    ['DEBUG', 'REPLYBUFFER', 'FOO', '1'],
    ['DEBUG', 'REPLYBUFFER', 'RESIZING'],
  ]);
  const b = pair.b;
  const poll = async (f: () => Promise<boolean>) => {
    for (let i = 0; i < 100 && !(await f()); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(await f());
  };
  // A paused cron expires nothing in the background (reddish expires only from the cron).
  await b.call('FLUSHALL');
  await b.call('DEBUG', 'PAUSE-CRON', '1');
  await b.call('SET', 'e', 'v', 'PX', '20');
  await new Promise((r) => setTimeout(r, 400));
  assert.deepEqual(await b.call('DBSIZE'), { t: 'int', v: '1' });
  await b.call('DEBUG', 'PAUSE-CRON', '0');
  await poll(async () => plain(await b.call('DBSIZE')) === 0);
  // Reply buffer resizing: off, the buffer keeps its size; on (peak forgotten every 100 ms), it shrinks.
  const c = await RespClient.connect(pair.reddish.port);
  try {
    const rbs = async () => Number(/ rbs=(\d+)/.exec(plain(await c.call('CLIENT', 'INFO')) as string)![1]);
    const initial = await rbs();
    await b.call('DEBUG', 'REPLYBUFFER', 'RESIZING', '0');
    await b.call('DEBUG', 'REPLYBUFFER', 'PEAK-RESET-TIME', '100');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await rbs(), initial);
    await b.call('DEBUG', 'REPLYBUFFER', 'RESIZING', '1');
    await poll(async () => (await rbs()) < initial);
  } finally {
    await b.call('DEBUG', 'REPLYBUFFER', 'PEAK-RESET-TIME', 'RESET');
    c.close();
  }
});

test('DEBUG SET-SKIP-CHECKSUM-VALIDATION: RESTORE takes a payload with a bad checksum only while set', async () => {
  await same(pair, [['FLUSHALL'], ['SET', 'k', 'some value']]);
  const dump = plain(await pair.a.call('DUMP', 'k')) as string;
  const bad = Buffer.from(dump, 'latin1');
  bad[bad.length - 1] ^= 0xff;
  await same(pair, [
    ['RESTORE', 'k2', '0', bad as unknown as string],
    ['DEBUG', 'SET-SKIP-CHECKSUM-VALIDATION', '1'],
    ['RESTORE', 'k2', '0', bad as unknown as string],
    ['GET', 'k2'],
    ['DEBUG', 'SET-SKIP-CHECKSUM-VALIDATION', '0'],
    ['RESTORE', 'k3', '0', bad as unknown as string],
    ['DEBUG', 'SET-SKIP-CHECKSUM-VALIDATION'],
  ]);
});
