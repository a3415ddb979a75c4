/**
 * Faults during an rdb-channel full sync (issue: either server killed mid-sync, a full disk
 * while spilling): the replica ends with its old dataset or a complete, digest-equal new one —
 * never a mix — and the master is left with no half-served replica.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Fleet, info, waitFor, waitInSync, digest, writer } from '../helpers/replication.js';
import { generate } from '../../src/lab/datagen.js';

const fleet = new Fleet();
after(() => fleet.close());

const CHANNEL = ['--repl-rdb-channel', 'yes'];
const MASTER = [...CHANNEL, '--repl-diskless-sync-delay', '0'];

/** Resolves once the replica has read this many payload bytes (the transfer is under way). */
async function transferUnderWay(rc: Parameters<typeof info>[0], bytes = 100_000): Promise<void> {
  await waitFor('the transfer under way', async () => Number((await info(rc, 'replication')).master_sync_read_bytes ?? 0) >= bytes, 60000, 20);
}

test('the replica killed (SIGKILL) mid-sync: the master drops both channels and serves a new replica digest-equal', async () => {
  const { s: m, c: mc } = await fleet.start('reddish', MASTER);
  const { s: r, c: rc } = await fleet.start('reddish', CHANNEL);
  await generate({ type: 'hash', qty: 40000, prefix: 'session', port: m.port, seed: 1 });
  const link = await fleet.link({ listenPort: 0, targetPort: m.port, delayDownMs: 100, windowBytes: 64 * 1024 });
  const w = writer(m.port, 1000, 2);
  try {
    await rc.replicaof('127.0.0.1', String(link.port));
    await transferUnderWay(rc);
    await r.stop('SIGKILL');
    await waitFor('no replica left on the master', async () => {
      const mi = await info(mc, 'replication');
      const clients = (await mc.call('CLIENT', 'LIST')) as string;
      return mi.connected_slaves === '0' && !/flags=S/.test(clients);
    }, 30000);
    // The master still takes writes and a new replica gets everything.
    const { c: rc2 } = await fleet.start('reddish', CHANNEL);
    await rc2.replicaof('127.0.0.1', String(m.port));
    await waitInSync(mc, rc2, 60000);
  } finally {
    await w.stop();
  }
  const mi = await info(mc, 'replication');
  assert.equal(mi.connected_slaves, '1');
  assert.match(mi.slave0, /state=online/);
  assert.match(m.output(), /Connection with replica (\(rdbchannel\) )?\S+ lost\./);
});

test('the master killed (SIGKILL) mid-sync: the replica keeps its old dataset whole, then syncs from a new master', async () => {
  const { s: m, c: mc } = await fleet.start('reddish', MASTER);
  const { s: r, c: rc } = await fleet.start('reddish', CHANNEL);
  for (let i = 0; i < 500; i++) await rc.hset(`old:${i}`, 'f', String(i));
  const before = await digest(rc);
  await generate({ type: 'hash', qty: 40000, prefix: 'session', port: m.port, seed: 1 });
  const link = await fleet.link({ listenPort: 0, targetPort: m.port, delayDownMs: 100, windowBytes: 64 * 1024 });
  const w = writer(m.port, 1000, 3);
  try {
    await rc.replicaof('127.0.0.1', String(link.port));
    await transferUnderWay(rc);
    await m.stop('SIGKILL');
  } finally {
    await w.stop();
  }
  await waitFor('the replica noticed', async () => {
    const ri = await info(rc, 'replication');
    return ri.master_link_status === 'down' && ri.master_sync_in_progress === '0';
  }, 30000);
  // Never half of the new dataset: the old one, whole.
  assert.equal(await digest(rc), before);
  assert.equal(await rc.dbsize(), 500);
  const dir = ((await rc.config('GET', 'dir')) as string[])[1];
  assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('temp-')), [], 'temporary files left behind');
  // A new master: a clean full sync.
  const { c: mc2 } = await fleet.start('reddish', MASTER);
  for (let i = 0; i < 1000; i++) await mc2.set(`new:${i}`, String(i));
  await rc.replicaof('127.0.0.1', String((await info(mc2, 'server')).tcp_port));
  await waitInSync(mc2, rc, 60000);
  assert.equal(await digest(rc), await digest(mc2));
  void mc;
  void r;
});

test('a full disk while spilling: the replica says so, keeps the rest in memory, and the sync completes digest-equal', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'reddish-fulldisk-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir]).status === 0;
  if (!mounted) {
    rmSync(dir, { recursive: true, force: true });
    t.skip('cannot mount a small tmpfs here (needs root)');
    return;
  }
  try {
    const { s: m, c: mc } = await fleet.start('reddish', MASTER);
    // The RDB goes straight into memory (on-empty-db), so only the spill file uses the small disk.
    const { s: r, c: rc } = await fleet.start(
      'reddish',
      [...CHANNEL, '--replica-full-sync-buffer-limit', '64kb', '--repl-diskless-load', 'on-empty-db'],
      dir,
    );
    await generate({ type: 'hash', qty: 40000, prefix: 'session', port: m.port, seed: 1 });
    const link = await fleet.link({ listenPort: 0, targetPort: m.port, delayDownMs: 100, windowBytes: 64 * 1024 });
    const w = writer(m.port, 2000, 4);
    try {
      await rc.replicaof('127.0.0.1', String(link.port));
      await r.waitForLog(/Can't spill the replica full sync buffer to disk \(.*\): keeping it in memory up to the limit\./, 90000);
      await waitFor('the replica online', async () => (await info(rc, 'replication')).master_link_status === 'up', 90000, 100);
    } finally {
      await w.stop();
    }
    await waitInSync(mc, rc, 60000);
    assert.equal(await digest(rc), await digest(mc));
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('temp-fullsync-buffer-')), []);
    await r.stop();
  } finally {
    spawnSync('umount', ['-l', dir]);
    rmSync(dir, { recursive: true, force: true });
  }
});
