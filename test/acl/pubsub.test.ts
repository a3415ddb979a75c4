/**
 * Channel permissions against redis-server 7.0.15: SUBSCRIBE / PSUBSCRIBE / SSUBSCRIBE /
 * PUBLISH are checked against `&` patterns (a PSUBSCRIBE pattern must be granted literally), and
 * subscribers whose channels an ACL SETUSER revokes are disconnected, while those keeping their
 * channels (or gaining allchannels) stay.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { hasRedisServer, startServer, type SpawnedServer } from '../helpers/servers.js';
import { RespClient, type Reply } from '../helpers/resp.js';

const skip = hasRedisServer() ? false : 'redis-server is not installed';
let servers: SpawnedServer[] = [];

before(async () => {
  if (!skip) servers = await Promise.all([startServer('redis'), startServer('reddish')]);
});
after(async () => {
  for (const s of servers) await s.stop();
});

/** Whether a subscriber is still connected: a RESP3-less PING in subscribed mode answers an array. */
async function alive(c: RespClient): Promise<boolean> {
  if (c.isClosed) return false;
  try {
    await c.call('PING');
    return true;
  } catch {
    return false;
  }
}

async function scenario(port: number): Promise<unknown[]> {
  const admin = await RespClient.connect(port);
  const out: unknown[] = [];
  const sub = async (...cmd: string[]): Promise<RespClient> => {
    const c = await RespClient.connect(port);
    await c.call('AUTH', 'psub', 'pw');
    out.push(await c.call(...cmd));
    return c;
  };
  await admin.call('ACL', 'SETUSER', 'psub', 'reset', 'on', '>pw', '+@all', '~*', '&news.*', '&chat', '&lit*');
  // Permission checks on subscribe and publish.
  const probe = await RespClient.connect(port);
  await probe.call('AUTH', 'psub', 'pw');
  const steps: string[][] = [
    ['PUBLISH', 'news.a', 'x'],
    ['PUBLISH', 'other', 'x'],
    ['SPUBLISH', 'other', 'x'],
    ['PSUBSCRIBE', 'news.*'],
    ['PUNSUBSCRIBE'],
    ['PSUBSCRIBE', 'news.a*'],
    ['PSUBSCRIBE', 'lit*'],
    ['PUNSUBSCRIBE'],
    ['SUBSCRIBE', 'chat', 'nope'],
    ['SUBSCRIBE', 'news.b'],
    ['UNSUBSCRIBE', 'news.b'],
    ['SSUBSCRIBE', 'other'],
  ];
  for (const s of steps) out.push(await probe.call(...s));
  probe.close();
  // Revocation.
  const a = await sub('SUBSCRIBE', 'chat');
  const b = await sub('SUBSCRIBE', 'news.x');
  const p = await sub('PSUBSCRIBE', 'lit*');
  const d = await sub('SSUBSCRIBE', 'news.y');
  // Keeping every pattern (and adding one): nobody is closed.
  await admin.call('ACL', 'SETUSER', 'psub', '&more');
  out.push(await Promise.all([alive(a), alive(b), alive(p), alive(d)]));
  // Dropping "chat": only its subscriber goes.
  await admin.call('ACL', 'SETUSER', 'psub', 'resetchannels', '&news.*', '&lit*');
  out.push(await Promise.all([alive(a), alive(b), alive(p), alive(d)]));
  // Replacing lit* by lit: the pattern subscriber needs the literal pattern and goes.
  await admin.call('ACL', 'SETUSER', 'psub', 'resetchannels', '&news.*', '&lit');
  out.push(await Promise.all([alive(b), alive(p), alive(d)]));
  // allchannels pardons everyone; then resetchannels closes the rest.
  await admin.call('ACL', 'SETUSER', 'psub', 'allchannels');
  out.push(await Promise.all([alive(b), alive(d)]));
  await admin.call('ACL', 'SETUSER', 'psub', 'resetchannels');
  out.push(await Promise.all([alive(b), alive(d)]));
  for (const c of [a, b, p, d]) c.close();
  // A client not subscribed to anything is never closed by channel changes.
  const plain = await RespClient.connect(port);
  await plain.call('AUTH', 'psub', 'pw');
  await admin.call('ACL', 'SETUSER', 'psub', '&z');
  await admin.call('ACL', 'SETUSER', 'psub', 'resetchannels');
  out.push(await alive(plain));
  plain.close();
  await admin.call('ACL', 'DELUSER', 'psub');
  admin.close();
  return out.map((r) => (typeof r === 'object' && r !== null && 't' in (r as Reply) ? JSON.stringify(r) : r));
}

test('channel permissions and subscribers closed on revocation, as redis-server', { skip }, async () => {
  const expected = await scenario(servers[0].port);
  const actual = await scenario(servers[1].port);
  assert.deepEqual(actual, expected);
});
