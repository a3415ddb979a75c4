import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPair, same, type Pair } from '../helpers/differential.js';
import { RespClient, encodeCommand, type Reply } from '../helpers/resp.js';

let pair: Pair;
before(async () => {
  pair = await startPair();
});
after(async () => {
  await pair.close();
});

async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
}

/**
 * Subscribes on a fresh connection, publishes from another, and returns every frame the
 * subscriber received (replies and RESP3 pushes, in order of kind) plus what PUBLISH returned.
 */
async function scenario(port: number, resp: 2 | 3): Promise<{ frames: Reply[]; published: Reply[] }> {
  const sub = await RespClient.connect(port);
  const pub = await RespClient.connect(port);
  const frames = () => [...sub.unclaimed, ...sub.pushes];
  try {
    if (resp === 3) await sub.call('HELLO', '3');
    sub.socket.write(encodeCommand(['SUBSCRIBE', 'news', 'sport']));
    await until(() => frames().length >= 2);
    sub.socket.write(encodeCommand(['PSUBSCRIBE', 'n*']));
    await until(() => frames().length >= 3);
    const published = [await pub.call('PUBLISH', 'news', 'hello'), await pub.call('PUBLISH', 'nothing', 'x'), await pub.call('PUBLISH', 'other', 'y')];
    await until(() => frames().length >= 6);
    // In RESP2 a subscribed client may only run (P)SUBSCRIBE/(P)UNSUBSCRIBE/PING/QUIT/RESET.
    sub.socket.write(encodeCommand(['GET', 'x']));
    sub.socket.write(encodeCommand(['PING']));
    await until(() => frames().length >= 8);
    return { frames: frames(), published };
  } finally {
    sub.close();
    pub.close();
  }
}

for (const resp of [2, 3] as const) {
  test(`SUBSCRIBE/PSUBSCRIBE/PUBLISH in RESP${resp} match Redis`, async () => {
    const a = await scenario(pair.redis.port, resp);
    const b = await scenario(pair.reddish.port, resp);
    assert.deepEqual(b, a);
  });
}

test('PUBSUB introspection and UNSUBSCRIBE replies match Redis', async () => {
  const subs: RespClient[] = [];
  for (const port of [pair.redis.port, pair.reddish.port]) {
    const s = await RespClient.connect(port);
    await s.call('SUBSCRIBE', 'c1');
    await s.call('PSUBSCRIBE', 'p*');
    subs.push(s);
  }
  await same(pair, [['PUBSUB', 'CHANNELS'], ['PUBSUB', 'CHANNELS', 'c*'], ['PUBSUB', 'CHANNELS', 'z*'], ['PUBSUB', 'NUMSUB', 'c1', 'zz'], ['PUBSUB', 'NUMPAT'], ['PUBSUB', 'FOO'], ['UNSUBSCRIBE'], ['PUNSUBSCRIBE', 'nope']]);
  for (const s of subs) s.close();
});

test('pubsub output buffer limit disconnects a subscriber that does not read', async () => {
  for (const server of [pair.redis, pair.reddish]) {
    const admin = await RespClient.connect(server.port);
    await admin.call('CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 256kb 0 0');
    const sub = await RespClient.connect(server.port);
    await sub.call('SUBSCRIBE', 'flood');
    sub.socket.pause();
    const big = 'z'.repeat(16 * 1024);
    for (let i = 0; i < 400; i++) await admin.call('PUBLISH', 'flood', big);
    await server.waitForLog(/flags=P .*cmd=subscribe .*scheduled to be closed ASAP for overcoming of output buffer limits\./);
    sub.socket.resume();
    await sub.waitClose();
    await admin.call('CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 32mb 8mb 60');
    admin.close();
  }
});
