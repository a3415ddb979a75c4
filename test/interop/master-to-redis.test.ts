/**
 * A reddish master serving real redis-server 7.0 replicas: full sync to disk and to sockets,
 * the stream (every type, expiries, MULTI, SELECT), partial resync after a cut link, ROLE/INFO.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Fleet, info, waitInSync, digest, mixedWrites, cutLink } from '../helpers/replication.js';
import { expectLog } from '../helpers/servers.js';

const fleet = new Fleet();
after(() => fleet.close());

async function pair(masterArgs: string[]) {
  const { s: m, c: mc } = await fleet.start('reddish', masterArgs);
  const { s: r, c: rc } = await fleet.start('redis');
  return { m, r, mc, rc };
}

for (const mode of ['disk', 'diskless'] as const) {
  test(`reddish master -> redis replica, ${mode} sync, then the stream: equal digests and offsets`, async () => {
    const args = mode === 'disk' ? ['--repl-diskless-sync', 'no'] : ['--repl-diskless-sync', 'yes', '--repl-diskless-sync-delay', '0'];
    const { m, r, mc, rc } = await pair(args);
    await mixedWrites(mc, 'before');
    await rc.replicaof('127.0.0.1', String(m.port));
    await waitInSync(mc, rc);
    await mixedWrites(mc, 'after');
    // A key that expires on the master reaches the replica as a DEL.
    await mc.set('short', 'x', 'PX', 1);
    await new Promise((res) => setTimeout(res, 5));
    assert.equal(await mc.exists('short'), 0);
    const off = await waitInSync(mc, rc);
    assert.equal(await digest(rc), await digest(mc));
    assert.equal(await rc.exists('short'), 0);
    const mi = await info(mc, 'replication');
    assert.equal(mi.role, 'master');
    assert.equal(mi.connected_slaves, '1');
    assert.match(mi.slave0, new RegExp(`^ip=127\\.0\\.0\\.1,port=${r.port},state=online,offset=\\d+,lag=\\d+$`));
    const role = (await mc.call('ROLE')) as [string, number, string[][]];
    assert.equal(role[0], 'master');
    assert.equal(role[1], off);
    assert.deepEqual(role[2][0].slice(0, 2), ['127.0.0.1', String(r.port)]);
    const stats = await info(mc, 'stats');
    assert.equal(stats.sync_full, '1');
    await expectLog(
      m,
      new RegExp(`Replica 127\\.0\\.0\\.1:${r.port} asks for synchronization`),
      /Partial resynchronization not accepted: Replication ID mismatch/,
      /Replication backlog created, my new replication IDs are '[0-9a-f]{40}' and '0{40}'/,
      new RegExp(`Starting BGSAVE for SYNC with target: ${mode === 'disk' ? 'disk' : 'replicas sockets'}`),
      new RegExp(`Synchronization with replica 127\\.0\\.0\\.1:${r.port} succeeded`),
    );
    // WAIT: the replica acknowledges the last write.
    await mc.set('w', '1');
    assert.equal(await mc.call('WAIT', '1', '5000'), 1);
  });
}

test('a cut link resumes with a partial resync from the backlog (PSYNC +CONTINUE)', async () => {
  const { m, r, mc, rc } = await pair(['--repl-diskless-sync', 'no']);
  const link = await fleet.link({ listenPort: 0, targetPort: m.port });
  await mixedWrites(mc, 'a');
  await rc.replicaof('127.0.0.1', String(link.port));
  await waitInSync(mc, rc);
  await cutLink(link, rc);
  await mixedWrites(mc, 'b');
  link.restore();
  await waitInSync(mc, rc);
  assert.equal(await digest(rc), await digest(mc));
  const stats = await info(mc, 'stats');
  assert.equal(stats.sync_full, '1');
  assert.equal(stats.sync_partial_ok, '1');
  await expectLog(m, /Partial resynchronization request from 127\.0\.0\.1:\d+ accepted\. Sending \d+ bytes of backlog starting from offset \d+\./);
  await expectLog(r, /Successful partial resynchronization with master\./);
});
