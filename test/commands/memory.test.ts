/**
 * MEMORY DOCTOR / MALLOC-STATS / PURGE / STATS. Memory figures differ between Redis and reddish
 * (V8 heap), so exact comparisons are made where Redis's answer does not depend on them (an
 * empty instance, PURGE, errors, the shape of STATS); the doctor's other verdicts are checked
 * on an in-process server whose figures the test sets.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPair, same, type Pair } from '../helpers/differential.js';
import { RespClient, plain, type Reply } from '../helpers/resp.js';
import { startServer as startInProcess } from '../../src/index.js';

let pair: Pair;
before(async () => {
  pair = await startPair();
});
after(async () => {
  await pair.close();
});

test('MEMORY DOCTOR on an empty instance, PURGE and errors: same replies as Redis', async () => {
  await same(pair, [
    ['MEMORY', 'DOCTOR'],
    ['MEMORY', 'PURGE'],
    ['MEMORY', 'DOCTOR', 'x'],
    ['MEMORY', 'PURGE', 'x'],
    ['MEMORY', 'MALLOC-STATS', 'x'],
    ['MEMORY', 'NOSUCH'],
    ['MEMORY'],
  ]);
  const [a, b] = await Promise.all([RespClient.connect(pair.redis.port), RespClient.connect(pair.reddish.port)]);
  try {
    await Promise.all([a.call('HELLO', '3'), b.call('HELLO', '3')]);
    assert.deepEqual(await b.call('MEMORY', 'DOCTOR'), await a.call('MEMORY', 'DOCTOR'));
    // Both are verbatim text in RESP3; reddish's report is V8's, framed like jemalloc's.
    const [ma, mb] = await Promise.all([a.call('MEMORY', 'MALLOC-STATS'), b.call('MEMORY', 'MALLOC-STATS')]);
    assert.equal(mb.t, ma.t);
    const txt = (mb as { v: string }).v.replace(/^txt:/, '');
    assert.match(txt, /^___ Begin V8 heap statistics ___\n/);
    assert.match(txt, /\n  used_heap_size: \d+\n/);
    assert.match(txt, /\n  old_space +\d+ +\d+ +\d+ +\d+\n/);
    assert.match(txt, /--- End V8 heap statistics ---\n$/);
  } finally {
    a.close();
    b.close();
  }
});

test('MEMORY STATS has the fields of Redis, in its order, with a db map like Redis', async () => {
  await same(pair, [['SET', 'k', 'v'], ['EXPIRE', 'k', '100']]);
  const [ra, rb] = await Promise.all([pair.a.call('MEMORY', 'STATS'), pair.b.call('MEMORY', 'STATS')]);
  const names = (r: Reply) => {
    const v = plain(r) as unknown[];
    const out: unknown[] = [];
    for (let i = 0; i < v.length; i += 2) out.push(Array.isArray(v[i + 1]) ? [v[i], (v[i + 1] as unknown[]).filter((_, j) => j % 2 === 0)] : v[i]);
    return out;
  };
  assert.deepEqual(names(rb), names(ra));
  await same(pair, [['DEL', 'k']]);
});

test('MEMORY DOCTOR verdicts: no issue, past peak, big client buffers (in-process, figures set)', async () => {
  const srv = await startInProcess({ config: { save: '' } });
  const c = await RespClient.connect(srv.port, srv.host);
  try {
    const doctor = async () => ((await c.call('MEMORY', 'DOCTOR')) as { v: string }).v;
    const mem = srv.server.memory as { peak: number; used(): number };
    const used = () => mem.used();
    assert.match(await doctor(), /^Hi Sam, this instance is empty or is using very little memory/);
    // Over Redis's 5 MB "empty" line, without a peak.
    await c.call('SET', 'data', 'x'.repeat(6 << 20));
    mem.peak = 0;
    assert.equal(await doctor(), "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n");
    mem.peak = used() * 4;
    const report = await doctor();
    assert.match(report, /^Sam, I detected a few issues in this Redis instance memory implants:\n\n \* Peak memory: In the past this instance used more than 150% the memory that is currently using\./);
    assert.match(report, /please try the MEMORY PURGE command, otherwise the only other option is to shutdown and restart the instance\.\n\nI'm here to keep you safe, Sam\. I want to help you\.\n$/);
    mem.peak = 0;
    // A client that does not read a large reply: its pending output counts as client buffers.
    const slow = await RespClient.connect(srv.port, srv.host);
    slow.socket.pause();
    await c.call('SET', 'big', 'x'.repeat(4 << 20));
    slow.socket.write('*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n'.repeat(8));
    let r = '';
    for (let i = 0; i < 50 && !/Big client buffers/.test(r); i++) {
      await new Promise((res) => setTimeout(res, 50));
      r = await doctor();
    }
    assert.match(r, / \* Big client buffers: The clients output buffers in this instance are greater than 200K per client \(on average\)\./);
    assert.doesNotMatch(r, /High total RSS|allocator/);
    slow.close();
  } finally {
    c.close();
    await srv.close();
  }
});
