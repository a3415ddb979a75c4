/**
 * Streams across full syncs with redis-server 7.0.15 in both directions: a master's streams
 * (several nodes, tombstones, XSETID metadata, consumer groups with PELs) reach the replica
 * through the RDB payload with equal digests and equal DUMP payloads (groups included), and
 * later XADD/XDEL/XTRIM/XSETID reach it through the command stream.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { Fleet, waitInSync, digest } from '../helpers/replication.js';
import { hasRedisServer } from '../helpers/servers.js';

const skip = !hasRedisServer();
const fleet = new Fleet();
after(() => fleet.close());

const KEYS = ['st:a', 'st:g', 'st:e'];

async function build(c: Redis): Promise<void> {
  const p = c.pipeline();
  for (let i = 1; i <= 260; i++) p.xadd('st:a', `${i}-0`, 'f', String(i), ...(i % 9 === 0 ? ['extra', 'x'.repeat(i)] : []));
  for (let i = 30; i <= 140; i++) p.xdel('st:a', `${i}-0`);
  p.xtrim('st:a', 'MINID', '10-0');
  p.call('XSETID', 'st:a', '300-0', 'ENTRIESADDED', '500', 'MAXDELETEDID', '290-0');
  p.xadd('st:e', '1-1', 'a', 'b');
  p.xdel('st:e', '1-1');
  const res = await p.exec();
  for (const [err] of res!) assert.equal(err, null);
}

/** A stream with consumer groups, made on a redis-server (reddish has no XGROUP here). */
async function groupsOn(c: Redis): Promise<void> {
  for (let i = 1; i <= 150; i++) await c.xadd('st:g', `${i}-7`, 'k', String(i));
  await c.xgroup('CREATE', 'st:g', 'grp', '0');
  await c.xgroup('CREATE', 'st:g', 'late', '$');
  await c.xreadgroup('GROUP', 'grp', 'c1', 'COUNT', 10, 'STREAMS', 'st:g', '>');
  await c.xreadgroup('GROUP', 'grp', 'c2', 'COUNT', 4, 'STREAMS', 'st:g', '>');
  await c.xack('st:g', 'grp', '3-7', '12-7');
  await c.xdel('st:g', '1-7', '2-7');
}

/** Writes after the sync, through the replication stream. */
async function after_(c: Redis): Promise<void> {
  await c.xadd('st:a', '301-0', 'f', 'after');
  await c.xdel('st:a', '200-0');
  await c.xtrim('st:a', 'MAXLEN', '100');
  await c.xadd('st:new', '5-5', 'n', 'v');
  await c.xadd('st:g', '200-0', 'k', 'later');
}

async function dumps(c: Redis): Promise<Buffer[]> {
  await c.config('SET', 'rdbcompression', 'no');
  const out = [];
  for (const k of [...KEYS, 'st:new']) out.push(await c.dumpBuffer(k));
  return out;
}

for (const mode of ['disk', 'diskless'] as const) {
  const masterArgs = mode === 'disk' ? ['--repl-diskless-sync', 'no'] : ['--repl-diskless-sync', 'yes', '--repl-diskless-sync-delay', '0'];

  test(`redis master -> reddish replica (${mode} sync${mode === 'diskless' ? ', diskless load' : ''}) with streams and groups`, { skip }, async () => {
    const { c: m } = await fleet.start('redis', masterArgs);
    const { c: r } = await fleet.start('reddish', mode === 'diskless' ? ['--repl-diskless-load', 'swapdb'] : []);
    await build(m);
    await groupsOn(m);
    await r.replicaof('127.0.0.1', String((m.options.port)));
    await waitInSync(m, r);
    assert.equal(await digest(r), await digest(m));
    assert.deepEqual(await dumps(r), await dumps(m));
    await after_(m);
    await waitInSync(m, r);
    assert.equal(await digest(r), await digest(m));
    assert.deepEqual(await dumps(r), await dumps(m));
  });

  test(`reddish master -> redis replica (${mode} sync) with streams and groups`, { skip }, async () => {
    const { c: src } = await fleet.start('redis');
    const { c: m } = await fleet.start('reddish', masterArgs);
    const { c: r } = await fleet.start('redis');
    await build(m);
    await groupsOn(src);
    await src.config('SET', 'rdbcompression', 'no');
    assert.equal(await m.restore('st:g', 0, await src.dumpBuffer('st:g')), 'OK');
    await r.replicaof('127.0.0.1', String(m.options.port));
    await waitInSync(m, r);
    assert.equal(await digest(r), await digest(m));
    assert.deepEqual(await dumps(r), await dumps(m));
    // the group state redis-server got from reddish is the one it made
    assert.deepEqual(await r.call('XINFO', 'STREAM', 'st:g', 'FULL'), await src.call('XINFO', 'STREAM', 'st:g', 'FULL'));
    await after_(m);
    await waitInSync(m, r);
    assert.equal(await digest(r), await digest(m));
    assert.deepEqual(await dumps(r), await dumps(m));
  });
}
