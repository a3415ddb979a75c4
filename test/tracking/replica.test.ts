/**
 * On a replica, writes from the master stream invalidate the replica's tracking clients, and
 * SPUBLISH reaches the replica's shard subscribers (Redis replicates it): the same on
 * redis-server and reddish.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Fleet, connect, info, waitFor } from '../helpers/replication.js';
import { RespClient, encodeCommand, plain } from '../helpers/resp.js';

const fleet = new Fleet();
after(() => fleet.close());

async function observe(kind: 'redis' | 'reddish'): Promise<unknown> {
  const { s: master, c: m } = await fleet.start(kind, ['--save', '']);
  const { s: replica } = await fleet.start(kind, ['--save', '', '--replicaof', '127.0.0.1', String(master.port)]);
  const r = connect(replica.port);
  try {
    await waitFor('replica in sync', async () => (await info(r, 'replication')).master_link_status === 'up');
    const sub = await RespClient.connect(replica.port);
    sub.socket.write(encodeCommand(['SSUBSCRIBE', 'sc']));
    await waitFor('ssubscribe confirmed', async () => sub.unclaimed.length >= 1);
    const trk = await RespClient.connect(replica.port);
    await trk.call('HELLO', '3');
    await trk.call('CLIENT', 'TRACKING', 'ON');
    await trk.call('GET', 'rk');
    await m.spublish('sc', 'via-master');
    await m.set('rk', '1');
    await waitFor('messages on the replica', async () => sub.unclaimed.length >= 2 && trk.pushes.length >= 1);
    const out = { sub: sub.unclaimed.map(plain), trk: trk.pushes.map(plain) };
    sub.close();
    trk.close();
    return out;
  } finally {
    r.disconnect();
  }
}

test('a replica delivers replicated SPUBLISH and invalidates keys the master changes', async () => {
  const redis = await observe('redis');
  const reddish = await observe('reddish');
  assert.deepStrictEqual(reddish, redis);
  assert.deepStrictEqual(redis, {
    sub: [
      ['ssubscribe', 'sc', 1],
      ['smessage', 'sc', 'via-master'],
    ],
    trk: [['invalidate', ['rk']]],
  });
});
