/**
 * FAILOVER (7.0's coordinated failover) between reddish and redis-server in every direction:
 * the master pauses writes, waits for a replica to have everything, becomes its replica and
 * sends PSYNC ... FAILOVER; the replica promotes itself and the old master continues with a
 * partial resync. Errors match Redis's.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Fleet, info, waitFor, waitInSync, digest } from '../helpers/replication.js';
import { expectLog } from '../helpers/servers.js';

const fleet = new Fleet();
after(() => fleet.close());
const server = (kind: 'reddish' | 'redis') => fleet.start(kind);

for (const [masterKind, replicaKind] of [
  ['reddish', 'reddish'],
  ['redis', 'reddish'],
  ['reddish', 'redis'],
] as const) {
  test(`FAILOVER from a ${masterKind} master to a ${replicaKind} replica`, async () => {
    const m = await server(masterKind);
    const r = await server(replicaKind);
    await r.c.replicaof('127.0.0.1', String(m.s.port));
    await waitInSync(m.c, r.c);
    await m.c.set('before', '1');
    assert.equal(await m.c.call('FAILOVER', 'TO', '127.0.0.1', String(r.s.port), 'TIMEOUT', '10000'), 'OK');
    await waitFor('roles swapped', async () => {
      const mi = await info(m.c, 'replication');
      const ri = await info(r.c, 'replication');
      return mi.role === 'slave' && mi.master_link_status === 'up' && mi.master_failover_state === 'no-failover' && ri.role === 'master';
    });
    await r.c.set('after', '2');
    await waitInSync(r.c, m.c);
    assert.equal(await m.c.get('after'), '2');
    assert.equal(await digest(m.c), await digest(r.c));
    // The old master continued with a partial resync through the promoted replica's replid2.
    assert.equal((await info(r.c, 'stats')).sync_partial_ok, '1');
    await expectLog(r.s, /Failover request received for replid [0-9a-f]{40}\./, /MASTER MODE enabled \(failover request from 'id=\d+ /);
    await expectLog(
      m.s,
      new RegExp(`FAILOVER requested to 127\\.0\\.0\\.1:${r.s.port}\\.`),
      new RegExp(`Failover target 127\\.0\\.0\\.1:${r.s.port} is synced, failing over\\.`),
    );
    await assert.rejects(m.c.call('FAILOVER'), /ERR FAILOVER is not valid when server is a replica\./);
  });
}

test('FAILOVER errors answer like Redis', async () => {
  const a = await server('redis');
  const b = await server('reddish');
  const cases: string[][] = [
    ['FAILOVER'],
    ['FAILOVER', 'ABORT'],
    ['FAILOVER', 'TIMEOUT', '0'],
    ['FAILOVER', 'TIMEOUT', 'x'],
    ['FAILOVER', 'TO', 'h'],
    ['FAILOVER', 'FORCE'],
    ['FAILOVER', 'TO', '127.0.0.1', '1', 'FORCE'],
    ['FAILOVER', 'BOGUS'],
    ['PSYNC', 'abcd', '10', 'FAILOVER'],
  ];
  for (const argv of cases) {
    const ra = await a.c.call(argv[0], ...argv.slice(1)).then(String, (e: Error) => `ERR: ${e.message}`);
    const rb = await b.c.call(argv[0], ...argv.slice(1)).then(String, (e: Error) => `ERR: ${e.message}`);
    assert.equal(rb, ra, argv.join(' '));
  }
  assert.equal((await info(b.c, 'replication')).master_failover_state, 'no-failover');
});
