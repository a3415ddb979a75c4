import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPair, same, type Pair, type Step } from '../helpers/differential.js';
import { RespClient, plain, type Reply } from '../helpers/resp.js';
import { withPropagationLog } from '../helpers/propagation.js';
import { prng } from '../helpers/prng.js';
import { Recorder } from '../notify/recorder.js';

let pair: Pair;
before(async () => {
  pair = await startPair();
});
after(async () => {
  await pair.close();
});

/** Generated IDs differ between the servers (clock): compare their shape only. */
const AUTO = /^\d{13}-\d+$/;
function noAutoIds(r: Reply): Reply {
  if (r.t === 'bulk' && typeof r.v === 'string' && AUTO.test(r.v)) return { t: 'bulk', v: '<auto>' } as Reply;
  if (r.t === 'array' || r.t === 'map' || r.t === 'set' || r.t === 'push') return { ...r, v: (r.v as Reply[]).map(noAutoIds) } as Reply;
  return r;
}

test('XADD IDs, options, replies and errors match Redis', async () => {
  await same(pair, [
    ['FLUSHALL'],
    ['XADD', 's', '1-1', 'a', '1'],
    ['XADD', 's', '1-1', 'a', '1'],
    ['XADD', 's', '1-0', 'a', '1'],
    ['XADD', 's', '1-*', 'b', '2'],
    ['XADD', 's', '2-*', 'b', '2'],
    ['XADD', 's', '5', 'c', '3', 'd', '4'],
    ['XADD', 's', '0-0', 'a', '1'],
    ['XADD', 'n', '0-0', 'a', '1'],
    ['EXISTS', 'n'],
    ['XADD', 'n', '0-*', 'a', '1'],
    ['XADD', 'n', '0-*', 'a', '1'],
    ['XADD', 's', '5-18446744073709551615', 'a', '1'],
    ['XADD', 's', '5-*', 'a', '1'],
    ['XADD', 's', '18446744073709551615-18446744073709551615', 'a', '1'],
    ['XADD', 's', '*', 'a', '1'],
    ['XADD', 's', '18446744073709551616-0', 'a', '1'],
    ['XADD', 's', '-', 'a', '1'],
    ['XADD', 's', '+', 'a', '1'],
    ['XADD', 's', 'abc', 'a', '1'],
    ['XADD', 's', '1-2-3', 'a', '1'],
    ['XADD', 's', '-1', 'a', '1'],
    ['XADD', 's', '*', 'a'],
    ['XADD', 's', '*', 'a', '1', 'b'],
    ['XADD', 's', '*'],
    ['XADD', 's', 'NOMKSTREAM'],
    ['XADD', 'none', 'NOMKSTREAM', '*', 'a', '1'],
    ['EXISTS', 'none'],
    ['XADD', 'none', 'NOMKSTREAM', '1-1', 'a', '1'],
    ['XADD', 's', 'MAXLEN', '-1', '*', 'a', '1'],
    ['XADD', 's', 'MAXLEN', 'x', '*', 'a', '1'],
    ['XADD', 's', 'MAXLEN', '1', 'MINID', '1', '*', 'a', '1'],
    ['XADD', 's', 'LIMIT', '10', '*', 'a', '1'],
    ['XADD', 's', 'MAXLEN', '10', 'LIMIT', '10', '*', 'a', '1'],
    ['XADD', 's', 'MAXLEN', '~', '10', 'LIMIT', '-1', '*', 'a', '1'],
    ['XADD', 's', 'MINID', 'x', '*', 'a', '1'],
    ['XADD', 's', 'MINID', '+', '*', 'a', '1'],
    ['SET', 'str', 'x'],
    ['XADD', 'str', '*', 'a', '1'],
    ['XLEN', 'str'],
    ['XLEN', 's'],
    ['XLEN', 'nokey'],
    ['TYPE', 's'],
    ['OBJECT', 'ENCODING', 's'],
    ['XADD', 's2', ' 7', 'a', '1'],
    ['XADD', 's2', '+8-0', 'a', '1'],
    ['XADD', 's2', '009-01', 'a', '1'],
    ['XADD', 's2', '10-*', 'a', '1'],
    ['XRANGE', 's2', '-', '+'],
    ['XRANGE', 's', '-', '+'],
  ], noAutoIds);
});

test('XRANGE / XREVRANGE bounds, exclusive ranges, COUNT', async () => {
  const steps: Step[] = [['FLUSHALL']];
  for (let i = 1; i <= 12; i++) steps.push(['XADD', 'r', `${Math.ceil(i / 3)}-${i % 3}`, 'f', String(i), 'g', `v${i}`]);
  steps.push(
    ['XRANGE', 'r', '-', '+'],
    ['XRANGE', 'r', '2', '3'],
    ['XRANGE', 'r', '(2-1', '(3-2'],
    ['XRANGE', 'r', '(2', '+'],
    ['XRANGE', 'r', '-', '+', 'COUNT', '3'],
    ['XRANGE', 'r', '-', '+', 'COUNT', '0'],
    ['XRANGE', 'r', '-', '+', 'COUNT', '-5'],
    ['XRANGE', 'none', '-', '+', 'COUNT', '0'],
    ['XRANGE', 'r', '-', '+', 'COUNT'],
    ['XRANGE', 'r', '-', '+', 'COUNT', 'x'],
    ['XRANGE', 'r', '-', '+', 'FOO', '1'],
    ['XRANGE', 'r', '(-', '+'],
    ['XRANGE', 'r', '-', '(+'],
    ['XRANGE', 'r', '(18446744073709551615-18446744073709551615', '+'],
    ['XRANGE', 'r', '-', '(0-0'],
    ['XRANGE', 'r', '(', '+'],
    ['XRANGE', 'r', '3', '2'],
    ['XRANGE', 'r', 'x', '+'],
    ['XREVRANGE', 'r', '+', '-'],
    ['XREVRANGE', 'r', '+', '-', 'COUNT', '4'],
    ['XREVRANGE', 'r', '(3-2', '(1-2'],
    ['XREVRANGE', 'r', '3', '2', 'COUNT', '2'],
    ['XDEL', 'r', '2-0', '2-1', '9-9', '2-1'],
    ['XDEL', 'r', '1-1', 'bad'],
    ['XDEL', 'nokey', 'bad'],
    ['XRANGE', 'r', '-', '+'],
    ['XREVRANGE', 'r', '2-2', '-'],
    ['XLEN', 'r'],
    ['XDEL', 'r', '1-1', '1-2', '2-2', '3-0', '3-1', '3-2', '4-0', '4-1', '4-2', '5-0'],
    ['XLEN', 'r'],
    ['EXISTS', 'r'],
    ['XRANGE', 'r', '-', '+'],
    ['XADD', 'r', '4-1', 'a', 'b'],
    ['XADD', 'r', '4-3', 'a', 'b'],
  );
  await same(pair, steps);
});

test('XTRIM and XADD trimming: exact and ~ leave what Redis leaves', async () => {
  const steps: Step[] = [['FLUSHALL'], ['CONFIG', 'SET', 'stream-node-max-entries', '100'], ['CONFIG', 'SET', 'stream-node-max-bytes', '4096']];
  for (let i = 1; i <= 1000; i++) steps.push(['XADD', 't', `${i}-0`, 'item', String(i), 'payload', 'x'.repeat(i % 37)]);
  steps.push(
    ['XTRIM', 't', 'MAXLEN', '~', '950'],
    ['XLEN', 't'],
    ['XTRIM', 't', 'MAXLEN', '~', '500'],
    ['XLEN', 't'],
    ['XRANGE', 't', '-', '+', 'COUNT', '1'],
    ['XTRIM', 't', 'MAXLEN', '~', '100', 'LIMIT', '150'],
    ['XLEN', 't'],
    ['XTRIM', 't', 'MAXLEN', '=', '333'],
    ['XLEN', 't'],
    ['XRANGE', 't', '-', '+', 'COUNT', '1'],
    ['XTRIM', 't', 'MINID', '~', '800'],
    ['XLEN', 't'],
    ['XTRIM', 't', 'MINID', '800'],
    ['XLEN', 't'],
    ['XRANGE', 't', '-', '+', 'COUNT', '1'],
    ['XTRIM', 't', 'MAXLEN', '0', 'LIMIT', '5'],
    ['XTRIM', 't', 'MAXLEN', '~', '0', 'LIMIT', '0'],
    ['XLEN', 't'],
    ['XTRIM', 't'],
    ['XTRIM', 't', 'FOO'],
    ['XTRIM', 't', 'LIMIT', '1'],
    ['XTRIM', 'nokey', 'MAXLEN', '1'],
    ['XTRIM', 't', 'MAXLEN', '~'],
  );
  for (let i = 1; i <= 600; i++) steps.push(['XADD', 'u', 'MAXLEN', '~', '200', `${i}-1`, 'k', 'v'.repeat(i % 90), 'n', String(i * 7)]);
  steps.push(['XLEN', 'u'], ['XRANGE', 'u', '-', '+', 'COUNT', '1']);
  await same(pair, steps);
});

test('~ trimming follows the node boundaries of Redis (random sizes, fields, deletions, configs)', async () => {
  const rnd = prng(7);
  for (const [entries, bytes] of [
    [100, 4096],
    [10, 0],
    [0, 300],
    [7, 200],
  ]) {
    const steps: Step[] = [['FLUSHALL'], ['CONFIG', 'SET', 'stream-node-max-entries', String(entries)], ['CONFIG', 'SET', 'stream-node-max-bytes', String(bytes)]];
    let ms = 1;
    for (let i = 0; i < 700; i++) {
      ms += Math.floor(rnd() * 3);
      const nf = 1 + Math.floor(rnd() * 3);
      const kv: string[] = [];
      for (let f = 0; f < nf; f++) kv.push(rnd() < 0.8 ? `f${f}` : `g${f}`, rnd() < 0.3 ? String(Math.floor(rnd() * 100000) - 50000) : 'v'.repeat(Math.floor(rnd() * 80)));
      steps.push(['XADD', 'k', `${ms}-*`, ...kv]);
      if (rnd() < 0.05) steps.push(['XDEL', 'k', `${ms}-0`, `${ms - 3}-0`]);
      if (rnd() < 0.04) steps.push(['XTRIM', 'k', 'MAXLEN', '~', String(Math.floor(rnd() * 300))]);
      if (rnd() < 0.02) steps.push(['XTRIM', 'k', 'MINID', '~', String(ms - Math.floor(rnd() * 200))]);
      if (rnd() < 0.02) steps.push(['XADD', 'k', 'MAXLEN', '~', String(Math.floor(rnd() * 300)), '*', 'x', 'y']);
    }
    steps.push(['XLEN', 'k'], ['XRANGE', 'k', '-', '+', 'COUNT', '2']);
    await same(pair, steps, noAutoIds);
  }
  await same(pair, [['CONFIG', 'SET', 'stream-node-max-entries', '100'], ['CONFIG', 'SET', 'stream-node-max-bytes', '4096']]);
});

test('XSETID checks and effects', async () => {
  await same(pair, [
    ['FLUSHALL'],
    ['XSETID', 'nokey', '1-1'],
    ['XADD', 'x', '5-5', 'a', '1'],
    ['XSETID', 'x', '5-4'],
    ['XSETID', 'x', '5-5'],
    ['XSETID', 'x', '10-0', 'ENTRIESADDED', '0'],
    ['XSETID', 'x', '10-0', 'ENTRIESADDED', '-1'],
    ['XSETID', 'x', '10-0', 'ENTRIESADDED', 'x'],
    ['XSETID', 'x', '10-0', 'MAXDELETEDID', '11-0'],
    ['XSETID', 'x', '10-0', 'MAXDELETEDID', '+'],
    ['XSETID', 'x', '10-0', 'ENTRIESADDED', '5', 'MAXDELETEDID', '3-0'],
    ['XSETID', 'x', '10-0', 'FOO'],
    ['XSETID', 'x', '+'],
    ['XADD', 'x', '9-0', 'a', '1'],
    ['XADD', 'x', '10-*', 'a', '1'],
    ['XDEL', 'x', '5-5', '10-1'],
    ['XSETID', 'x', '1-0'],
    ['XLEN', 'x'],
    ['SET', 'str', '1'],
    ['XSETID', 'str', '1-1'],
  ]);
});

test('XREAD synchronous replies in RESP2 and RESP3', async () => {
  await same(pair, [
    ['FLUSHALL'],
    ['XADD', 'a', '1-1', 'f', 'v'],
    ['XADD', 'a', '2-1', 'f', 'w'],
    ['XADD', 'b', '3-1', 'g', 'x'],
    ['XREAD', 'STREAMS', 'a', 'b', '0', '0'],
    ['XREAD', 'COUNT', '1', 'STREAMS', 'a', 'b', '0', '0'],
    ['XREAD', 'STREAMS', 'a', 'b', '1-1', '$'],
    ['XREAD', 'STREAMS', 'a', 'b', '$', '$'],
    ['XREAD', 'STREAMS', 'a', 'nokey', '0', '0'],
    ['XREAD', 'STREAMS', 'a'],
    ['XREAD', 'STREAMS', 'a', 'b', '0'],
    ['XREAD', 'STREAMS', 'a', '>'],
    ['XREAD', 'STREAMS', 'a', 'x'],
    ['XREAD', 'COUNT', 'x', 'STREAMS', 'a', '0'],
    ['XREAD', 'BLOCK', '-1', 'STREAMS', 'a', '0'],
    ['XREAD', 'BLOCK', 'x', 'STREAMS', 'a', '0'],
    ['XREAD', 'BLOCK', '1.5', 'STREAMS', 'a', '0'],
    ['XREAD', 'GROUP', 'g', 'c', 'STREAMS', 'a', '0'],
    ['XREAD', 'NOACK', 'STREAMS', 'a', '0'],
    ['XREAD', 'FOO', 'STREAMS', 'a', '0'],
    ['XREAD', 'COUNT', '1'],
    ['XREAD', 'BLOCK', '10', 'STREAMS', 'a', '$'],
    ['SET', 'str', 'x'],
    ['XREAD', 'STREAMS', 'a', 'str', '0', '0'],
    ['MULTI'],
    ['XREAD', 'BLOCK', '0', 'STREAMS', 'a', '$'],
    ['EXEC'],
    ['HELLO', '3'],
    ['XREAD', 'STREAMS', 'a', 'b', '0', '0'],
    ['XREAD', 'STREAMS', 'a', '$'],
    ['XRANGE', 'a', '-', '+', 'COUNT', '0'],
    ['HELLO', '2'],
  ], (r, step) => (step[0] === 'HELLO' ? ({ t: 'simple', v: 'hello' } as Reply) : r));
});

test('XREAD BLOCK is served by XADD, $ waits for new entries, timeouts reply null', async () => {
  const run = async (port: number) => {
    const a = await RespClient.connect(port);
    const b = await RespClient.connect(port);
    const ctl = await RespClient.connect(port);
    const waitBlocked = async (n: number) => {
      for (let i = 0; i < 400; i++) {
        const info = String(plain(await ctl.call('INFO', 'clients')));
        if (new RegExp(`blocked_clients:${n}\\r`).test(info)) return;
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    try {
      await ctl.call('FLUSHALL');
      await ctl.call('XADD', 's', '1-1', 'a', '1');
      const p1 = a.call('XREAD', 'BLOCK', '0', 'STREAMS', 'x', 's', '0', '$');
      await waitBlocked(1);
      await ctl.call('XADD', 'other', '1-1', 'a', '1');
      await ctl.call('XADD', 's', '2-1', 'b', '2');
      const r1 = await p1;
      const p2 = b.call('XREAD', 'BLOCK', '0', 'COUNT', '1', 'STREAMS', 'new', '0-0');
      await waitBlocked(1);
      await ctl.call('MULTI');
      await ctl.call('XADD', 'new', '5-1', 'a', '1');
      await ctl.call('XADD', 'new', '5-2', 'a', '2');
      await ctl.call('EXEC');
      const r2 = await p2;
      const timedOut = await a.call('XREAD', 'BLOCK', '20', 'STREAMS', 's', '$');
      const p3 = a.call('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$');
      await waitBlocked(1);
      await ctl.call('DEL', 's');
      // Recreated below the ID the reader resolved $ to: not served until an entry passes it.
      await ctl.call('XADD', 's', '1-0', 'z', 'z');
      await waitBlocked(1);
      await ctl.call('XADD', 's', '9-0', 'y', 'y');
      const r3 = await p3;
      await b.call('HELLO', '3');
      const p4 = b.call('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$');
      await waitBlocked(1);
      await ctl.call('XADD', 's', '10-0', 'q', 'q');
      const r4 = await p4;
      return [r1, r2, timedOut, r3, r4];
    } finally {
      a.close();
      b.close();
      ctl.close();
    }
  };
  const expected = await run(pair.redis.port);
  const actual = await run(pair.reddish.port);
  assert.deepStrictEqual(actual, expected);
});

test('keyspace notifications of stream commands', async () => {
  const run = async (port: number) => {
    const c = await RespClient.connect(port);
    await c.call('FLUSHALL');
    await c.call('CONFIG', 'SET', 'notify-keyspace-events', 'KEA');
    const rec = await Recorder.open(port);
    try {
      await c.call('XADD', 'n', 'MAXLEN', '1', '1-1', 'a', '1');
      await c.call('XADD', 'n', 'MAXLEN', '1', '1-2', 'a', '1');
      await c.call('XDEL', 'n', '1-2');
      await c.call('XDEL', 'n', '1-2');
      await c.call('XADD', 'n', '2-1', 'a', '1');
      await c.call('XTRIM', 'n', 'MAXLEN', '0');
      await c.call('XSETID', 'n', '5-5');
      await c.call('XTRIM', 'n', 'MAXLEN', '0');
      await c.call('XADD', 'm', 'NOMKSTREAM', '*', 'a', '1');
      return await rec.drain(c);
    } finally {
      await c.call('CONFIG', 'SET', 'notify-keyspace-events', '');
      rec.close();
      c.close();
    }
  };
  assert.deepStrictEqual(await run(pair.reddish.port), await run(pair.redis.port));
});

test('propagation: generated IDs and ~ trimming are rewritten as Redis 7.0 does', async () => {
  await withPropagationLog(async (run) => {
    await run('CONFIG', 'SET', 'stream-node-max-entries', '10');
    let r = await run('XADD', 's', '5-*', 'a', '1');
    assert.deepStrictEqual(r.prop, [['0', 'XADD', 's', '5-0', 'a', '1']]);
    r = await run('XADD', 'auto', '*', 'a', '1');
    assert.equal(r.prop.length, 1);
    assert.equal(r.prop[0][3], r.reply);
    r = await run('XADD', 's', '6-1', 'a', '1');
    assert.deepStrictEqual(r.prop, [['0', 'XADD', 's', '6-1', 'a', '1']]);
    for (let i = 10; i < 40; i++) await run('XADD', 's', `${i}-1`, 'a', '1');
    r = await run('XADD', 's', 'MAXLEN', '~', '5', '50-*', 'a', '1');
    assert.deepStrictEqual(r.prop, [['0', 'XADD', 's', 'MAXLEN', '=', '13', '50-0', 'a', '1']]);
    r = await run('XTRIM', 's', 'MINID', '~', '38');
    assert.deepStrictEqual([r.reply, r.prop], [10, [['0', 'XTRIM', 's', 'MINID', '=', '38-1']]]);
    r = await run('XTRIM', 's', 'MINID', '~', '35');
    assert.deepStrictEqual([r.reply, r.prop], [0, []]);
    r = await run('XTRIM', 's', 'MAXLEN', '~', '5');
    assert.deepStrictEqual(r.prop, []);
    r = await run('XTRIM', 's', 'MAXLEN', '5');
    assert.deepStrictEqual([r.reply, r.prop], [0, []]);
    r = await run('XTRIM', 's', 'MAXLEN', '2');
    assert.deepStrictEqual([r.reply, r.prop], [1, [['0', 'XTRIM', 's', 'MAXLEN', '2']]]);
    r = await run('XDEL', 's', '1-1');
    assert.deepStrictEqual(r.prop, []);
    r = await run('XSETID', 's', '99-0');
    assert.deepStrictEqual(r.prop, [['0', 'XSETID', 's', '99-0']]);
    r = await run('XADD', 'none', 'NOMKSTREAM', '*', 'a', '1');
    assert.deepStrictEqual(r.prop, []);
  });
});
