/**
 * What a reddish master propagates for consumer groups, applied by a redis-server replica and
 * by a reddish replica: both must end with the master's groups, PELs (owners, delivery times
 * and counts), consumers and last IDs, and the two replicas must agree exactly (read counters
 * included). History reads are left out: Redis does not propagate their delivery-count changes.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Fleet, waitInSync, waitFor, info } from '../helpers/replication.js';

const fleet = new Fleet();
after(() => fleet.close());

/** Consumers' seen times are set by each server's own clock: blank them. */
function blankSeen(x: unknown): unknown {
  if (!Array.isArray(x)) return x;
  const out = x.map(blankSeen);
  for (let i = 0; i + 1 < out.length; i++) if (out[i] === 'seen-time') out[i + 1] = '<t>';
  return out;
}

test('consumer-group state replicates exactly to redis-server and reddish replicas', async () => {
  const { s: master, c: m } = await fleet.start('reddish');
  const masterPort = master.port;
  const { c: r1 } = await fleet.start('redis', ['--replicaof', '127.0.0.1', String(masterPort)]);
  const { c: r2 } = await fleet.start('reddish', ['--replicaof', '127.0.0.1', String(masterPort)]);
  for (const r of [r1, r2]) await waitFor('replica link up', async () => (await info(r, 'replication')).master_link_status === 'up');

  for (let i = 1; i <= 20; i++) await m.call('XADD', 's', `${i}-0`, 'n', String(i));
  await m.call('XGROUP', 'CREATE', 's', 'g', '0');
  await m.call('XGROUP', 'CREATE', 's', 'h', '$');
  await m.call('XGROUP', 'CREATE', 's', 'k', '5-0', 'ENTRIESREAD', '5');
  await m.call('XREADGROUP', 'GROUP', 'g', 'a', 'COUNT', '6', 'STREAMS', 's', '>');
  await m.call('XREADGROUP', 'GROUP', 'g', 'b', 'COUNT', '4', 'STREAMS', 's', '>');
  await m.call('XREADGROUP', 'GROUP', 'k', 'q', 'NOACK', 'COUNT', '3', 'STREAMS', 's', '>');
  await m.call('XACK', 's', 'g', '2-0', '7-0');
  await m.call('XCLAIM', 's', 'g', 'c', '0', '1-0', '3', 'TIME', '12345', 'RETRYCOUNT', '9');
  await m.call('XCLAIM', 's', 'g', 'c', '0', '15-0', 'FORCE', 'JUSTID', 'IDLE', '5000', 'LASTID', '16-0');
  await m.call('XCLAIM', 's', 'g', 'c', '0', '99-0', 'LASTID', '17-0');
  await m.call('XDEL', 's', '4-0', '5-0');
  await m.call('XAUTOCLAIM', 's', 'g', 'd', '0', '0', 'COUNT', '4');
  await m.call('XGROUP', 'CREATECONSUMER', 's', 'h', 'idle');
  await m.call('XGROUP', 'DELCONSUMER', 's', 'g', 'b');
  await m.call('XGROUP', 'SETID', 's', 'h', '10-0', 'ENTRIESREAD', '10');
  await m.call('XREADGROUP', 'GROUP', 'h', 'mid', 'STREAMS', 's', '>');
  // A reader served after blocking, and one served through MULTI.
  const p = m.duplicate();
  const served = p.call('XREADGROUP', 'GROUP', 'h', 'late', 'BLOCK', '0', 'STREAMS', 's', '>');
  await waitFor('reader blocked', async () => (await info(m, 'clients')).blocked_clients === '1');
  await m.multi().call('XADD', 's', '21-0', 'n', '21').call('XADD', 's', '22-0', 'n', '22').exec();
  await served;
  p.disconnect();
  await m.call('XGROUP', 'DESTROY', 's', 'zzz');
  await m.call('XGROUP', 'CREATE', 's', 'gone', '0');
  await m.call('XGROUP', 'DESTROY', 's', 'gone');

  for (const r of [r1, r2]) await waitInSync(m, r);
  const state = async (c: typeof m) => [blankSeen(await c.call('XINFO', 'STREAM', 's', 'FULL', 'COUNT', '0')), await c.call('XINFO', 'GROUPS', 's')];
  // 7.0 propagates a read as XCLAIM ... LASTID, which moves the replica's last ID but not its
  // read counter: the replicas' entries-read (and so lag) legitimately trail the master's.
  const blankCounters = (x: unknown): unknown => {
    if (!Array.isArray(x)) return x;
    const out = x.map(blankCounters);
    for (let i = 0; i + 1 < out.length; i++) if (out[i] === 'entries-read' || out[i] === 'lag') out[i + 1] = '<n>';
    return out;
  };
  const onRedis = await state(r1);
  assert.deepStrictEqual(blankCounters(onRedis), blankCounters(await state(m)), 'redis-server replica vs master');
  assert.deepStrictEqual(await state(r2), onRedis, 'reddish replica vs redis-server replica');
});
