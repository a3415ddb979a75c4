/**
 * Either channel of a two-channel full sync killed at each stage the other test files do not
 * cover (issue #15: handshake, load, replay), for Redis 8's rdb channel and Valkey 8's dual
 * channel. Each test cuts one connection on the master with CLIENT KILL ID (or the master link
 * on the replica with CLIENT KILL TYPE master) at a moment found from CLIENT LIST flags (S = a
 * replica connection, C = an rdb channel), INFO and the replica's log, behind a slow link whose
 * delay keeps each stage open long enough to be hit. The outcome is always the same: the replica
 * ends digest-equal with the master (by a clean retry or by continuing), no temp file is left in
 * its dir, both sides' INFO is back to a plain online replica, and nothing stays wedged.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import type { Redis } from 'ioredis';
import type { SpawnedServer } from '../helpers/servers.js';
import { Fleet, info, waitFor, waitInSync, digest, writer, clientList, type ClientLine } from '../helpers/replication.js';
import { expectLog } from '../helpers/servers.js';
import { generate } from '../../src/lab/datagen.js';

const fleet = new Fleet();
after(() => fleet.close());

const RDBCH = ['--repl-rdb-channel', 'yes'];
const DUAL = ['--dual-channel-replication-enabled', 'yes'];
const SPILL = ['--replica-full-sync-buffer-limit', '64kb'];


async function kill(mc: Redis, id: string): Promise<void> {
  await mc.call('CLIENT', 'KILL', 'ID', id);
}

interface Setup {
  m: SpawnedServer;
  mc: Redis;
  r: SpawnedServer;
  rc: Redis;
  linkPort: number;
}

/**
 * A master with `keys` hashes, a replica and a slow link between them (every byte master →
 * replica arrives `delayDownMs` late; replica → master `delayUpMs` late).
 */
async function setup(opts: { dialect: string[]; keys: number; masterArgs?: string[]; replicaArgs?: string[]; delayDownMs?: number; delayUpMs?: number }): Promise<Setup> {
  const { s: m, c: mc } = await fleet.start('reddish', [...opts.dialect, '--repl-diskless-sync-delay', '0', ...(opts.masterArgs ?? [])]);
  const { s: r, c: rc } = await fleet.start('reddish', [...opts.dialect, ...(opts.replicaArgs ?? [])]);
  if (opts.keys > 0) await generate({ type: 'hash', qty: opts.keys, prefix: 'session', port: m.port, seed: 1 });
  const link = await fleet.link({
    listenPort: 0,
    targetPort: m.port,
    delayDownMs: opts.delayDownMs ?? 100,
    delayUpMs: opts.delayUpMs ?? 0,
    windowBytes: 64 * 1024,
  });
  return { m, mc, r, rc, linkPort: link.port };
}

/** Polls the master's client list every few ms until `pick` finds the connection to cut. */
async function findOnMaster(what: string, mc: Redis, pick: (clients: ClientLine[], mi: Record<string, string>) => ClientLine | undefined, timeoutMs = 60000): Promise<ClientLine> {
  return waitFor(what, async () => pick(await clientList(mc), await info(mc, 'replication')), timeoutMs, 5);
}

/**
 * The end of every test: the replica online and digest-equal within a bounded wait, one online
 * replica on the master and no rdb channel left, the replica's full sync buffer empty and no
 * temp file (received RDB or spilled stream) left in its dir.
 */
async function settled(t: Setup, why: string): Promise<void> {
  const { m, r } = t;
  try {
    await settledChecks(t, why);
  } catch (e) {
    // Both logs say which stage the retry reached.
    throw new Error(`${why}: ${(e as Error).message}\n--- master:\n${m.output()}\n--- replica:\n${r.output()}`);
  }
}

async function settledChecks(t: Setup, why: string): Promise<void> {
  const { mc, rc } = t;
  await waitInSync(mc, rc, 90000);
  // The replica may report its link up a moment before the master has marked it online.
  await waitFor('the master sees its replica online', async () => /state=online/.test((await info(mc, 'replication')).slave0 ?? ''), 30000);
  await waitFor('no rdb channel left on the master', async () => (await clientList(mc)).every((c) => !c.flags.includes('C')), 30000);
  assert.equal(await digest(rc), await digest(mc), why);
  const mi = await info(mc, 'replication');
  assert.equal(mi.connected_slaves, '1', why);
  assert.match(mi.slave0, /state=online/, why);
  assert.equal(mi.slave1, undefined, why);
  const replicas = (await clientList(mc)).filter((c) => c.flags.includes('S'));
  assert.equal(replicas.length, 1, `${why}: one replica connection on the master: ${JSON.stringify(replicas)}`);
  const ri = await info(rc, 'replication');
  assert.equal(ri.master_link_status, 'up', why);
  assert.equal(ri.master_sync_in_progress, '0', why);
  assert.equal(ri.replica_full_sync_buffer_size, '0', why);
  assert.equal(ri.replica_full_sync_buffer_spilled, '0', why);
  assert.equal((await info(rc, 'memory')).mem_replica_full_sync_buffer, '0', why);
  const dir = ((await rc.config('GET', 'dir')) as string[])[1];
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.startsWith('temp-')),
    [],
    `${why}: temp files left in the replica's dir`,
  );
  // Not wedged: a write made now arrives.
  await mc.set('after-the-fault', why);
  await waitFor('the next write replicated', async () => (await rc.get('after-the-fault')) === why, 30000);
}

/** Waits for `p`; on failure the error carries both servers' logs. */
async function both<T>(t: Setup, p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    throw new Error(`${(e as Error).message.split('\n')[0]}\n--- master:\n${t.m.output()}\n--- replica:\n${t.r.output()}`);
  }
}

const stats = async (mc: Redis) => {
  const st = await info(mc, 'stats');
  return { full: Number(st.sync_full), partialOk: Number(st.sync_partial_ok) };
};

// ------------------------------------------------------------------ handshake (Redis 8)

test('rdb channel, handshake: the main channel killed after +RDBCHANNELSYNC, before the rdb channel connects: clean retry', async () => {
  const t = await setup({ dialect: RDBCH, keys: 2000, delayDownMs: 300 });
  await t.rc.replicaof('127.0.0.1', String(t.linkPort));
  // The main channel is a replica waiting for its rdb channel (no snapshot yet: sync_full 0);
  // +RDBCHANNELSYNC needs 300 ms to reach the replica, so no rdb channel can be here yet.
  const main = await findOnMaster('the main channel waiting for its rdb channel', t.mc, (cl, mi) =>
    /state=wait_bgsave/.test(mi.slave0 ?? '') && !cl.some((c) => c.flags.includes('C')) ? cl.find((c) => c.flags === 'S') : undefined,
  );
  assert.equal((await stats(t.mc)).full, 0);
  await kill(t.mc, main.id);
  await expectLog(t.r, /Main channel error while reading from master/, /Aborting rdb channel sync/);
  await settled(t, 'main channel killed before the rdb channel connected');
});

test('rdb channel, handshake: the rdb channel killed after its REPLCONF, before its PSYNC: clean retry, the main channel does not wait for it', async () => {
  // A long replica → master delay keeps the rdb channel between its REPLCONF and its PSYNC.
  const t = await setup({ dialect: RDBCH, keys: 2000, delayDownMs: 100, delayUpMs: 300 });
  await t.rc.replicaof('127.0.0.1', String(t.linkPort));
  const rdb = await findOnMaster('the rdb channel bound, before its PSYNC', t.mc, (cl) => cl.find((c) => c.flags === 'C'));
  await kill(t.mc, rdb.id);
  // The master gives up the main channel at once (it would otherwise wait repl-timeout).
  await t.m.waitForLog(/Rdb channel of replica \S+ lost before the snapshot was delivered: closing its main channel/, 10000);
  await settled(t, 'rdb channel killed before its PSYNC');
});

test('rdb channel, handshake: the rdb channel killed after its PSYNC, before +FULLRESYNC (snapshot delayed): clean retry', async () => {
  const t = await setup({ dialect: RDBCH, keys: 2000, masterArgs: ['--repl-diskless-sync-delay', '3'] });
  await t.rc.replicaof('127.0.0.1', String(t.linkPort));
  const rdb = await findOnMaster('the rdb channel waiting for the snapshot to start', t.mc, (cl, mi) =>
    mi.rdb_bgsave_in_progress !== '1' ? cl.find((c) => c.flags === 'SC') : undefined,
  );
  assert.equal((await info(t.mc, 'persistence')).rdb_bgsave_in_progress, '0');
  await kill(t.mc, rdb.id);
  await t.m.waitForLog(/Rdb channel of replica \S+ lost before the snapshot was delivered: closing its main channel/, 10000);
  await settled(t, 'rdb channel killed before +FULLRESYNC');
});

test('rdb channel, handshake: the main channel killed while its rdb channel waits for the snapshot to start: clean retry', async () => {
  const t = await setup({ dialect: RDBCH, keys: 2000, masterArgs: ['--repl-diskless-sync-delay', '3'] });
  await t.rc.replicaof('127.0.0.1', String(t.linkPort));
  await findOnMaster('the rdb channel waiting for the snapshot to start', t.mc, (cl) => cl.find((c) => c.flags === 'SC'));
  const main = (await clientList(t.mc)).find((c) => c.flags === 'S');
  assert.ok(main);
  await kill(t.mc, main.id);
  // The master closes the rdb channel too: the replica notices either loss first.
  await t.r.waitForLog(/Main channel error while reading from master|Master did not reply to PSYNC, will try later/, 10000);
  await settled(t, 'main channel killed before the snapshot started');
});

// ------------------------------------------------------------------ load (Redis 8)

test('rdb channel, load: the rdb channel killed while the replica loads the received RDB from disk: the load finishes, no second full sync', async () => {
  const t = await setup({ dialect: RDBCH, keys: 60000 });
  const w = writer(t.m.port, 1000, 21);
  let killed = false;
  try {
    await t.rc.replicaof('127.0.0.1', String(t.linkPort));
    await t.r.waitForLog(/MASTER <-> REPLICA sync: Loading DB in memory/, 60000);
    // The replica closes its rdb channel only once the load is over.
    const rdb = (await clientList(t.mc)).find((c) => c.flags === 'SC');
    if (rdb) {
      await kill(t.mc, rdb.id);
      killed = !/Successfully streamed replication buffer|Starting to stream replication buffer/.test(t.r.output());
    }
  } finally {
    await w.stop();
  }
  await settled(t, 'rdb channel killed during the load');
  const st = await stats(t.mc);
  assert.equal(st.full, 1, 'the snapshot was whole: no second full sync');
  assert.equal(st.partialOk, 0);
  assert.ok(killed, 'the rdb channel was still open during the load (the stage was hit)');
});

test('rdb channel, load: the rdb channel killed while the replica loads from the socket (repl-diskless-load swapdb): old dataset whole, clean retry', async () => {
  const t = await setup({ dialect: RDBCH, keys: 40000, replicaArgs: ['--repl-diskless-load', 'swapdb'] });
  for (let i = 0; i < 300; i++) await t.rc.set(`old:${i}`, String(i));
  const before = await digest(t.rc);
  await t.rc.replicaof('127.0.0.1', String(t.linkPort));
  await t.r.waitForLog(/MASTER <-> REPLICA sync: Loading DB in memory/, 60000);
  // Parsed as it arrives: several MB behind a ~640 KB/s link, so the load has seconds to go.
  const rdb = (await clientList(t.mc)).find((c) => c.flags === 'SC');
  assert.ok(rdb, 'the rdb channel is open while the RDB is parsed from it');
  await kill(t.mc, rdb.id);
  // The replica sees its rdb channel fail, or first the main channel the master closes with it.
  await t.r.waitForLog(/Failed trying to load the MASTER synchronization DB from socket|Aborting rdb channel sync/, 30000);
  // swapdb staged the new data apart: the live dataset is still the old one, whole (the retry
  // needs seconds over this link before it could swap anything in).
  assert.equal(await digest(t.rc), before);
  assert.equal(await t.rc.dbsize(), 300);
  await settled(t, 'rdb channel killed during a socket load');
  assert.ok((await stats(t.mc)).full >= 2);
});

// ------------------------------------------------------------------ replay (Redis 8)

/**
 * Makes the replica's replay long whatever the machine: a 120,000-member set in the snapshot,
 * and during the transfer SUNIONSTOREs of it (the replica recomputes each, tens of ms), with a
 * little padding. The stream stays small, so it is not held up behind the slow link and a
 * connection closed on the master reaches the replica while it replays.
 */
async function slowReplayStream(mc: Redis, until: () => boolean): Promise<number> {
  let n = 0;
  const pad = 'p'.repeat(8 * 1024);
  while (!until() && n < 60) {
    await mc.sunionstore(`slowcopy:${n % 4}`, 'bigset');
    await mc.set(`pad:${n % 4}`, pad);
    n++;
    await new Promise((r) => setTimeout(r, 50));
  }
  return n;
}

async function bigSet(mc: Redis, members = 120000): Promise<void> {
  for (let i = 0; i < members; i += 5000) {
    const args: string[] = [];
    for (let j = i; j < i + 5000 && j < members; j++) args.push(`member-${j}`);
    await mc.sadd('bigset', ...args);
  }
}

for (const dialect of ['rdb', 'dual'] as const) {
  const name = dialect === 'rdb' ? 'rdb channel' : 'dual channel';
  const args = dialect === 'rdb' ? RDBCH : DUAL;

  test(`${name}, replay: the main channel killed on the master while the replica replays its (spilled) buffer: the replay ends, then a partial resync`, async () => {
    // A small in-memory limit: most of the buffer is replayed from the spill file.
    const t = await setup({ dialect: args, keys: 30000, masterArgs: ['--repl-backlog-size', '64mb'], replicaArgs: SPILL });
    await bigSet(t.mc);
    let replaying = false;
    await t.rc.replicaof('127.0.0.1', String(t.linkPort));
    await findOnMaster('the rdb channel', t.mc, (cl) => cl.find((c) => c.flags === 'SC'));
    const feeding = slowReplayStream(t.mc, () => /Loading DB in memory/.test(t.r.output()));
    await both(t, t.r.waitForLog(/Starting to stream replication buffer into the db/, 90000));
    const main = (await clientList(t.mc)).find((c) => c.flags === 'S');
    assert.ok(main);
    await kill(t.mc, main.id);
    replaying = !/Successfully streamed replication buffer/.test(t.r.output());
    assert.ok((await feeding) > 0);
    await t.r.waitForLog(/Successfully streamed replication buffer into the db/, 60000);
    await settled(t, `${name}: main channel killed during the replay`);
    const st = await stats(t.mc);
    assert.equal(st.full, 1, 'no second full sync');
    assert.ok(st.partialOk >= (dialect === 'dual' ? 2 : 1), `sync_partial_ok ${st.partialOk}`);
    assert.ok(replaying, 'the replay was still running when the main channel was killed');
    await expectLog(t.r, /Replica full sync buffer reached \d+ bytes in memory: spilling the replication stream to/);
    // The loss was noticed during the replay, not only after it.
    await expectLog(t.r, /Main channel error while reading from master/);
    const out = t.r.output();
    assert.ok(
      out.indexOf('Main channel error while reading from master') < out.indexOf('Successfully streamed replication buffer'),
      'the main channel loss was seen while replaying',
    );
  });

  test(`${name}, replay: the master link killed on the replica (CLIENT KILL TYPE master) during the replay of a spilled buffer: cached, then a partial resync`, async () => {
    // A small in-memory limit: most of the buffer is replayed from the spill file.
    const t = await setup({ dialect: args, keys: 30000, masterArgs: ['--repl-backlog-size', '64mb'], replicaArgs: SPILL });
    await bigSet(t.mc);
    await t.rc.replicaof('127.0.0.1', String(t.linkPort));
    await findOnMaster('the rdb channel', t.mc, (cl) => cl.find((c) => c.flags === 'SC'));
    const feeding = slowReplayStream(t.mc, () => /Loading DB in memory/.test(t.r.output()));
    await both(t, t.r.waitForLog(/Starting to stream replication buffer into the db/, 90000));
    const killed = Number(await t.rc.call('CLIENT', 'KILL', 'TYPE', 'master'));
    assert.equal(killed, 1);
    const replaying = !/Successfully streamed replication buffer/.test(t.r.output());
    assert.ok((await feeding) > 0);
    await settled(t, `${name}: master link killed on the replica during the replay`);
    const st = await stats(t.mc);
    assert.equal(st.full, 1, 'no second full sync');
    assert.ok(st.partialOk >= 1, `sync_partial_ok ${st.partialOk}`);
    assert.ok(replaying, 'the replay was still running when the master link was killed');
    await expectLog(t.r, /Master client was freed while streaming accumulated replication data to db\./);
    await expectLog(t.r, /Replica full sync buffer reached \d+ bytes in memory: spilling the replication stream to/);
  });

  test(`${name}, replay: the rdb channel is gone once loaded; killing it then does not touch the main channel`, async () => {
    const t = await setup({ dialect: args, keys: 30000 });
    await bigSet(t.mc);
    await t.rc.replicaof('127.0.0.1', String(t.linkPort));
    await findOnMaster('the rdb channel', t.mc, (cl) => cl.find((c) => c.flags === 'SC'));
    const feeding = slowReplayStream(t.mc, () => /Loading DB in memory/.test(t.r.output()));
    await both(t, t.r.waitForLog(/Starting to stream replication buffer into the db/, 90000));
    // Whatever is still listed as the rdb channel (the close may still be on its way) goes now.
    const rdb = (await clientList(t.mc)).find((c) => c.flags.includes('C'));
    if (rdb) await t.mc.call('CLIENT', 'KILL', 'ID', rdb.id).catch(() => 0);
    await waitFor('the rdb channel closed', async () => (await clientList(t.mc)).every((c) => !c.flags.includes('C')), 10000);
    await feeding;
    await settled(t, `${name}: rdb channel after the load`);
    const st = await stats(t.mc);
    assert.equal(st.full, 1);
    assert.equal(st.partialOk, dialect === 'dual' ? 1 : 0, 'the main channel was never lost');
  });
}

// ------------------------------------------------------------------ dual channel (Valkey 8): handshake, transfer, load

test('dual channel, handshake: the main channel killed after +DUALCHANNELSYNC, before the rdb channel connects: clean retry', async () => {
  const t = await setup({ dialect: DUAL, keys: 2000, delayDownMs: 300 });
  await t.rc.replicaof('127.0.0.1', String(t.linkPort));
  await t.m.waitForLog(/is capable of dual channel synchronization/, 30000);
  const main = (await clientList(t.mc)).find((c) => c.cmd === 'psync');
  assert.ok(main, 'the main channel after +DUALCHANNELSYNC');
  assert.ok(!(await clientList(t.mc)).some((c) => c.flags.includes('C')));
  await kill(t.mc, main.id);
  await expectLog(t.r, /Main channel error while reading from master/, /Aborting dual channel sync/);
  await settled(t, 'dual: main channel killed before the rdb channel connected');
});

test('dual channel, handshake: the main channel killed after $ENDOFF, before its PSYNC is accepted: clean retry', async () => {
  // The replica → master delay keeps REPLCONF set-rdb-client-id and PSYNC on their way.
  const t = await setup({ dialect: DUAL, keys: 20000, delayUpMs: 400 });
  await t.rc.replicaof('127.0.0.1', String(t.linkPort));
  await t.m.waitForLog(/Sending to replica \S+ RDB end offset \d+ and client-id \d+/, 30000);
  const main = (await clientList(t.mc)).find((c) => c.cmd === 'psync' && !c.flags.includes('S'));
  assert.ok(main, 'the main channel has not resynced yet');
  await kill(t.mc, main.id);
  await expectLog(t.r, /Main channel error while reading from master/, /Aborting dual channel sync/);
  await settled(t, 'dual: main channel killed before its PSYNC');
});

test('dual channel, handshake: the rdb channel killed after its REPLCONF, before SYNC: clean retry', async () => {
  const t = await setup({ dialect: DUAL, keys: 2000, delayUpMs: 300 });
  await t.rc.replicaof('127.0.0.1', String(t.linkPort));
  const rdb = await findOnMaster('the rdb channel before its SYNC', t.mc, (cl) => cl.find((c) => c.flags === 'C'));
  await kill(t.mc, rdb.id);
  await settled(t, 'dual: rdb channel killed before SYNC');
});

test('dual channel, transfer: the main channel killed mid-transfer (state bg_transfer): clean retry', async () => {
  const t = await setup({ dialect: DUAL, keys: 60000 });
  const w = writer(t.m.port, 1000, 22);
  try {
    await t.rc.replicaof('127.0.0.1', String(t.linkPort));
    const main = await waitFor(
      'the transfer under way, the main channel resynced',
      async () => {
        const mi = await info(t.mc, 'replication');
        const ri = await info(t.rc, 'replication');
        if (!/state=bg_transfer/.test(mi.slave0 ?? '') || Number(ri.master_sync_read_bytes ?? 0) < 100_000) return null;
        return (await clientList(t.mc)).find((c) => c.flags === 'S');
      },
      60000,
      20,
    );
    await kill(t.mc, main.id);
    await expectLog(t.r, /Main channel error while reading from master/, /Aborting dual channel sync/);
  } finally {
    await w.stop();
  }
  await settled(t, 'dual: main channel killed mid-transfer');
  assert.ok((await stats(t.mc)).full >= 2);
});

test('dual channel, load: the rdb channel killed while the replica loads the received RDB from disk: the load finishes', async () => {
  const t = await setup({ dialect: DUAL, keys: 60000 });
  const w = writer(t.m.port, 1000, 23);
  try {
    await t.rc.replicaof('127.0.0.1', String(t.linkPort));
    await t.r.waitForLog(/MASTER <-> REPLICA sync: Loading DB in memory/, 60000);
    const rdb = (await clientList(t.mc)).find((c) => c.flags.includes('C'));
    if (rdb) await t.mc.call('CLIENT', 'KILL', 'ID', rdb.id).catch(() => 0);
  } finally {
    await w.stop();
  }
  await settled(t, 'dual: rdb channel killed during the load');
  assert.equal((await stats(t.mc)).full, 1);
});

test('dual channel, handshake: the RDB loaded before the main channel PSYNC is answered, then the main channel killed: no wedged link, a partial resync', async () => {
  // A small snapshot arrives and loads at once; the main channel's set-rdb-client-id and PSYNC
  // need two slow trips up, so the replica waits loaded for its +CONTINUE.
  const t = await setup({ dialect: DUAL, keys: 200, delayUpMs: 1500 });
  await t.rc.replicaof('127.0.0.1', String(t.linkPort));
  await t.r.waitForLog(/MASTER <-> REPLICA sync: Finished with success/, 60000);
  assert.doesNotMatch(t.m.output(), /Partial resynchronization request from \S+ accepted/);
  const main = (await clientList(t.mc)).find((c) => (c.cmd === 'psync' || c.cmd === 'replconf') && !c.flags.includes('S') && !c.flags.includes('C'));
  assert.ok(main, 'the main channel, not resynced yet');
  await kill(t.mc, main.id);
  // Noticed at once (not after repl-timeout): the link is freed and cached, then a PSYNC.
  await t.r.waitForLog(/Main channel error while reading from master/, 10000);
  await t.r.waitForLog(/Connection with master lost\./, 10000);
  await settled(t, 'dual: main channel killed while the loaded replica waited for +CONTINUE');
  const st = await stats(t.mc);
  assert.equal(st.full, 1, 'the loaded snapshot was kept');
  assert.ok(st.partialOk >= 1);
});
