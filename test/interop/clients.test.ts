/**
 * Real clients used unchanged: ioredis, node-redis (RESP2 and RESP3) and redis-cli.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { startServer, type SpawnedServer } from '../helpers/servers.js';

const run = promisify(execFile);
let s: SpawnedServer;

before(async () => {
  s = await startServer('reddish');
});
after(async () => {
  await s.stop();
});

test('ioredis: commands, pipelines, binary values, errors', async () => {
  const r = new Redis({ port: s.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
  await r.connect();
  try {
    assert.equal(await r.ping(), 'PONG');
    assert.equal(await r.set('io:k', 'v1'), 'OK');
    assert.equal(await r.get('io:k'), 'v1');
    const bin = Buffer.from([0, 255, 13, 10, 128]);
    await r.set('io:bin', bin);
    assert.ok((await r.getBuffer('io:bin'))!.equals(bin));
    const p = r.pipeline();
    for (let i = 0; i < 1000; i++) p.incr('io:counter');
    const res = await p.exec();
    assert.equal(res!.length, 1000);
    assert.deepEqual(res![999], [null, 1000]);
    await assert.rejects(r.incr('io:k'), /ERR value is not an integer or out of range/);
    assert.equal(await r.dbsize(), 3);
    assert.match(await r.info('server'), /redis_version:7\.0\.15/);
    assert.equal(await r.select(2), 'OK');
    assert.equal(await r.exists('io:k'), 0);
  } finally {
    r.disconnect();
  }
});

for (const RESP of [2, 3] as const) {
  test(`node-redis RESP${RESP}: commands, multi-key, errors`, async () => {
    const c = createClient({ socket: { port: s.port, host: '127.0.0.1', reconnectStrategy: false }, RESP });
    c.on('error', () => undefined);
    await c.connect();
    try {
      assert.equal(await c.ping(), 'PONG');
      assert.equal(await c.set(`nr${RESP}:a`, '1'), 'OK');
      assert.equal(await c.mSet([`nr${RESP}:b`, '2', `nr${RESP}:c`, '3']), 'OK');
      assert.deepEqual(await c.mGet([`nr${RESP}:a`, `nr${RESP}:b`, `nr${RESP}:missing`]), ['1', '2', null]);
      assert.equal(await c.incrBy(`nr${RESP}:a`, 41), 42);
      assert.equal(await c.expire(`nr${RESP}:a`, 100), RESP === 3 ? 1 : 1);
      const ttl = await c.ttl(`nr${RESP}:a`);
      assert.ok(ttl > 90 && ttl <= 100);
      await assert.rejects(c.sendCommand(['NOSUCH']), /unknown command 'NOSUCH'/);
    } finally {
      await c.quit();
    }
  });
}

test('redis-cli: one-shot commands, --pipe style input and INFO', async () => {
  const cli = (...args: string[]) => run('redis-cli', ['-p', String(s.port), ...args]).then((r) => r.stdout);
  assert.equal(await cli('SET', 'cli:k', 'hello world'), 'OK\n');
  assert.equal(await cli('GET', 'cli:k'), 'hello world\n');
  assert.equal(await cli('--no-raw', 'GET', 'cli:missing'), '(nil)\n');
  assert.match(await cli('INFO', 'keyspace'), /db0:keys=\d+,expires=\d+,avg_ttl=\d+/);
  assert.equal(await cli('--no-raw', 'INCR', 'cli:k'), '(error) ERR value is not an integer or out of range\n');
  const pipe = await new Promise<string>((resolve, reject) => {
    const p = execFile('redis-cli', ['-p', String(s.port), '--pipe'], (err, stdout) => (err ? reject(err) : resolve(stdout)));
    let input = '';
    for (let i = 0; i < 1000; i++) input += `*3\r\n$3\r\nSET\r\n$${`pipe:${i}`.length}\r\npipe:${i}\r\n$1\r\n${i % 10}\r\n`;
    p.stdin!.end(input);
  });
  assert.match(pipe, /errors: 0, replies: 1000/);
});

test('redis-benchmark runs against reddish without errors', async () => {
  const { stdout } = await run('redis-benchmark', ['-p', String(s.port), '-n', '2000', '-c', '10', '-t', 'ping,set,get,incr,mset', '-q']);
  for (const t of ['PING_INLINE', 'PING_MBULK', 'SET', 'GET', 'INCR', 'MSET']) assert.match(stdout, new RegExp(`${t}.*requests per second`));
  assert.doesNotMatch(stdout, /error/i);
});
