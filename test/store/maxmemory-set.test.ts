/** CONFIG SET maxmemory below the usage evicts at once (no further command needed), on both servers. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, hasRedisServer, expectLog } from '../helpers/servers.js';
import { RespClient, plain } from '../helpers/resp.js';
import { waitFor } from '../helpers/replication.js';

for (const kind of ['redis', 'reddish'] as const) {
  test(`${kind}: CONFIG SET maxmemory 1 evicts right away, with the evicted event and Redis's warning`, { skip: kind === 'redis' && !hasRedisServer() && 'redis-server not installed' }, async () => {
    const s = await startServer(kind, ['--notify-keyspace-events', 'Ee', '--maxmemory-policy', 'allkeys-lru']);
    try {
      const sub = await RespClient.connect(s.port);
      const c = await RespClient.connect(s.port);
      assert.deepEqual(plain(await sub.call('PSUBSCRIBE', '*')), ['psubscribe', '*', 1]);
      await c.call('SET', 'foo', 'bar');
      await c.call('CONFIG', 'SET', 'maxmemory', '1');
      // Nothing else is sent: the eviction must happen on its own.
      await waitFor('evicted event', async () => sub.unclaimed.length > 0 || sub.pushes.length > 0, 5000);
      assert.deepEqual(plain([...sub.unclaimed, ...sub.pushes][0]), ['pmessage', '*', '__keyevent@0__:evicted', 'foo']);
      await expectLog(s, /# WARNING: the new maxmemory value set via CONFIG SET \(1\) is smaller than the current memory usage \(\d+\)\. This will result in key eviction/);
      await c.call('CONFIG', 'SET', 'maxmemory', '0');
      sub.close();
      c.close();
    } finally {
      await s.stop();
    }
  });
}
