/**
 * Keyspace notifications, differentially against redis-server: a subscriber on each server
 * records the notification stream while the same random command sequences run on both; the
 * streams (channels, messages, order, frame type) must be identical.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPair, unordered, type Pair, type Step } from '../helpers/differential.js';
import { RespClient, type Reply } from '../helpers/resp.js';
import { hasRedisServer } from '../helpers/servers.js';
import { prng } from '../helpers/prng.js';
import { Recorder } from './recorder.js';
import { randomStep, runStep } from './workload.js';

const skip = hasRedisServer() ? false : 'redis-server not installed';

/** SCAN's keys, sorted (the order of a hash table walk is not specified). */
function scanKeys(r: Reply): Reply {
  return r.t === 'array' && r.v.length === 2 ? unordered(r.v[1]) : r;
}

function positive(r: Reply): Reply {
  return r.t === 'int' && Number(r.v) > 0 ? { t: 'int', v: 'positive' } : r;
}

async function runBoth(pair: Pair, steps: Step[]): Promise<void> {
  for (const step of steps) {
    let [ra, rb] = await Promise.all([runStep(pair.a, step), runStep(pair.b, step)]);
    // Members of a set come in an unspecified order.
    if (/^(S(POP|UNION|INTER|DIFF|MEMBERS)|KEYS)$/.test(String(step[0]))) [ra, rb] = [ra.map(unordered), rb.map(unordered)];
    if (step[0] === 'SCAN') [ra, rb] = [ra.map(scanKeys), rb.map(scanKeys)];
    // Remaining times depend on when each server ran the command.
    if (/^(P?TTL|P?EXPIRETIME)$/.test(String(step[0]))) [ra, rb] = [ra.map(positive), rb.map(positive)];
    assert.deepStrictEqual(rb, ra, `reply to ${JSON.stringify(step)} differs (actual = reddish, expected = redis)`);
  }
}

describe('keyspace notifications (differential)', { skip }, () => {
  let pair: Pair;
  let recA: Recorder;
  let recB: Recorder;
  let recA3: Recorder;
  let recB3: Recorder;

  before(async () => {
    pair = await startPair(['--enable-debug-command', 'yes']);
    // Keys expire lazily, when a command touches them: at the same point of the sequence on both.
    for (const c of [pair.a, pair.b]) assert.deepStrictEqual(await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0'), { t: 'simple', v: 'OK' });
    [recA, recB, recA3, recB3] = await Promise.all([
      Recorder.open(pair.redis.port),
      Recorder.open(pair.reddish.port),
      Recorder.open(pair.redis.port, true),
      Recorder.open(pair.reddish.port, true),
    ]);
  });

  after(async () => {
    for (const r of [recA, recB, recA3, recB3]) r?.close();
    await pair?.close();
  });

  /** Runs `steps` with the given flags and compares both recorded streams. */
  async function compare(flags: string, steps: Step[], label: string): Promise<string[]> {
    for (const c of [pair.a, pair.b]) {
      assert.deepStrictEqual(await c.call('CONFIG', 'SET', 'notify-keyspace-events', flags), { t: 'simple', v: 'OK' });
    }
    await runBoth(pair, steps);
    const [sa, sb, sa3, sb3] = await Promise.all([recA.drain(pair.a), recB.drain(pair.b), recA3.drain(pair.a), recB3.drain(pair.b)]);
    for (const c of [pair.a, pair.b]) await c.call('CONFIG', 'SET', 'notify-keyspace-events', '');
    await runBoth(pair, [['FLUSHALL']]);
    assert.deepStrictEqual(sb, sa, `${label}: RESP2 notification stream differs (actual = reddish, expected = redis)`);
    assert.deepStrictEqual(sb3, sa3, `${label}: RESP3 notification stream differs`);
    return sa;
  }

  test('a fixed sequence fires the events Redis fires, in its order', async () => {
    const steps: Step[] = [
      ['SET', 'k', 'v'],
      ['SET', 'k', 'v', 'EX', '100'],
      ['SETRANGE', 'k', '1', 'xx'],
      ['INCRBY', 'n', '5'],
      ['INCRBYFLOAT', 'n', '1.5'],
      ['APPEND', 'k', 'z'],
      ['RPUSH', 'l', 'a', 'b', 'c'],
      ['LMOVE', 'l', 'l2', 'LEFT', 'RIGHT'],
      ['LREM', 'l2', '0', 'a'],
      ['SADD', 's', '1'],
      ['SPOP', 's'],
      ['HSET', 'h', 'f', '1'],
      ['HDEL', 'h', 'f'],
      ['ZADD', 'z', '1', 'a', '2', 'b'],
      ['ZPOPMIN', 'z', '5'],
      ['RENAME', 'k', 'k2'],
      ['RENAME', 'nokey', 'k3'],
      ['GETDEL', 'n'],
    ];
    const stream = await compare('KEA', steps, 'fixed');
    // Guards against both servers publishing nothing (the comparison alone would pass).
    assert.ok(stream.includes('array:pmessage __key*__:* __keyevent@0__:rename_from k'), stream.join('\n'));
    assert.ok(stream.length > 30, `only ${stream.length} messages`);
  });

  test('blocked clients served by a later write fire their pop events after the write', async () => {
    for (const c of [pair.a, pair.b]) await c.call('CONFIG', 'SET', 'notify-keyspace-events', 'KEAn');
    const waiters = await Promise.all([RespClient.connect(pair.redis.port), RespClient.connect(pair.reddish.port)]);
    const cases: [Step, Step][] = [
      [['BLPOP', 'bl', '0'], ['RPUSH', 'bl', 'a']],
      [['BLMOVE', 'bm', 'bdst', 'LEFT', 'RIGHT', '0'], ['LPUSH', 'bm', 'a', 'b']],
      [['BZPOPMIN', 'bz', '0'], ['ZADD', 'bz', '1', 'a']],
      [['BLMPOP', '0', '1', 'bmp', 'RIGHT', 'COUNT', '5'], ['RPUSH', 'bmp', 'a', 'b']],
    ];
    try {
      for (const [block, write] of cases) {
        const served = waiters.map((w) => w.call(...block));
        // The write must come once both waiters are blocked.
        for (const c of [pair.a, pair.b]) {
          for (let i = 0; i < 200; i++) {
            const info = await c.call('INFO', 'clients');
            if (info.t === 'bulk' && /blocked_clients:1/.test(info.v)) break;
            await new Promise((r) => setTimeout(r, 5));
          }
        }
        await runBoth(pair, [write]);
        const [ra, rb] = await Promise.all(served);
        assert.deepStrictEqual(rb, ra, JSON.stringify(block));
      }
      const [sa, sb, sa3, sb3] = await Promise.all([recA.drain(pair.a), recB.drain(pair.b), recA3.drain(pair.a), recB3.drain(pair.b)]);
      assert.deepStrictEqual(sb, sa, 'RESP2 stream differs (actual = reddish, expected = redis)');
      assert.deepStrictEqual(sb3, sa3, 'RESP3 stream differs');
      assert.ok(sa.includes('array:pmessage __key*__:* __keyevent@0__:zpopmin bz'), sa.join('\n'));
    } finally {
      for (const w of waiters) w.close();
      for (const c of [pair.a, pair.b]) await c.call('CONFIG', 'SET', 'notify-keyspace-events', '');
      await runBoth(pair, [['FLUSHALL']]);
    }
  });

  // Flag set → the fewest notifications its sequences must produce (the d class has no command
  // here, so 'KEtd' checks that only stream events reach it).
  const flagSets: [string, number][] = [['KEA', 100], ['Kx', 3], ['En', 20], ['Em', 20], ['KEAnm', 100], ['Kg$', 50], ['Elshz', 30], ['KEtd', 4], ['AE', 100]];
  for (const [i, [flags, min]] of flagSets.entries()) {
    test(`random sequences with notify-keyspace-events '${flags}'`, async () => {
      const rand = prng(1000 + i);
      let total = 0;
      for (let round = 0; round < 3; round++) {
        const steps: Step[] = [];
        for (let n = 0; n < 150; n++) steps.push(randomStep(rand));
        total += (await compare(flags, steps, `${flags} round ${round}`)).length;
      }
      // The comparison alone would pass if neither server published anything.
      assert.ok(total >= min, `only ${total} notifications with '${flags}'`);
    });
  }
});
