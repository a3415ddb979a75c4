/** maxmemory: OOM errors with noeviction, key eviction with the other policies. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../helpers/servers.js';
import { RespClient, plain } from '../helpers/resp.js';

function infoField(info: string, field: string): number {
  return Number(new RegExp(`^${field}:(\\d+)`, 'm').exec(info)![1]);
}

test('noeviction: writes get -OOM, reads still work (same text as Redis)', async () => {
  for (const kind of ['redis', 'reddish'] as const) {
    const s = await startServer(kind);
    try {
      const c = await RespClient.connect(s.port);
      await c.call('SET', 'before', 'x');
      await c.call('CONFIG', 'SET', 'maxmemory', '1');
      assert.deepEqual(plain(await c.call('SET', 'k', 'v')), { error: "OOM command not allowed when used memory > 'maxmemory'." }, kind);
      assert.equal(plain(await c.call('GET', 'before')), 'x');
      assert.equal(plain(await c.call('DEL', 'before')), 1, 'DEL is not denyoom');
      await c.call('MULTI');
      assert.deepEqual(plain(await c.call('GET', 'x')), { error: "OOM command not allowed when used memory > 'maxmemory'." });
      assert.deepEqual(plain(await c.call('EXEC')), { error: 'EXECABORT Transaction discarded because of previous errors.' });
      c.close();
    } finally {
      await s.stop();
    }
  }
});

for (const policy of ['allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'volatile-ttl', 'volatile-lru']) {
  test(`${policy}: keys are evicted to stay under maxmemory`, async () => {
    const s = await startServer('reddish', ['--maxmemory-policy', policy]);
    try {
      const c = await RespClient.connect(s.port);
      const base = infoField(plain(await c.call('INFO', 'memory')) as string, 'used_memory');
      const limit = base + 8 * 1024 * 1024;
      await c.call('CONFIG', 'SET', 'maxmemory', String(limit));
      const value = 'v'.repeat(1000);
      const volatile = policy.startsWith('volatile');
      const n = 40000; // ~40 MB of values, five times the room given
      for (let i = 0; i < n; i += 500) {
        let batch = '';
        for (let j = i; j < i + 500; j++) {
          const key = `key:${j}`;
          batch += volatile
            ? `*5\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n$1000\r\n${value}\r\n$2\r\nEX\r\n$4\r\n9999\r\n`
            : `*3\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n$1000\r\n${value}\r\n`;
        }
        const replies = await c.sendMany(batch, 500);
        for (const r of replies) assert.equal(plain(r), 'OK');
      }
      const info = plain(await c.call('INFO')) as string;
      const evicted = infoField(info, 'evicted_keys');
      const keys = plain(await c.call('DBSIZE')) as number;
      assert.ok(evicted > 0, `${policy}: some keys evicted`);
      assert.equal(keys + evicted, n, 'every key is either present or counted as evicted');
      assert.ok(keys * 1000 < 2 * (limit - base) + 4 * 1024 * 1024, `${policy}: ${keys} keys kept is about what fits`);
      c.close();
    } finally {
      await s.stop();
    }
  });
}

test('volatile policies with no volatile keys: OOM like Redis', async () => {
  const s = await startServer('reddish', ['--maxmemory-policy', 'volatile-lru']);
  try {
    const c = await RespClient.connect(s.port);
    await c.call('SET', 'a', 'b');
    await c.call('CONFIG', 'SET', 'maxmemory', '1');
    assert.deepEqual(plain(await c.call('SET', 'k', 'v')), { error: "OOM command not allowed when used memory > 'maxmemory'." });
    assert.equal(plain(await c.call('EXISTS', 'a')), 1);
    c.close();
  } finally {
    await s.stop();
  }
});
