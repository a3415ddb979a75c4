/**
 * reddish as a replica of a real redis-server 7.0 master: full sync to disk and to sockets
 * (and repl-diskless-load), the stream (every type, expiries, MULTI, SELECT), partial resync
 * after a cut link, restart with PSYNC from the RDB's replication info, promotion with
 * REPLICAOF NO ONE and the old master continuing via replid2.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Fleet, info, waitInSync, digest, mixedWrites, cutLink } from '../helpers/replication.js';
import { expectLog } from '../helpers/servers.js';

const fleet = new Fleet();
after(() => fleet.close());
const spawn = (kind: 'reddish' | 'redis', args: string[], dir?: string) => fleet.start(kind, args, dir);

const DISKLESS_MASTER = ['--repl-diskless-sync', 'yes', '--repl-diskless-sync-delay', '0'];

const modes = [
  { name: 'disk sync', master: ['--repl-diskless-sync', 'no'], replica: [] as string[], preamble: /receiving \d+ bytes from master to disk/ },
  { name: 'diskless sync', master: DISKLESS_MASTER, replica: [], preamble: /receiving streamed RDB from master with EOF to disk/ },
  { name: 'diskless sync, diskless load (on-empty-db)', master: DISKLESS_MASTER, replica: ['--repl-diskless-load', 'on-empty-db'], preamble: /receiving streamed RDB from master with EOF to parser/ },
  { name: 'disk sync, diskless load (swapdb)', master: ['--repl-diskless-sync', 'no'], replica: ['--repl-diskless-load', 'swapdb'], preamble: /receiving \d+ bytes from master to parser/ },
];

for (const mode of modes) {
  test(`redis master -> reddish replica, ${mode.name}, then the stream: equal digests and offsets`, async () => {
    const { s: m, c: mc } = await spawn('redis', mode.master);
    const { s: r, c: rc } = await spawn('reddish', mode.replica);
    await mixedWrites(mc, 'before');
    // A non-empty replica: dropped by the full sync (and on-empty-db then loads from disk).
    const emptyFirst = mode.replica.includes('on-empty-db');
    if (!emptyFirst) await rc.set('stale-local', 'dropped by the full sync');
    assert.equal(await rc.replicaof('127.0.0.1', String(m.port)), 'OK');
    await waitInSync(mc, rc);
    await mixedWrites(mc, 'after');
    // An expired key reaches the replica as the master's DEL; before that, reads hide it.
    await mc.set('short', 'x', 'PX', 30);
    await new Promise((res) => setTimeout(res, 60));
    assert.equal(await rc.get('short'), null);
    assert.equal(await mc.get('short'), null); // lazy expiry on the master propagates DEL
    await waitInSync(mc, rc);
    assert.equal(await digest(rc), await digest(mc));
    assert.equal(await rc.exists('stale-local'), 0);

    const ri = await info(rc, 'replication');
    assert.equal(ri.role, 'slave');
    assert.equal(ri.master_host, '127.0.0.1');
    assert.equal(ri.master_port, String(m.port));
    assert.equal(ri.master_link_status, 'up');
    assert.equal(ri.master_sync_in_progress, '0');
    assert.equal(ri.slave_read_repl_offset, ri.slave_repl_offset);
    assert.equal(ri.master_link_down_since_seconds, undefined);
    assert.equal(ri.master_replid, (await info(mc, 'replication')).master_replid);
    const role = (await rc.call('ROLE')) as [string, string, number, string, number];
    assert.deepEqual(role.slice(0, 4), ['slave', '127.0.0.1', m.port, 'connected']);
    assert.equal(role[4], Number(ri.slave_repl_offset));
    // Read-only replica; the master link is listed with flags=M.
    await assert.rejects(rc.set('x', '1'), /READONLY You can't write against a read only replica\./);
    assert.match((await rc.call('CLIENT', 'LIST')) as string, /flags=M .*user=\(superuser\)/);

    await expectLog(
      r,
      /Connecting to MASTER 127\.0\.0\.1:\d+/,
      /MASTER <-> REPLICA sync started/,
      /REPLICAOF 127\.0\.0\.1:\d+ enabled \(user request from 'id=\d+ addr=/,
      /Non blocking connect for SYNC fired the event\./,
      /Master replied to PING, replication can continue\.\.\./,
      /Trying a partial resynchronization \(request [0-9a-f]{40}:1\)\./,
      /Full resync from master: [0-9a-f]{40}:\d+/,
      mode.preamble,
      /Discarding previously cached master state\./,
      /MASTER <-> REPLICA sync: Loading DB in memory/,
      /Loading RDB produced by version 7\.0\.15/,
      /Done loading RDB, keys loaded: \d+, keys expired: 0\./,
      /MASTER <-> REPLICA sync: Finished with success/,
      mode.replica.includes('swapdb') ? /MASTER <-> REPLICA sync: Swapping active DB with loaded DB/ : /MASTER <-> REPLICA sync: Flushing old data/,
    );
    await expectLog(m, /Synchronization with replica 127\.0\.0\.1:\d+ succeeded/);
    // WAIT on the master counts our ACKs.
    await mc.set('w', '1');
    assert.equal(await mc.call('WAIT', '1', '5000'), 1);
  });
}

test('a cut link resumes with +CONTINUE from the cached master; a sub-replica of reddish follows at the same offsets', async () => {
  const { s: m, c: mc } = await spawn('redis', ['--repl-diskless-sync', 'no']);
  const { s: r, c: rc } = await spawn('reddish', []);
  const { c: sc } = await spawn('redis', []);
  const link = await fleet.link({ listenPort: 0, targetPort: m.port });
  await mixedWrites(mc, 'a');
  await rc.replicaof('127.0.0.1', String(link.port));
  await waitInSync(mc, rc);
  await sc.replicaof('127.0.0.1', String(r.port));
  await waitInSync(mc, sc);
  await cutLink(link, rc);
  const down = await info(rc, 'replication');
  assert.match(down.master_link_down_since_seconds, /^\d+$/);
  assert.equal(down.master_last_io_seconds_ago, '-1');
  await mixedWrites(mc, 'b');
  link.restore();
  await waitInSync(mc, rc);
  await waitInSync(mc, sc);
  assert.equal(await digest(rc), await digest(mc));
  assert.equal(await digest(sc), await digest(mc));
  const stats = await info(mc, 'stats');
  assert.equal(stats.sync_full, '1');
  assert.equal(stats.sync_partial_ok, '1');
  await expectLog(
    r,
    /Connection with master lost\./,
    /Caching the disconnected master state\./,
    /Reconnecting to MASTER 127\.0\.0\.1:\d+/,
    /Successful partial resynchronization with master\./,
    /MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization\./,
  );
  // The sub-replica kept its link to us: it never needed another sync.
  assert.equal((await info(sc, 'replication')).master_link_status, 'up');
});

test('a restarted replica continues with PSYNC from the replication info saved in its RDB', async () => {
  const { s: m, c: mc } = await spawn('redis', ['--repl-diskless-sync', 'no']);
  const { s: r, c: rc } = await spawn('reddish', ['--save', '3600 1']);
  await mixedWrites(mc, 'a');
  await rc.replicaof('127.0.0.1', String(m.port));
  await waitInSync(mc, rc);
  await mixedWrites(mc, 'streamed');
  const off = await waitInSync(mc, rc);
  await rc.call('SHUTDOWN', 'SAVE').catch(() => undefined);
  await r.stop('SIGTERM');
  await mixedWrites(mc, 'b');
  const { s: r2, c: rc2 } = await spawn('reddish', ['--save', '3600 1', '--replicaof', '127.0.0.1', String(m.port)], r.dir);
  await waitInSync(mc, rc2);
  assert.equal(await digest(rc2), await digest(mc));
  await expectLog(
    r2,
    /DB loaded from disk/,
    /Before turning into a replica, using my own master parameters to synthesize a cached master/,
    new RegExp(`Trying a partial resynchronization \\(request [0-9a-f]{40}:${off + 1}\\)\\.`),
    /Successful partial resynchronization with master\./,
  );
  const log = r2.output();
  assert.ok(log.indexOf('DB loaded from disk') < log.indexOf('Before turning into a replica'));
  assert.equal((await info(mc, 'stats')).sync_partial_ok, '1');
});

test('promotion with REPLICAOF NO ONE; the old master follows the new one with a partial resync via replid2', async () => {
  const { s: m, c: mc } = await spawn('redis', DISKLESS_MASTER);
  const { s: r, c: rc } = await spawn('reddish', []);
  await mixedWrites(mc, 'a');
  await rc.replicaof('127.0.0.1', String(m.port));
  await waitInSync(mc, rc);
  await mixedWrites(mc, 'streamed');
  const off = await waitInSync(mc, rc);
  const oldId = (await info(rc, 'replication')).master_replid;
  assert.equal(await rc.replicaof('NO', 'ONE'), 'OK');
  const pi = await info(rc, 'replication');
  assert.equal(pi.role, 'master');
  assert.equal(pi.master_replid2, oldId);
  assert.equal(pi.second_repl_offset, String(off + 1));
  assert.notEqual(pi.master_replid, oldId);
  await rc.set('written-on-promoted', '1'); // writable now
  await mc.replicaof('127.0.0.1', String(r.port));
  await waitInSync(rc, mc);
  await mixedWrites(rc, 'b');
  await waitInSync(rc, mc);
  assert.equal(await digest(mc), await digest(rc));
  // MASTER MODE enabled is written after all of these, the two-line match below included.
  await expectLog(
    r,
    /:M .*# Connection with master lost\./,
    new RegExp(`# Setting secondary replication ID to ${oldId}, valid up to offset: ${off + 1}\\. New replication ID is [0-9a-f]{40}`),
    /MASTER MODE enabled \(user request from 'id=\d+ /,
  );
  assert.match(r.output(), /Caching the disconnected master state\.\n.*Discarding previously cached master state\./);
  await expectLog(m, /Successful partial resynchronization with master\./, /Master replication ID changed to [0-9a-f]{40}/);
});

test('reddish master -> reddish replica -> reddish sub-replica: full sync, stream, cut link and +CONTINUE', async () => {
  const { s: m, c: mc } = await spawn('reddish', DISKLESS_MASTER);
  const { s: r, c: rc } = await spawn('reddish', []);
  const { c: sc } = await spawn('reddish', ['--repl-diskless-load', 'swapdb']);
  const link = await fleet.link({ listenPort: 0, targetPort: m.port });
  await mixedWrites(mc, 'a');
  await rc.replicaof('127.0.0.1', String(link.port));
  await waitInSync(mc, rc);
  await sc.replicaof('127.0.0.1', String(r.port));
  await mixedWrites(mc, 'b');
  await waitInSync(mc, rc);
  await waitInSync(mc, sc);
  await cutLink(link, rc);
  await mixedWrites(mc, 'c');
  link.restore();
  await waitInSync(mc, rc);
  await waitInSync(mc, sc);
  const d = await digest(mc);
  assert.equal(await digest(rc), d);
  assert.equal(await digest(sc), d);
  await expectLog(r, /Successful partial resynchronization with master\./);
  assert.equal((await info(mc, 'stats')).sync_partial_ok, '1');
});
