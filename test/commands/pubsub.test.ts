import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPair, same, type Pair } from '../helpers/differential.js';
import { RespClient, encodeCommand, plain, type Reply } from '../helpers/resp.js';
import { withPropagationLog } from '../helpers/propagation.js';
import { runScript, type ConnSpec, type ScriptStep } from '../tracking/scenario.js';

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

// ---------------------------------------------------------------- sharded pub/sub

/** Runs a multi-connection script on both servers; every frame of every connection must match. */
async function sameScript(conns: ConnSpec[], steps: ScriptStep[]): Promise<Record<string, unknown[]>> {
  const redis = await runScript(pair.redis.port, conns, steps);
  const reddish = await runScript(pair.reddish.port, conns, steps);
  assert.deepStrictEqual(reddish.frames, redis.frames);
  return redis.frames;
}

for (const resp of [2, 3] as const) {
  test(`SSUBSCRIBE/SPUBLISH/SUNSUBSCRIBE in RESP${resp} match Redis (counts apart from SUBSCRIBE, no pattern match)`, async () => {
    const frames = await sameScript(
      [
        { name: 'S', resp },
        { name: 'P', resp: 2 },
      ],
      [
        ['S', 'SSUBSCRIBE', 's1', 's2'],
        ['S', 'SSUBSCRIBE', 's1'],
        ['S', 'SUBSCRIBE', 'c1'],
        ['S', 'PSUBSCRIBE', 's*'],
        ['P', 'SPUBLISH', 's1', 'hi'],
        ['P', 'PUBLISH', 's1', 'hello'],
        ['P', 'SPUBLISH', 'c1', 'not-a-shard-subscriber'],
        ['P', 'SPUBLISH', 'nobody', 'x'],
        // (SHARDCHANNELS lists in hash order: only single-channel answers are compared here.)
        ['P', 'PUBSUB', 'SHARDCHANNELS', 's1'],
        ['P', 'PUBSUB', 'SHARDCHANNELS', 's2*'],
        ['P', 'PUBSUB', 'SHARDCHANNELS', 'a', 'b'],
        ['P', 'PUBSUB', 'SHARDNUMSUB', 's1', 'zz'],
        ['P', 'PUBSUB', 'SHARDNUMSUB'],
        ['P', 'PUBSUB', 'NUMSUB', 's1'],
        ['P', 'PUBSUB', 'CHANNELS'],
        ['S', 'GET', 'x'],
        ['S', 'SUNSUBSCRIBE', 's1'],
        ['S', 'UNSUBSCRIBE'],
        ['S', 'PUNSUBSCRIBE'],
        // Subscribed to a shard channel only: still in the Pub/Sub context (RESP2).
        ['S', 'GET', 'x'],
        ['S', 'SUNSUBSCRIBE'],
        ['S', 'SUNSUBSCRIBE'],
        ['S', 'GET', 'x'],
        ['S', 'SSUBSCRIBE', 'q'],
        ['P', 'SPUBLISH', 'q', 'before-reset'],
        ['S', 'RESET'],
        ['P', 'SPUBLISH', 'q', 'after-reset'],
        ['P', 'PUBSUB', 'SHARDCHANNELS'],
        ['S', 'MULTI'],
        ['S', 'SSUBSCRIBE', 'z'],
        ['S', 'EXEC'],
      ],
    );
    assert.ok(JSON.stringify(frames.S).includes('smessage'));
  });
}

test('sharded pub/sub: CLIENT LIST ssub= and flags, INFO pubsubshard_channels, COMMAND INFO/GETKEYS', async () => {
  const seen: unknown[] = [];
  for (const port of [pair.redis.port, pair.reddish.port]) {
    const s = await RespClient.connect(port);
    const admin = await RespClient.connect(port);
    s.socket.write(encodeCommand(['SSUBSCRIBE', 'a', 'b', 'c']));
    await until(() => s.unclaimed.length >= 3);
    const id = plain(await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string;
    const fields = id.match(/ flags=(\S+) .* sub=(\d+) psub=(\d+) ssub=(\d+) /)!.slice(1);
    const info = (plain(await admin.call('INFO', 'stats')) as string).match(/pubsubshard_channels:\d+/)![0];
    const channels = (plain(await admin.call('PUBSUB', 'SHARDCHANNELS')) as string[]).sort();
    seen.push({ fields, info, channels });
    s.close();
    admin.close();
  }
  assert.deepStrictEqual(seen[1], seen[0]);
  assert.deepStrictEqual(seen[0], { fields: ['P', '0', '0', '3'], info: 'pubsubshard_channels:3', channels: ['a', 'b', 'c'] });
  await same(pair, [
    ['COMMAND', 'INFO', 'spublish', 'ssubscribe', 'sunsubscribe'],
    ['COMMAND', 'INFO', 'pubsub|shardchannels', 'pubsub|shardnumsub'],
    ['COMMAND', 'GETKEYS', 'SSUBSCRIBE', 'a', 'b'],
    ['COMMAND', 'GETKEYS', 'SPUBLISH', 'a', 'b'],
    ['SPUBLISH', 'a'],
    ['SSUBSCRIBE'],
  ]);
});

test('SPUBLISH is propagated to replicas like PUBLISH', async () => {
  await withPropagationLog(async (run) => {
    assert.deepStrictEqual(await run('SPUBLISH', 'ch', 'msg'), { reply: 0, prop: [['0', 'SPUBLISH', 'ch', 'msg']], dirty: 0 });
    assert.deepStrictEqual(await run('PUBLISH', 'ch', 'msg'), { reply: 0, prop: [['0', 'PUBLISH', 'ch', 'msg']], dirty: 0 });
  });
});
