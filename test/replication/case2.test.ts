/**
 * CASE2 at small scale, as a test: a reddish master with a small replica output-buffer limit,
 * a slow link to the replica (delay + window), writes during the full sync → the replica is
 * dropped for the limit and the master starts full sync after full sync; with the course's
 * fix (a limit large enough) the same run completes and the datasets are identical.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Fleet, info, waitFor, waitInSync, digest } from '../helpers/replication.js';
import { expectLog } from '../helpers/servers.js';
import { generate } from '../../src/lab/datagen.js';

const fleet = new Fleet();
after(() => fleet.close());

const count = (text: string, re: RegExp) => text.split('\n').filter((l) => re.test(l)).length;

for (const replicaKind of ['redis', 'reddish'] as const) {
  test(`the resync loop and its fix (reddish master, ${replicaKind} replica)`, async () => {
    const { s: m, c: mc } = await fleet.start('reddish', ['--repl-diskless-sync', 'no', '--repl-backlog-size', '16kb']);
    const { s: r, c: rc } = await fleet.start(replicaKind);
    await generate({ type: 'hash', qty: 20000, prefix: 'session', port: m.port, seed: 1 });
    // About 640 KB/s: slower than the writes (~3 MB/s), like the course's link.
    const link = await fleet.link({ listenPort: 0, targetPort: m.port, delayDownMs: 100, windowBytes: 64 * 1024 });
    await mc.config('SET', 'client-output-buffer-limit', 'replica 1mb 256kb 60');

    const writes = new AbortController();
    const writer = generate({ type: 'hash', qty: 10_000_000, prefix: 'live', port: m.port, rate: 25000, seed: 2, signal: writes.signal }).catch(() => undefined);
    await rc.replicaof('127.0.0.1', String(link.port));
    try {
      await waitFor('two buffer-limit disconnections', async () => count(m.output(), /for overcoming of output buffer limits/) >= 2, 60000, 200);
    } finally {
      writes.abort();
      await writer;
    }
    const stats = await info(mc, 'stats');
    assert.ok(Number(stats.sync_full) >= 2, `sync_full=${stats.sync_full}`);
    await expectLog(
      m,
      /# Client id=\d+ addr=\S+ laddr=\S+ fd=\d+ name= age=\d+ idle=\d+ flags=S .* oll=\d+ omem=\d+ tot-mem=\d+ events=\S+ cmd=psync .*(scheduled to be closed ASAP|closed) for overcoming of output buffer limits\./,
      /# Connection with replica 127\.0\.0\.1:\d+ lost\./,
    );
    await waitFor('two BGSAVEs for SYNC in the log', async () => count(m.output(), /Starting BGSAVE for SYNC with target: disk/) >= 2, 10000);
    await expectLog(r, /Full resync from master/);

    // The fix: a limit the full sync can live with.
    await mc.config('SET', 'client-output-buffer-limit', 'replica 512mb 128mb 120');
    const fixStart = Date.now();
    await generate({ type: 'hash', qty: 3000, prefix: 'during-fix', port: m.port, seed: 3 });
    await waitInSync(mc, rc, 120000);
    assert.equal(await digest(rc), await digest(mc));
    assert.ok(Date.now() - fixStart >= 0);
    assert.equal((await info(rc, 'replication')).master_link_status, 'up');
  });
}
