/**
 * Redis 8's rdb-channel replication between reddish nodes (spec rdb-channel.md §2): the snapshot
 * on a second connection while the main one streams the writes made meanwhile, so the master's
 * output buffer for the replica stays small; failures of either channel end in a clean retry;
 * with redis-server 7.0 in either role the classic sync runs.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { Redis } from 'ioredis';
import { Fleet, info, waitFor, waitInSync, digest, writer, clientList } from '../helpers/replication.js';
import { expectLog, hasRedisServer } from '../helpers/servers.js';
import { generate } from '../../src/lab/datagen.js';

const fleet = new Fleet();
after(() => fleet.close());

const count = (text: string, re: RegExp) => text.split('\n').filter((l) => re.test(l)).length;
const CHANNEL = ['--repl-rdb-channel', 'yes'];
const MASTER = [...CHANNEL, '--repl-diskless-sync-delay', '0'];


/** A master with `keys` hashes behind a ~640 KB/s link (per connection), and a replica. */
async function setup(keys: number, replicaArgs: string[] = CHANNEL, masterArgs: string[] = MASTER) {
  const { s: m, c: mc } = await fleet.start('reddish', masterArgs);
  const { s: r, c: rc } = await fleet.start('reddish', replicaArgs);
  await generate({ type: 'hash', qty: keys, prefix: 'session', port: m.port, seed: 1 });
  const link = await fleet.link({ listenPort: 0, targetPort: m.port, delayDownMs: 100, windowBytes: 64 * 1024 });
  return { m, mc, r, rc, link };
}

test('full sync over the rdb channel under concurrent writes: digest-equal, small master output buffer, states, flags, INFO', async () => {
  const { m, mc, r, rc, link } = await setup(20000);
  const w = writer(m.port, 2000, 2);
  let maxOmem = 0;
  let sawSC = false;
  let sawStreamState = false;
  let sawReplicaBuffer = 0;
  try {
    await rc.replicaof('127.0.0.1', String(link.port));
    await waitFor(
      'sync through the rdb channel',
      async () => {
        const clients = await clientList(mc);
        if (clients.some((c) => c.flags === 'SC')) sawSC = true;
        for (const c of clients) if (c.flags === 'S') maxOmem = Math.max(maxOmem, c.omem);
        const mi = await info(mc, 'replication');
        if (/state=send_bulk_and_stream/.test(mi.slave0 ?? '')) {
          sawStreamState = true;
          // The rdb channel is not a replica of its own in INFO.
          assert.equal(mi.connected_slaves, '1');
          assert.equal(mi.slave1, undefined);
        }
        const ri = await info(rc, 'replication');
        sawReplicaBuffer = Math.max(sawReplicaBuffer, Number(ri.replica_full_sync_buffer_size));
        return ri.master_link_status === 'up' && /state=online/.test(mi.slave0 ?? '');
      },
      60000,
      20,
    );
  } finally {
    await w.stop();
  }
  await waitInSync(mc, rc, 60000);
  assert.equal(await digest(rc), await digest(mc));
  assert.ok(sawSC, `CLIENT LIST showed the rdb channel with flags SC (stream state seen: ${sawStreamState}, omem ${maxOmem}, buffer ${sawReplicaBuffer})\n${m.output()}`);
  assert.ok(sawStreamState, 'the main channel was in send_bulk_and_stream');
  // Writes at ~300 KB/s flow on the main channel instead of waiting in the master's buffer.
  assert.ok(maxOmem < 512 * 1024, `master omem for the replica peaked at ${maxOmem}`);
  const ri = await info(rc, 'replication');
  assert.ok(Number(ri.replica_full_sync_buffer_peak) > 0, `peak ${ri.replica_full_sync_buffer_peak}, seen ${sawReplicaBuffer}`);
  assert.equal(ri.replica_full_sync_buffer_size, '0');
  assert.equal((await info(rc, 'memory')).mem_replica_full_sync_buffer, '0');
  const stats = await info(mc, 'stats');
  assert.equal(stats.sync_full, '1');
  await expectLog(
    m,
    /Replica \S+ is capable of rdb channel synchronization, and partial sync isn't possible\. Full sync will continue with dedicated rdb channel\./,
    /Full resync requested by replica \S+ \(rdb-channel\)/,
    /Starting BGSAVE for SYNC with target: replicas sockets \(rdb-channel\)/,
    /Starting to deliver RDB and replication stream to replica: \S+/,
    /Synchronization with replica \S+ succeeded/,
  );
  await expectLog(
    r,
    /PSYNC is not possible, initialize RDB channel\./,
    /Starting to receive RDB and replication stream in parallel\./,
    /MASTER <-> REPLICA sync: Starting to stream replication buffer into the db \(\d+ bytes\)\./,
    /MASTER <-> REPLICA sync: Successfully streamed replication buffer into the db \(\d+ bytes in total\)/,
  );
  await waitFor('rdb channel closed on the master', async () => (await clientList(mc)).every((c) => !c.flags.includes('C')));
});

test('CASE2 in small: the classic sync loops under a small replica limit, the rdb channel completes under the same limit', async () => {
  const { m, mc, rc, r, link } = await setup(40000, [], ['--repl-diskless-sync', 'no', '--repl-backlog-size', '16kb']);
  // Small enough that the classic sync is dropped even when a loaded machine slows the writer.
  await mc.config('SET', 'client-output-buffer-limit', 'replica 512kb 128kb 60');
  const w = writer(m.port, 2000, 3);
  try {
    await rc.replicaof('127.0.0.1', String(link.port));
    await waitFor('a buffer-limit disconnection (classic sync)', async () => count(m.output(), /for overcoming of output buffer limits/) >= 1, 120000, 200);
    // Same limit, same writes: the rdb channel on both (diskless sync is what it needs on the master).
    await mc.config('SET', 'repl-diskless-sync', 'yes');
    await mc.config('SET', 'repl-diskless-sync-delay', '0');
    await mc.config('SET', 'repl-rdb-channel', 'yes');
    await rc.config('SET', 'repl-rdb-channel', 'yes');
    await waitFor(
      'a sync through the rdb channel completes while the writes go on',
      async () => /Starting to deliver RDB and replication stream/.test(m.output()) && (await info(rc, 'replication')).master_link_status === 'up',
      90000,
      200,
    );
  } finally {
    await w.stop();
  }
  await waitInSync(mc, rc, 60000);
  assert.equal(await digest(rc), await digest(mc));
  await expectLog(r, /Successfully streamed replication buffer into the db/);
});

test('replica-full-sync-buffer-limit: the replica stops reading at the limit and the sync still completes', async () => {
  const { m, mc, r, rc, link } = await setup(20000, [...CHANNEL, '--replica-full-sync-buffer-limit', '64kb', '--replica-full-sync-buffer-spill', 'no']);
  const w = writer(m.port, 2000, 4);
  try {
    await rc.replicaof('127.0.0.1', String(link.port));
    await r.waitForLog(/Replication buffer limit has been reached \(65536 bytes\), stopped buffering replication stream\. Further accumulation may occur on master side\./, 60000);
  } finally {
    await w.stop();
  }
  await waitInSync(mc, rc, 60000);
  assert.equal(await digest(rc), await digest(mc));
  assert.ok(Number((await info(rc, 'replication')).replica_full_sync_buffer_peak) >= 65536);
  assert.equal((await info(mc, 'stats')).sync_full, '1');
  void m;
});

test('replica-full-sync-buffer-spill: past the limit the stream goes to a file in dir, the master keeps streaming', async () => {
  const { m, mc, r, rc, link } = await setup(20000, [...CHANNEL, '--replica-full-sync-buffer-limit', '64kb']);
  const w = writer(m.port, 2000, 9);
  let maxOmem = 0;
  let spilledSeen = 0;
  try {
    await rc.replicaof('127.0.0.1', String(link.port));
    await waitFor(
      'sync through the rdb channel with spilling',
      async () => {
        for (const c of await clientList(mc)) if (c.flags === 'S') maxOmem = Math.max(maxOmem, c.omem);
        const ri = await info(rc, 'replication');
        spilledSeen = Math.max(spilledSeen, Number(ri.replica_full_sync_buffer_spilled));
        const mi = await info(mc, 'replication');
        return ri.master_link_status === 'up' && /state=online/.test(mi.slave0 ?? '');
      },
      60000,
      20,
    );
  } finally {
    await w.stop();
  }
  await waitInSync(mc, rc, 60000);
  assert.equal(await digest(rc), await digest(mc));
  const ri = await info(rc, 'replication');
  assert.ok(Number(ri.replica_full_sync_buffer_spilled_total) > 0, `spilled_total ${ri.replica_full_sync_buffer_spilled_total}, seen ${spilledSeen}`);
  assert.equal(ri.replica_full_sync_buffer_spilled, '0');
  assert.ok(maxOmem < 512 * 1024, `master omem for the replica peaked at ${maxOmem}`);
  await expectLog(r, /Replica full sync buffer reached 65536 bytes in memory: spilling the replication stream to \S+/);
  assert.equal(count(r.output(), /stopped buffering replication stream/), 0);
  const dir = ((await rc.config('GET', 'dir')) as string[])[1];
  const { readdirSync } = await import('node:fs');
  assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('temp-fullsync-buffer-')), []);
});

test('main-ch-client-id that is not a main channel waiting for its rdb channel: Unrecognized RDB client id', async () => {
  const { s: m } = await fleet.start('reddish', MASTER);
  const reply = await new Promise<string>((resolve, reject) => {
    const sock = net.connect(m.port, '127.0.0.1', () => sock.write('REPLCONF capa eof rdb-only 1 rdb-channel 1 main-ch-client-id 123456 listening-port 1\r\n'));
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      if (buf.includes('\r\n')) {
        sock.destroy();
        resolve(buf);
      }
    });
    sock.on('error', reject);
  });
  assert.equal(reply, '-ERR Unrecognized RDB client id: 123456\r\n');
});

for (const which of ['rdb', 'main'] as const) {
  test(`the ${which} channel killed mid-transfer: clean retry, digest-equal in the end`, async () => {
    const { m, mc, r, rc, link } = await setup(60000);
    const w = writer(m.port, 1000, 5);
    try {
      await rc.replicaof('127.0.0.1', String(link.port));
      const victim = await waitFor(
        'the transfer under way',
        async () => {
          const clients = await clientList(mc);
          const rdb = clients.find((c) => c.flags === 'SC');
          const main = clients.find((c) => c.flags === 'S');
          const ri = await info(rc, 'replication');
          // Early in the transfer: the payload (several MB) is far larger than what the sockets
          // and the link can hold, so the master is still sending it.
          if (!rdb || !main || Number(ri.master_sync_read_bytes ?? 0) < 100_000) return null;
          return which === 'rdb' ? rdb : main;
        },
        60000,
        20,
      );
      await mc.call('CLIENT', 'KILL', 'ID', victim.id);
      await waitFor('a second full sync', async () => Number((await info(mc, 'stats')).sync_full) >= 2, 90000).catch((e: Error) => {
        throw new Error(`${e.message}\n--- master:\n${m.output()}\n--- replica:\n${r.output()}`);
      });
    } finally {
      await w.stop();
    }
    await waitInSync(mc, rc, 90000);
    assert.equal(await digest(rc), await digest(mc));
    if (which === 'rdb') await expectLog(r, /(Main channel error while reading from master|I\/O error trying to sync with MASTER)/);
    else await expectLog(r, /Main channel error while reading from master/, /Aborting rdb channel sync/);
  });
}

test('the main channel killed around the load: the replica finishes, replays, continues with PSYNC; digest-equal', async () => {
  const { m, mc, r, rc, link } = await setup(40000);
  const w = writer(m.port, 1000, 10);
  try {
    await rc.replicaof('127.0.0.1', String(link.port));
    await r.waitForLog(/MASTER <-> REPLICA sync: Loading DB in memory/, 60000);
    const main = (await clientList(mc)).find((c) => c.flags === 'S');
    if (main) await mc.call('CLIENT', 'KILL', 'ID', main.id);
  } finally {
    await w.stop();
  }
  await waitInSync(mc, rc, 90000);
  assert.equal(await digest(rc), await digest(mc));
  // Lost while loading from disk (the default) or while replaying: the load finishes, what was
  // buffered is applied, then a PSYNC continues from there — no second full sync (as Redis 8).
  if (/After loading RDB, replica will try psync with master\.|Main channel error while reading from master/.test(r.output())) {
    const stats = await info(mc, 'stats');
    assert.equal(stats.sync_full, '1');
    assert.ok(Number(stats.sync_partial_ok) >= 1, `sync_partial_ok=${stats.sync_partial_ok}`);
  }
});

test('masterauth: the rdb channel authenticates too', async () => {
  const { c: mc } = await fleet.start('reddish', MASTER);
  // This connection stays authenticated; new ones (the replica's two) need the password.
  await mc.config('SET', 'requirepass', 'sekret');
  const { s: r, c: rc } = await fleet.start('reddish', [...CHANNEL, '--masterauth', 'sekret']);
  for (let i = 0; i < 200; i++) await mc.set(`k${i}`, `v${i}`);
  const port = Number((await info(mc, 'server')).tcp_port);
  await rc.replicaof('127.0.0.1', String(port));
  await waitInSync(mc, rc, 30000);
  assert.equal(await digest(rc), await digest(mc));
  await expectLog(r, /Starting to receive RDB and replication stream in parallel\./);
});

test('fallback: reddish replica with the rdb channel on, redis-server 7.0 master: classic sync, said once', { skip: !hasRedisServer() }, async () => {
  const { s: m, c: mc } = await fleet.start('redis', ['--repl-diskless-sync-delay', '0']);
  const { s: r, c: rc } = await fleet.start('reddish', CHANNEL);
  await generate({ type: 'hash', qty: 2000, prefix: 'k', port: m.port, seed: 6 });
  await rc.replicaof('127.0.0.1', String(m.port));
  await waitInSync(mc, rc, 30000);
  assert.equal(await digest(rc), await digest(mc));
  await expectLog(r, /Master does not support rdb channel replication \(it replied \+FULLRESYNC to capa rdb-channel-repl\): full sync on the main channel\./);
  // Once per master: a reconnection does not repeat it.
  await rc.call('CLIENT', 'KILL', 'TYPE', 'master');
  await generate({ type: 'hash', qty: 100, prefix: 'k2', port: m.port, seed: 7 });
  await waitInSync(mc, rc, 30000);
  assert.equal(count(r.output(), /Master does not support rdb channel replication/), 1);
});

test('fallback: redis-server 7.0 replica, reddish master with the rdb channel on: classic sync, said once', { skip: !hasRedisServer() }, async () => {
  const { s: m, c: mc } = await fleet.start('reddish', MASTER);
  const { c: rc } = await fleet.start('redis');
  await generate({ type: 'hash', qty: 2000, prefix: 'k', port: m.port, seed: 8 });
  await rc.replicaof('127.0.0.1', String(m.port));
  await waitInSync(mc, rc, 30000);
  assert.equal(await digest(rc), await digest(mc));
  await expectLog(m, /Replica \S+: full sync on the main channel \(no rdb channel\): the replica did not announce capa rdb-channel-repl/);
  assert.equal(count(m.output(), /Starting to deliver RDB and replication stream/), 0);
});
