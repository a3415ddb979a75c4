/**
 * redis.set_repl picks where each write of a script goes, as 7.0 does: REPL_NONE nowhere,
 * REPL_AOF the AOF only, REPL_REPLICA the replicas only, REPL_ALL both. Checked on a master with
 * appendonly and a replica, against redis-server: the replica's keys, and the keys the master
 * has after DEBUG LOADAOF (twice: the reload itself must not land in the AOF).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Fleet, waitFor, waitInSync } from '../helpers/replication.js';
import { hasRedisServer } from '../helpers/servers.js';

const fleet = new Fleet();
after(() => fleet.close());

const SCRIPT = `
redis.call('set','a','1')
redis.set_repl(redis.REPL_NONE)
redis.call('set','b','2')
redis.set_repl(redis.REPL_AOF)
redis.call('set','c','3')
redis.set_repl(redis.REPL_REPLICA)
redis.call('set','e','5')
redis.set_repl(redis.REPL_ALL)
redis.call('set','d','4')
`;

const KINDS = hasRedisServer() ? (['redis', 'reddish'] as const) : (['reddish'] as const);

for (const kind of KINDS) {
  test(`set_repl on ${kind}: the replica gets a, e, d; the AOF keeps a, c, d; DEBUG LOADAOF twice gives the same`, async () => {
    const m = await fleet.start(kind, ['--appendonly', 'yes']);
    const r = await fleet.start(kind);
    await r.c.call('REPLICAOF', '127.0.0.1', String(m.s.port));
    await waitInSync(m.c, r.c);
    await m.c.call('EVAL', SCRIPT, '0');
    const keys = ['a', 'b', 'c', 'd', 'e'];
    await waitFor('the replica has d', async () => (await r.c.call('GET', 'd')) === '4');
    assert.deepEqual(await r.c.call('MGET', ...keys), ['1', null, null, '4', '5']);
    assert.deepEqual(await m.c.call('MGET', ...keys), ['1', '2', '3', '4', '5']);
    for (let i = 0; i < 2; i++) {
      assert.equal(await m.c.call('DEBUG', 'LOADAOF'), 'OK');
      assert.deepEqual(await m.c.call('MGET', ...keys), ['1', null, '3', '4', null], `after DEBUG LOADAOF #${i + 1}`);
    }
    // Neither the reload nor anything else reached the replica.
    await m.c.call('SET', 'after', 'x');
    await waitInSync(m.c, r.c);
    assert.deepEqual(await r.c.call('MGET', ...keys), ['1', null, null, '4', '5']);
  });
}
