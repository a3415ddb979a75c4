/**
 * EXEC is checked as the transaction it runs (7.0): a state change between queuing and EXEC
 * (min-replicas, maxmemory, a stale replica) aborts it with EXECABORT and discards it, on both
 * servers alike.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, hasRedisServer, type SpawnedServer } from '../helpers/servers.js';
import { RespClient, plain } from '../helpers/resp.js';

type Script = (tx: RespClient, admin: RespClient) => Promise<unknown[]>;

async function onBoth(script: Script): Promise<[unknown[], unknown[]]> {
  const servers: SpawnedServer[] = await Promise.all([startServer('redis'), startServer('reddish')]);
  try {
    const out: unknown[][] = [];
    for (const s of servers) {
      const [tx, admin] = await Promise.all([RespClient.connect(s.port), RespClient.connect(s.port)]);
      out.push(await script(tx, admin));
      tx.close();
      admin.close();
    }
    return [out[0], out[1]];
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

const skip = !hasRedisServer() && 'redis-server not installed';

test('EXEC of writes after min-replicas-to-write rose: EXECABORT NOREPLICAS, nothing ran, MULTI is over', { skip }, async () => {
  const [redis, reddish] = await onBoth(async (tx, admin) => {
    const r: unknown[] = [];
    const call = async (c: RespClient, ...a: string[]) => r.push(plain(await c.call(...a)));
    await call(tx, 'SET', 'xx', '1');
    await call(tx, 'MULTI');
    await call(tx, 'INCR', 'xx');
    await call(admin, 'CONFIG', 'SET', 'min-replicas-to-write', '2');
    await call(tx, 'EXEC');
    await call(tx, 'GET', 'xx');
    await call(tx, 'EXEC');
    await call(admin, 'CONFIG', 'SET', 'min-replicas-to-write', '0');
    await call(admin, 'INFO', 'commandstats').then(() => r.pop());
    return r;
  });
  assert.deepEqual(reddish, redis);
  assert.deepEqual(redis[4], { error: 'EXECABORT Transaction discarded because of: NOREPLICAS Not enough good replicas to write.' });
});

test('EXEC with a deny-OOM command after maxmemory dropped: EXECABORT OOM; a read-only EXEC still runs', { skip }, async () => {
  const [redis, reddish] = await onBoth(async (tx, admin) => {
    const r: unknown[] = [];
    const call = async (c: RespClient, ...a: string[]) => r.push(plain(await c.call(...a)));
    await call(tx, 'SET', 'a', '1');
    await call(tx, 'MULTI');
    await call(tx, 'SET', 'b', '1');
    await call(tx, 'GET', 'a');
    await call(tx, 'MULTI');
    await call(tx, 'GET', 'a');
    await call(admin, 'CONFIG', 'SET', 'maxmemory', '1');
    await call(tx, 'EXEC');
    await call(tx, 'MULTI');
    await call(tx, 'SET', 'c', '1');
    await call(tx, 'EXEC');
    await call(admin, 'CONFIG', 'SET', 'maxmemory', '0');
    return r;
  });
  assert.deepEqual(reddish, redis);
});

test('EXEC of reads on a replica that went stale (replica-serve-stale-data no): EXECABORT MASTERDOWN', { skip }, async () => {
  const [redis, reddish] = await onBoth(async (tx, admin) => {
    const r: unknown[] = [];
    const call = async (c: RespClient, ...a: string[]) => r.push(plain(await c.call(...a)));
    await call(admin, 'CONFIG', 'SET', 'replica-serve-stale-data', 'no');
    await call(tx, 'SET', 'xx', '1');
    await call(tx, 'MULTI');
    await call(tx, 'GET', 'xx');
    await call(admin, 'REPLICAOF', 'localhsot', '0');
    await call(tx, 'EXEC');
    await call(admin, 'REPLICAOF', 'NO', 'ONE');
    await call(tx, 'MULTI');
    await call(tx, 'PING');
    await call(admin, 'REPLICAOF', 'localhsot', '0');
    await call(tx, 'EXEC');
    await call(tx, 'MULTI');
    await call(admin, 'REPLICAOF', 'NO', 'ONE');
    await call(tx, 'GET', 'xx');
    await call(tx, 'EXEC');
    return r;
  });
  assert.deepEqual(reddish, redis);
});
